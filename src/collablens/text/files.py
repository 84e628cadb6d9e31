"""Code text that lives outside a workspace: a CSV or JSONL of answers, or a transcript.

The text is redacted before anything else happens, and only the redacted wording is
written out, so a codes file can be shared like any report. Text cells that a
spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return) are written with a leading single quote (`spreadsheet_text`).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from ..analysis.disclosure import Passages, Policy, disclose
from ..analysis.quotes import polarity_shown
from ..csvcells import allow_long_cells, csv_problem
from ..errors import CollablensError
from ..reporting.exporters import spreadsheet_text
from ..vocabulary import MODEL_CODE, ProgressCallback
from .classifier import Coder
from .redact import split_text
from .segment import segments


class TextFileError(CollablensError, ValueError):
    """A text file cannot be read for coding; the message names the file and line."""


def iter_jsonl(path: Path, error: type[ValueError]) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) for each non-blank line; a bad line raises `error` naming it."""
    with path.open(encoding="utf-8") as fh:
        yield from _jsonl_lines(path, fh, error)


def _jsonl_lines(path: Path, fh: TextIO, error: type[ValueError]) -> Iterator[tuple[int, object]]:
    for n, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path}, line {n}: not valid JSON ({exc.msg})") from exc


#: A paragraph of a text file longer than this is passed on in pieces (cut at line, sentence
#: or word ends by `split_text`), so a file with no blank line is never held whole.
MAX_PASSAGE_CHARS = 100_000
#: The most characters read from a text file at once, even within one line.
_READ_CHARS = 64 * 1024
#: Passages redacted together: enough for spaCy to batch, few enough to hold.
_BATCH_TEXTS = 256
_BATCH_CHARS = 500_000


def read_passages(
    path: Path, column: str = "text", read: Callable[[int], None] | None = None
) -> Iterator[tuple[str, str]]:
    """(source reference, text) for each answer or paragraph in the file, read as needed.

    The file is streamed: only the current row, line or paragraph is held, and a
    paragraph of a text file longer than `MAX_PASSAGE_CHARS` comes in pieces under the
    same reference. `read`, if given, is told how many bytes of the file have been read
    after each passage, for a progress bar.
    """
    suffix = path.suffix.lower()
    try:
        with path.open(newline="" if suffix == ".csv" else None, encoding="utf-8-sig") as fh:

            def tell() -> None:
                if read is not None:
                    # where the operating system has read to: a buffer ahead of the text
                    read(os.lseek(fh.fileno(), 0, os.SEEK_CUR))

            if suffix == ".csv":
                passages = _csv_passages(path, fh, column)
            elif suffix in (".jsonl", ".ndjson"):
                passages = _jsonl_passages(path, fh, column)
            else:
                passages = _text_passages(fh)
            for passage in passages:
                yield passage
                tell()
    except OSError as exc:
        raise TextFileError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise TextFileError(f"{path}: not UTF-8 text") from exc


def _csv_passages(path: Path, fh: TextIO, column: str) -> Iterator[tuple[str, str]]:
    allow_long_cells()  # a long comment is an answer, not a broken file
    reader = csv.DictReader(fh)
    n = 1  # the row being read (a record, which may span lines): 1 is the header
    try:
        fields = reader.fieldnames or []
        if column not in fields:
            raise TextFileError(
                f"{path}: no column {column!r} (columns: {', '.join(fields)}); "
                "name it with --column"
            )
        n = 2
        for row in reader:
            if (row.get(column) or "").strip():
                yield f"row {n}", row[column]
            n += 1
    except csv.Error as exc:
        raise TextFileError(csv_problem(path, n, exc)) from exc


def _jsonl_passages(path: Path, fh: TextIO, column: str) -> Iterator[tuple[str, str]]:
    for n, obj in _jsonl_lines(path, fh, TextFileError):
        text = obj.get(column) if isinstance(obj, dict) else None
        if not isinstance(text, str):
            raise TextFileError(f"{path}, line {n}: no {column!r} string")
        yield f"line {n}", text


def _text_passages(fh: TextIO) -> Iterator[tuple[str, str]]:
    """Paragraphs (separated by an empty line), long ones in pieces, as `paragraph N`."""
    n = 1
    held: list[str] = []  # the current paragraph, or what is left of it
    size = 0
    line_start = True
    while chunk := fh.readline(_READ_CHARS):
        if line_start and chunk == "\n":  # an empty line ends a paragraph
            text = "".join(held)
            held, size = [], 0
            if text.strip():
                yield f"paragraph {n}", text
                n += 1
            continue
        line_start = chunk.endswith("\n")
        held.append(chunk)
        size += len(chunk)
        if size > 2 * MAX_PASSAGE_CHARS:
            # Pass on all but the last piece: it may end mid-line, and the next read may
            # carry on the sentence or name it ends with.
            *done, rest = split_text("".join(held), MAX_PASSAGE_CHARS)
            held, size = [rest], len(rest)
            for piece in done:
                yield f"paragraph {n}", piece
    text = "".join(held)
    if text.strip():
        yield f"paragraph {n}", text


def code_file(
    path: Path,
    out: Path | TextIO,
    coder: Coder,
    column: str = "text",
    chunk: int = 256,
    progress: ProgressCallback | None = None,
) -> int:
    """Redact, segment and code a file, streaming, and write one CSV row per segment.

    `out` is a file path, or an open text stream such as standard output. Every segment
    is written; `accepted` says whether the coder was sure enough of the factor to count
    it without review (a report counts only those), and the polarity reads "unclear"
    where the coder was not sure of it, as in the report.

    Memory stays flat whatever the file's size: the file is read a passage at a time,
    redacted `_BATCH_TEXTS` passages at a time (spaCy batches them), coded `chunk`
    segments at a time, and each row written as it is coded. `progress` is told
    ("N segments", bytes read, file size) after each batch.
    """
    names = {f.id: f.name for f in coder.framework.factors} | {"none": "none"}
    policy = Policy()
    total = path.stat().st_size if path.is_file() else 0
    read = 0  # bytes of the file read so far

    def reading(n: int) -> None:
        nonlocal read
        read = n

    def batches() -> Iterator[list[tuple[str, str]]]:
        batch: list[tuple[str, str]] = []
        size = 0
        for ref, text in read_passages(path, column, read=reading):
            batch.append((ref, text))
            size += len(text)
            if len(batch) >= _BATCH_TEXTS or size >= _BATCH_CHARS:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def units() -> Iterator[tuple[str, int, str]]:
        last, pos = "", 0
        for batch in batches():
            # The disclosure gate redacts personal data before the text is cut or written.
            clean = disclose(Passages([t for _, t in batch]), policy).texts
            for (ref, _), text in zip(batch, clean, strict=True):
                if ref != last:  # a long paragraph's pieces number on from each other
                    last, pos = ref, 0
                for seg in segments(text):
                    pos += 1
                    yield ref, pos, seg

    n = 0
    with ExitStack() as stack:
        if isinstance(out, Path):
            from ..outputs import atomic_path  # the CSV appears whole or not at all

            tmp = stack.enter_context(atomic_path(out, "coded file"))
            fh: TextIO = stack.enter_context(tmp.open("w", newline="", encoding="utf-8"))
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
                if progress is not None:
                    progress(f"{n:,} segments", read, max(total, read))
        if buf:
            n += _write(writer, buf, coder, names)
    if progress is not None:
        progress(f"{n:,} segments", max(total, read), max(total, read))
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
