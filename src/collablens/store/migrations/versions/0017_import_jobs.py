"""Uploads imported in the background (issue 25).

- uploads: a survey file uploaded through the web, kept until its "import" job (run by a
  worker on any machine) has read it; deleted with its job.
- jobs.outcome: what a finished job found that its page offers controls for (a refused
  import's problems and ways out).

Revision ID: 0017_import_jobs
Revises: 0016_edition_views
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_import_jobs"
down_revision = "0016_edition_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column(
            "job_id",
            sa.Integer(),
            sa.ForeignKey("jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("outcome")
    op.drop_table("uploads")
