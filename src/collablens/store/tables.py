"""The workspace's tables, declared once with SQLAlchemy Core.

They are created only by the Alembic migrations in `collablens/store/migrations`, so
that a store written by an older version is upgraded in place; `tests/test_schema.py`
compares the migrations with these declarations so the two cannot drift.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from ..vocabulary import ID_LENGTH, LABEL_LENGTH, NAME_LENGTH

# Foreign keys are named alike on every backend (migration 0003 names them so), so a
# later migration can drop one by name; "ix" is SQLAlchemy's default for indexes.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

# Every foreign key cascades on delete: deleting a wave (or a collaboration) removes all
# that was imported into it and everything derived from that, in one statement.
CASCADE = "CASCADE"


def _collaboration_table(name: str, *columns: Column | UniqueConstraint) -> Table:
    """A table of rows that belong to a collaboration: an id, the collaboration (indexed,
    deleted with it), then `columns`."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "collaboration_id",
            ForeignKey("collaborations.id", ondelete=CASCADE),
            nullable=False,
            index=True,
        ),
        *columns,
    )


settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

collaborations = Table(
    "collaborations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The forces a collaboration declares: respondents' force answers are matched to these, and
# only a declared name is ever printed for a group.
collaboration_forces = Table(
    "collaboration_forces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete=CASCADE), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    UniqueConstraint("collaboration_id", "name", name="uq_collaboration_force"),
)

waves = Table(
    "waves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete=CASCADE), nullable=False),
    Column("label", String(LABEL_LENGTH), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # open (answers arrive), closed (no more answers) or published (an edition is out);
    # see `analysis.editions`. Reopening a published wave makes it open again, with a reason.
    Column("state", String(12), nullable=False, server_default="open"),
    UniqueConstraint("collaboration_id", "label", name="uq_wave_label"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("wave_id", ForeignKey("waves.id", ondelete=CASCADE), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source_format", String(40), nullable=False),
    Column("rows_added", Integer, nullable=False),
    Column("item_ids", Text, nullable=False),  # JSON list: the layout of respondents.answers
    Column("scale_min", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    # JSON [[answer, value], ...]: the scale map the user gave, stated in the method note.
    Column("answer_map", Text),
    # JSON {"previews": n, "unfinished": n, ...}: rows not imported, and why.
    Column("left_out", Text),
    UniqueConstraint("wave_id", "sha256", name="uq_import_file"),
)

respondents = Table(
    "respondents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("wave_id", ForeignKey("waves.id", ondelete=CASCADE), nullable=False, index=True),
    # Indexed so that deleting an import finds its respondents without a full scan.
    Column("import_id", ForeignKey("imports.id", ondelete=CASCADE), nullable=False, index=True),
    Column("key", String(NAME_LENGTH), nullable=False),
    Column("force", String(NAME_LENGTH)),
    Column("role", String(NAME_LENGTH)),
    Column("rank_band", String(NAME_LENGTH)),
    Column("length_of_service", String(NAME_LENGTH)),
    # One byte per item of the import's layout: 0 = not answered, else value - scale_min + 1.
    # Packed rather than one row per answer: 100,000 respondents x 40 items is 4 million
    # rows to write and read back for every report, against 100,000 short blobs.
    Column("answers", LargeBinary, nullable=False),
    UniqueConstraint("wave_id", "key", name="uq_respondent_key"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "respondent_id", ForeignKey("respondents.id", ondelete=CASCADE), nullable=False, index=True
    ),
    Column("question_id", String(ID_LENGTH), nullable=False),
    Column("factor_id", String(ID_LENGTH)),
    Column("text", Text, nullable=False),
)

# Interviews (migration 0007). A participant is a person interviewed, known only by a
# pseudonym (P03) and the attributes given for them; a source is one transcript, stored
# only pseudonymised: `text` is the whole transcript as plain text ("Speaker: words"
# turn by turn), the text that positions in REFI-QDA exchange count characters of.
participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete=CASCADE), nullable=False),
    Column("key", String(ID_LENGTH), nullable=False),
    Column("force", String(NAME_LENGTH)),
    Column("role", String(NAME_LENGTH)),
    Column("rank_band", String(NAME_LENGTH)),
    UniqueConstraint("collaboration_id", "key", name="uq_participant_key"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete=CASCADE), nullable=False),
    Column("participant_id", ForeignKey("participants.id", ondelete=CASCADE), index=True),
    Column("guid", String(36), nullable=False, unique=True),  # kept across exports
    Column("name", String(NAME_LENGTH), nullable=False),  # "Interview P03", never the file name
    Column("sha256", String(64), nullable=False),  # of the file as read: a re-import is a no-op
    Column("source_format", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("collaboration_id", "sha256", name="uq_source_file"),
)

# One person speaking, uninterrupted. `start_char` is where the turn's words begin in the
# source's text; interviewer turns are kept for context but never coded as evidence.
turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", ForeignKey("sources.id", ondelete=CASCADE), nullable=False),
    Column("position", Integer, nullable=False),
    Column("speaker", String(NAME_LENGTH), nullable=False),  # a pseudonym
    Column("interviewer", Boolean, nullable=False),
    Column("question", String(20)),  # "Q12" where the transcript numbers its questions
    Column("start_ms", Integer),
    Column("end_ms", Integer),
    Column("start_char", Integer, nullable=False),
    Column("text", Text, nullable=False),
    UniqueConstraint("source_id", "position", name="uq_turn_position"),
)

# Free text cut into the passages the coder codes, and their codes. A code is "model"
# until a person confirms or corrects it, when it becomes "human" and is learnt from.
# A segment is cut from a survey comment or from an interview turn (migration 0007);
# a turn's segments keep where they lie in the source's text (`start_char`, `end_char`).
segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", ForeignKey("comments.id", ondelete=CASCADE)),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("turn_id", ForeignKey("turns.id", ondelete=CASCADE), index=True),
    Column("start_char", Integer),
    Column("end_char", Integer),
    UniqueConstraint("comment_id", "position", name="uq_segment_position"),
    UniqueConstraint("turn_id", "position", name="uq_segment_turn_position"),
    CheckConstraint("(comment_id IS NULL) <> (turn_id IS NULL)", name="ck_segments_one_parent"),
)

