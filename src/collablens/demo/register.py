"""The demo's register entry: the fictional collaboration's function, parties and history,
written as a programme office would fill in the register workbook, then imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from ..govern.register import SHEETS, import_register
from ..store import Store

FORCES = [
    ("Northmoor Police", "Northmoor", "Police, Fire and Crime Commissioner"),
    ("Eastdale Constabulary", "Eastdale", "Police and Crime Commissioner"),
    ("Fellside Police", "Fellside", "Police and Crime Commissioner"),
    ("Harbourwick Police", "Harbourwick", "Police and Crime Commissioner"),
    ("Tarn Valley Constabulary", "Tarn Valley", "Police and Crime Commissioner"),
]


AGREEMENT = "Regional Organised Crime Unit Agreement 2019"
# What the fictional agreement covers, as a programme office might have recorded it.
CLAUSES = [
    ("commencement", "present", ""),
    ("review", "present", "Annual review by the board"),
    ("functions", "present", ""),
    ("direction_control", "present", "Lead force's chief constable"),
    ("host_force", "present", ""),
    ("governance", "present", "Regional collaboration board"),
    ("funding", "present", "Formula by officer numbers, moved to usage in 2023"),
    ("funding_changes", "missing", "No rule for sharing overspends"),
    ("workforce", "present", ""),
    ("disputes", "present", ""),
    ("liabilities", "present", ""),
    ("insurance", "not applicable", "Each force self-insures"),
    ("termination", "missing", "Exit costs not priced"),
    ("new_parties", "present", "Used when Harbourwick joined"),
    ("confidentiality", "present", ""),
    ("information", "present", ""),
]


# Per force, 2024/25: cash, officers FTE, staff FTE, assets, basis, officers (size),
# baseline cost, current cost, cashable planned and realised, non-cashable planned and
# realised, exit costs. The smallest force pays more than its size and gets less back.
MONEY = {
    "Northmoor Police": [2_400_000, 40, 12, 150_000, "formula by officer numbers", 3_300,
                         3_100_000, 2_700_000, 400_000, 360_000, 120_000, 95_000, 300_000],
    "Eastdale Constabulary": [1_300_000, 20, 7, 60_000, "formula by officer numbers", 1_900,
                              1_700_000, 1_450_000, 220_000, 200_000, 60_000, 55_000, 160_000],
    "Fellside Police": [700_000, 10, 4, 0, "formula by officer numbers", 1_000,
                        900_000, 780_000, 110_000, 90_000, 30_000, 20_000, 80_000],
    "Harbourwick Police": [300_000, 4, 2, 0, "cost recovery", 420,
                           380_000, 330_000, 40_000, 35_000, 10_000, 8_000, 40_000],
    "Tarn Valley Constabulary": [210_000, 2, 1, 0, "formula by officer numbers", 180,
                                 230_000, 215_000, 20_000, 6_000, 5_000, 1_000, 30_000],
}  # fmt: skip


# Fictional places, at plausible North of England coordinates.
SITES = [(54.97, -1.61), (54.78, -1.57), (54.57, -2.49), (54.91, -1.38), (54.45, -3.05)]
TERMS = [
    ("Northmoor Police", "Shift pattern", "4 on 4 off"),
    ("Eastdale Constabulary", "Shift pattern", "4 on 4 off"),
    ("Fellside Police", "Shift pattern", "5 on 3 off"),
    ("Northmoor Police", "Regional allowance", "£2,000 a year"),
    ("Eastdale Constabulary", "Regional allowance", "£2,000 a year"),
    ("Tarn Valley Constabulary", "Regional allowance", "none"),
    ("Northmoor Police", "Pool vehicles", "shared"),
    ("Eastdale Constabulary", "Pool vehicles", "shared"),
]


def build_register(store: Store, collaboration: str, folder: Path) -> Path:
    """Write the demo's register workbook and import it: five parties, Northmoor leading,
    signed in 2019, Harbourwick joining in 2021, a variation in 2023, renewed in 2025; one
    agreement, reviewed in 2023, with two clauses missing and four not yet checked."""
    path = folder / "register.xlsx"
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows: dict[str, list[list[Any]]] = {
        "Collaborations": [[collaboration, "regional organised crime unit", "lead force",
                            "Northmoor Police", "North East Regional Collaboration Board",
                            "2019-04-01"]],
        "Parties": [[collaboration, force, f"Chief Constable of {place}", f"{body} for {place}"]
                    for force, place, body in FORCES],
        "Events": [
            [collaboration, "2019-03-20", "signed", "", "Section 22A agreement of four forces"],
            [collaboration, "2021-07-01", "joined", "Harbourwick Police", "Joined the unit"],
            [collaboration, "2023-02-14", "varied", "", "Funding formula moved to usage"],
            [collaboration, "2025-03-31", "renewed", "", "Renewed for five years"],
        ],
        "Agreements": [[collaboration, AGREEMENT, "2019-03-20", "2023-02-14", "",
                        "title and objective"]],
        "Clauses": [[collaboration, AGREEMENT, clause, status, note]
                    for clause, status, note in CLAUSES],
        "Contributions": [[collaboration, force, "2024/25", *values]
                          for force, values in MONEY.items()],
        "Benefits": [
            [collaboration, "", "2024/25", "resilience",
             "Surveillance teams cover the whole region every day of the year",
             "Board report, March 2025"],
            [collaboration, "Tarn Valley Constabulary", "2024/25", "capability",
             "Access to a cyber crime unit it could not run alone", "Inspection report, 2024"],
        ],
        "Milestones": [
            [collaboration, "Joint tasking meeting running", "2019-09-01", "2019-08-20", ""],
            [collaboration, "Single intelligence system live", "2021-04-01", "2022-01-15",
             "Supplier delay"],
            [collaboration, "Harmonised allowances", "2023-04-01", "2024-02-01", "Negotiation"],
            [collaboration, "Shared custody suite open", "2025-10-01", "", ""],
        ],
        "Successes": [
            [collaboration, "2020-02-11", "First regional operation closed a county line",
             "Northmoor Police"],
            [collaboration, "2024-06-03", "Cyber unit answered its 500th small-force request",
             "Tarn Valley Constabulary"],
        ],
        "Champions": [
            [collaboration, "Northmoor Police", "Alex Demo", "champion", "whole force"],
            [collaboration, "Eastdale Constabulary", "Sam Demo", "broker", "intelligence teams"],
            [collaboration, "Fellside Police", "Jo Demo", "broker", "surveillance team"],
        ],
        "Terms": [[collaboration, force, field, value] for force, field, value in TERMS],
        "Sites": [[collaboration, force, f"{place} HQ", lat, lon]
                  for (force, place, _), (lat, lon) in zip(FORCES, SITES, strict=True)],
        "Travel": [[collaboration, "Northmoor HQ", "Tarn Valley HQ", 95],
                   [collaboration, "Northmoor HQ", "Eastdale HQ", 40]],
    }  # fmt: skip
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.columns))
        for row in rows[sheet.name]:
            ws.append(row)
    from ..outputs import atomic_path

    with atomic_path(path, "demo register") as tmp:
        book.save(str(tmp))
    import_register(store, [path])
    return path
