"""Opening a workspace from the command line: every bad --db is one clear line, no traceback.

Each case runs the real CLI in an empty working folder and checks that the command
fails with a single "Error: ..." line, prints no traceback and leaves no file behind
(no stray collablens.db above all). Nothing of ours is mocked; "nothing listening" is
a loopback port that was just freed.
"""

from __future__ import annotations

import csv
import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collablens.errors import OutputError, WorkspaceError
from collablens.outputs import check_output_path
from collablens.store import MissingWorkspace, Store, open_workspace

runner = CliRunner()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, with no COLLABLENS_DB from the environment."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("COLLABLENS_DB", raising=False)
    return folder


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _invoke(args: list[str]):
    from collablens.cli import app

    return runner.invoke(app, args)


def _fails_cleanly(args: list[str], root: Path, *expected: str) -> str:
    before = _files(root)
    result = _invoke(args)
    out = result.output
    assert result.exit_code != 0, out
    assert "Traceback" not in out
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), out
    for word in expected:
        assert word in out, out
    assert _files(root) == before, "the command left files behind"
    return out


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workspace(path: Path) -> Path:
    store = open_workspace(str(path), create=True)
    store.close()
    return path


# -- a missing workspace -----------------------------------------------------------------

NEEDS_A_WORKSPACE = [
    ["scores", "-c", "NE"],
    ["report", "-c", "NE", "--out", "r.html"],
    ["waves", "-c", "NE"],
    ["review"],
    ["code"],
]


@pytest.mark.parametrize("command", NEEDS_A_WORKSPACE, ids=" ".join)
def test_a_missing_workspace_is_refused_not_created(here: Path, command):
    out = _fails_cleanly(command, here, "no workspace at collablens.db", "collablens init")
    assert "--db" in out
    assert not (here / "collablens.db").exists()


@pytest.mark.parametrize("command", NEEDS_A_WORKSPACE, ids=" ".join)
def test_a_missing_db_path_is_refused_not_created(here: Path, command):
    db = here / "elsewhere.db"
    _fails_cleanly([*command, "--db", str(db)], here, str(db), "collablens init --db")


@pytest.mark.parametrize(
    "command",
    [["framework", "show"], ["survey", "template", "--format", "csv"]],
    ids=" ".join,
)
def test_reading_the_framework_creates_no_workspace(here: Path, command):
    result = _invoke(command)
    assert result.exit_code == 0, result.output
    assert _files(here) == set()


def test_coding_a_file_creates_no_workspace(here: Path):
    src = here / "answers.csv"
    with src.open("w", newline="") as fh:
        csv.writer(fh).writerows([["text"], ["The board never decides anything."]])
    result = _invoke(["code", str(src), "--out", "codes.csv"])
    assert result.exit_code == 0, result.output
    assert _files(here) == {"answers.csv", "codes.csv"}


def test_init_and_import_create_the_workspace(here: Path):
    assert _invoke(["init"]).exit_code == 0
    assert (here / "collablens.db").is_file()
    result = _invoke(["scores", "-c", "NE"])  # now the workspace exists: a different error
    assert result.exit_code == 1 and "no collaboration named 'NE'" in result.output


# -- a --db that is not a workspace --------------------------------------------------------


def _bad_paths(root: Path) -> dict[str, tuple[Path, str]]:
    """Each bad --db, with a word its error must contain."""
    text = root / "notes.txt"
    text.write_text("not a database\n", encoding="utf-8")
    good = _workspace(root / "good.db")
    damaged = bytearray(good.read_bytes())
    damaged[100:4096] = os.urandom(3996)  # the schema page, after the SQLite header
    (root / "damaged.db").write_bytes(bytes(damaged))
    good.unlink()
    (root / "folder").mkdir()
    return {
        "text file": (text, "not an SQLite database"),
        "damaged": (root / "damaged.db", "damaged"),
        "folder": (root / "folder", "is a folder"),
        "missing folder": (root / "nope" / "w.db", "does not exist"),
    }


BAD_PATHS = ["text file", "damaged", "folder", "missing folder"]
ANY_COMMAND = [
    ["init"],
    ["import", "responses", "answers.csv", "-c", "NE", "-w", "1"],
    ["scores", "-c", "NE"],
    ["waves", "-c", "NE"],
    ["framework", "show"],
]


@pytest.mark.parametrize("case", BAD_PATHS)
@pytest.mark.parametrize("command", ANY_COMMAND, ids=lambda c: " ".join(c[:2]))
def test_a_db_that_is_not_a_workspace_is_one_error_line(here: Path, case: str, command):
    (here / "answers.csv").write_text("id,force\n1,A\n", encoding="utf-8")
    path, word = _bad_paths(here)[case]
    _fails_cleanly([*command, "--db", str(path)], here, str(path), word)


def test_a_sqlite_database_of_another_application_is_refused(here: Path):
    import sqlite3

    other = here / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    conn.close()
    _fails_cleanly(["init", "--db", str(other)], here, "no collablens workspace")


# -- a --db URL that cannot be used ---------------------------------------------------------


@pytest.mark.parametrize("command", [["init"], ["scores", "-c", "NE"]], ids=" ".join)
def test_a_postgres_url_with_nothing_listening(here: Path, command):
    url = f"postgresql+psycopg://collab:s3cret-pw@127.0.0.1:{_free_port()}/ws"
    pytest.importorskip("psycopg")
    out = _fails_cleanly([*command, "--db", url], here, "cannot open the workspace", "refused")
    assert "s3cret-pw" not in out and "collab:***@127.0.0.1" in out


