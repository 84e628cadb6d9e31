"""Benchmark: the release check (the disclosure audit before an edition) against history.

Run on demand: `python benchmarks/bench_ledger.py [--respondents 100000] [--releases 1 5 20]
[--runs 3]`. It imports one wave of N respondents across 10 forces (response-template layout,
no free text) and publishes edition 1. For each count R of earlier releases it then makes the
history R editions long (the later ones are corrections publishing the same answers, written
straight into the store so that building the history does not itself take R checks), adds 20
late answers per force, and times the check of the next edition (`editions.plan` as a
correction, so the audit runs on everything published). Beside each it times, in the same
process, the same figures without the check: the wave loaded, scored and disclosed
(`load`, `measure`, `disclose`), which is what a release costs when nothing is audited.
Each figure is the minimum of `--runs` runs; the ratio is check / bare.

The first check in a process reads every edition once and builds what the audit keeps of
the published figures (`audit._History`: atoms and an independent subset of the rows);
later checks (the waves page, the next `plan`) find both, so both are printed: "cold"
(everything kept in memory emptied first, `editions.forget_published`) and "warm". Since
the audit's kept rows are stored in the workspace (`ledger_kept`, issue 25), "cold" reads
them from there (one untimed check stores them first, as publishing does), and "none
stored" is a cold check with the stored rows deleted first (it builds and stores them).

`--parts` prints, for the last cold check, the seconds spent in what it still reads of
earlier editions: every edition's figures (`published_figures`), the candidate's snapshot
with its late answers linked to earlier editions (`_take`), the published figures its
people reach (`_connected`) and the audit's kept rows (`audit._history`).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

COLLAB = "Benchmark collaboration"
WAVE = "wave 1"


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--releases", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parts", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import select

    from collablens.analysis import editions
    from collablens.analysis.dataset import load
    from collablens.analysis.disclosure import Policy, disclose
    from collablens.analysis.scoring import measure
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.store import Store, forces
    from collablens.store.queries import editions as q
    from collablens.store.tables import editions as editions_table
    from collablens.surveys.importer import import_responses
    from collablens.vocabulary import DEFAULT_ALPHA

    forget = getattr(editions, "forget_published", lambda: None)
    try:
        from collablens.store.tables import ledger_kept
    except ImportError:  # before the rows were stored
        ledger_kept = None
    parts: dict[str, float] = {}
    if args.parts:
        from collablens.analysis import audit

        def timed(owner, name, label):  # type: ignore[no-untyped-def]
            inner = getattr(owner, name)

            def wrapper(*a, **kw):  # type: ignore[no-untyped-def]
                start = time.perf_counter()
                try:
                    return inner(*a, **kw)
                finally:
                    parts[label] = parts.get(label, 0.0) + time.perf_counter() - start

            setattr(owner, name, wrapper)

        timed(editions, "published_figures", "published_figures")
        timed(editions, "_take", "_take (linking)")
        timed(editions, "_connected", "_connected")
        timed(audit, "_history", "audit._history")

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(str(Path(tmp) / "b.db"))
        store.migrate()
        fw = store.framework
        names = [f"Force {i + 1:02d}" for i in range(10)]
        sc = Scenario(forces={n: args.respondents // 10 for n in names}, comment_share=0.0)
        path = Path(tmp) / "w.csv"
        to_template_csv(simulate_wave(fw, sc, 0, seed=7), path)
        with store.begin() as conn:
            forces.declare_forces(conn, COLLAB, names)
        import_responses(store, path, COLLAB, WAVE, progress=None)
        print(f"{args.respondents:,} respondents, {len(fw.factors)} factors, 10 forces, "
              f"minimum of {args.runs} runs")  # fmt: skip
        editions.publish(store, COLLAB, WAVE, actor="bench")
        with store.connect() as conn:
            first = conn.execute(select(editions_table).order_by(editions_table.c.id)).first()
        row = dict(first._mapping)  # type: ignore[union-attr]
        have = 1
        late_done = False

        def bare() -> None:
            data = load(store, COLLAB)
            disclose(measure(data), Policy.of(store), alpha_level=DEFAULT_ALPHA, breakdowns=None)

        def check() -> None:
            editions.plan(store, COLLAB, WAVE, correction=True)

        last_cold: dict[str, float] = {}

        def cold() -> None:
            forget()
            parts.clear()
            check()
            last_cold.clear()
            last_cold.update(parts)

        def none_stored() -> None:
            if ledger_kept is not None:
                with store.begin() as conn:
                    conn.execute(ledger_kept.delete())
            forget()
            check()

        print(f"  {'earlier releases':>16} {'bare s':>8} {'cold s':>8} {'ratio':>6} "
              f"{'warm s':>8} {'ratio':>6} {'none stored s':>13} {'ratio':>6}")  # fmt: skip
        for count in sorted(args.releases):
            with store.begin() as conn:
                for number in range(have + 1, count + 1):
                    values = {k: v for k, v in row.items()
                              if k not in ("id", "collaboration_id", "created_at")}  # fmt: skip
                    values.update(number=number, correction=True, reason="bench copy")
                    q.insert_edition(conn, COLLAB, **values)
            have = max(have, count)
            if not late_done:
                late = Path(tmp) / "late.csv"
                frame = simulate_wave(fw, Scenario(forces=dict.fromkeys(names, 20),
                                                   comment_share=0.0), 0, seed=8)  # fmt: skip
                frame["respondent_id"] = [f"late{i}" for i in range(len(frame))]
                to_template_csv(frame, late)
                editions.reopen(store, COLLAB, WAVE, actor="bench", reason="late answers")
                import_responses(store, late, COLLAB, WAVE, progress=None)
                late_done = True
            t_bare = best(bare, args.runs)
            t_none = best(none_stored, args.runs)  # and stores them for the cold runs
            t_cold = best(cold, args.runs)
            t_warm = best(check, args.runs)
            print(f"  {count:>16} {t_bare:8.2f} {t_cold:8.2f} {t_cold / t_bare:6.1f} "
                  f"{t_warm:8.2f} {t_warm / t_bare:6.1f} {t_none:13.2f} "
                  f"{t_none / t_bare:6.1f}", flush=True)  # fmt: skip
            if last_cold:
                print("    last cold check: " + ", ".join(
                    f"{k} {v:.2f} s" for k, v in last_cold.items()), flush=True)  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
