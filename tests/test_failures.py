"""Failures from outside the program, each one line with nothing half-written.

Every test runs the `collablens` command line in a process of its own and makes the
failure for real: a file-size limit (`RLIMIT_FSIZE`, with SIGXFSZ ignored as a full disk
would fail a write), /dev/full, a read-only folder, a port another program holds, a
damaged Word file, a rename onto another force, a PostgreSQL server that cuts the
import's connection or stops outright, and a SQLite workspace deleted, replaced or its
folder removed mid-import. Each must exit non-zero with one "Error:" line, no traceback, and
leave no output file (nor temporary one) and nothing stored.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from conftest import copy_demo, start_postgres, stop_postgres

from collablens.demo.run import COLLABORATION
from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
from collablens.store import open_workspace

LIMIT = 40_000  # bytes: a file-size limit over the workspace's writes, under each output's


def run(*args: str, fsize: int | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """`collablens ARGS` in a process of its own, under a file-size limit if given."""

    def limit() -> None:
        if fsize is not None:
            # Ignored here too (the program ignores it itself): the write fails with EFBIG.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    proc = subprocess.run(
        [sys.executable, "-m", "collablens", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit,
        env={**os.environ, "COLUMNS": "200"},
    )
    return proc.returncode, proc.stdout, proc.stderr


def one_line(code: int, out: str, err: str, *words: str) -> str:
    """The failure's one line on stderr, after checking the exit code and no traceback."""
    assert code == 1, f"exit {code}\n{out}\n{err}"
    assert "Traceback" not in out + err, err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0] == lines[-1], err
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


