"""How fast a survey link's answers come: a rate limit per link and a burst flag for admins.

- survey_links.pace_minute: the clock minute (minutes since 1970, UTC) of the link's
  current count; overwritten by the next minute's first answer, so a link knows roughly
  when its latest answer came and never which respondent sent it.
- survey_links.pace_count: answers taken through the link in that minute (the rate limit
  refuses more than `LINK_RESPONSES_PER_MINUTE`).
- survey_links.pace_peak: the most answers the link took in any one minute (a burst is
  flagged to the programme admin from `LINK_BURST_RESPONSES`).
- survey_links.refused: answers refused for coming too fast.

Links made before this migration start with no minute and zero counts.

Revision ID: 0010_link_pace
Revises: 0009_web
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_link_pace"
down_revision = "0009_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_links") as batch:
        batch.add_column(sa.Column("pace_minute", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("pace_count", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("pace_peak", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column("refused", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_links") as batch:
        for name in ("refused", "pace_peak", "pace_count", "pace_minute"):
            batch.drop_column(name)
