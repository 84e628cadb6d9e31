"""Load test of the browser survey: many respondents at once against a real server.

Starts `collablens serve` on 127.0.0.1 (only), then N concurrent clients each open the
survey page (which sets their session and CSRF token) and submit answers, some with a
comment to redact, and some twice (a double click): it prints throughput, latency
percentiles and whether every response was stored exactly once. Bounded in count and
time; nothing leaves this machine.

Beside each run, the same clients load a bare reference (`bare_app`): a minimal FastAPI
handler, in one uvicorn process like `collablens serve`, that checks the same fields
(the key, each answer on the scale or "Don't know", the role among the options) and
inserts the same respondent row and comment row, idempotent on the key, without sessions,
CSRF, force matching, redaction or the rate limit. The machine is shared, so what to
compare is the ratio of the two, run by run (take the best of `--repeat`). Each run also
prints the server's CPU time per response (its processes', from /proc, counted once it
has settled after starting): the load of a shared machine moves it less than throughput.

With `BENCH_WEB_PROFILE=FILE` the collablens server (one process) runs under cProfile and
writes its profile to FILE when it stops (`python -m pstats FILE`).

    python benchmarks/bench_web.py                       # SQLite, 2,000 responses, 100 clients
    python benchmarks/bench_web.py --postgres            # also a throwaway PostgreSQL server
    python benchmarks/bench_web.py --responses 1000 --repeat 3
    python benchmarks/bench_web.py --no-bare             # collablens alone
    python benchmarks/bench_web.py --postgres --no-sqlite --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from collablens.store import Store
from collablens.store.tables import respondents
from collablens.surveys import online
from collablens.surveys.attributes import set_forces

COLLAB, WAVE, FORCE = "Load Test ROCU", "1", "Durham"
TIME_LIMIT = 600  # seconds: the run stops here whatever is left


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres():
    """A throwaway PostgreSQL server on a loopback port (as the `postgres` user when root)."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bins:
        sys.exit("PostgreSQL is not installed (apt install postgresql)")
    bindir = bins[-1]
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    data = folder / "data"
    port = _port()
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    run = lambda *a: subprocess.run([*as_user, *a], check=True, capture_output=True)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-l",
        str(folder / "log"),
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200",
        "start",
    )
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _createdb(server_url: str, name: str) -> str:
    """A new empty database `name` on the server of `server_url`; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


#: Responses each link takes in a run: under the link's rate limit a minute
#: (`LINK_RESPONSES_PER_MINUTE`) however fast they come, so none is refused for pace.
PER_LINK = 25


def prepare(url: str, responses: int) -> list[str]:
    """A workspace with enough links for `responses` (a national wave has hundreds)."""
    store = Store(url)
    store.migrate()
    store.set_framework()
    set_forces(store, COLLAB, [FORCE, "Cleveland"])
    tokens = [
        online.create_link(store, COLLAB, WAVE, FORCE).token
        for _ in range(-(-responses // PER_LINK))
    ]
    store.close()
    return tokens


def bare_app(url: str):
    """The bare reference: one page with a key, one plain handler that checks the same
    fields and inserts the same rows (see the module's docstring)."""
    import secrets

    from sqlalchemy import create_engine, event, insert

    from collablens.store.tables import comments as comments_table
    from collablens.surveys.importer import pack_answers
    from collablens.surveys.instrument import DONT_KNOW

    store = Store(url)
    fw = store.framework
    links = {lk.token: lk for lk in online.list_links(store, COLLAB)}
    store.close()
    layout = [it.id for _, it in fw.items]
    points = {str(v): float(v) for v in range(fw.scale.min, fw.scale.max + 1)}
    points |= {DONT_KNOW: float("nan"), "": float("nan")}
    roles = {"", *next(a.options for a in fw.attributes if a.id == "role")}
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"timeout": 30} if sqlite else {})
    if sqlite:

        @event.listens_for(engine, "connect")
        def _wal(dbapi_conn, _record) -> None:  # as the workspace opens SQLite
            dbapi_conn.execute("PRAGMA journal_mode=WAL")

    app = FastAPI()

    @app.get("/login")
    def login() -> HTMLResponse:
        return HTMLResponse("ready")

    @app.get("/s/{tok}")
    def form(tok: str) -> HTMLResponse:
        key = secrets.token_urlsafe(16)
        return HTMLResponse(
            f'<form><input name="csrf" value="-"><input name="key" value="{key}"></form>'
        )

    async def fields(request: Request) -> dict:
        return dict(await request.form())

    @app.post("/s/{tok}")
    def submit(tok: str, sent: dict = Depends(fields)):  # noqa: B008
        key = str(sent.get("key", ""))
        answers = [points.get(str(sent.get(item, "")).strip()) for item in layout]
        role = str(sent.get("role", "")).strip()
        link = links.get(tok)
        if link is None or not key.replace("-", "").replace("_", "").isalnum():
            return HTMLResponse("bad", 422)
        if any(a is None for a in answers) or role not in roles:
            return HTMLResponse("bad", 422)
        comment = str(sent.get("cultures_text", "")).strip()
        row = {
            "wave_id": link.wave_id,
            "import_id": link.import_id,
            "key": f"id:{key}",
            "force": link.force,
            "role": role or None,
            "answers": pack_answers(np.array([answers], dtype=float), fw.scale.min)[0],
        }
        with engine.begin() as conn:
            stored = conn.execute(
                select(respondents.c.id).where(
                    respondents.c.wave_id == link.wave_id, respondents.c.key == row["key"]
                )
            ).first()
            if stored is None:
                rid = conn.execute(insert(respondents).values(**row)).inserted_primary_key[0]
                if comment:
                    conn.execute(
                        insert(comments_table).values(
                            respondent_id=rid,
                            question_id="cultures_text",
                            factor_id="cultures",
                            text=comment,
                        )
                    )
        return RedirectResponse(f"/s/{tok}/thanks", status_code=303)

    return app


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process `pid` and every process under it
    (the workers of `--workers`), from /proc: what a response costs the server, which the
    load on a shared machine moves less than the throughput."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    mine, total, grew = {pid}, 0.0, True
    while grew:
        more = {p for p, (parent, _) in stats.items() if parent in mine} - mine
        grew = bool(more)
        mine |= more
    for p in mine:
        total += stats.get(p, (0, 0.0))[1]
    return total


