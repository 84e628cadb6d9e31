"""What a published edition's views show, kept with the edition (issue 25).

- edition_views: the disclosed findings each audience is shown of a published edition, and
  the charts drawn from them, computed on the first view and read by every later one, in
  every process and after every restart (`analysis.publishing`).

Revision ID: 0016_edition_views
Revises: 0015_jobs_engine
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_edition_views"
down_revision = "0015_jobs_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edition_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collaboration_id",
            sa.Integer(),
            sa.ForeignKey("collaborations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("view_key", sa.String(64), nullable=False),
        sa.Column(
            "edition_id",
            sa.Integer(),
            sa.ForeignKey("editions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("audience", sa.String(200), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("view_key", name="uq_edition_views_key"),
    )
    op.create_index("ix_edition_views_collaboration_id", "edition_views", ["collaboration_id"])
    op.create_index("ix_edition_views_edition_id", "edition_views", ["edition_id"])


def downgrade() -> None:
    op.drop_index("ix_edition_views_edition_id", "edition_views")
    op.drop_index("ix_edition_views_collaboration_id", "edition_views")
    op.drop_table("edition_views")
