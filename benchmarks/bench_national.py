"""Benchmark: a national workspace (43 forces, 5 waves) through import, scores, report and check.

Run on demand: `python benchmarks/bench_national.py [--respondents 1000000] [--runs 3]
[--db URL | --pg] [--sizes 10000 100000 1000000]`.

It generates the national programme's files: the 43 territorial forces of England and Wales
(`surveys.uk_forces`), five waves, N respondents in all (N / 5 a wave, shared between the
forces in proportion to no one in particular: equally), a third of them with a comment, in
the response-template layout. Then it runs the real import of every wave (the library's
`import_responses`, which is what `collablens import responses --no-code` calls: nothing is
coded), and times, each in a fresh process so that its peak memory
(`resource.getrusage(RUSAGE_SELF).ru_maxrss` of the child) is its own:

- the import of one wave (its files of at most `PART` respondents each, one after another),
  against a bare polars read of the same files;
- `scores --by force` (`publishing.publish_scores`, what the command calls) and `report`
  (`reporting.view.write_report`), each against a bare polars read of the five CSVs and a
  group-by mean of every factor score by wave and force (reverse-scored items, a person's
  factor score the mean of the items they answered): the least any tool must do to print the
  same table;
- the release check (`publish --check`, `editions.plan`), against the same figures without
  it (`load`, `measure`, `disclose`), skipped with `--no-check`.

The bare reference runs in the same way (a fresh process) right beside each figure; each is
the minimum of `--runs` runs (one run is fine at 1,000,000: it says so). `--sizes` runs the
whole thing at each size and prints the growth table: seconds, and seconds per 100,000
respondents, which is flat where growth is linear.

`--db URL` uses that (empty) database (PostgreSQL: postgresql+psycopg://...); `--pg` starts a
throwaway PostgreSQL server for the run with the test suite's helper (`tests/conftest.py`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    best,
    declare_forces,
    run,
    territorial_forces,
    wave_files,
    write_report,
    write_waves,
)

COLLAB = "National programme"
WAVES = ("2022", "2023", "2024", "2025", "2026")
#: Respondents in one file: a wave of a national programme comes as several files (one per
#: region, say), as one file of 200,000 people with a third commenting is over the
#: importer's limit on free text in one file (20 million characters).
PART = 50_000


# -- stages, each run in a fresh process ----------------------------------------------------


def stage_generate(folder: str, respondents: int) -> None:
    names = territorial_forces()
    write_waves(
        folder, names, respondents, len(WAVES), part=PART, comment_share=1 / 3, id_prefix=True
    )


def stage_declare(db: str) -> None:
    declare_forces(db, COLLAB, territorial_forces())


def stage_import(folder: str, db: str, index: int) -> None:
    from collablens.store import Store
    from collablens.surveys.importer import import_responses

    store = Store(db)
    for path in wave_files(folder, index):
        import_responses(store, path, COLLAB, WAVES[index])
    store.close()


def stage_polars_read(folder: str, index: int) -> None:
    import polars as pl

    for path in wave_files(folder, index):
        pl.read_csv(path, infer_schema_length=10_000)


def stage_scores(db: str) -> None:
    from collablens.analysis.publishing import publish_scores
    from collablens.store import Store

    publish_scores(Store(db), COLLAB, None, "force")


def stage_report(db: str, out: str) -> None:
    write_report(db, COLLAB, out)


def stage_check(db: str) -> None:
    from collablens.analysis import editions
    from collablens.store import Store

    editions.plan(Store(db), COLLAB, WAVES[-1])


def stage_figures(db: str) -> None:
    """The same figures as the check, without it: load, measure, disclose."""
    from collablens.analysis.dataset import load
    from collablens.analysis.disclosure import Policy, disclose
    from collablens.analysis.scoring import measure
    from collablens.store import Store

    store = Store(db)
    disclose(measure(load(store, COLLAB)), Policy.of(store), breakdowns=None)


def stage_polars_groupby(folder: str) -> None:
    """The yardstick: read the five CSVs, reverse-score, each person's factor scores, the
    mean of each by wave and force."""
    import polars as pl

    from collablens.framework import load_framework

    fw = load_framework()
    lo_hi = fw.scale.min + fw.scale.max
    frames = []
    for i, wave in enumerate(WAVES):
        for path in wave_files(folder, i):
            df = pl.read_csv(path, infer_schema_length=10_000)
            frames.append(df.with_columns(pl.lit(wave).alias("wave")))
    df = pl.concat(frames, how="vertical_relaxed")
    factors = []
    for f in fw.factors:
        cols = [(lo_hi - pl.col(it.id)) if it.reverse else pl.col(it.id) for it in f.items]
        factors.append(pl.mean_horizontal(cols).alias(f.id))
    scores = df.select("wave", "force", *factors)
    ids = [f.id for f in fw.factors]
    scores.group_by("wave", "force").agg([pl.col(i).mean() for i in ids])
    scores.group_by("wave").agg([pl.col(i).mean() for i in ids])


# -- one size -------------------------------------------------------------------------------


def measure_size(respondents: int, runs: int, db: str | None, check: bool) -> dict:
    out: dict = {"respondents": respondents}
    with tempfile.TemporaryDirectory() as folder:
        url = db or str(Path(folder) / "national.db")
        t0 = time.perf_counter()
        run(stage_generate, folder, respondents)
        gen = time.perf_counter() - t0
        files = sorted(Path(folder).glob("w*.csv"))
        mb = sum(p.stat().st_size for p in files) / 2**20
        print(f"\n{respondents:,} respondents, 43 forces, 5 waves, a third with a comment; "
              f"store {url if db else 'SQLite (temp file)'}; {mb:.0f} MB in {len(files)} "
              f"files (made in {gen:.0f} s); minimum of {runs} run(s)", flush=True)  # fmt: skip
        run(stage_declare, url)
        imports = [run(stage_import, folder, url, i) for i in range(len(WAVES))]
        last = len(WAVES) - 1
        bare_read = best(runs, stage_polars_read, folder, last)
        bare = best(runs, stage_polars_groupby, folder)
        rows = [
            ("import one wave (the last, all its files)",
             (imports[-1][0], imports[-1][1], []), bare_read, "polars read of the same files"),
            ("scores --by force", best(runs, stage_scores, url), bare,
             "polars read + group-by mean"),
            ("report", best(runs, stage_report, url, str(Path(folder) / "r.html")), bare,
             "polars read + group-by mean"),
        ]  # fmt: skip
        if check:
            rows.append(
                ("release check (publish --check)", best(runs, stage_check, url),
                 best(runs, stage_figures, url), "load + measure + disclose, no check")
            )  # fmt: skip
        print(f"  {'work':42} {'seconds':>8} {'peak MB':>8}   {'bare reference':36} "
              f"{'seconds':>8} {'peak MB':>8} {'ratio':>6}")  # fmt: skip
        for name, mine, ref, ref_name in rows:
            print(f"  {name:42} {mine[0]:8.2f} {mine[1]:8.0f}   {ref_name:36} {ref[0]:8.2f} "
                  f"{ref[1]:8.0f} {mine[0] / ref[0]:5.1f}x", flush=True)  # fmt: skip
            out[name] = (mine[0], mine[1], ref[0], ref[1])
        print("  imports of each wave: " + ", ".join(f"{t:.1f} s" for t, _ in imports)
              + "; every run: " + "; ".join(
                  f"{name} {', '.join(f'{t:.2f}' for t in mine[2])} s"
                  for name, mine, _, _ in rows[1:]))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=1_000_000)
    ap.add_argument("--sizes", type=int, nargs="+", help="run at each size; print growth")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", default=None, help="an empty store URL (default: SQLite temp file)")
    ap.add_argument("--pg", action="store_true", help="start a throwaway PostgreSQL server")
    ap.add_argument("--no-check", action="store_true", help="skip the release check")
    args = ap.parse_args(argv)
    server = None
    if args.pg:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from conftest import start_postgres, stop_postgres

        server = start_postgres()
    try:
        results = []
        for i, n in enumerate(args.sizes or [args.respondents]):
            db = args.db
            if server is not None:
                name = f"national{i}"
                with server.admin() as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                db = server.url(name)
            results.append(measure_size(n, args.runs, db, not args.no_check))
        if len(results) > 1:
            work = [k for k in results[0] if k != "respondents"]
            print("\nGrowth: seconds (seconds per 100,000 respondents; flat = linear)")
            print(f"  {'respondents':>12} " + " ".join(f"{w[:26]:>28}" for w in work))
            for r in results:
                n = r["respondents"]
                cells = [f"{r[w][0]:8.2f} ({r[w][0] / n * 1e5:6.2f}) {r[w][0] / r[w][2]:5.1f}x"
                         for w in work]  # fmt: skip
                print(f"  {n:>12,} " + " ".join(f"{c:>28}" for c in cells))
    finally:
        if server is not None:
            stop_postgres(server)


if __name__ == "__main__":
    sys.exit(main())
