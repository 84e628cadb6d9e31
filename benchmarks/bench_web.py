"""Load test of the browser survey: many respondents at once against a real server.

Starts `collablens serve` on 127.0.0.1 (only), then N concurrent clients each open the
survey page (which sets their session and CSRF token) and submit answers, some with a
comment to redact, and some twice (a double click): it prints throughput, latency
percentiles and whether every response was stored exactly once. Bounded in count and
time; nothing leaves this machine.

    python benchmarks/bench_web.py                       # SQLite, 2,000 responses, 100 clients
    python benchmarks/bench_web.py --postgres            # also a throwaway PostgreSQL server
    python benchmarks/bench_web.py --responses 500 --clients 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
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


def prepare(url: str) -> str:
    store = Store(url)
    store.migrate()
    store.set_framework()
    set_forces(store, COLLAB, [FORCE, "Cleveland"])
    token = online.create_link(store, COLLAB, WAVE, FORCE).token
    store.close()
    return token


@contextmanager
def server(url: str, workers: int):
    port = _port()
    env = {**os.environ, "COLLABLENS_SECRET": "bench-only-secret"}
    proc = subprocess.Popen(
        [
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
        ],
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
        yield base
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


async def respondent(base: str, token: str, jobs: asyncio.Queue, out: dict, rng) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while True:
            try:
                n = jobs.get_nowait()
            except asyncio.QueueEmpty:
                return
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


async def load(base: str, token: str, responses: int, clients: int, items: list[str]) -> dict:
    queue: asyncio.Queue = asyncio.Queue()
    for n in range(responses):
        queue.put_nowait(n)
    out: dict = {"get": [], "post": [], "status": {}, "keys": [], "resent": 0, "items": items}
    rng = random.Random(1)
    start = time.perf_counter()
    tasks = [asyncio.create_task(respondent(base, token, queue, out, rng)) for _ in range(clients)]
    done, pending = await asyncio.wait(tasks, timeout=TIME_LIMIT)
    for t in pending:
        t.cancel()
    for t in done:
        if t.exception():
            raise t.exception()  # type: ignore[misc]
    out["seconds"] = time.perf_counter() - start
    return out


def report(name: str, url: str, out: dict, responses: int) -> bool:
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
        f"  stored: {len(stored)} respondents for {len(keys)} distinct responses; "
        f"each exactly once: {'yes' if once and len(stored) == responses else 'NO'}"
    )
    return once and len(stored) == responses


def run(name: str, url: str, responses: int, clients: int, workers: int) -> bool:
    token = prepare(url)
    store = Store(url)
    items = [it.id for _, it in store.framework.items]
    store.close()
    with server(url, workers) as base:
        out = asyncio.run(load(base, token, responses, clients, items))
    return report(name, url, out, responses)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--responses", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    args = ap.parse_args()
    print(
        f"{args.responses} responses from {args.clients} concurrent clients, "
        f"{args.workers} server process(es), {os.cpu_count()} CPUs shared with the clients"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        ok &= run("SQLite", f"sqlite:///{tmp}/bench.db", args.responses, args.clients, args.workers)
    if args.postgres:
        with postgres() as url:
            ok &= run("PostgreSQL", url, args.responses, args.clients, args.workers)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
