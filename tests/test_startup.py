"""`collablens --help` starts fast because importing the CLI loads nothing heavy.

Timing itself belongs in benchmarks/bench_startup.py; this checks the cause.
"""

from __future__ import annotations

import ast
import subprocess
import sys

HEAVY = (
    "pandas",
    "numpy",
    "sqlalchemy",
    "matplotlib",
    "scipy",
    "sklearn",
    "onnxruntime",
    "pydantic",
)


def loaded_after(statement: str) -> list[str]:
    probe = f"{statement}; import sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return ast.literal_eval(out.stdout.strip())


def test_importing_the_cli_loads_nothing_heavy():
    assert loaded_after("import collablens.cli") == []


def test_light_modules_load_nothing_heavy():
    assert loaded_after("import collablens, collablens.vocabulary, collablens.errors") == []
    assert loaded_after("import collablens.plugins") == []


def test_help_runs_and_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "collablens", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    for command in ("init", "import", "report", "code", "eval", "review"):
        assert command in out


def test_cli_default_database_is_the_stores():
    from collablens.cli import app as _  # noqa: F401  (loads collablens.cli.common)
    from collablens.store import DEFAULT_DB

    assert sys.modules["collablens.cli.common"].DEFAULT_DB == DEFAULT_DB
