"""users.sessions_from goes: sessions are ended row by row in web_sessions (0012).

The column said "sessions begun before this are over" while sessions lived only in the
cookie. Since 0012 a new password or a disabled account ends the account's rows in
web_sessions, and nothing reads the column; kept, it would be a second answer to "is this
session over?" that nobody keeps true.

Revision ID: 0013_drop_sessions_from
Revises: 0012_web_sessions
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_drop_sessions_from"
down_revision = "0012_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sessions_from")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sessions_from", sa.DateTime(timezone=True), nullable=True))