def only(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def demo(demo_workspace, tmp_path: Path):
    return copy_demo(demo_workspace, tmp_path / "demo")


# -- a full disk, a file-size limit, an unwritable place ---------------------------------------


OUTPUTS = {
    "report": ["report", "--out", "{out}/report.html"],
    "deck": ["deck", "--out", "{out}/findings.pptx"],
    "scores --csv": ["scores", "--csv", "{out}/scores.csv"],
    "scores --export": ["scores", "--export", "{out}/scores.json"],
}


@pytest.mark.parametrize("command", OUTPUTS)
def test_a_file_size_limit_fails_in_one_line_and_writes_no_file(command: str, demo, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(out=out) for a in OUTPUTS[command]]
    code, stdout, err = run(*args, "-c", COLLABORATION, "--db", str(demo.db), fsize=LIMIT)
    one_line(code, stdout, err, "file-size limit", str(out), "Nothing was written")
    assert only(out) == set()  # neither the output nor its temporary file


def test_a_full_output_leaves_the_previous_report_whole(demo, tmp_path: Path):
    """A report that cannot be written whole leaves the last one as it was."""
    before = demo.report.read_bytes()
    code, out, err = run(
        "report", "-c", COLLABORATION, "--db", str(demo.db), "--out", str(demo.report),
        fsize=LIMIT,
    )  # fmt: skip
    one_line(code, out, err, "report", str(demo.report))
    assert demo.report.read_bytes() == before
    assert not [p for p in demo.folder.iterdir() if p.name.startswith(".")]


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs /dev/full")
def test_report_to_dev_full_says_the_disk_is_full_and_leaves_the_device(demo):
    code, out, err = run("report", "-c", COLLABORATION, "--db", str(demo.db), "--out", "/dev/full")
    one_line(code, out, err, "the disk is full", "/dev/full")
    assert Path("/dev/full").is_char_device()  # written to, never renamed over


def _unwritable() -> Path | None:
    """A folder this process may not create files in: a read-only one, or /sys."""
    for folder in (Path("/sys/fs"), Path("/proc/sys")):
        try:
            (folder / f"probe-{uuid.uuid4().hex}").open("wb").close()
        except OSError:
            return folder
    return None


def test_an_unwritable_folder_fails_in_one_line(demo, tmp_path: Path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root may write anywhere: a system folder instead
        folder = _unwritable() or pytest.skip("no folder here refuses this user")
    target = folder / "report.html"
    code, out, err = run("report", "-c", COLLABORATION, "--db", str(demo.db), "--out", str(target))
    line = one_line(code, out, err, str(target))
    assert "permission denied" in line or "read-only" in line, line


# -- the workspace's own disk --------------------------------------------------------------


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory, builtin_framework) -> dict[str, Path]:
    """Exports with no free text (no redaction model needed): small, larger, and one
    whose import outgrows SQLite's page cache (it writes before it commits)."""
    folder = tmp_path_factory.mktemp("failure-files")
    out = {}
    for name, n in (("tiny", 20), ("big", 1500), ("huge", 20000)):
        scenario = Scenario(forces={"A": n // 2, "B": n - n // 2}, comment_share=0.0)
        frame = simulate_wave(builtin_framework, scenario, seed=n, id_prefix=name[0].upper())
        out[name] = folder / f"{name}.csv"
        to_template_csv(frame, out[name])
    return out


def respondents(db: str) -> int:
    store = open_workspace(db)
    try:
        with store.connect() as conn:
            from sqlalchemy import func, select

            from collablens.store import respondents as table

            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        store.close()


def test_an_import_onto_a_full_disk_fails_in_one_line_and_stores_nothing(answers, tmp_path: Path):
    db = str(tmp_path / "w.db")
    code, out, err = run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
                         "--db", db, "--no-code")  # fmt: skip
    assert code == 0, err
    # Over what opening the workspace writes (its journal's first pages), well under what
    # the import needs: SQLite's journal is written from its start, not past the file's end.
    code, out, err = run(
        "import", "responses", str(answers["big"]), "-c", "C", "-w", "1", "--db", db,
        "--no-code", fsize=64 * 1024,
    )  # fmt: skip
    one_line(code, out, err, "not saved")
    assert respondents(db) == 20
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()


# -- a busy port ---------------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_and_never_that_it_is_serving(answers, tmp_path: Path):
    db = str(tmp_path / "w.db")
    assert run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
               "--db", db, "--no-code")[0] == 0  # fmt: skip
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        code, out, err = run("serve", "--db", db, "--port", str(port), timeout=60)
    one_line(code, out, err, "already in use", str(port), "--port")
    assert "serving on" not in out + err


# -- a damaged Word file -------------------------------------------------------------------


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Jo Marsh: How does the joint team share intelligence?")
    document.add_paragraph("Priya Nair: Mostly by phone, which is slow.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _damaged(part: str, data: bytes) -> bytes:
    good = zipfile.ZipFile(io.BytesIO(_docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in good.namelist():
            z.writestr(name, data if name == part else good.read(name))
    return buf.getvalue()


DAMAGED = {
    "content types": lambda: _damaged("[Content_Types].xml", b"<Types/>"),
    "relationships": lambda: _damaged("_rels/.rels", b"<Relationships/>"),
    "document": lambda: _damaged("word/document.xml", b"<x/>"),
    "cut short": lambda: _docx()[:3000],
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_word_file_is_one_plain_line(damage: str, answers, tmp_path: Path):
    db = str(tmp_path / "w.db")
    assert run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
               "--db", db, "--no-code")[0] == 0  # fmt: skip
    path = tmp_path / "interview.docx"
    path.write_bytes(DAMAGED[damage]())
    code, out, err = run("import", "transcript", str(path), "-c", "C", "--db", db)
    line = one_line(code, out, err, str(path), "Word", "save it again")
    assert "lxml" not in line and "_Element" not in line and "attribute" not in line


# -- a rename onto another force -----------------------------------------------------------


def test_a_rename_onto_another_force_says_nothing_was_renamed(answers, tmp_path: Path):
    db = str(tmp_path / "w.db")
    assert run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
               "--db", db, "--no-code")[0] == 0  # fmt: skip
    code, out, err = run("forces", "-c", "C", "--db", db, "--rename", "A=b")
    line = one_line(code, out, err, "nothing was renamed", "'B' is already a force")
    assert "imported" not in line
    code, out, err = run("forces", "-c", "C", "--db", db)
    assert code == 0 and "A  (10 respondents)" in out and "B  (10 respondents)" in out


# -- a PostgreSQL server that goes away -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.slow
def test_a_database_connection_cut_mid_import_is_one_line_and_stores_nothing(
    postgres_server, answers, tmp_path: Path
):
    """The server ends the import's connection (as a restart or failover does) while the
    import is writing: one line, and none of the import stored."""
    name = f"g_{uuid.uuid4().hex[:12]}"
    with postgres_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = postgres_server.url(name)
    try:
        assert run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
                   "--db", db, "--no-code")[0] == 0  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "collablens", "import", "responses", str(answers["big"]),
             "-c", "C", "-w", "1", "--db", db, "--no-code"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        cut = False
        deadline = time.monotonic() + 120
        while proc.poll() is None and not cut and time.monotonic() < deadline:
            with postgres_server.admin() as conn:
                cut = bool(
                    conn.execute(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = %s AND xact_start IS NOT NULL "
                        "AND query ~* '^\\s*(INSERT|COPY|UPDATE|DELETE)'",
                        (name,),
                    ).fetchone()[0]
                )
            time.sleep(0.005)
        out, err = proc.communicate(timeout=120)
        if not cut:
            pytest.skip("the import finished before its connection could be cut")
        one_line(proc.returncode, out, err, "stopped answering", "not saved", name)
        assert respondents(db) == 20
    finally:
        with postgres_server.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, to stop and start again (the shared one
    serves every other test)."""
    server = start_postgres()
    yield server
    stop_postgres(server)


def _import_in_background(answers, db: str, size: str = "big") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "collablens", "import", "responses", str(answers[size]),
         "-c", "C", "-w", "1", "--db", db, "--no-code"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.slow
def test_a_database_server_stopped_mid_import_is_one_line_and_stores_nothing(
    own_postgres, answers, tmp_path: Path
):
    """`pg_ctl stop -m immediate` while the import writes: one line naming the database
    and what to do; started again, the server holds nothing of that import."""
    server = own_postgres
    with server.admin() as conn:
        conn.execute('CREATE DATABASE "stopped"')
    db = server.url("stopped")
    assert run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
               "--db", db, "--no-code")[0] == 0  # fmt: skip
    # The larger file: the import is fast enough now (issue 25) that 1,500 respondents
    # can commit between seeing its INSERT and the server going down.
    proc = _import_in_background(answers, db, "huge")
    writing = False
    deadline = time.monotonic() + 120
    while proc.poll() is None and not writing and time.monotonic() < deadline:
        with server.admin() as conn:
            writing = bool(
                conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'stopped' "
                    "AND xact_start IS NOT NULL AND query ~* '^\\s*(INSERT|COPY|UPDATE)'"
                ).fetchone()[0]
            )
        if not writing:
            time.sleep(0.005)
    if not writing:
        proc.kill()
        pytest.skip("the import finished before the server could be stopped under it")
    server.stop()
    out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # it committed in the moment before the server went down
        server.start()
        pytest.skip("the import committed before the server could be stopped under it")
    line = one_line(proc.returncode, out, err, "stopped answering", "not saved", "running")
    assert f"127.0.0.1:{server.port}/stopped" in line, "the line names the database"
    server.start()
    assert respondents(db) == 20


def _stopped_mid_write(proc: subprocess.Popen, db: Path) -> bool:
    """Stop the import (SIGSTOP) once it writes pages into the write-ahead log that are
    not yet committed (a reader still sees the 20 respondents from before); False when it
    committed or ended first. The caller sends SIGCONT."""
    wal = db.with_name(db.name + "-wal")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 64 * 1024:
            proc.send_signal(signal.SIGSTOP)
            if respondents(str(db)) == 20:
                return True
            proc.send_signal(signal.SIGCONT)
            return False
        time.sleep(0.002)
    return False


SQLITE_MISHAPS = {
    "deleted": lambda db: db.unlink(),
    "its folder removed": lambda db: shutil.rmtree(db.parent),
}


@pytest.mark.parametrize("mishap", SQLITE_MISHAPS)
def test_a_sqlite_workspace_gone_mid_import_is_one_line_and_not_reported_done(
    mishap: str, answers, tmp_path: Path
):
    """SQLite goes on writing into a deleted file and says nothing: the import would
    report success and everything would be lost. Each commit checks that the workspace
    is still the file it opened."""
    folder = tmp_path / "ws"
    folder.mkdir()
    db = folder / "w.db"
    assert run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
               "--db", str(db), "--no-code")[0] == 0  # fmt: skip
    # Large enough that its transaction spills into the write-ahead log before it commits.
    proc = _import_in_background(answers, str(db), "huge")
    if not _stopped_mid_write(proc, db):
        proc.kill()
        pytest.skip("the import committed before the workspace could be taken away")
    SQLITE_MISHAPS[mishap](db)
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=120)
    one_line(proc.returncode, out, err, str(db), "deleted or moved", "was saved", "back")
    assert "Imported" not in out
    assert not db.exists(), "nothing was written at the workspace's place"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def published(request, answers, tmp_path: Path):
    """A workspace with a published wave, on each backend, and a file-size limit over what
    the command writes to it (SQLite's own files, on SQLite) and under its outputs."""
    if request.param == "sqlite":
        # SQLite's own files need more than PostgreSQL's client does (its shared-memory
        # file alone is 32 KB): the demo's outputs are larger than that.
        demo = copy_demo(request.getfixturevalue("demo_workspace"), tmp_path / "demo")
        return str(demo.db), COLLABORATION, LIMIT
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"o_{uuid.uuid4().hex[:12]}"
        with server.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        db = server.url(name)
        limit = 4000
    assert run("import", "responses", str(answers["big"]), "-c", "C", "-w", "0",
               "--db", db, "--no-code")[0] == 0  # fmt: skip
    assert run("publish", "0", "-c", "C", "--db", db)[0] == 0
    return db, "C", limit


@pytest.mark.parametrize("command", ["report", "scores --csv"])
def test_a_full_disk_for_an_output_is_one_line_on_either_backend(
    command: str, published, tmp_path: Path
):
    db, collaboration, limit = published
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(out=out) for a in OUTPUTS[command]]
    code, stdout, err = run(*args, "-c", collaboration, "--db", db, fsize=limit)
    one_line(code, stdout, err, "file-size limit", str(out), "Nothing was written")
    assert only(out) == set()


FORCE_CHANGES = {
    "--add onto an existing force": (["--add", "a"], "nothing was added", "already a force"),
    "--add a blank name": (["--add", " "], "nothing was added", "blank"),
    "--set the same force twice": (["--set", "A,a"], "nothing was declared", "same force"),
    "--set leaving a force out": (["--set", "A"], "nothing was declared", "--rename"),
    "--rename a missing force": (["--rename", "X=Y"], "nothing was renamed", "not a declared"),
}


@pytest.mark.parametrize("change", FORCE_CHANGES)
def test_every_refused_change_to_the_forces_says_what_was_not_done(
    change: str, answers, tmp_path: Path
):
    """`forces` imports nothing, so it never says "nothing was imported"."""
    db = str(tmp_path / "w.db")
    assert run("import", "responses", str(answers["tiny"]), "-c", "C", "-w", "0",
               "--db", db, "--no-code")[0] == 0  # fmt: skip
    args, *words = FORCE_CHANGES[change]
    line = one_line(*run("forces", "-c", "C", "--db", db, *args), *words)
    assert "imported" not in line
    code, out, _ = run("forces", "-c", "C", "--db", db)
    assert code == 0 and "A  (10 respondents)" in out and "B  (10 respondents)" in out


def test_a_file_size_limit_at_open_is_not_called_a_damaged_workspace(demo, tmp_path: Path):
    # Attacker, issue 23: under `ulimit -f 20` SQLite cannot write its shared-memory file at
    # open and says "disk I/O error"; the message said the workspace might be damaged, which
    # could make someone restore or delete a good file.
    code, out, err = run(
        "report", "-c", COLLABORATION, "--db", str(demo.db), "--out", str(tmp_path / "r.html"),
        fsize=20 * 1024,
    )  # fmt: skip
    line = one_line(code, out, err, "disk may be full", "unchanged")
    assert "damaged" not in line