def settled(pid: int, limit: float = 60.0) -> float:
    """Wait until the server has finished starting (its CPU time stops growing: the
    redactor's language model and the published dashboards are loaded in the background
    after it answers), so that a run measures a warm server; its CPU time then."""
    deadline = time.monotonic() + limit
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - before < 0.05:
            return now
        before = now
    return before


@contextmanager
def server(url: str, workers: int, bare: bool = False):
    """`collablens serve` on `url`, or the bare reference (`bare_app`)."""
    port = _port()
    env = {**os.environ, "COLLABLENS_SECRET": "bench-only-secret"}
    if bare:
        command = [sys.executable, __file__, "--bare-server", url, str(port)]
    elif os.environ.get(PROFILE_ENV):
        command = [sys.executable, __file__, "--profiled-server", url, str(port)]
    else:
        command = [
            sys.executable,
            "-m",
            "collablens",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        sys.exit("the server did not start: " + (proc.stderr.read() or b"").decode()[-2000:])
    try:
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=60)


COMMENTS = [
    "The rota changes arrive without anyone asking the people who work them",
    "Our sergeant in the hub, Dave Brown, is the only one who explains the new forms",
    "Working across the two custody suites has got easier this year",
    "",
    "",
]


async def respondent(base: str, tokens: list[str], jobs: asyncio.Queue, out: dict, rng) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while True:
            try:
                n = jobs.get_nowait()
            except asyncio.QueueEmpty:
                return
            token = tokens[n % len(tokens)]
            # Each response is a new person: a browser session answers a link once.
            client.cookies.clear()
            t0 = time.perf_counter()
            page = await client.get(f"/s/{token}")
            t1 = time.perf_counter()
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            key = re.search(r'name="key" value="([^"]+)"', page.text)
            assert csrf and key, page.status_code
            form = {"csrf": csrf.group(1), "key": key.group(1), "role": "Police officer"}
            for item in out["items"]:
                form[item] = str(rng.randint(1, 5))
            form["cultures_text"] = COMMENTS[n % len(COMMENTS)]
            r = await client.post(f"/s/{token}", data=form, follow_redirects=False)
            t2 = time.perf_counter()
            out["get"].append(t1 - t0)
            out["post"].append(t2 - t1)
            out["status"][r.status_code] = out["status"].get(r.status_code, 0) + 1
            out["keys"].append(key.group(1))
            if n % 20 == 0:  # a double click: the same answers sent again
                again = await client.post(f"/s/{token}", data=form, follow_redirects=False)
                out["status"][again.status_code] = out["status"].get(again.status_code, 0) + 1
                out["resent"] += 1


