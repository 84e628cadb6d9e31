"""`collablens code FILE --processes N` (issue 25, part 5): redaction over worker processes.

Redaction is nearly all of the time `code FILE` takes, so its batches go to worker
processes. The output must not depend on how many: these tests code one file with
names, e-mail addresses and phone numbers in one process and in two and compare the
files byte for byte; then they kill a real worker, and interrupt a real run as a
terminal's Ctrl-C does, and check that each gives one plain line, no traceback, no
codes file (not even part of one) and no process left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collablens.cli.app import app
from collablens.text import files
from collablens.text.files import default_processes
from collablens.text.redact import MAX_WORKERS

runner = CliRunner()

_NAMES = ["Sgt Smith", "Priya Sharma", "DC Moore", "Gareth Jones", "Insp Patel", "Sarah Hill"]


def _comments(n: int) -> str:
    """`n` paragraphs, each naming someone, with a phone number and an e-mail address."""
    out = []
    for i in range(n):
        name = _NAMES[i % len(_NAMES)]
        out.append(
            f"Comment {i}: {name} rang me on 07700 900{i % 1000:03d} and then mailed "
            f"j.bloggs{i}@kent.police.uk because the shared systems cannot pass data."
        )
    return "\n\n".join(out) + "\n"


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of each live child of `pid`, read from /proc."""
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat[1]) == pid and stat[0] not in ("Z", "X"):
            kids.append((int(entry.name), cmd))
    return kids


def _workers(pid: int) -> list[int]:
    return [p for p, cmd in _children(pid) if "spawn_main" in cmd]


def test_default_processes_is_the_cores_capped() -> None:
    assert 1 <= default_processes() <= MAX_WORKERS
    assert default_processes() <= (os.cpu_count() or 1)


def test_processes_is_refused_without_a_file_or_under_one(tmp_path: Path) -> None:
    src = tmp_path / "c.txt"
    src.write_text("The board never decides.\n", encoding="utf-8")
    db = str(tmp_path / "w")
    zero = runner.invoke(app, ["code", str(src), "--processes", "0", "--db", db])
    assert zero.exit_code == 2 and "--processes" in zero.output
    nofile = runner.invoke(app, ["code", "--processes", "2", "--db", db])
    assert nofile.exit_code == 1
    assert nofile.stderr.strip().splitlines() == [
        "Error: --processes is for coding a FILE; the workspace is coded by its job worker"
    ]


@pytest.mark.slow  # two workers each load spaCy and Presidio
def test_two_processes_write_what_one_writes(tmp_path: Path, monkeypatch) -> None:
    """Byte for byte, over several batches (made small here so that a short file has
    many, each redacted by one of the workers), and all of it redacted."""
    monkeypatch.setattr(files, "_BATCH_TEXTS", 16)
    src = tmp_path / "comments.txt"
    src.write_text(_comments(120), encoding="utf-8")
    db = str(tmp_path / "w")
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"codes{n}.csv"
        args = ["code", str(src), "--out", str(out), "--processes", str(n), "--db", db]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        outs[n] = out.read_text(encoding="utf-8")
    assert outs[1] == outs[2]
    rows = outs[2].splitlines()[1:]
    assert len(rows) == 120
    assert [r.split(",")[0] for r in rows] == [f"paragraph {i}" for i in range(1, 121)]
    for secret in ("Smith", "Sharma", "Moore", "Jones", "Patel", "Hill", "07700", "bloggs"):
        assert secret not in outs[2]
    assert outs[2].count("[PHONE]") == 120 and outs[2].count("[EMAIL]") == 120


def _start(tmp_path: Path, paragraphs: int) -> tuple[subprocess.Popen[str], Path]:
    src = tmp_path / "comments.txt"
    src.write_text(_comments(paragraphs), encoding="utf-8")
    out = tmp_path / "codes.csv"
    cmd = [sys.executable, "-m", "collablens", "code", str(src), "--out", str(out)]
    cmd += ["--processes", "2", "--db", str(tmp_path / "w")]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job is
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return proc, out


def _wait_for_workers(proc: subprocess.Popen[str], n: int) -> list[int]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = _workers(proc.pid)
        if len(found) >= n:
            return found
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("no worker started")


def _no_codes_file(tmp_path: Path, out: Path) -> None:
    assert not out.exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}")]


def _ends(proc: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return proc.returncode, stderr


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_that_dies_gives_one_plain_line(tmp_path: Path) -> None:
    proc, out = _start(tmp_path, 3_000)  # a dozen batches: still at work when killed
    worker = _wait_for_workers(proc, 1)[0]
    os.kill(worker, signal.SIGKILL)
    code, stderr = _ends(proc)
    assert code == 1
    assert stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'comments.txt'}: redaction stopped: a worker process ended "
        f"unexpectedly (killed, or out of memory); nothing was written to {out}"
    ]
    _no_codes_file(tmp_path, out)
    assert not _workers(proc.pid)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_every_process_and_writes_nothing(tmp_path: Path) -> None:
    proc, out = _start(tmp_path, 3_000)
    workers = _wait_for_workers(proc, 2)
    time.sleep(1.0)  # into the work: the workers are loading or redacting
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C at a terminal does: the whole job
    code, stderr = _ends(proc)
    assert code == 130
    assert stderr.strip().splitlines() == [
        f"Interrupted: coding {tmp_path / 'comments.txt'} stopped; nothing was written to {out}"
    ]
    _no_codes_file(tmp_path, out)
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    # a worker that is gone, or a zombie nobody waits for, is no longer at work
    assert not [w for w in workers if _alive(w)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.slow  # two workers load spaCy and Presidio
def test_workers_read_only_a_few_batches_ahead() -> None:
    """Memory stays bounded: the file is read at most two batches per worker ahead of
    what has come back, and what comes back is in the file's order."""
    drawn = 0

    def batches():
        nonlocal drawn
        for i in range(12):
            drawn += 1
            yield [f"Comment {i}: ask Sgt Smith on 07700 900{i:03d}."]

    ahead = []
    with files.RedactionWorkers(2) as workers:
        got = []
        for batch, clean in workers.map(batches(), lambda b: b):
            ahead.append(drawn - len(got))
            got.append((batch, clean))
    assert [b[0] for b, _ in got] == [
        f"Comment {i}: ask Sgt Smith on 07700 900{i:03d}." for i in range(12)
    ]
    assert [c for _, c in got] == [[f"Comment {i}: ask Sgt [NAME] on [PHONE]."] for i in range(12)]
    assert max(ahead) <= 2 * 2
