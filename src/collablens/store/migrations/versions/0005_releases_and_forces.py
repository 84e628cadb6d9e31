"""The release ledger and each collaboration's declared forces.

- releases: every output that published figures of a wave (report, scores, exports), with
  the cells it showed and the people behind them, so that a later release of the same wave
  cannot be subtracted from it to reveal a small group (see analysis/ledger.py).
- collaboration_forces: the forces a collaboration declares; respondents' force answers
  are matched to them, and only a declared name is printed for a group.

Revision ID: 0005_releases_and_forces
Revises: 0004_import_reading
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_releases_and_forces"
down_revision = "0004_import_reading"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collaboration_forces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaborations.id"],
            name="fk_collaboration_forces_collaboration_id_collaborations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collaboration_id", "name", name="uq_collaboration_force"),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("wave", sa.String(100), nullable=False),
        sa.Column("output", sa.String(40), nullable=False),
        sa.Column("label", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("population", sa.LargeBinary(), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaborations.id"],
            name="fk_releases_collaboration_id_collaborations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_releases_collaboration_id", "releases", ["collaboration_id"])


def downgrade() -> None:
    op.drop_index("ix_releases_collaboration_id", table_name="releases")
    op.drop_table("releases")
    op.drop_table("collaboration_forces")
