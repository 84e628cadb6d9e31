"""Cascading deletes, named foreign keys, polarity in today's words, an index for cascades.

- Every foreign key gets ON DELETE CASCADE, so deleting a wave removes its imports,
  respondents, comments, segments and codes in one statement. The keys are re-created
  under one name on every backend (fk_<table>_<column>_<referred table>), where before
  SQLite had them unnamed and PostgreSQL named them <table>_<column>_fkey.
- respondents.import_id is indexed, so that cascading from an import does not scan
  every respondent.
- A code's polarity was stored as inhibitor/facilitator; it is now barrier/enabler
  (see collablens.vocabulary). Downgrade writes the old words back.

Revision ID: 0003_cascade
Revises: 0002_coding
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_cascade"
down_revision = "0002_coding"
branch_labels = None
depends_on = None

# (table, column, referred table), grouped by table as each table is altered once.
FOREIGN_KEYS = {
    "waves": [("collaboration_id", "collaborations")],
    "imports": [("wave_id", "waves")],
    "respondents": [("wave_id", "waves"), ("import_id", "imports")],
    "comments": [("respondent_id", "respondents")],
    "segments": [("comment_id", "comments")],
    "codes": [("segment_id", "segments")],
}
# SQLite's foreign keys have no names; in batch mode (SQLite) the reflected ones are
# given these, so that they can be dropped by name.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
POLARITY_WORDS = [("inhibitor", "barrier"), ("facilitator", "enabler")]


def _new_name(table: str, column: str, referred: str) -> str:
    return f"fk_{table}_{column}_{referred}"


def _old_name(table: str, column: str, referred: str) -> str:
    return f"{table}_{column}_fkey"  # PostgreSQL's default name


def _current_name(table: str, column: str, referred: str) -> str:
    """The name of the foreign key on `column` as the database has it now."""
    for fk in sa.inspect(op.get_bind()).get_foreign_keys(table):
        if fk["constrained_columns"] == [column] and fk["name"]:
            return fk["name"]
    return _new_name(table, column, referred)  # unnamed (SQLite): NAMING names it so


def _rebuild_foreign_keys(name, ondelete: str | None) -> None:
    for table, keys in FOREIGN_KEYS.items():
        current = [_current_name(table, c, r) for c, r in keys]
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            for (column, referred), old in zip(keys, current, strict=True):
                batch.drop_constraint(old, type_="foreignkey")
                batch.create_foreign_key(
                    name(table, column, referred), referred, [column], ["id"], ondelete=ondelete
                )


def _rename_polarities(pairs: list[tuple[str, str]]) -> None:
    codes = sa.table("codes", sa.column("polarity", sa.String))
    for old, new in pairs:
        op.execute(codes.update().where(codes.c.polarity == old).values(polarity=new))


def upgrade() -> None:
    _rebuild_foreign_keys(_new_name, "CASCADE")
    op.create_index("ix_respondents_import_id", "respondents", ["import_id"])
    _rename_polarities(POLARITY_WORDS)


def downgrade() -> None:
    _rename_polarities([(new, old) for old, new in POLARITY_WORDS])
    op.drop_index("ix_respondents_import_id", table_name="respondents")
    _rebuild_foreign_keys(_old_name, None)
