"""SQL only in `store/`: no module of collablens outside it builds or runs a statement.

Why: a change of schema is then made (and tested) in the store alone, and the faces and
the library call named functions instead of repeating queries. The rule, read from each
module's syntax tree (`store/` and its migrations are exempt):

- no call of `.execute(`, `.executemany(`, `.exec_driver_sql(`, `.scalar(`, `.scalars(`
  (methods of a connection, whatever it is called) nor pandas' `read_sql*`/`to_sql`;
- no import from SQLAlchemy but its errors (`sqlalchemy.exc`) and the types `Connection`,
  `Engine` and `Row` (a function may pass its caller's connection on to the store): so no
  `select`, `insert`, `update`, `delete`, `text`, `func`, ...;
- no import of the store's tables (`store.tables`, or a `Table` the store re-exports) nor
  of its SQL primitives (`store.sql`, `upsert`, `bulk_insert`).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from sqlalchemy import Table

import collablens

PACKAGE = Path(collablens.__file__).parent
#: Where SQL belongs (relative to the package; migrations are under it).
STORE = "store"

SQL_CALLS = {"execute", "executemany", "exec_driver_sql", "scalar", "scalars"}
PANDAS_SQL = {"read_sql", "read_sql_query", "read_sql_table", "to_sql"}
#: SQLAlchemy names a module outside the store may import: types, not statements.
SQLALCHEMY_TYPES = {"Connection", "Engine", "Row"}
#: Store modules whose every name builds or runs SQL.
SQL_MODULES = {"collablens.store.tables", "collablens.store.sql"}
SQL_HELPERS = {"upsert", "bulk_insert"}


def _base(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module a (possibly relative) `from ... import` names."""
    if level == 0:
        return name or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, *([name] if name else [])])


def _store_name_is_sql(module: str, name: str) -> bool:
    """Whether `from module import name` (module inside collablens.store) brings in SQL."""
    full = f"{module}.{name}"
    if module in SQL_MODULES or full in SQL_MODULES or name in SQL_HELPERS:
        return True
    try:
        value = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return False
    return isinstance(value, Table)


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Each place in `source` (the text of `module`) that writes or runs SQL, as 'line: why'."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SQL_CALLS | PANDAS_SQL:
                found.append(f"{node.lineno}: calls .{node.func.attr}()")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sqlalchemy" or alias.name.startswith("sqlalchemy."):
                    if alias.name != "sqlalchemy.exc":
                        found.append(f"{node.lineno}: imports {alias.name}")
                elif alias.name in SQL_MODULES:
                    found.append(f"{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, is_package, node.level, node.module)
            names = [a.name for a in node.names]
            if base == "sqlalchemy" or base.startswith("sqlalchemy."):
                if base != "sqlalchemy.exc":
                    bad = [n for n in names if n not in SQLALCHEMY_TYPES]
                    if bad:
                        found.append(f"{node.lineno}: imports {', '.join(bad)} from {base}")
            elif base == "collablens.store" or base.startswith("collablens.store."):
                bad = [n for n in names if _store_name_is_sql(base, n)]
                if bad:
                    found.append(f"{node.lineno}: imports {', '.join(bad)} from {base}")
    return found


def _modules() -> list[tuple[str, Path]]:
    """(path relative to the package, file) of every module outside the store."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] != STORE:
            out.append((rel, path))
    return out


def _check(rel: str, path: Path) -> list[str]:
    parts = ["collablens", *rel[: -len(".py")].split("/")]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return violations(path.read_text(encoding="utf-8"), ".".join(parts), is_package)


def test_no_sql_outside_the_store():
    modules = _modules()
    assert len(modules) > 50  # the walk found the package
    bad = {rel: found for rel, path in modules if (found := _check(rel, path))}
    assert not bad, "SQL outside store/ (move it into store/queries/):\n" + "\n".join(
        f"{rel}:{line}" for rel, found in bad.items() for line in found
    )


# -- the checker itself -------------------------------------------------------------------

PLANTED = {
    "execute": "def f(conn):\n    conn.execute(stmt)\n",
    "driver SQL": "def f(c):\n    c.exec_driver_sql('DELETE FROM jobs')\n",
    "scalar": "def f(db):\n    return db.scalar(stmt)\n",
    "scalars": "def f(db):\n    return list(db.scalars(stmt))\n",
    "pandas": "import pandas as pd\n\ndef f(e):\n    return pd.read_sql('SELECT 1', e)\n",
    "select": "from sqlalchemy import select\n",
    "text": "from sqlalchemy import text\n",
    "update, aliased": "from sqlalchemy.sql import update as u\n",
    "the whole package": "import sqlalchemy as sa\n",
    "a table": "from .store.tables import jobs\n",
    "a re-exported table": "from .store import Store, codes\n",
    "the tables module": "from .store import tables\n",
    "upsert": "from .store.workspace import upsert\n",
    "bulk insert": "from collablens.store import bulk_insert\n",
    "the primitives": "import collablens.store.sql\n",
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_the_checker_finds_planted_sql(kind: str, tmp_path: Path):
    planted = tmp_path / "planted.py"
    planted.write_text(PLANTED[kind], encoding="utf-8")
    # as if it were collablens/planted.py: `.store` is then collablens.store
    assert violations(planted.read_text(encoding="utf-8"), "collablens.planted"), kind


def test_the_checker_finds_sql_in_a_subpackage_module():
    src = "from ..store.tables import users\n\ndef f(conn):\n    return conn.execute(1)\n"
    assert [v.split(":")[0] for v in violations(src, "collablens.access.accounts")] == ["1", "4"]


def test_the_checker_allows_what_is_not_sql():
    clean = (
        "from sqlalchemy.exc import IntegrityError\n"
        "from sqlalchemy.engine import Connection\n"
        "from ..store import Store, forces, now\n"
        "from ..store.queries import online as q\n"
        "from ..store.queries.waves import ensure_wave\n"
        "def f(store: Store, conn: Connection):\n"
        "    with store.begin() as c:\n"
        "        return q.link_row(c, 't'), ensure_wave(c, 'C', '1')\n"
    )
    assert violations(clean, "collablens.surveys.online") == []
