"""Exporters: disclosed scores written to a file for other tools (spreadsheets, dashboards).

An exporter only formats a `Scores` that has passed `disclose`: hidden cells are written
with no numbers and the reason they are hidden. Registered in `collablens.plugins.exporters`
(the `register_exporters` hook; a built-in by being declared here); the file's suffix
picks one.

Names in the cells (wave, group, factor) are user text. A spreadsheet may run a cell that
starts with ``=``, ``+``, ``-`` or ``@``, a tab or a carriage return as a formula, so the
CSV writer puts a single quote before any such text (OWASP's advice against CSV
injection; `spreadsheet_text`). Only text is changed: numbers are written as numbers, so
a negative mean or interval stays a number. JSON is data for programs, not a
spreadsheet, and is written exactly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..outputs import FORMULA_START, spreadsheet_text

__all__ = [
    "COLUMNS",
    "CSV",
    "FORMULA_START",
    "JSON",
    "Exporter",
    "export",
    "exporter_for",
    "spreadsheet_text",
]

#: The columns every exporter writes, in order; `var` stays inside the analysis layer.
COLUMNS = [
    "wave", "dimension", "group", "factor", "kind", "n", "mean", "sd", "ci_low", "ci_high",
    "band", "suppressed",
]  # fmt: skip


@dataclass(frozen=True)
class Exporter:
    name: str
    suffix: str
    write: Callable[[Any, Path], None]


def _rows(scores: Any) -> list[dict]:
    def clean(v: Any) -> Any:
        if isinstance(v, float) and math.isnan(v):
            return None
        return v.item() if hasattr(v, "item") else v

    frame = scores.cells[COLUMNS]
    return [
        {c: clean(v) for c, v in zip(COLUMNS, row, strict=True)}
        for row in frame.itertuples(index=False)
    ]


def _write_csv(scores: Any, path: Path) -> None:
    frame = scores.cells[COLUMNS].copy()
    for col in frame.columns:
        if frame[col].dtype.kind not in "biufc":  # numbers stay numbers, negative ones too
            frame[col] = frame[col].map(spreadsheet_text)
    frame.to_csv(path, index=False)


def _write_json(scores: Any, path: Path) -> None:
    doc = {"k": scores.k, "cells": _rows(scores)}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")


CSV = Exporter("csv", ".csv", _write_csv)
JSON = Exporter("json", ".json", _write_json)


def exporter_for(path: Path) -> Exporter:
    """The registered exporter whose suffix matches `path`."""
    from .. import plugins

    for _, ex in plugins.exporters.items():
        if path.suffix.lower() == ex.suffix:
            return ex
    known = ", ".join(f"{ex.suffix} ({name})" for name, ex in plugins.exporters.items())
    raise ValueError(
        f"{path}: no exporter writes {path.suffix or 'files without a suffix'}; use {known}"
    )


def export(scores: Any, path: Path) -> Path:
    """Write disclosed scores to `path` in the format its suffix names."""
    from ..analysis.scoring import Scores

    if not isinstance(scores, Scores):
        raise TypeError("only disclosed Scores can be exported; pass them through disclose()")
    # Written beside it under another name, then renamed over it: a failure midway never
    # leaves half a file where the export should be.
    from ..outputs import atomic_path

    writer = exporter_for(path)
    with atomic_path(path, "scores file") as tmp:
        writer.write(scores, tmp)
    return path
