"""Every file collablens writes gets the permissions any new file of the user's gets
(0666 less the umask: 0644 under umask 022), as report.html always did: a codebook, a
project or a deck is shared like the report, so none is left private (0600)."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collablens.cli import app
from collablens.outputs import atomic_path, write_atomic

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_outputs_follow_the_umask(tmp_path, mask):
    with _umask(mask):
        write_atomic(tmp_path / "a.html", b"<p>report</p>")
        with atomic_path(tmp_path / "b.pptx") as tmp:
            tmp.write_bytes(b"deck")
        # A file replaced gets the new mode too, not the old file's.
        (tmp_path / "c.qdc").write_bytes(b"old")
        os.chmod(tmp_path / "c.qdc", 0o600)
        write_atomic(tmp_path / "c.qdc", b"new")
    want = 0o666 & ~mask
    assert {p.name: _mode(p) for p in tmp_path.iterdir()} == {
        "a.html": want,
        "b.pptx": want,
        "c.qdc": want,
    }  # and no temporary file is left beside them


def test_exported_codebooks_are_0644_under_umask_022(tmp_path):
    db = str(tmp_path / "w.db")
    run = CliRunner().invoke
    with _umask(0o022):
        for cmd, name in (("qdc", "c.qdc"), ("codebook-csv", "c.csv")):
            out = run(app, ["export", cmd, "--out", str(tmp_path / name), "--db", db])
            assert out.exit_code == 0, out.output
        draft = tmp_path / "d.yaml"
        out = run(app, ["import", "qdc", str(tmp_path / "c.qdc"), "--out", str(draft)])
        assert out.exit_code == 0, out.output
    for name in ("c.qdc", "c.csv", "d.yaml"):
        assert oct(_mode(tmp_path / name)) == oct(0o644), name


def test_a_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "r.html") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
