"""Jobs on a real engine: a job may be a part of another, and procrastinate's tables.

- jobs.parent: coding a national wave is split into parts that several workers share;
  each part is a job of its own (claimed, beating, resumable) that names its whole.
- On PostgreSQL, procrastinate's schema (its queue, its workers' heartbeats) is applied in
  a PostgreSQL schema of its own, `procrastinate`, so it never mixes with the workspace's
  tables (and Alembic's comparison of the declared tables does not see it).

Revision ID: 0015_jobs_engine
Revises: 0013_drop_sessions_from
"""

import contextlib

import sqlalchemy as sa
from alembic import op

revision = "0015_jobs_engine"
# On main this follows 0014_ledger_basis (another part of issue 25); the branch that adds
# it sets this to "0014_ledger_basis" when both are merged.
down_revision = "0013_drop_sessions_from"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("parent", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_jobs_parent_jobs", "jobs", ["parent"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_jobs_parent", ["parent"])
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        from collablens.store.engine_schema import apply_engine_schema

        # psycopg without procrastinate: jobs run on the table's own runner, and the
        # schema is applied on first use once procrastinate is installed.
        with contextlib.suppress(ImportError):
            apply_engine_schema(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        from collablens.store.engine_schema import drop_engine_schema

        drop_engine_schema(conn)
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_parent")
        batch.drop_constraint("fk_jobs_parent_jobs", type_="foreignkey")
        batch.drop_column("parent")
