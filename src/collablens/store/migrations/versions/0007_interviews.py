"""Interviews: participants, transcripts and their turns; segments of turns; coders.

- participants: people interviewed, by pseudonym (P03) and the attributes given.
- sources: one transcript each, stored only pseudonymised, with a GUID kept across
  REFI-QDA exports.
- turns: who spoke (a pseudonym), whether they were the interviewer, when, and where the
  turn's words start in the source's text.
- segments: cut from a comment or from a turn (comment_id becomes nullable, turn_id is
  added, and exactly one of the two is set); a turn's segments keep their character
  positions in the source's text.
- codes.coder: the name a person reviewed under (null for the model's codes and for
  people's codes from before this migration).
- codings: every coder's own code of a segment, the model's and each person's. Existing
  codes are copied in: the model's under "model", people's under "reviewer" (their
  names were not recorded before).

Revision ID: 0007_interviews
Revises: 0006_code_trust
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_interviews"
down_revision = "0006_code_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("force", sa.String(200), nullable=True),
        sa.Column("role", sa.String(200), nullable=True),
        sa.Column("rank_band", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaborations.id"],
            name="fk_participants_collaboration_id_collaborations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collaboration_id", "key", name="uq_participant_key"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("guid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source_format", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaborations.id"],
            name="fk_sources_collaboration_id_collaborations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_sources_participant_id_participants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guid"),
        sa.UniqueConstraint("collaboration_id", "sha256", name="uq_source_file"),
    )
    op.create_index("ix_sources_participant_id", "sources", ["participant_id"])
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(200), nullable=False),
        sa.Column("interviewer", sa.Boolean(), nullable=False),
        sa.Column("question", sa.String(20), nullable=True),
        sa.Column("start_ms", sa.Integer(), nullable=True),
        sa.Column("end_ms", sa.Integer(), nullable=True),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name="fk_turns_source_id_sources",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "position", name="uq_turn_position"),
    )
    with op.batch_alter_table("segments") as batch:
        batch.alter_column("comment_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("turn_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("start_char", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("end_char", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_segments_turn_id_turns", "turns", ["turn_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_segments_turn_id", ["turn_id"])
        batch.create_unique_constraint("uq_segment_turn_position", ["turn_id", "position"])
        batch.create_check_constraint(
            "ck_segments_one_parent", "(comment_id IS NULL) <> (turn_id IS NULL)"
        )
    with op.batch_alter_table("codes") as batch:
        batch.add_column(sa.Column("coder", sa.String(200), nullable=True))
    op.create_table(
        "codings",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("coder", sa.String(200), nullable=False),
        sa.Column("factor_id", sa.String(100), nullable=False),
        sa.Column("polarity", sa.String(20), nullable=False),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name="fk_codings_segment_id_segments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("segment_id", "coder"),
    )
    op.create_index("ix_codings_coder", "codings", ["coder"])
    op.execute(
        "INSERT INTO codings (segment_id, coder, factor_id, polarity, coded_at) "
        "SELECT segment_id, CASE WHEN source = 'human' THEN 'reviewer' ELSE 'model' END, "
        "factor_id, polarity, coded_at FROM codes"
    )


def downgrade() -> None:
    op.drop_index("ix_codings_coder", table_name="codings")
    op.drop_table("codings")
    with op.batch_alter_table("codes") as batch:
        batch.drop_column("coder")
    op.execute("DELETE FROM segments WHERE turn_id IS NOT NULL")
    with op.batch_alter_table("segments") as batch:
        batch.drop_constraint("ck_segments_one_parent", type_="check")
        batch.drop_constraint("uq_segment_turn_position", type_="unique")
        batch.drop_index("ix_segments_turn_id")
        batch.drop_constraint("fk_segments_turn_id_turns", type_="foreignkey")
        batch.drop_column("end_char")
        batch.drop_column("start_char")
        batch.drop_column("turn_id")
        batch.alter_column("comment_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("turns")
    op.drop_index("ix_sources_participant_id", table_name="sources")
    op.drop_table("sources")
    op.drop_table("participants")
