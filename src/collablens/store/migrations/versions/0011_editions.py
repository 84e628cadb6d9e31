"""Waves that open, close and publish; published editions that stay put.

- waves.state: open, closed or published (`analysis.editions`). Waves that exist before
  this migration are open: nothing about them was published as an edition yet, and the
  releases they had stay in the ledger, which the disclosure audit still reads.
- editions: a wave's published editions, each with the answers and people behind it, the
  figures it published keyed by those people, what it withheld and its settings.
- wave_events: who opened, closed, published, reopened or corrected a wave, and why.
- releases.population and releases.cells become optional (a release now shows an
  edition, named by releases.edition_id), and releases.actor says who asked for it.

Revision ID: 0011_editions
Revises: 0010_link_pace
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_editions"
down_revision = "0010_link_pace"
branch_labels = None
depends_on = None


def _collaboration_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collaboration_id",
            sa.Integer(),
            sa.ForeignKey("collaborations.id", ondelete="CASCADE"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    with op.batch_alter_table("waves") as batch:
        batch.add_column(sa.Column("state", sa.String(12), nullable=False, server_default="open"))
    with op.batch_alter_table("releases") as batch:
        batch.alter_column("population", existing_type=sa.LargeBinary(), nullable=True)
        batch.alter_column("cells", existing_type=sa.Text(), nullable=True)
        batch.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("actor", sa.String(200), nullable=True))
    op.create_table(
        "editions",
        *_collaboration_columns(),
        sa.Column("wave", sa.String(100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("correction", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.Column("figures", sa.LargeBinary(), nullable=False),
        sa.Column("withheld", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.UniqueConstraint("collaboration_id", "wave", "number", name="uq_edition_number"),
    )
    op.create_index("ix_editions_collaboration_id", "editions", ["collaboration_id"])
    op.create_table(
        "wave_events",
        *_collaboration_columns(),
        sa.Column("wave", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wave_events_collaboration_id", "wave_events", ["collaboration_id"])


def downgrade() -> None:
    op.drop_index("ix_wave_events_collaboration_id", "wave_events")
    op.drop_table("wave_events")
    op.drop_index("ix_editions_collaboration_id", "editions")
    op.drop_table("editions")
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("actor")
        batch.drop_column("edition_id")
    with op.batch_alter_table("waves") as batch:
        batch.drop_column("state")