@pytest.mark.parametrize(
    ("url", "word"),
    [
        ("foo://somewhere/ws", "'foo' is not a kind of database"),
        ("mysql://u:pw@127.0.0.1/ws", "driver 'MySQLdb' is not installed"),
    ],
    ids=["unknown scheme", "missing driver"],
)
def test_an_unusable_url(here: Path, url: str, word: str):
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover
        pytest.skip("MySQLdb is installed here")
    out = _fails_cleanly(["scores", "-c", "NE", "--db", url], here, word)
    assert ":pw@" not in out


# -- the library below the CLI ----------------------------------------------------------


def test_open_workspace_creates_only_when_asked(tmp_path: Path):
    db = tmp_path / "w.db"
    with pytest.raises(MissingWorkspace, match="no workspace at"):
        open_workspace(str(db))
    assert not db.exists()
    open_workspace(str(db), create=True).close()
    store = open_workspace(str(db))
    assert store.waves("none") == []
    store.close()


def test_an_empty_file_is_not_yet_a_workspace(tmp_path: Path):
    db = tmp_path / "empty.db"
    db.touch()
    with pytest.raises(MissingWorkspace, match="empty"):
        open_workspace(str(db))
    open_workspace(str(db), create=True).close()
    assert db.stat().st_size > 0


@pytest.mark.postgres
def test_an_empty_postgres_database_needs_init(postgres_server):
    name = "ws_needs_init"
    with postgres_server.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    try:
        with pytest.raises(MissingWorkspace, match="collablens init"):
            open_workspace(url)
        open_workspace(url.replace("postgresql+psycopg://", "postgresql://"), create=True).close()
        store = open_workspace(url)
        assert store.collaborations() == []
        store.close()
        with pytest.raises(WorkspaceError, match="does not exist"):
            open_workspace(postgres_server.url("no_such_database"))
    finally:
        with postgres_server.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_workspace_from_a_newer_collablens_is_refused(tmp_path: Path):
    db = tmp_path / "w.db"
    open_workspace(str(db), create=True).close()
    store = Store(str(db))
    with store.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    store.close()
    with pytest.raises(WorkspaceError, match="newer version of collablens"):
        open_workspace(str(db))
    result = _invoke(["scores", "-c", "NE", "--db", str(db)])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert "newer version" in result.output


def test_check_output_path(tmp_path: Path):
    assert check_output_path(tmp_path / "r.html") == tmp_path / "r.html"
    with pytest.raises(OutputError, match="is a folder"):
        check_output_path(tmp_path, "report")
    with pytest.raises(OutputError, match="does not exist"):
        check_output_path(tmp_path / "nope" / "r.html")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_output_path(tmp_path / "file" / "r.html")


@pytest.mark.parametrize(
    "args",
    [
        ["survey", "template", "--format", "xlsx", "--out", "{dir}"],
        ["survey", "template", "--format", "csv", "--out", "{dir}/missing/x.csv"],
        ["report", "-c", "X", "--out", "{dir}"],
        ["report", "-c", "X", "--out", "{dir}/missing/r.html"],
        ["scores", "-c", "X", "--export", "{dir}/missing/s.json"],
        ["code", "{dir}/in.txt", "--out", "{dir}"],
    ],
)
def test_an_output_path_that_cannot_be_written_is_one_clear_line(tmp_path, args):
    from collablens.cli import app

    (tmp_path / "in.txt").write_text("The board never meets.\n")
    db = tmp_path / "w.db"
    runner.invoke(app, ["init", "--db", str(db)])
    res = runner.invoke(app, [a.format(dir=tmp_path) for a in args] + ["--db", str(db)])
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines and lines[0].startswith("Error:"), res.output
    assert not (tmp_path / "missing").exists()


def test_a_sqlite_workspace_busy_past_the_timeout_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A second writer waits for the first; past the busy timeout it gets one line that
    says what happened and what to do, never `database is locked` (the CLI case, with
    real processes, is in test_faults.py)."""
    import sqlite3

    from collablens.store.workspace import BUSY_TIMEOUT, WorkspaceBusy, default_busy_timeout

    db = tmp_path / "w.db"
    open_workspace(str(db), create=True).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    store = Store(str(db), busy_timeout=0.2)
    try:
        with pytest.raises(WorkspaceBusy) as caught, store.begin() as conn:
            conn.exec_driver_sql("DELETE FROM settings")
        message = str(caught.value)
        assert "\n" not in message and str(db) in message
        assert "busy" in message and "another collablens command" in message
        assert store.waves("C") == []  # reading is never blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with store.begin() as conn:  # once the other writer is done, writing works
        store.ensure_wave(conn, "C", "1")
    store.close()
    monkeypatch.delenv("COLLABLENS_BUSY_TIMEOUT", raising=False)
    assert default_busy_timeout() == BUSY_TIMEOUT
    monkeypatch.setenv("COLLABLENS_BUSY_TIMEOUT", "2.5")
    assert default_busy_timeout() == 2.5 and Store(str(db)).busy_timeout == 2.5
    monkeypatch.setenv("COLLABLENS_BUSY_TIMEOUT", "soon")
    assert default_busy_timeout() == BUSY_TIMEOUT
