"""What the release check keeps of published figures, kept in the workspace (issue 25).

- ledger_kept: per published list, the audit's atoms and independent rows of each measure
  as plain arrays (`analysis.audit._dump`), written when an edition is published or a check
  had to build them, and read by a check in a new process instead of rebuilding them.

Revision ID: 0018_ledger_kept
Revises: 0017_import_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_ledger_kept"
down_revision = "0017_import_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_kept",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collaboration_id",
            sa.Integer(),
            sa.ForeignKey("collaborations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kept_key", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kept_key", name="uq_ledger_kept_key"),
    )
    op.create_index("ix_ledger_kept_collaboration_id", "ledger_kept", ["collaboration_id"])


def downgrade() -> None:
    op.drop_index("ix_ledger_kept_collaboration_id", "ledger_kept")
    op.drop_table("ledger_kept")
