"""Benchmark: survey-tool exports of many respondents, imported and refused.

Run on demand: `python benchmarks/bench_import.py [--respondents 50000]`. It writes one
export per layout (Qualtrics with three header rows and the tool's labels, SurveyMonkey
with two header rows, our template), all with the full built-in instrument, no free text,
and prints for each the wall time and respondents per second of `import_responses` into a
fresh SQLite store. Then it times the refusal of a Qualtrics export on a seven-point
scale (every item cell checked, the problems summarised) and prints how many lines the
message has, which must stay a handful however many cells are wrong.
"""

from __future__ import annotations

import argparse
import csv
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

    fw = load_framework()
    items = [it for _, it in fw.items]
    rng = np.random.default_rng(3)
    points = rng.integers(1, 6, size=(n, len(items)))
    forces = [f"Force {i % 7 + 1}" for i in range(n)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50_000)
    args = parser.parse_args()
    from collablens.store import Store
    from collablens.surveys.importer import InputError, import_responses

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_files(folder, args.respondents)
        print(f"{args.respondents:,} respondents x 40 items per file")
        for layout in ("template", "qualtrics", "surveymonkey"):
            store = Store(str(folder / f"{layout}.db"))
            store.migrate()
            start = time.perf_counter()
            r = import_responses(store, files[layout], "Bench", "wave 1")
            took = time.perf_counter() - start
            store.close()
            print(
                f"  {layout:<13} {r.source_format:<13} {r.rows_added:>8,} respondents "
                f"{took:7.2f} s  {r.rows_added / took:>9,.0f} respondents/s"
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
