"""Which codes can be trusted: the coder's own calibrated decisions, stored with each code.

- codes.accepted: the model's factor is confident enough to count without a person's
  review. Codes written before this migration have no such decision, so the model's
  are stored as not accepted ("needs review") and leave the report's counts and quotes
  until someone reviews them (or `collablens code --recode` codes them again; with a
  framework that has no teaching corpus the coder accepts nothing, so only review helps).
- codes.polarity_confidence: the probability of the code's polarity (null when unknown,
  as for every model code written before this migration).
- codes.polarity_sure: the polarity is confident enough to show; otherwise the report
  says "unclear".

A person's code (source "human") is accepted and its polarity sure, with confidence 1.

Revision ID: 0006_code_trust
Revises: 0005_releases_and_forces
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_code_trust"
down_revision = "0005_releases_and_forces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("codes") as batch:
        batch.add_column(
            sa.Column("accepted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("polarity_confidence", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("polarity_sure", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    codes = sa.table(
        "codes",
        sa.column("source", sa.String),
        sa.column("accepted", sa.Boolean),
        sa.column("polarity_confidence", sa.Float),
        sa.column("polarity_sure", sa.Boolean),
    )
    op.execute(
        codes.update()
        .where(codes.c.source == "human")
        .values(accepted=True, polarity_confidence=1.0, polarity_sure=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("codes") as batch:
        batch.drop_column("polarity_sure")
        batch.drop_column("polarity_confidence")
        batch.drop_column("accepted")