codes = Table(
    "codes",
    metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete=CASCADE), primary_key=True),
    Column("factor_id", String(ID_LENGTH), nullable=False),  # a factor id, or "none"
    Column("polarity", String(20), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("others", Text, nullable=False),  # JSON list of further factors present
    Column("source", String(10), nullable=False),  # vocabulary.CODE_SOURCES
    Column("model", String(100), nullable=False),
    Column("coded_at", DateTime(timezone=True), nullable=False),
    # The coder's own decisions (migration 0006): `accepted` when the factor is sure enough
    # to count without review, `polarity_sure` when the polarity is sure enough to show.
    # Only human codes and accepted model codes are counted or quoted; a person's code is
    # accepted and sure. Model codes from before 0006 are not accepted: they need review.
    Column("accepted", Boolean, nullable=False, server_default=false()),
    Column("polarity_confidence", Float),  # null where unknown (codes from before 0006)
    Column("polarity_sure", Boolean, nullable=False, server_default=false()),
    # Who: for a person's code, the name they review under (migration 0007).
    Column("coder", String(NAME_LENGTH)),
    # The review queue reads model codes least confident first.
    Index("ix_codes_source_confidence", "source", "confidence"),
)

# Every coder's own code of a segment, one per coder (migration 0007): the model's latest
# and each person's, under their name. `codes` holds the one code that counts; `codings`
# keeps what each coder said, so agreement between people (and with the model) can be
# measured, and people can code blind, each without seeing another's codes.
codings = Table(
    "codings",
    metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete=CASCADE), primary_key=True),
    Column("coder", String(NAME_LENGTH), primary_key=True),
    Column("factor_id", String(ID_LENGTH), nullable=False),
    Column("polarity", String(20), nullable=False),
    Column("coded_at", DateTime(timezone=True), nullable=False),
    Index("ix_codings_coder", "coder"),
)