async def load(
    base: str, tokens: list[str], responses: int, clients: int, items: list[str]
) -> dict:
    queue: asyncio.Queue = asyncio.Queue()
    for n in range(responses):
        queue.put_nowait(n)
    out: dict = {"get": [], "post": [], "status": {}, "keys": [], "resent": 0, "items": items}
    rng = random.Random(1)
    start = time.perf_counter()
    tasks = [asyncio.create_task(respondent(base, tokens, queue, out, rng)) for _ in range(clients)]
    done, pending = await asyncio.wait(tasks, timeout=TIME_LIMIT)
    for t in pending:
        t.cancel()
    for t in done:
        if t.exception():
            raise t.exception()  # type: ignore[misc]
    out["seconds"] = time.perf_counter() - start
    return out


def report(name: str, url: str, out: dict, responses: int) -> tuple[bool, float, float, float]:
    store = Store(url)
    with store.connect() as conn:
        stored = conn.execute(select(respondents.c.key)).scalars().all()
    store.close()
    keys = {f"id:{k}" for k in out["keys"]}
    once = len(stored) == len(set(stored)) == len(keys) and set(stored) == keys
    post = np.array(out["post"]) * 1000
    get = np.array(out["get"]) * 1000
    print(f"\n{name}: {len(out['post'])} responses from the clients in {out['seconds']:.1f} s")
    print(f"  throughput: {len(out['post']) / out['seconds']:.1f} responses/s")
    print(
        f"  submit latency ms: p50 {np.percentile(post, 50):.0f}, p95 "
        f"{np.percentile(post, 95):.0f}, p99 {np.percentile(post, 99):.0f}, max {post.max():.0f}"
    )
    print(
        f"  page latency ms:   p50 {np.percentile(get, 50):.0f}, p95 "
        f"{np.percentile(get, 95):.0f}, p99 {np.percentile(get, 99):.0f}"
    )
    print(f"  HTTP statuses: {dict(sorted(out['status'].items()))} ({out['resent']} sent twice)")
    print(
        f"  server CPU: {out['cpu']:.1f} s, {out['cpu'] / len(out['post']) * 1000:.1f} ms per "
        "response (page and submit)"
    )
    print(
        f"  stored: {len(stored)} respondents for {len(keys)} distinct responses; "
        f"each exactly once: {'yes' if once and len(stored) == responses else 'NO'}"
    )
    rate = len(out["post"]) / out["seconds"]
    cpu = out["cpu"] / len(out["post"]) * 1000
    return once and len(stored) == responses, rate, float(np.percentile(post, 95)), cpu


def run(
    name: str, url: str, responses: int, clients: int, workers: int, bare: bool = False
) -> tuple[bool, float, float, float]:
    tokens = prepare(url, responses)
    store = Store(url)
    items = [it.id for _, it in store.framework.items]
    store.close()
    with server(url, workers, bare) as (base, pid):
        started = settled(pid)
        out = asyncio.run(load(base, tokens, responses, clients, items))
        out["cpu"] = cpu_seconds(pid) - started
    return report(name, url, out, responses)


