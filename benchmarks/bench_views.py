"""How long a signed-in person waits for the demo's dashboard, its API and its downloads.

Builds the demo workspace (or uses `--dir` with one already built), signs in as the demo's
admin through the app itself (FastAPI's test client: in-process, nothing leaves this
machine), and times each view `--runs` times, as a lead looking at a survey would: the first
view and the median of the rest. Issue 21 asks for under 200 ms per view of a published
edition; this records where each view stands. `--warm` first draws the published dashboards
as the server does when it starts (and after each publish from the Waves page).

    python benchmarks/bench_views.py                 # a fresh demo in a temporary folder
    python benchmarks/bench_views.py --dir demo      # the demo `make demo` built
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
    if not (folder / "collablens.db").exists():
        t = time.perf_counter()
        run_demo(folder)
        print(f"demo built in {time.perf_counter() - t:.1f} s")
    store = Store(str(folder / "collablens.db"))
    password = demo_admin(store)
    if args.warm:
        from collablens.reporting.dashboard import warm

        t = time.perf_counter()
        warm(store)
        print(f"published dashboards drawn ahead in {time.perf_counter() - t:.1f} s")
    client = TestClient(create_app(store, run_jobs=False))
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    signed = client.post("/login", data={"name": DEMO_ADMIN, "password": password, "csrf": csrf})
    assert signed.status_code < 400, signed.text[:200]
    name = quote(COLLABORATION, safe="")
    views = {
        "dashboard": f"/c/{name}",
        "API scores": f"/api/c/{name}/scores",
        "API comments": f"/api/c/{name}/comments",
        "scores.csv": f"/c/{name}/scores.csv",
    }
    print(f"{'view':<14} {'first ms':>9} {'median ms':>10} {'status':>7}")
    for label, url in views.items():
        times, status = [], 0
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            status = response.status_code
        rest = times[1:] or times
        print(f"{label:<14} {times[0]:9.0f} {statistics.median(rest):10.0f} {status:>7}")
    store.close()


if __name__ == "__main__":
    main()
