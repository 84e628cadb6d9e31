"""The register template as a programme office fills it in: its example rows made a real
collaboration's (the template's own examples are never imported)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from collablens.govern.register import EXAMPLE, register_template

#: The collaboration the tests' filled-in template is for.
FILLED = "Test Regional Unit"


def filled_template(path: Path) -> Path:
    """The template at `path`, every example row's collaboration renamed to `FILLED`."""
    register_template(path)
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=2):
            if row and row[0].value == EXAMPLE:
                row[0].value = FILLED
    book.save(path)
    return path
