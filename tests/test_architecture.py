"""docs/architecture.md names where each number is computed: those names must exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

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
