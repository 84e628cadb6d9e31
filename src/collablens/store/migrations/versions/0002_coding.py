"""Coding: free text cut into segments, and each segment's code (model or human).

Revision ID: 0002_coding
Revises: 0001_surveys
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_coding"
down_revision = "0001_surveys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("comment_id", "position", name="uq_segment_position"),
    )
    op.create_table(
        "codes",
        sa.Column("segment_id", sa.Integer, sa.ForeignKey("segments.id"), primary_key=True),
        sa.Column("factor_id", sa.String(100), nullable=False),
        sa.Column("polarity", sa.String(20), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("others", sa.Text, nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_codes_source_confidence", "codes", ["source", "confidence"])


def downgrade() -> None:
    op.drop_table("codes")
    op.drop_table("segments")
