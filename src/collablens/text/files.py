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
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import TextIO, TypeVar

from ..analysis.disclosure import Passages, Policy, disclose
from ..analysis.quotes import polarity_shown
from ..csvcells import allow_long_cells, csv_problem
from ..errors import CollablensError
from ..reporting.exporters import spreadsheet_text
from ..vocabulary import MODEL_CODE, ProgressCallback
from .classifier import Coder
from .redact import MAX_WORKERS, split_text
from .segment import segments


class TextFileError(CollablensError, ValueError):
    """A text file cannot be read for coding; the message names the file and line."""


class WorkerError(CollablensError, RuntimeError):
    """A worker process redacting a file ended before its work was done (killed, or out
    of memory); the message says so in one line."""


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


def default_processes() -> int:
    """The worker processes `collablens code FILE` redacts with unless told: one per core
    this process may run on, at most `MAX_WORKERS` (each holds its own spaCy and Presidio,
    about 250 MB)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _redact_batch(texts: list[str]) -> list[str]:
    """One batch through the disclosure gate: in this process, or in a worker."""
    return disclose(Passages(texts), Policy()).texts


def _worker_start(parent: int) -> None:
    """Worker initializer: die with the parent (even on SIGKILL), and leave Ctrl-C to it.

    A terminal sends SIGINT to every process of the job; the parent decides what an
    interrupt means and ends its workers itself, so a worker ignores it rather than
    printing a traceback of its own.
    """
    from .redact import _die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)


B = TypeVar("B")


class RedactionWorkers:
    """Batches of passages redacted by up to `processes` worker processes, in order.

    `map` hands each batch to the pool and gives back (batch, redacted texts) in the
    batches' order, with at most two batches per worker in flight, so memory is bounded
    whatever the file's size. Workers start on demand (spawn, not fork: no open
    connection or model is shared); each loads spaCy and Presidio once. A file of a
    single batch is redacted in this process: a worker would only add its start-up.
    Used as a context manager: leaving it with an exception (Ctrl-C, a failed write)
    ends the workers at once instead of waiting for their batches.
    """

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> RedactionWorkers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(abort=kind is not None)

    def close(self, abort: bool = False) -> None:
        """Stop the pool: after its work, or (`abort`) at once, ending its processes."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if abort:
            # The pool has no public way to end busy workers; its processes are known to it.
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        pool.shutdown(wait=not abort, cancel_futures=True)

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        self._pool = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
        return self._pool

    def map(
        self, batches: Iterator[B], texts: Callable[[B], list[str]]
    ) -> Iterator[tuple[B, list[str]]]:
        """(batch, its texts redacted) for each batch, in order."""
        if self.processes < 2:
            for batch in batches:
                yield batch, _redact_batch(texts(batch))
            return
        first = next(batches, None)
        if first is None:
            return
        second = next(batches, None)
        if second is None:
            yield first, _redact_batch(texts(first))
            return
        pool = self._pool or self._start()
        ahead: deque[tuple[B, Future[list[str]]]] = deque()
        for batch in _chain(first, second, batches):
            with _interrupts_held():  # a submit may start a worker
                ahead.append((batch, pool.submit(_redact_batch, texts(batch))))
            if len(ahead) >= 2 * self.processes:
                done, future = ahead.popleft()
                yield done, self._result(future)
        while ahead:
            done, future = ahead.popleft()
            yield done, self._result(future)

    def _result(self, future: Future[list[str]]) -> list[str]:
        try:
            return future.result()
        except BrokenProcessPool:
            raise WorkerError(
                "redaction stopped: a worker process ended unexpectedly (killed, or out of memory)"
            ) from None


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while a worker may be started, then let it through.

    A worker inherits the signals blocked in the thread that starts it, and a signal
    blocked from its first instruction never reaches it: a Ctrl-C during its start-up
    (loading Python and spaCy takes seconds) would otherwise print its own traceback
    before the initializer could ignore it. Here a Ctrl-C is delivered when the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _chain(first: B, second: B, rest: Iterator[B]) -> Iterator[B]:
    yield first
    yield second
    yield from rest


def code_file(
    path: Path,
    out: Path | TextIO,
    coder: Coder,
    column: str = "text",
    chunk: int = 256,
    progress: ProgressCallback | None = None,
    processes: int = 1,
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

    With `processes` over 1 the batches are redacted by that many worker processes
    (`RedactionWorkers`), a few batches ahead of the coding and in order: the batches
    are the same as in one process, so the output is too. A worker that dies raises
    `WorkerError`; a file written to a path is then left as it was.
    """
    names = {f.id: f.name for f in coder.framework.factors} | {"none": "none"}
    total = path.stat().st_size if path.is_file() else 0
    read = 0  # bytes of the file read so far
    shown = 0  # bytes of the file whose batches have been redacted: what the bar shows

    def reading(n: int) -> None:
        nonlocal read
        read = n

    def batches() -> Iterator[tuple[list[tuple[str, str]], int]]:
        """Batches of (reference, text), each with how far into the file it ends."""
        batch: list[tuple[str, str]] = []
        size = 0
        for ref, text in read_passages(path, column, read=reading):
            batch.append((ref, text))
            size += len(text)
            if len(batch) >= _BATCH_TEXTS or size >= _BATCH_CHARS:
                yield batch, read
                batch, size = [], 0
        if batch:
            yield batch, read

    def units(workers: RedactionWorkers) -> Iterator[tuple[str, int, str]]:
        nonlocal shown
        last, pos = "", 0
        # The disclosure gate redacts personal data before the text is cut or written.
        redacted = workers.map(batches(), lambda b: [t for _, t in b[0]])
        for (batch, end), clean in redacted:
            shown = end
            for (ref, _), text in zip(batch, clean, strict=True):
                if ref != last:  # a long paragraph's pieces number on from each other
                    last, pos = ref, 0
                for seg in segments(text):
                    pos += 1
                    yield ref, pos, seg

    n = 0
    with ExitStack() as stack:
        # Entered first, so left last: a failed write or Ctrl-C ends the workers after
        # the partial output is removed, and a dead worker leaves no output behind.
        workers = stack.enter_context(RedactionWorkers(processes))
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
        for unit in units(workers):
            buf.append(unit)
            if len(buf) == chunk:
                n += _write(writer, buf, coder, names)
                buf = []
                if progress is not None:
                    progress(f"{n:,} segments", shown, max(total, read))
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
