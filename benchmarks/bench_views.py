"""How long a signed-in person waits for the demo's dashboard, its API and its downloads.

Builds the demo workspace (or uses `--dir` with one already built), signs in as the demo's
admin through the app itself (FastAPI's test client: in-process, nothing leaves this
machine), and times each view `--runs` times, as a lead looking at a survey would: the first
view and the median of the rest. Issue 21 asks for under 200 ms per view of a published
edition; this records where each view stands. `--warm` first draws the published dashboards
as the server does when it starts (and after each publish from the Waves page).

`--respondents N` builds a national-sized workspace instead of the demo: one wave of N
respondents across 10 forces (no comments), imported and published. Beside each view it
times a bare reference through the same test client: a FastAPI handler that returns a
page of the same size kept in memory (what any cached view costs at the least), so the
ratio says what the view adds. The issue's other reference, a polars read and group-by
of the same answers, is printed once.

    python benchmarks/bench_views.py                 # a fresh demo in a temporary folder
    python benchmarks/bench_views.py --dir demo      # the demo `make demo` built
    python benchmarks/bench_views.py --respondents 100000
    python benchmarks/bench_views.py --respondents 100000 --dir W --lead   # again: a new process

Each run is a new process: its first view of an edition shows what a restarted server or
another `--workers` process pays. Run twice on one `--dir` to see a first view computed (and
kept with the edition) and then a first view that reads what was kept.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="a folder holding a built demo")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--respondents", type=int, help="build a published wave of this many respondents"
    )
    parser.add_argument(
        "--lead",
        action="store_true",
        help="sign in as a force lead (of the first force) instead of the admin",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="draw the published dashboards first, as the server does when it starts",
    )
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from collablens.demo.run import COLLABORATION, DEMO_ADMIN, demo_admin, run_demo
    from collablens.store import Store
    from collablens.web.app import create_app

    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-views-"))
    collaboration = COLLABORATION
    if args.respondents:
        collaboration = NATIONAL
        if not (folder / "collablens.db").exists():
            t = time.perf_counter()
            national(folder / "collablens.db", args.respondents)
            print(f"{args.respondents:,} respondents imported and published in "
                  f"{time.perf_counter() - t:.1f} s")  # fmt: skip
        print(f"polars read + group-by of the answers: {polars_reference(folder):.0f} ms")
    elif not (folder / "collablens.db").exists():
        t = time.perf_counter()
        run_demo(folder)
        print(f"demo built in {time.perf_counter() - t:.1f} s")
    store = Store(str(folder / "collablens.db"))
    store.migrate()
    password = demo_admin(store)
    who = DEMO_ADMIN
    if args.lead:
        who, password = force_lead(store, collaboration)
    if args.warm:
        from collablens.reporting.dashboard import warm

        t = time.perf_counter()
        warm(store)
        print(f"published dashboards drawn ahead in {time.perf_counter() - t:.1f} s")
    client = TestClient(create_app(store, run_jobs=False))
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    signed = client.post("/login", data={"name": who, "password": password, "csrf": csrf})
    assert signed.status_code < 400, signed.text[:200]
    name = quote(collaboration, safe="")
    views = {
        "dashboard": f"/c/{name}",
        "API scores": f"/api/c/{name}/scores",
        "API comments": f"/api/c/{name}/comments",
        "scores.csv": f"/c/{name}/scores.csv",
    }
    kept: dict[str, bytes] = {}
    bare = TestClient(bare_app(kept))
    print(f"{'view':<14} {'first ms':>9} {'median ms':>10} {'status':>7} {'bare ms':>8} "
          f"{'ratio':>6}")  # fmt: skip
    for label, url in views.items():
        times, status, body = [], 0, b""
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            status, body = response.status_code, response.content
        kept["page"] = body
        ref = []
        for _ in range(max(3, args.runs)):
            t = time.perf_counter()
            bare.get("/page")
            ref.append((time.perf_counter() - t) * 1000)
        rest = statistics.median(times[1:] or times)
        print(f"{label:<14} {times[0]:9.0f} {rest:10.0f} {status:>7} {min(ref):8.1f} "
              f"{rest / min(ref):6.1f}")  # fmt: skip
    store.close()


NATIONAL = "National wave (benchmark)"


def force_lead(store, collaboration: str) -> tuple[str, str]:
    """A force lead of the collaboration's first force (made if missing), and a new password."""
    import secrets

    from collablens.access.accounts import FORCE_LEAD, add_user, get_user, set_password
    from collablens.store import forces

    name, password = "lead@bench.example", secrets.token_urlsafe(12)
    with store.connect() as conn:
        force = forces.declared_forces(conn, collaboration)[0]
    if get_user(store, name) is None:
        add_user(store, name, FORCE_LEAD, password, force=force)
    else:
        set_password(store, name, password)
    return name, password


def national(path: Path, respondents: int) -> None:
    """A workspace with one published wave of `respondents` across 10 forces, and the demo's
    admin account to sign in with."""
    from collablens.analysis import editions
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.store import Store, forces
    from collablens.surveys.importer import import_responses

    store = Store(str(path))
    store.migrate()
    names = [f"Force {i + 1:02d}" for i in range(10)]
    with store.begin() as conn:
        forces.declare_forces(conn, NATIONAL, names)
    scenario = Scenario(forces={n: respondents // 10 for n in names}, comment_share=0.0)
    csv = path.with_name("wave.csv")
    to_template_csv(simulate_wave(store.framework, scenario, 0, seed=7), csv)
    import_responses(store, csv, NATIONAL, "2026", progress=None)
    editions.publish(store, NATIONAL, "2026", actor="bench")
    store.close()


def polars_reference(folder: Path) -> float:
    """Milliseconds to read the answers file with polars and average each column by force."""
    import polars as pl

    t = time.perf_counter()
    frame = pl.read_csv(folder / "wave.csv", infer_schema_length=0)
    items = [c for c in frame.columns if c[-1:].isdigit()]
    frame.with_columns(pl.col(items).cast(pl.Float64, strict=False)).group_by(frame.columns[1]).agg(
        pl.col(items).mean()
    )
    return (time.perf_counter() - t) * 1000


def bare_app(kept: dict[str, bytes]):
    """The bare reference: one route returning a page kept in memory."""
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI()

    @app.get("/page")
    def page() -> Response:
        return Response(kept["page"], media_type="text/html")

    return app


if __name__ == "__main__":
    main()
