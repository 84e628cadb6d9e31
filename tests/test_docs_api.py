"""docs/api.md's examples run, in order, as one script: the Python API page stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


def test_the_api_page_runs(tmp_path, monkeypatch: pytest.MonkeyPatch):
    from collablens import plugins

    monkeypatch.chdir(tmp_path)
    code = blocks(DOC.read_text(encoding="utf-8"))
    assert len(code) >= 5
    scope: dict = {"__name__": "api_example"}
    try:
        for block in code:
            exec(compile(block, str(DOC), "exec"), scope)
    finally:
        if "tsv" in {p["name"] for p in plugins.installed()}:
            plugins.unregister("tsv")
    for made in ("collablens.db", "report.html", "findings.pptx", "scores.csv", "scores.tsv",
                 "register.xlsx"):  # fmt: skip
        assert (tmp_path / made).stat().st_size > 0, made
    assert scope["done"].imported.rows_added == 70
    assert scope["findings"].headline


def test_every_module_the_page_names_exists():
    import importlib

    for module in set(re.findall(r"^from (collablens[\w.]*) import", DOC.read_text(), re.M)):
        importlib.import_module(module)
