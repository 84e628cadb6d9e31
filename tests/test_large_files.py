"""Files of any size (issue 19): `collablens code FILE` and the redactor work in bounded pieces.

spaCy refuses a text over 1,000,000 characters (error E088), and a text file with no blank
line used to reach the redactor as one paragraph, so a 1.7 MB file of comments stopped
with that error. These tests code files past that limit end to end, check that a name
at either end of a single enormous answer is still removed, and check that the memory a
run needs does not grow with the file.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collablens.cli.app import app
from collablens.text.files import code_file
from collablens.text.redact import redact_many, split_text

pytestmark = pytest.mark.slow  # files past a million characters

runner = CliRunner()

# Sentences whose capitalised words are all ordinary ones, so most of a file is redacted by
# the rules alone and a test of a million characters runs in seconds; the planted names are
# what the named-entity model must find.
_STARTS = ["The", "Our", "We", "It", "This", "Staff", "Most", "Every", "Some", "When"]
_WORDS_TEXT = """
    board never decides anything and the shared ict systems cannot pass data between forces
    so officers waste hours every week on duplicate entry while leaders keep promising a fix
    that does not come because budgets are agreed too late
    """
_WORDS = _WORDS_TEXT.split()


def _lines(n: int, seed: int = 19) -> list[str]:
    """`n` varied one-sentence comments of 8 to 20 words (about 83 characters each)."""
    rng = random.Random(seed)
    return [
        f"{rng.choice(_STARTS)} {' '.join(rng.sample(_WORDS, rng.randint(7, 19)))}."
        for _ in range(n)
    ]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_a_text_file_over_a_million_characters_codes_end_to_end(tmp_path):
    """The known failure: 12,500 lines and no blank line, one 'paragraph' past spaCy's limit."""
    lines = _lines(12_500)
    lines[0] = "Sarah Hill said the board never decides anything."
    lines[6_000] = "Ask Sgt Smith why the systems cannot share data."
    lines[-1] = "Priya Sharma told us the budgets are agreed too late."
    src = tmp_path / "comments.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert src.stat().st_size > 1_000_000
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["code", str(src), "--out", str(out), "--db", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    # one sentence a line, so one segment a line, numbered on across the pieces
    assert len(rows) == len(lines)
    assert {r["source"] for r in rows} == {"paragraph 1"}
    assert [int(r["segment"]) for r in rows] == list(range(1, len(lines) + 1))
    text = out.read_text(encoding="utf-8")
    for name in ("Sarah", "Hill", "Smith", "Priya", "Sharma"):
        assert name not in text
    assert rows[0]["text"].startswith("[NAME]") and "Sgt [NAME]" in rows[6_000]["text"]
    # no progress bar when standard error is not a terminal: only the closing line
    assert result.stderr.strip().splitlines() == [
        f"Coded {len(lines)} segments from {src} into {out}"
    ]


def test_a_single_cell_over_a_million_characters_is_redacted(tmp_path):
    """One answer of a million characters with no line end: cut at sentence ends, never
    through a name, and redacted by every route (a codes file, the import's redact_many)."""
    body = " ".join(_lines(12_500, seed=7))
    cell = f"Sarah Hill wrote this. {body} Then ask DCs Moore and Price, or Det. Harris."
    assert len(cell) > 1_000_000 and "\n" not in cell
    pieces = split_text(cell)
    assert "".join(pieces) == cell and max(map(len, pieces)) <= 10_000
    assert not any(p.endswith(("Det.", "DCs", "Sarah")) for p in pieces)

    (clean,) = redact_many([cell])  # as an import redacts an answer or a transcript turn
    assert clean == f"[NAME] wrote this. {body} Then ask DCs [NAME] and [NAME], or Det. [NAME]."

    src = tmp_path / "answers.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["id", "text"], [1, cell], [2, "Our ICT is fine."]])
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["code", str(src), "--out", str(out), "--db", str(tmp_path / "w")])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for name in ("Sarah", "Hill", "Moore", "Price", "Harris"):
        assert name not in text
    assert {r["source"] for r in _rows(out)} == {"row 2", "row 3"}


def test_bad_input_in_a_large_file_is_one_line_naming_file_and_place(tmp_path):
    db = str(tmp_path / "w")
    txt = tmp_path / "notes.txt"
    txt.write_bytes(("\n".join(_lines(3_000)) + "\n").encode() + b"caf\xe9\n")
    out = tmp_path / "codes.csv"
    bad = runner.invoke(app, ["code", str(txt), "--out", str(out), "--db", db])
    assert bad.exit_code == 1 and not out.exists()
    assert bad.output.strip() == f"Error: {txt}: not UTF-8 text"

    jl = tmp_path / "answers.jsonl"
    good = "".join(json.dumps({"text": t}) + "\n" for t in _lines(2_000))
    jl.write_text(good + '{"text": 3}\n', encoding="utf-8")
    bad = runner.invoke(app, ["code", str(jl), "--out", str(out), "--db", db])
    assert bad.exit_code == 1 and bad.output.strip() == f"Error: {jl}, line 2001: no 'text' string"


def test_progress_reaches_the_file_size(tmp_path, builtin_framework):
    """`collablens code` draws its bar from these reports (on a terminal only)."""
    from collablens.text.classifier import Coder

    src = tmp_path / "comments.txt"
    src.write_text("\n".join(_lines(1_500)) + "\n", encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    out = tmp_path / "codes.csv"
    n = code_file(src, out, Coder(builtin_framework), progress=lambda *a: seen.append(a))
    assert n == 1_500
    size = src.stat().st_size
    assert seen[-1] == ("1,500 segments", size, size)
    assert len(seen) > 3 and all(0 < done <= total == size for _, done, total in seen)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


_PEAK = textwrap.dedent(
    """
    import sys, tracemalloc
    from pathlib import Path
    from collablens.framework import load_framework
    from collablens.text.classifier import Coder
    from collablens.text.files import code_file
    from collablens.text.redact import redact
    # What every run needs whatever the file (the model, the coder) is loaded first, so the
    # peak measured is the streaming's own.
    redact("Warm up Sarah Hill")
    coder = Coder(load_framework())
    tracemalloc.start()
    code_file(Path(sys.argv[1]), Path(sys.argv[2]), coder)
    print(tracemalloc.get_traced_memory()[1])
    """
)


def _peak(tmp_path: Path, n_lines: int) -> tuple[int, int]:
    """(peak bytes allocated coding a file of n_lines in a fresh process, file size)."""
    src = tmp_path / f"comments-{n_lines}.txt"
    src.write_text("\n".join(_lines(n_lines)) + "\n", encoding="utf-8")
    out = tmp_path / f"codes-{n_lines}.csv"
    run = subprocess.run(
        [sys.executable, "-c", _PEAK, str(src), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert len(_rows(out)) == n_lines
    return int(run.stdout.split()[-1]), src.stat().st_size


def test_memory_does_not_grow_with_the_file(tmp_path):
    """A file four times larger needs no more memory: far less than one copy of the extra.

    Reading the file whole, holding its paragraphs, caching every answer or collecting the
    rows before writing them would each add at least the file's size again.
    """
    small, small_size = _peak(tmp_path, 4_000)
    large, large_size = _peak(tmp_path, 24_000)
    assert large_size - small_size > 1_600_000
    # The peak itself varies by a few hundred kB with which batch is heaviest (measured:
    # 4.9 MB for 5,000 lines, 5.4 MB for 20,000); one copy of the extra lines is 1.6 MB.
    assert large - small < (large_size - small_size) / 2, (small, large)