# The release ledger: every output that published figures of a wave, what it showed and of
# whom. Keyed by the wave's label, not its row, so that deleting and re-importing a wave
# cannot wipe what was already published about it.
releases = _collaboration_table(
    "releases",
    Column("wave", String(LABEL_LENGTH), nullable=False),
    Column("output", String(40), nullable=False),  # report, scores, export, ...
    Column("label", String(500), nullable=False),  # the file written, or the command
    Column("created_at", DateTime(timezone=True), nullable=False),
    # zlib-compressed JSON {respondent key: [factor mask, force, role, rank, service]}: the
    # people behind the release, so any cell's members can be rebuilt later.
    # Releases made before editions (migration 0011) carry them; later ones show an
    # edition, whose people and figures are kept with it, and leave these empty.
    Column("population", LargeBinary),
    Column("cells", Text),  # JSON [[dimension, group, factor, n], ...] shown
    Column("fingerprint", String(64), nullable=False),  # the same release twice is one row
    Column("note", Text),  # e.g. why a release was published knowingly over the ledger
    Column("edition_id", Integer),  # the edition it showed (migration 0011)
    Column("actor", String(200)),  # who asked for it: an account's email, or "command line"
)

# A wave's published editions (migration 0011, `analysis.editions`). Publishing freezes
# what an edition shows: the answers and people behind it (`snapshot`), the figures the
# disclosure audit checked, keyed by the people behind each (`figures`), the cells it
# withheld (`withheld`), and the settings it was published under. Kept by the wave's label
# and never deleted with the wave: what was published stays published, and the audit of
# every later edition reads it, whatever happens to the wave.
editions = _collaboration_table(
    "editions",
    Column("wave", String(LABEL_LENGTH), nullable=False),
    Column("number", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", Text),
    Column("correction", Boolean, nullable=False, server_default=false()),
    Column("settings", Text, nullable=False),  # JSON {"k":..,"comment_k":..,"alpha":..}
    Column("snapshot", LargeBinary, nullable=False),  # zlib JSON, see editions.Snapshot
    Column("figures", LargeBinary, nullable=False),  # zlib JSON, see editions.figures_of
    Column("withheld", Text, nullable=False),  # JSON [[wave, dimension, group, factor], ...]
    Column("fingerprint", String(64), nullable=False),
    UniqueConstraint("collaboration_id", "wave", "number", name="uq_edition_number"),
)

# What a published edition's views show (migration 0016, `analysis.publishing`): an
# edition is frozen, so the disclosed findings each audience is shown, and the charts drawn
# from them, are computed once and kept here for every process and every restart. `view_key`
# names the current editions of the collaboration (their fingerprints), the wave, the
# audience and what was kept, so a correction (a new edition) is a new key and nothing
# computed from an older edition is ever read again. `edition_id` is the wave's edition
# shown; the row goes with it.
edition_views = _collaboration_table(
    "edition_views",
    Column("view_key", String(64), nullable=False),
    Column("edition_id", ForeignKey("editions.id", ondelete=CASCADE), nullable=False, index=True),
    Column("audience", String(NAME_LENGTH)),  # a force lead's force; empty: every force
    Column("payload", LargeBinary, nullable=False),  # zlib JSON, see analysis.kept_form
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("view_key", name="uq_edition_views_key"),
)

# What the release check keeps of the published figures (migration 0018): per published
# list (`kept_key`, a digest of every figure's edition, release and place, and the
# framework), each measure's atoms and independent rows as numpy arrays and JSON
# (`analysis.audit._dump`, never a pickle), so a check in a new process need not rebuild
# them. A cache: a key that does not match is never read, a payload that does not decode
# is rebuilt.
ledger_kept = _collaboration_table(
    "ledger_kept",
    Column("kept_key", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kept_key", name="uq_ledger_kept_key"),
)


# What was done to a wave's life, by whom and why: opened, closed, published, reopened,
# corrected. The admin pages and `collablens wave` show it.
wave_events = _collaboration_table(
    "wave_events",
    Column("wave", String(LABEL_LENGTH), nullable=False),
    Column("action", String(20), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


# The register (migration 0008): a collaboration's governance facts, as a programme office
# keeps them. `register_parties` lists every force that has been a party, with its chief
# officer and policing body (the law requires both to be parties); `register_events` is
# the history (signed, varied, renewed, joined, withdrew, terminated) that says who was a
# party on which date (`govern.register.parties_on`).
register = Table(
    "register",
    metadata,
    Column(
        "collaboration_id",
        ForeignKey("collaborations.id", ondelete=CASCADE),
        primary_key=True,
    ),
    Column("function", String(NAME_LENGTH), nullable=False),
    Column("model", String(40), nullable=False),  # lead force, host force, joint unit
    Column("lead_force", String(NAME_LENGTH)),
    Column("board", String(NAME_LENGTH)),
    Column("start_date", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

register_parties = Table(
    "register_parties",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete=CASCADE), nullable=False),
    Column("force", String(NAME_LENGTH), nullable=False),
    Column("chief_officer", String(NAME_LENGTH), nullable=False),
    Column("policing_body", String(NAME_LENGTH), nullable=False),
    UniqueConstraint("collaboration_id", "force", name="uq_register_party"),
)

register_events = _collaboration_table(
    "register_events",
    Column("on_date", Date, nullable=False),
    Column("kind", String(20), nullable=False),  # vocabulary.REGISTER_EVENTS
    Column("force", String(NAME_LENGTH)),  # the party that joined or withdrew
    Column("note", Text),
)

# Each collaboration's section 22A agreements and what each covers, clause by clause, from
# the workspace's clause list (`govern/checklist.py`).
agreements = Table(
    "agreements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete=CASCADE), nullable=False),
    Column("title", String(NAME_LENGTH), nullable=False),
    Column("signed_on", Date),
    Column("last_reviewed", Date),
    Column("review_due", Date),
    Column("publication", String(30), nullable=False),  # govern.checklist.PUBLICATION
    UniqueConstraint("collaboration_id", "title", name="uq_agreement_title"),
)

agreement_clauses = Table(
    "agreement_clauses",
    metadata,
    Column("agreement_id", ForeignKey("agreements.id", ondelete=CASCADE), primary_key=True),
    Column("clause_id", String(ID_LENGTH), primary_key=True),
    Column("status", String(20), nullable=False),  # present, missing, not applicable
    Column("note", Text),
)

# What each force puts in and gets out, per financial year ("2024/25"). Money is stored as
# whole pence and full-time equivalents as hundredths, in integers: exact on every backend
# (SQLite keeps Numeric as a float), read back as Decimal (`govern/contributions.py`).
MONEY = BigInteger
FTE = Integer
force_years = Table(
    "force_years",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collaboration_id", ForeignKey("collaborations.id", ondelete=CASCADE), nullable=False),
    Column("force", String(NAME_LENGTH), nullable=False),
    Column("year", String(7), nullable=False),
    Column("cash", MONEY),
    Column("officers_fte", FTE),
    Column("staff_fte", FTE),
    Column("assets", MONEY),
    Column("basis", String(NAME_LENGTH)),
    Column("officers", Integer),  # the force's size: its officer numbers that year
    Column("baseline_cost", MONEY),
    Column("current_cost", MONEY),
    Column("cashable_planned", MONEY),
    Column("cashable_realised", MONEY),
    Column("noncashable_planned", MONEY),
    Column("noncashable_realised", MONEY),
    Column("exit_costs", MONEY),
    UniqueConstraint("collaboration_id", "force", "year", name="uq_force_year"),
)

benefits = _collaboration_table(
    "benefits",
    Column("force", String(NAME_LENGTH)),  # None: the whole collaboration's
    Column("year", String(7), nullable=False),
    Column("kind", String(40), nullable=False),  # resilience, capability, performance, other
    Column("description", Text, nullable=False),
    Column("evidence", Text),
)

# Milestones (due and done dates), a log of successes, and champions and brokers by force
# (`govern/milestones.py`): names of champions are personal data, shown only on request.
milestones = _collaboration_table(
    "milestones",
    Column("title", String(NAME_LENGTH), nullable=False),
    Column("due", Date, nullable=False),
    Column("done", Date),
    Column("note", Text),
)

successes = _collaboration_table(
    "successes",
    Column("on_date", Date, nullable=False),
    Column("description", Text, nullable=False),
    Column("force", String(NAME_LENGTH)),
)

champions = _collaboration_table(
    "champions",
    Column("force", String(NAME_LENGTH), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("role", String(NAME_LENGTH), nullable=False),
    Column("reach", String(NAME_LENGTH)),
)

# Practicalities (`govern/practicalities.py`): terms and conditions per force and field,
# sites with coordinates, and travel times between sites where entered.
terms = _collaboration_table(
    "terms",
    Column("force", String(NAME_LENGTH), nullable=False),
    Column("field", String(NAME_LENGTH), nullable=False),
    Column("value", Text, nullable=False),
)

sites = _collaboration_table(
    "sites",
    Column("force", String(NAME_LENGTH), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("lat", Float, nullable=False),  # coordinates: a float is what they are
    Column("lon", Float, nullable=False),
)

travel = _collaboration_table(
    "travel",
    Column("origin", String(NAME_LENGTH), nullable=False),
    Column("destination", String(NAME_LENGTH), nullable=False),
    Column("minutes", Integer, nullable=False),
)

# The web app (migration 0009). People who sign in: a role each, and a force for a force
# lead. Only a hash of the password is kept (argon2, see `access/accounts.py`).
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_LENGTH), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("force", String(NAME_LENGTH)),
    Column("active", Boolean, nullable=False, server_default=false()),
    Column("created_on", Date, nullable=False),
)

# Failed sign-ins in the last window, per account name: what login rate limiting counts.
# Kept in the store, not in memory, so that every server process sees the same count.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_LENGTH), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Signed-in sessions (migration 0012): the cookie carries only a random id, this table a
# hash of it, so that signing out, a new password or a disabled account ends a session
# on the server, and a copy of an old cookie opens nothing.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete=CASCADE), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
)

# A wave's survey link for one force (or for all, the respondent picking): a random token.
# Responses that come through it are stored under one import per link, with no time.
survey_links = Table(
    "survey_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("wave_id", ForeignKey("waves.id", ondelete=CASCADE), nullable=False, index=True),
    Column("force", String(NAME_LENGTH)),
    Column("import_id", ForeignKey("imports.id", ondelete=CASCADE), nullable=False),
    Column("created_on", Date, nullable=False),
    Column("open", Boolean, nullable=False, server_default=false()),
    # How fast answers come (migration 0010): the clock minute of the current count (minutes
    # since 1970), the answers taken in it, the most in any one minute, and those refused
    # for coming too fast. No time is kept per respondent.
    Column("pace_minute", Integer),
    Column("pace_count", Integer, nullable=False, server_default="0"),
    Column("pace_peak", Integer, nullable=False, server_default="0"),
    Column("refused", Integer, nullable=False, server_default="0"),
)

# Who is reviewing a segment now, so two analysts are not shown the same one.
review_claims = Table(
    "review_claims",
    metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete=CASCADE), primary_key=True),
    Column("user_name", String(NAME_LENGTH), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
)

# Long work done in the background (coding, recoding, reports, decks, imports). A job
# left running by a stopped server is queued again when a server starts.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("collaboration", String(NAME_LENGTH)),
    # A part of a bigger job (a national wave's coding, split so several workers share
    # it): the job it belongs to, whose progress it adds to when it is done.
    Column("parent", ForeignKey("jobs.id", ondelete=CASCADE), index=True),
    Column("params", Text, nullable=False),  # JSON
    Column("state", String(20), nullable=False, index=True),  # queued running done failed
    # Who runs it now (a random token per claim): only that runner may write its progress.
    Column("claim", String(32)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("result_name", String(200)),
    Column("result", LargeBinary),
    # What a finished job found that its page offers controls for (JSON): a refused
    # import's problems and ways out, as the page of an upload refused in its request.
    Column("outcome", Text),
    Column("created_by", String(NAME_LENGTH), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Not to start before: coding after survey answers waits a little, so answers that
    # arrive together are coded together rather than one run each.
    Column("not_before", DateTime(timezone=True)),
    # A running job's runner writes this every few seconds: a job whose heartbeat stops
    # (its process died) is queued again; one still beating is left to its runner.
    Column("heartbeat", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)


# A survey file uploaded through the web, kept until its "import" job has read it. In the
# workspace, not a temporary file: the worker that imports it may be on another machine.
# It holds unredacted answers, so the job deletes it once the import has committed or
# been refused, and deleting the job deletes it too.
uploads = Table(
    "uploads",
    metadata,
    Column("job_id", ForeignKey("jobs.id", ondelete=CASCADE), primary_key=True),
    Column("filename", String(200), nullable=False),
    Column("data", LargeBinary, nullable=False),
)
