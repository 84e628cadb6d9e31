"""How each import's answers were read: the user's scale map and what was left out.

- imports.answer_map: the scale map given with --scale-map (JSON list of [answer, value],
  value null for "no answer"), so the report's method note can state it.
- imports.left_out: JSON counts of the rows not imported and why (survey previews and
  spam, unfinished responses, rows answering only "Don't know"), and of unfinished
  responses kept with --include-partial.

Revision ID: 0004_import_reading
Revises: 0003_cascade
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_import_reading"
down_revision = "0003_cascade"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.add_column(sa.Column("answer_map", sa.Text(), nullable=True))
        batch.add_column(sa.Column("left_out", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("left_out")
        batch.drop_column("answer_map")
