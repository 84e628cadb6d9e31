"""Benchmark: a national register in one workbook, imported and read back.

Run on demand: `python benchmarks/bench_register.py [--collaborations 200]`. It writes a
register workbook of that many collaborations (four parties each, a history, an agreement
with every clause recorded, five financial years of contributions, milestones, terms and
sites), then times on a fresh SQLite workspace: reading and checking the workbook, the
import (one transaction), and computing every collaboration's governance facts (what the
report's Governance section shows). It prints each step's wall time and rate.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def write_book(path: Path, n: int) -> int:
    """The workbook; returns how many rows it holds."""
    import openpyxl

    from collablens.govern.checklist import builtin_clauses
    from collablens.govern.register import SHEETS

    clauses = builtin_clauses().clauses
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {sheet.name: book.create_sheet(sheet.name) for sheet in SHEETS}
    for sheet in SHEETS:
        sheets[sheet.name].append(list(sheet.columns))
    rows = 0
    for i in range(n):
        c = f"Collaboration {i:04d}"
        forces = [f"Force {i:04d}-{k}" for k in range(4)]
        sheets["Collaborations"].append(
            [c, "forensics", "joint unit", forces[0], "Board", "2018-04-01"]
        )
        for f in forces:
            sheets["Parties"].append([c, f, f"Chief Constable {f}", f"PCC {f}"])
            for y in range(2020, 2025):
                sheets["Contributions"].append(
                    [c, f, f"{y}/{(y + 1) % 100:02d}", 100000 + i, 5, 2, 0, "formula", 1000 + i,
                     200000, 180000, 20000, 15000, 5000, 4000, 30000]
                )  # fmt: skip
            sheets["Terms"].append([c, f, "Shift pattern", "4 on 4 off" if i % 2 else "5 on 3 off"])
            sheets["Sites"].append([c, f, f"{f} HQ", 54 + (i % 10) / 10, -1.5 - (i % 7) / 10])
        sheets["Events"].append([c, "2018-03-01", "signed", "", ""])
        sheets["Events"].append([c, "2022-04-01", "withdrew", forces[3], ""])
        sheets["Agreements"].append([c, "Agreement", "2018-03-01", "2023-03-01", "", "in full"])
        for k, cl in enumerate(clauses):
            sheets["Clauses"].append(
                [c, "Agreement", cl.id, "missing" if k % 9 == 0 else "present", ""]
            )
        for m in range(4):
            sheets["Milestones"].append(
                [c, f"Milestone {m}", f"{2019 + m}-06-01", f"{2019 + m}-09-01", ""]
            )
        rows += 1 + 4 * 7 + 2 + 1 + len(clauses) + 4
    book.save(str(path))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collaborations", type=int, default=200)
    args = parser.parse_args()

    from collablens.govern.facts import governance_facts
    from collablens.govern.register import import_register, read_workbook
    from collablens.store import open_workspace

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.xlsx"
        start = time.perf_counter()
        rows = write_book(path, args.collaborations)
        wrote = time.perf_counter() - start
        print(f"{args.collaborations} collaborations, {rows:,} rows ({wrote:.1f} s to write)")

        start = time.perf_counter()
        book = read_workbook([path])
        took = time.perf_counter() - start
        print(f"  read and check the workbook      {took:7.2f} s   {rows / took:8.0f} rows/s")
        store = open_workspace(str(Path(tmp) / "w.db"), create=True)
        start = time.perf_counter()
        import_register(store, [path])
        took = time.perf_counter() - start
        print(f"  import (read, check, one transaction) {took:6.2f} s   {rows / took:8.0f} rows/s")
        start = time.perf_counter()
        for e in book.entries:
            governance_facts(store, e.collaboration)
        took = time.perf_counter() - start
        print(
            f"  governance facts, every collaboration {took:6.2f} s   "
            f"{len(book.entries) / took:8.1f} collaborations/s"
        )


if __name__ == "__main__":
    main()
