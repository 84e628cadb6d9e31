"""Faults with real processes: `kill -9` mid-import and mid-coding, and processes racing.

Every test runs the `collablens` command line (or `python -c`) in processes of its own
on a SQLite file and on the throwaway PostgreSQL server, and kills them with SIGKILL
at seeded moments: no mocks. A kill is aimed at the moment that matters (the import's
transaction holding SQLite's write lock or having sent its COPY to PostgreSQL, the
first schema upgrade, the coding run's first commit) plus a seeded random delay, so a
handful of kills does what hundreds of blind ones would. After each kill the store
must open, pass SQLite's integrity check, and hold all or none of the import; then a
rerun completes.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
from collablens.store import (
    MissingWorkspace,
    Store,
    codes,
    collaborations,
    comments,
    imports,
    open_workspace,
    respondents,
    segments,
    waves,
)
from collablens.store.queries import scope as scope_q
from collablens.store.queries import surveys as surveys_q
from collablens.store.queries import waves as waves_q
from collablens.surveys.importer import import_responses, pack_answers
from collablens.text.coding import uncoded_comments
from collablens.vocabulary import ATTRIBUTES

BIG = 6_000  # rows of the file whose import is killed: its transaction lasts about a second
OTHER = 1_000
FORCES = ("A", "B")
WAIT = 300  # seconds a process that should finish may take, at most


# -- processes ------------------------------------------------------------------------------


@dataclass
class Run:
    """A collablens process of a test's own, in a process group of its own."""

    proc: subprocess.Popen
    out: Path
    err: Path
    args: list[str] = field(default_factory=list)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the process, as `kill -9` would; then any helper it left in its group."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def finish(self, timeout: float = WAIT) -> tuple[int, str, str]:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.args} did not finish in {timeout} s") from None
        return code, self.out.read_text(errors="replace"), self.err.read_text(errors="replace")


def start(tmp: Path, args: list[str], env: dict[str, str] | None = None) -> Run:
    tag = uuid.uuid4().hex[:8]
    out, err = tmp / f"{tag}.out", tmp / f"{tag}.err"
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(
            args,
            stdout=o,
            stderr=e,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "COLUMNS": "200", **(env or {})},
        )
    return Run(proc, out, err, args)


def cli(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    return start(tmp, [sys.executable, "-m", "collablens", *args], env)


def kill_when(run: Run, ready, delay: float, timeout: float = 120) -> bool:
    """Kill `run` `delay` seconds after `ready()` first holds; False if it ended before."""
    deadline = time.monotonic() + timeout
    while not ready():
        if not run.alive():
            return False
        if time.monotonic() > deadline:
            run.kill()
            raise AssertionError(f"{run.args}: the moment to kill never came")
        time.sleep(0.005)
    time.sleep(delay)
    was_alive = run.alive()
    run.kill()
    return was_alive


def assert_clean(code: int, out: str, err: str) -> None:
    assert code == 0, f"exit {code}\n{out}\n{err}"
    assert "Traceback" not in err + out, err


# -- backends -------------------------------------------------------------------------------


class Backend:
    name: str

    def new(self) -> str:
        """A place for a new workspace: a file path or a URL of an empty database."""
        raise NotImplementedError

    def writing(self, db: str) -> bool:
        """Whether some process is inside a write transaction (or schema upgrade) of `db`."""
        raise NotImplementedError

    def check(self, db: str) -> None:
        """The backend's own check of a store's consistency."""


class Sqlite(Backend):
    name = "sqlite"

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def new(self) -> str:
        return str(self.tmp / f"w{uuid.uuid4().hex[:8]}.db")

    def writing(self, db: str) -> bool:
        if not Path(db).exists():
            return False
        con = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc) or "busy" in str(exc)
        finally:
            con.close()

    def check(self, db: str) -> None:
        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            con.close()


