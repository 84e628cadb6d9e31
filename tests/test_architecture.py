"""docs/architecture.md names where each number is computed: those names must exist."""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import pytest

import collablens

DOC = Path(__file__).parents[1] / "docs" / "architecture.md"


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_every_function_in_the_number_table_exists():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Where each number in the report is computed", 1)[1].split("###")[0]
    names = re.findall(r"`(collablens\.[\w.]+)`", table)
    assert len(names) >= 15
    for name in names:
        assert callable(_resolve(name)), name


def test_every_folder_in_the_layout_table_exists():
    root = Path(collablens.__file__).parent
    text = DOC.read_text(encoding="utf-8")
    for name in re.findall(r"^\| `(\w+)/` \|", text, flags=re.M):
        assert (root / name).is_dir(), name


# -- the layout table's rules, each kept by a test -----------------------------------------

TESTS = Path(__file__).parent
PACKAGE = Path(collablens.__file__).parent


def _layout_rows() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("| folder | holds | rule |", 1)[1].split("\n\n", 1)[0]
    return [
        [cell.strip() for cell in line.strip()[1:-1].split("|")]
        for line in table.splitlines()[2:]
        if line.startswith("| `")
    ]


def test_every_rule_names_tests_that_exist():
    rows = _layout_rows()
    assert len(rows) >= 15
    for folder, _holds, rule, checked in rows:
        if not rule:
            continue
        cited = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", checked)
        assert cited, f"{folder}: the rule {rule!r} names no test"
        for file, name in cited:
            assert (TESTS / file).is_file(), f"{folder}: {file} does not exist"
            if name:
                source = (TESTS / file).read_text(encoding="utf-8")
                assert re.search(rf"^def {name}\(", source, re.M), f"{folder}: {file}::{name}"


def test_the_rule_check_finds_a_test_that_does_not_exist(tmp_path, monkeypatch):
    doc = tmp_path / "architecture.md"
    text = DOC.read_text(encoding="utf-8")
    doc.write_text(text.replace("::test_no_sql_outside_the_store", "::test_gone", 1))
    monkeypatch.setattr(sys.modules[__name__], "DOC", doc)
    with pytest.raises(AssertionError, match="test_gone"):
        test_every_rule_names_tests_that_exist()


def _imports(path: Path) -> set[str]:
    """Every module a file imports, absolute (relative imports resolved in the package)."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    here = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}
    return found


#: What computes statistics: the report formats what analysis computed, never its own.
STATISTICS = ("scipy", "statsmodels", "sklearn", "pingouin", "collablens.analysis.stats",
              "collablens.analysis.scoring.measure", "collablens.analysis.comparisons",
              "collablens.analysis.anonymity")  # fmt: skip


def test_reporting_computes_no_statistics():
    for path in sorted((PACKAGE / "reporting").glob("*.py")):
        bad = [m for m in _imports(path) if m.startswith(STATISTICS)]
        assert not bad, f"reporting/{path.name} imports {bad}: compute it in analysis/"


def test_only_the_framework_reads_the_codebook_files():
    """The built-in codebook (YAML and corpus) is read by framework/ alone; everything
    downstream takes a `Framework`."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "framework") in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        assert 'files("collablens.framework")' not in text, path
        assert not re.search(r"framework[/\\\"' ,]+builtin", text), path
