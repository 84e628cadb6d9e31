"""Benchmark: survey-tool exports of many respondents, imported and refused.

Run on demand: `python benchmarks/bench_import.py [--respondents 50000] [--repeat 1]`. It
writes one export per layout (Qualtrics with three header rows and the tool's labels,
SurveyMonkey with two header rows, our template), all with the full built-in instrument,
no free text, and imports each into a fresh SQLite store in a process of its own. Beside
each import, in the same process, it times a bare polars read of the same file (all
columns as strings, minimum of three) and prints the ratio (issue 25: within 3x), with the
process's peak memory; then the floor any import into the store has, the same respondent
rows written again by a bare sqlite3 executemany into the same table, and its ratio to the
polars read. The redactor's start-up (spaCy and Presidio, loaded once per
process to check force names) is timed apart and left out of the import's time. Then it
times the refusal of a Qualtrics export on a seven-point scale (every item cell checked,
the problems summarised) and prints how many lines the message has, which must stay a
handful however many cells are wrong.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

QUALTRICS5 = [
    "Strongly disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Strongly agree",
]
SEVEN = [
    "Strongly disagree",
    "Disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Agree",
    "Strongly agree",
]


def _write(path: Path, header_rows: list[list[str]], body: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerows(header_rows)
        out.writerows(body)


def make_files(folder: Path, n: int) -> dict[str, Path]:
    from collablens.framework import load_framework
    from collablens.surveys.uk_forces import uk_force_names

    fw = load_framework()
    items = [it for _, it in fw.items]
    rng = np.random.default_rng(3)
    points = rng.integers(1, 6, size=(n, len(items)))
    # Seven real forces: a name with digits ("Force 1") is refused as a collar number.
    names = uk_force_names("territorial")[:7]
    forces = [names[i % 7] for i in range(n)]
    meta_ids = ["ResponseId", "Status", "Finished", "Q1"]
    files = {}

    q_ids = [*meta_ids, *[f"Q2_{k + 1}" for k in range(len(items))]]
    q_text = ["Response ID", "Response Type", "Finished", fw.attributes[0].label]
    q_text += [f"How far do you agree? - {it.text}" for it in items]
    q_import = ['{"ImportId":"_recordId"}', '{"ImportId":"status"}', '{"ImportId":"finished"}']
    q_import += ['{"ImportId":"QID1"}']
    q_import += [f'{{"ImportId":"QID2_{k + 1}"}}' for k in range(len(items))]

    def qualtrics_rows(labels: list[str], scale: int) -> list[list[str]]:
        vals = points if scale == 5 else rng.integers(1, 8, size=points.shape)
        return [
            [f"R_{i:015d}", "IP Address", "True", forces[i], *[labels[v - 1] for v in row]]
            for i, row in enumerate(vals)
        ]

    files["qualtrics"] = folder / "qualtrics.csv"
    _write(files["qualtrics"], [q_ids, q_text, q_import], qualtrics_rows(QUALTRICS5, 5))
    files["seven-point"] = folder / "seven.csv"
    _write(files["seven-point"], [q_ids, q_text, q_import], qualtrics_rows(SEVEN, 7))

    top = ["Respondent ID", "Collector ID", fw.attributes[0].label, "How far do you agree?"]
    top += [""] * (len(items) - 1)
    sub = ["", "", "Response", *[it.text for it in items]]
    labels = [fw.scale.labels[v] for v in range(1, 6)]
    body = [
        [str(10**11 + i), "4319", forces[i], *[labels[v - 1] for v in row]]
        for i, row in enumerate(points)
    ]
    files["surveymonkey"] = folder / "surveymonkey.csv"
    _write(files["surveymonkey"], [top, sub], body)

    files["template"] = folder / "template.csv"
    _write(
        files["template"],
        [["respondent_id", "force", *[it.id for it in items]]],
        [[f"r{i}", forces[i], *map(str, row)] for i, row in enumerate(points)],
    )
    return files


def bare_insert(db: Path) -> float:
    """The floor of any import into this store: the same respondent rows, read back from the
    imported store, written again by a bare sqlite3 executemany into the same table (same
    indexes, same settings), minimum of three."""
    import sqlite3

    cols = "wave_id, import_id, key, force, role, rank_band, length_of_service, answers"
    conn = sqlite3.connect(db)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    rows = conn.execute(f"SELECT {cols} FROM respondents").fetchall()
    took = []
    for _ in range(3):
        conn.execute("DELETE FROM respondents")
        conn.commit()
        start = time.perf_counter()
        conn.executemany(f"INSERT INTO respondents ({cols}) VALUES ({', '.join('?' * 8)})", rows)
        conn.commit()
        took.append(time.perf_counter() - start)
    conn.close()
    return min(took)


def one(layout: str, path: Path, db: Path, repeat: int) -> dict:
    """One layout in this process: the bare polars read, then the import (minimum of runs)."""
    import polars as pl

    from collablens.store import Store
    from collablens.surveys.attributes import name_problem
    from collablens.surveys.importer import InputError, import_responses

    start = time.perf_counter()
    name_problem("Cleveland Police")  # loads the redactor once, as any first import does
    startup = time.perf_counter() - start
    bare = []
    for _ in range(3):
        start = time.perf_counter()
        pl.read_csv(path, has_header=False, infer_schema=False)
        bare.append(time.perf_counter() - start)
    took = []
    for k in range(repeat):
        target = db.with_suffix(f".{k}.db")
        store = Store(str(target))
        store.migrate()
        start = time.perf_counter()
        try:
            r = import_responses(store, path, "Bench", "wave 1")
            took.append(time.perf_counter() - start)
        except InputError as exc:  # a file over a limit (100 MB, 250,000 rows)
            return {"layout": layout, "refused": exc.problems[0]}
        finally:
            store.close()
        if k == repeat - 1:
            insert = bare_insert(target)
        for f in target.parent.glob(target.name + "*"):
            f.unlink()
    return {
        "layout": layout,
        "format": r.source_format,
        "rows": r.rows_added,
        "import": min(took),
        "bare": min(bare),
        "insert": insert,
        "startup": startup,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="imports per layout (minimum)")
    parser.add_argument("--layouts", default="template,qualtrics,surveymonkey")
    parser.add_argument("--one", nargs=3, metavar=("LAYOUT", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        layout, path, db = args.one
        print(json.dumps(one(layout, Path(path), Path(db), args.repeat)))
        return
    from collablens.store import Store
    from collablens.surveys.importer import InputError, import_responses

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_files(folder, args.respondents)
        print(f"{args.respondents:,} respondents x 40 items per file, SQLite, {args.repeat} run(s)")
        print(
            f"  {'layout':<13} {'respondents':>11} {'import':>8} {'polars':>8} {'ratio':>6} "
            f"{'peak':>8} {'start-up':>8} {'insert':>8} {'ratio':>6}"
        )
        for layout in args.layouts.split(","):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--repeat",
                    str(args.repeat),
                    "--one",
                    layout,
                    str(files[layout]),
                    str(folder / f"{layout}.db"),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            if "refused" in r:
                print(f"  {layout:<13} refused: {r['refused'].split(': ', 1)[-1]}")
                continue
            print(
                f"  {layout:<13} {r['rows']:>11,} {r['import']:>7.2f}s {r['bare']:>7.3f}s "
                f"{r['import'] / r['bare']:>5.1f}x {r['peak_mb']:>6,.0f}MB {r['startup']:>7.2f}s "
                f"{r['insert']:>7.3f}s {r['insert'] / r['bare']:>5.1f}x"
            )
        store = Store(str(folder / "seven.db"))
        store.migrate()
        start = time.perf_counter()
        try:
            import_responses(store, files["seven-point"], "Bench", "wave 1")
            print("  seven-point: imported (unexpected)")
        except InputError as exc:
            took = time.perf_counter() - start
            lines = str(exc).count("\n") + 1
            print(
                f"  seven-point refusal: {took:.2f} s, {len(exc.problems)} problems, "
                f"{lines} lines in the message"
            )
        store.close()


if __name__ == "__main__":
    main()
