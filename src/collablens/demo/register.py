"""The demo's register entry: the fictional collaboration's function, parties and history,
written as a programme office would fill in the register workbook, then imported."""

from __future__ import annotations

from pathlib import Path

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


def build_register(store: Store, collaboration: str, folder: Path) -> Path:
    """Write the demo's register workbook and import it: five parties, Northmoor leading,
    signed in 2019, Harbourwick joining in 2021, a variation in 2023, renewed in 2025; one
    agreement, reviewed in 2023, with two clauses missing and four not yet checked."""
    path = folder / "register.xlsx"
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows = {
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
    }  # fmt: skip
    for sheet, columns in SHEETS.items():
        ws = book.create_sheet(sheet)
        ws.append(columns)
        for row in rows[sheet]:
            ws.append(row)
    book.save(str(path))
    import_register(store, [path])
    return path