class Postgres(Backend):
    name = "postgres"

    def __init__(self, server) -> None:
        self.server = server
        self.made: list[str] = []

    def new(self) -> str:
        name = f"f_{uuid.uuid4().hex[:12]}"
        with self.server.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.server.url(name)

    def writing(self, db: str) -> bool:
        # A transaction that has written (the import's first write is its collaboration),
        # or a schema upgrade holding its advisory lock.
        name = db.rsplit("/", 1)[1]
        with self.server.admin() as conn:
            return bool(
                conn.execute(
                    "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                    "        AND xact_start IS NOT NULL"
                    "        AND query ~* '^\\s*(INSERT|COPY|UPDATE|DELETE)')"
                    "     + (SELECT count(*) FROM pg_locks l JOIN pg_database d"
                    "        ON d.oid = l.database WHERE l.locktype = 'advisory'"
                    "        AND d.datname = %s)",
                    (name, name),
                ).fetchone()[0]
            )

    def drop(self) -> None:
        with self.server.admin() as conn:
            for name in self.made:
                try:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except Exception:  # a connection can linger a moment
                    time.sleep(0.2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield Sqlite(tmp_path)
        return
    pg = Postgres(request.getfixturevalue("postgres_server"))
    yield pg
    pg.drop()


# -- files and workspaces ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory, builtin_framework) -> dict[str, Path]:
    """Exports with no free text (so an import needs no redaction model): big and small."""
    folder = tmp_path_factory.mktemp("fault-files")
    out = {}
    for name, n, prefix in [("big", BIG, "B"), ("other", OTHER, "O"), ("tiny", 20, "T")]:
        half = n // 2
        scenario = Scenario(forces={FORCES[0]: half, FORCES[1]: n - half}, comment_share=0.0)
        frame = simulate_wave(builtin_framework, scenario, seed=len(name), id_prefix=prefix)
        out[name] = folder / f"{name}.csv"
        to_template_csv(frame, out[name])
    return out


def prepared(db: str, files: dict[str, Path]) -> str:
    """A workspace with collaboration C, its forces declared by a first small import."""
    store = open_workspace(db, create=True)
    try:
        import_responses(store, files["tiny"], "C", "0")
    finally:
        store.close()
    return db


def counts(db: str, wave: str) -> tuple[int, int, int]:
    """(imports, respondents, comments) of wave `wave` of C; opening must work."""
    store = open_workspace(db)
    try:
        with store.connect() as conn:
            wids = scope_q.wave_ids("C", wave)
            n_imp = conn.execute(
                select(func.count()).select_from(imports).where(imports.c.wave_id.in_(wids))
            ).scalar_one()
            n_resp = conn.execute(
                select(func.count()).select_from(respondents).where(respondents.c.wave_id.in_(wids))
            ).scalar_one()
            n_com = conn.execute(
                select(func.count())
                .select_from(comments)
                .join(respondents, respondents.c.id == comments.c.respondent_id)
                .where(respondents.c.wave_id.in_(wids))
            ).scalar_one()
    finally:
        store.close()
    return int(n_imp), int(n_resp), int(n_com)


# -- kill -9 during an import -------------------------------------------------------------------


@pytest.mark.slow
def test_kill_9_during_an_import_leaves_all_or_none_and_a_rerun_completes(
    backend: Backend, files, tmp_path: Path
):
    rng = random.Random(f"import-{backend.name}")
    big = str(files["big"])

    # 1. A first import into a new workspace, killed while it creates the schema.
    fresh = backend.new()
    run = cli(
        tmp_path, "import", "responses", big, "-c", "C", "-w", "1", "--no-code", "--db", fresh
    )
    assert kill_when(run, lambda: backend.writing(fresh), rng.uniform(0, 0.2))
    if isinstance(backend, Postgres) or Path(fresh).exists():
        backend.check(fresh)
        # The schema upgrade is one transaction: either no workspace yet, or a whole one.
        with contextlib.suppress(MissingWorkspace):
            assert counts(fresh, "1") in [(0, 0, 0), (1, BIG, 0)]

    # 2. Imports into a workspace in use, killed inside their transaction: the first the
    #    moment it is seen, the second a random while later.
    outcomes = []
    # (Delays stay short: an import of BIG rows can finish in under half a second.)
    for delay in (0.0, rng.uniform(0, 0.25)):
        db = prepared(backend.new(), files)
        run = cli(
            tmp_path, "import", "responses", big, "-c", "C", "-w", "1", "--no-code", "--db", db
        )
        assert kill_when(run, lambda db=db: backend.writing(db), delay)
        backend.check(db)
        got = counts(db, "1")
        assert got in [(0, 0, 0), (1, BIG, 0)], got
        assert counts(db, "0") == (1, 20, 0)  # what was there before is untouched
        outcomes.append(got[1])
    assert outcomes[0] == 0  # killed inside the transaction: none of it

    # 3. The rerun completes, with a second import into the same wave at the same time:
    #    one waits for the other (SQLite's write lock; on PostgreSQL, the collaboration's
    #    row), and both succeed.
    other = str(files["other"])
    runs = [
        cli(tmp_path, "import", "responses", f, "-c", "C", "-w", "1", "--no-code", "--db", db)
        for f in (big, other)
    ]
    for r in runs:
        assert_clean(*r.finish())
    backend.check(db)
    assert counts(db, "1") == (2, BIG + OTHER, 0)
    print(f"{backend.name}: respondents after the kills in the transaction: {outcomes}")


# -- races ------------------------------------------------------------------------------------

RACE = """
import sys, time
from collablens.store import open_workspace
db, t0 = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, t0 - time.time()))
store = open_workspace(db, create=True)
with store.begin() as conn:
    store.record_framework(conn)
    store.ensure_wave(conn, "New collaboration", "2026")
print("ok")
"""


@pytest.mark.slow
def test_processes_creating_the_same_workspace_and_collaboration_at_once(
    backend: Backend, tmp_path: Path
):
    """Three processes open a new workspace (migrating it) and add the same collaboration
    at the same instant: all succeed, and there is one of each."""
    db = backend.new()
    t0 = time.time() + 3.0  # after every interpreter has started
    runs = [start(tmp_path, [sys.executable, "-c", RACE, db, str(t0)]) for _ in range(3)]
    for r in runs:
        code, out, err = r.finish()
        assert_clean(code, out, err)
        assert out.strip() == "ok"
    backend.check(db)
    store = Store(db)
    try:
        with store.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
            assert conn.execute(select(collaborations.c.name)).scalars().all() == [
                "New collaboration"
            ]
            assert conn.execute(select(waves.c.label, waves.c.ordinal)).all() == [("2026", 1)]
    finally:
        store.close()


HOLD = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("ROLLBACK")
"""


def test_a_writer_kept_waiting_too_long_fails_in_one_line_and_changes_nothing(
    files, tmp_path: Path
):
    """SQLite: a second writer waits for the first (COLLABLENS_BUSY_TIMEOUT, 120 s by
    default); past that it gives up with one line, not `database is locked` in a traceback."""
    db = prepared(str(tmp_path / "w.db"), files)
    holder = start(tmp_path, [sys.executable, "-c", HOLD, db, "60"])
    try:
        deadline = time.monotonic() + 60
        while "locked" not in holder.out.read_text():
            assert holder.alive() and time.monotonic() < deadline
            time.sleep(0.02)
        run = cli(
            tmp_path,
            *("import", "responses", str(files["other"]), "-c", "C", "-w", "2", "--no-code"),
            *("--db", db),
            env={"COLLABLENS_BUSY_TIMEOUT": "1"},
        )
        code, out, err = run.finish()
    finally:
        holder.kill()
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "busy" in lines[0] and "another collablens command" in lines[0]
    Sqlite(tmp_path).check(db)
    assert counts(db, "2") == (0, 0, 0)


# -- kill -9 during a coding run -------------------------------------------------------------


def with_comments(db: str, files, framework, n: int = 100) -> int:
    """Wave 1 of C with `n` respondents and their (already redacted) comments, uncoded.

    Written with the store's own queries rather than imported, so that no redaction
    model is loaded: this test is about the coder's commits, not the redactor.
    """
    prepared(db, files)
    scenario = Scenario(forces={FORCES[0]: n // 2, FORCES[1]: n - n // 2}, comment_share=0.3)
    frame = simulate_wave(framework, scenario, seed=11, id_prefix="K")
    items = [it.id for _, it in framework.items]
    packed = pack_answers(frame[items].to_numpy(dtype=float), framework.scale.min)
    store = open_workspace(db)
    try:
        with store.begin() as conn:
            wid = waves_q.ensure_wave(conn, "C", "1")
            iid = surveys_q.insert_import(
                conn,
                wid,
                filename="k.csv",
                sha256="k" * 64,
                source_format="wide",
                rows_added=n,
                item_ids=items,
                scale_min=framework.scale.min,
            )
            rows = [
                (row.respondent_id, *(getattr(row, a) for a in ATTRIBUTES), packed[i])
                for i, row in enumerate(frame.itertuples(index=False))
            ]
            ids = surveys_q.insert_respondents(conn, wid, iid, rows)
            texts = [
                (ids[key], q, f.id, body)
                for q, f, _ in framework.free_text_questions
                if q in frame
                for key, body in zip(frame["respondent_id"], frame[q], strict=True)
                if body
            ]
            surveys_q.insert_comments(conn, texts)
    finally:
        store.close()
    return len(texts)


def coding_state(db: str) -> tuple[int, int, int]:
    """(segments, codes, comments not fully coded) of wave 1 of C."""
    store = open_workspace(db)
    try:
        with store.connect() as conn:
            n_seg = conn.execute(select(func.count()).select_from(segments)).scalar_one()
            n_codes = conn.execute(select(func.count()).select_from(codes)).scalar_one()
        return int(n_seg), int(n_codes), uncoded_comments(store, "C", "1")
    finally:
        store.close()


@pytest.mark.slow
def test_kill_9_during_coding_then_the_next_run_finishes_and_the_report_says_so(
    backend: Backend, files, builtin_framework, tmp_path: Path
):
    rng = random.Random(f"coding-{backend.name}")

    def segmented() -> bool:
        store = Store(db)
        try:
            with store.connect() as conn:
                return bool(conn.execute(select(func.count()).select_from(segments)).scalar())
        finally:
            store.close()

    # Killed once its first commit is in (the segments), while the model loads or codes: the
    # shipped static model codes these comments in a fraction of a second, so the delay is
    # short; where a run finished before its kill (a fast or an idle machine), a fresh
    # workspace is killed sooner, down to at once.
    for delay in (rng.uniform(0, 0.2), 0.02, 0.0):
        db = backend.new()
        n_comments = with_comments(db, files, builtin_framework)
        assert coding_state(db) == (0, 0, n_comments)
        run = cli(tmp_path, "code", "--db", db)
        if kill_when(run, segmented, delay):
            break
    else:
        raise AssertionError(f"coding always finished before its kill: {run.err.read_text()}")
    backend.check(db)
    n_seg, n_codes, left = coding_state(db)
    assert n_seg > 0 and n_codes < n_seg
    assert 0 < left <= n_comments

    # A report built now says how many comments are uncoded, not partial counts as whole.
    if isinstance(backend, Sqlite):
        from collablens.analysis.findings import find

        store = open_workspace(db)
        try:
            assert find(store, "C", "1").uncoded_comments == left
        finally:
            store.close()
        # The next import resumes the interrupted run.
        runs = [cli(tmp_path, "import", "responses", str(files["tiny"]), "-c", "C", "-w", "2",
                    "--db", db)]  # fmt: skip
    else:
        # Two `collablens code` at once: each skips what the other has done.
        runs = [cli(tmp_path, "code", "--db", db) for _ in range(2)]
    for r in runs:
        assert_clean(*r.finish())
    backend.check(db)
    n_seg2, n_codes2, left2 = coding_state(db)
    assert left2 == 0
    assert n_codes2 == n_seg2 >= n_seg
    store = open_workspace(db)
    try:
        with store.connect() as conn:  # no comment was cut twice
            per_comment = conn.execute(
                select(segments.c.comment_id, segments.c.position, func.count())
                .group_by(segments.c.comment_id, segments.c.position)
                .having(func.count() > 1)
            ).all()
            assert per_comment == []
            cut = conn.execute(select(func.count(func.distinct(segments.c.comment_id)))).scalar()
            assert cut == n_comments
    finally:
        store.close()


def test_the_report_names_the_uncoded_comments_and_the_command_to_finish():
    from collablens.reporting.html import environment

    template = environment().get_template("sections/comments.html")
    r = SimpleNamespace(
        coded=True, comments=[], comment_k=10, none_mentions=0, charts={"mentions": ""},
        collaboration="NE <ROCU>", uncoded_comments=1234,
    )  # fmt: skip
    html = template.render(r=r)
    assert "1,234 comments of this wave are not coded yet" in html
    assert 'collablens code --collaboration "NE &lt;ROCU&gt;"' in html
    r.uncoded_comments = 0
    assert "not coded yet" not in template.render(r=r)