def compare(name: str, url_for, args) -> bool:
    """collablens and the bare reference, one after the other, `--repeat` times: the best
    of each and their ratio."""
    ok = True
    ours: list[tuple[float, float, float]] = []
    bare: list[tuple[float, float, float]] = []
    for _ in range(args.repeat):
        with url_for() as url:
            good, *got = run(f"{name}, collablens", url, args.responses, args.clients, args.workers)
            ok &= good
            ours.append((got[0], got[1], got[2]))
        if args.bare:
            with url_for() as url:
                good, *got = run(
                    f"{name}, bare reference", url, args.responses, args.clients, 1, bare=True
                )
                ok &= good
                bare.append((got[0], got[1], got[2]))
    best = max(r[0] for r in ours), min(r[1] for r in ours), min(r[2] for r in ours)
    print(f"\n{name}: collablens best of {args.repeat}: {best[0]:.1f} responses/s, "
          f"p95 {best[1]:.0f} ms, server CPU {best[2]:.1f} ms a response")  # fmt: skip
    if bare:
        ref = max(r[0] for r in bare), min(r[1] for r in bare), min(r[2] for r in bare)
        print(f"{name}: bare reference best of {args.repeat}: {ref[0]:.1f} responses/s, "
              f"p95 {ref[1]:.0f} ms, server CPU {ref[2]:.1f} ms a response")  # fmt: skip
        print(f"{name}: collablens / bare: throughput {best[0] / ref[0]:.2f}x, "
              f"p95 {best[1] / ref[1]:.2f}x, server CPU a response "
              f"{best[2] / ref[2]:.2f}x")  # fmt: skip
    return ok


@contextmanager
def sqlite_url():
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/bench.db"


#: Set to a file name, the collablens server runs under cProfile and writes its profile
#: there when it stops (each run overwrites it): `BENCH_WEB_PROFILE=/tmp/web.prof`.
PROFILE_ENV = "BENCH_WEB_PROFILE"


def profiled_server(url: str, port: int) -> None:
    """`collablens serve` (one process) under cProfile, for finding where a response's time
    goes under load. The threadpool is replaced by a plain call, so that every handler
    runs on the profiled thread (cProfile sees one thread); the timings are then those of
    one thread doing all the work, which is what one busy core does anyway."""
    import cProfile

    import anyio.to_thread
    import uvicorn

    from collablens.store import open_workspace
    from collablens.web.app import create_app

    async def inline(func, *args, **_):  # type: ignore[no-untyped-def]
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    # uvicorn raises the stopping signal again once it has shut down: let that be a no-op
    # here, so the profile is written.
    signal.signal(signal.SIGTERM, lambda *_: None)
    app = create_app(open_workspace(url))
    profile = cProfile.Profile()
    profile.enable()
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=True)
    finally:
        profile.disable()
        profile.dump_stats(os.environ[PROFILE_ENV])


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--profiled-server":
        profiled_server(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-server":  # the reference, as a server
        import uvicorn

        _, _, url, port = sys.argv
        uvicorn.run(bare_app(url), host="127.0.0.1", port=int(port), log_level="warning")
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--responses", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    ap.add_argument(
        "--sqlite",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run on SQLite (--no-sqlite with --postgres: PostgreSQL only)",
    )
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each (the best is kept)")
    ap.add_argument(
        "--bare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the bare reference beside each run",
    )
    args = ap.parse_args()
    print(
        f"{args.responses} responses from {args.clients} concurrent clients, "
        f"{args.workers} server process(es), {os.cpu_count()} CPUs shared with the clients"
    )
    ok = compare("SQLite", sqlite_url, args) if args.sqlite else True
    if args.postgres:
        with postgres() as server_url:
            databases = iter(range(10**6))

            @contextmanager
            def fresh():  # a new database on the one server for each run
                name = f"run{next(databases)}"
                yield _createdb(server_url, name)

            ok &= compare("PostgreSQL", fresh, args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
