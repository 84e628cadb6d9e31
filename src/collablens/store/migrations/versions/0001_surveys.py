"""Surveys: settings, collaborations, waves, imports, respondents (with answers), comments.

Revision ID: 0001_surveys
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_surveys"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "collaborations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "collaboration_id", sa.Integer, sa.ForeignKey("collaborations.id"), nullable=False
        ),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("collaboration_id", "label", name="uq_wave_label"),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("wave_id", sa.Integer, sa.ForeignKey("waves.id"), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source_format", sa.String(40), nullable=False),
        sa.Column("rows_added", sa.Integer, nullable=False),
        sa.Column("item_ids", sa.Text, nullable=False),
        sa.Column("scale_min", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("wave_id", "sha256", name="uq_import_file"),
    )
    op.create_table(
        "respondents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("wave_id", sa.Integer, sa.ForeignKey("waves.id"), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("force", sa.String(200)),
        sa.Column("role", sa.String(200)),
        sa.Column("rank_band", sa.String(200)),
        sa.Column("length_of_service", sa.String(200)),
        sa.Column("answers", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("wave_id", "key", name="uq_respondent_key"),
    )
    op.create_index("ix_respondents_wave_id", "respondents", ["wave_id"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("respondent_id", sa.Integer, sa.ForeignKey("respondents.id"), nullable=False),
        sa.Column("question_id", sa.String(100), nullable=False),
        sa.Column("factor_id", sa.String(100)),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_comments_respondent_id", "comments", ["respondent_id"])


def downgrade() -> None:
    for name in ("comments", "respondents", "imports", "waves", "collaborations"):
        op.drop_table(name)
    op.drop_table("settings")
