"""The malformed-input corpus: every file is refused in one line per problem, naming the
file (and the row, column and value where they apply), changes nothing in the store, and
never shows a traceback.

The files are in tests/data/malformed, written by make_corpus.py there; expected.json says
what each error must mention and how the file is imported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import settled_bytes
from test_ingest import _contents
from typer.testing import CliRunner

from collablens.cli import app
from collablens.store import Store
from collablens.surveys.importer import InputError, import_responses

MALFORMED = Path(__file__).parent / "data" / "malformed"
EXPORTS = Path(__file__).parent / "data" / "exports"
CASES: dict[str, dict] = json.loads((MALFORMED / "expected.json").read_text("utf-8"))
FILES = sorted(CASES)
WAVE = "2026"


def _seed(store: Store) -> None:
    """A store that is not empty: North East, wave 2025, with its two forces declared."""
    import_responses(store, EXPORTS / "qualtrics_modern.csv", "North East", "2025")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "seed.db"
    store = Store(str(db))
    store.migrate()
    _seed(store)
    store.close()
    return db


def _refused(store: Store, name: str) -> InputError:
    case = CASES[name]
    with pytest.raises(InputError) as info:
        import_responses(
            store,
            MALFORMED / name,
            case.get("collaboration", "North East"),
            WAVE,
            force=case.get("force"),
        )
    return info.value


def _check_message(name: str, error: InputError) -> None:
    problems = error.problems
    assert problems, name
    for line in problems:
        assert "\n" not in line and "\r" not in line, line  # one line per problem
        assert name in line, line  # each names the file
        assert "Traceback" not in line
    text = "\n".join(problems)
    for part in CASES[name]["mentions"]:
        where = str(error) if part.startswith("--missing") else text
        assert part in where, f"{name}: {part!r} not in {where!r}"


def test_the_corpus_is_large_enough():
    assert len(FILES) >= 60
    assert all((MALFORMED / name).is_file() for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_refused_and_the_store_is_byte_identical(name, seeded, tmp_path):
    db = tmp_path / "t.db"
    shutil.copy(seeded, db)
    file_before = settled_bytes(db)
    store = Store(str(db))
    before = _contents(store)
    error = _refused(store, name)
    _check_message(name, error)
    assert _contents(store) == before
    store.close()
    assert settled_bytes(db) == file_before


def test_every_file_is_refused_alike_on_each_backend(any_store: Store):
    """The same refusals, and nothing written, on SQLite and PostgreSQL (NUL bytes too)."""
    _seed(any_store)
    before = _contents(any_store)
    for name in FILES:
        _check_message(name, _refused(any_store, name))
    assert _contents(any_store) == before


runner = CliRunner()


@pytest.mark.parametrize("name", FILES)
def test_the_command_line_exits_1_without_a_traceback(name, seeded, tmp_path):
    db = tmp_path / "t.db"
    shutil.copy(seeded, db)
    case = CASES[name]
    args = ["import", "responses", str(MALFORMED / name), "--wave", WAVE, "--no-code"]
    args += ["-c", case.get("collaboration", "North East"), "--db", str(db)]
    if case.get("force"):
        args += ["--force", case["force"]]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "Error:" in result.output and name in result.output
