"""Code text that lives outside a workspace: a CSV or JSONL of answers, or a transcript.

The text is redacted before anything else happens, and only the redacted wording is
written out, so a codes file can be shared like any report. Text cells that a
spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return) are written with a leading single quote (`spreadsheet_text`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from ..analysis.disclosure import Passages, Policy, disclose
from ..analysis.quotes import polarity_shown
from ..errors import CollablensError
from ..reporting.exporters import spreadsheet_text
from ..vocabulary import MODEL_CODE
from .classifier import Coder
from .segment import segments


class TextFileError(CollablensError, ValueError):
    """A text file cannot be read for coding; the message names the file and line."""


def iter_jsonl(path: Path, error: type[ValueError]) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) for each non-blank line; a bad line raises `error` naming it."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                raise error(f"{path}, line {n}: not valid JSON ({exc.msg})") from exc


def read_passages(path: Path, column: str = "text") -> Iterator[tuple[str, str]]:
    """(source reference, text) for each answer or paragraph in the file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                if column not in (reader.fieldnames or []):
                    raise TextFileError(
                        f"{path}: no column {column!r} (columns: "
                        f"{', '.join(reader.fieldnames or [])}); name it with --column"
                    )
                for n, row in enumerate(reader, start=2):
                    if (row.get(column) or "").strip():
                        yield f"row {n}", row[column]
        elif suffix in (".jsonl", ".ndjson"):
            for n, obj in iter_jsonl(path, TextFileError):
                text = obj.get(column) if isinstance(obj, dict) else None
                if not isinstance(text, str):
                    raise TextFileError(f"{path}, line {n}: no {column!r} string")
                yield f"line {n}", text
        else:
            body = path.read_text(encoding="utf-8")
            for n, para in enumerate((p for p in body.split("\n\n") if p.strip()), start=1):
                yield f"paragraph {n}", para
    except OSError as exc:
        raise TextFileError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise TextFileError(f"{path}: not UTF-8 text") from exc


def code_file(
    path: Path, out: Path | TextIO, coder: Coder, column: str = "text", chunk: int = 256
) -> int:
    """Redact, segment and code a file, streaming, and write one CSV row per segment.

    `out` is a file path, or an open text stream such as standard output. Every segment
    is written; `accepted` says whether the coder was sure enough of the factor to count
    it without review (a report counts only those), and the polarity reads "unclear"
    where the coder was not sure of it, as in the report.
    """
    names = {f.id: f.name for f in coder.framework.factors} | {"none": "none"}
    policy = Policy()

    def units() -> Iterator[tuple[str, int, str]]:
        for ref, text in read_passages(path, column):
            # The disclosure gate redacts personal data before the text is cut or written.
            (clean,) = disclose(Passages([text]), policy).texts
            for pos, seg in enumerate(segments(clean), start=1):
                yield ref, pos, seg

    n = 0
    with ExitStack() as stack:
        if isinstance(out, Path):
            fh: TextIO = stack.enter_context(out.open("w", newline="", encoding="utf-8"))
            writer = csv.writer(fh)
        else:
            # A text stream turns "\n" into the platform's line end itself.
            writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "source",
                "segment",
                "text",
                "factor",
                "factor_name",
                "polarity",
                "confidence",
                "also_present",
                "accepted",
            ]
        )
        buf: list[tuple[str, int, str]] = []
        for unit in units():
            buf.append(unit)
            if len(buf) == chunk:
                n += _write(writer, buf, coder, names)
                buf = []
        if buf:
            n += _write(writer, buf, coder, names)
    return n


def _write(writer, buf, coder: Coder, names: dict[str, str]) -> int:
    for (ref, pos, seg), c in zip(buf, coder.code([b[2] for b in buf]), strict=True):
        row = [
            ref,
            pos,
            seg,
            c.factor,
            names[c.factor],
            polarity_shown(c.polarity, MODEL_CODE, c.polarity_sure),
            f"{c.confidence:.3f}",
            ";".join(c.others),
            "yes" if c.accepted else "no",
        ]
        writer.writerow([spreadsheet_text(v) for v in row])
    return len(buf)
