"""The faces stay thin: a CLI command or a web route parses, calls the library and presents.

Three rules, checked on the source (no import, no server):

- a command's body (the functions `cli/app.py` registers, and any `@....command`) and a
  route's body (`@router.get`, `@app.post`, ...) has at most `MAX_BODY` lines, its
  docstring not counted: work longer than that belongs in the library;
- no face module (`cli/`, `web/`) imports SQLAlchemy, `store.queries` or `store.sql`:
  SQL lives in `store/`, behind the library;
- `web/` imports no private (`_name`) function from a module outside `web/`: what the web
  app needs from the library is public, so the CLI and the web share it as it is.

Each rule is also run on a planted violation, so a checker that cannot fail is caught.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "collablens"
MAX_BODY = 45
FORBIDDEN = ("sqlalchemy", "store.queries", "store.sql")
ROUTE = re.compile(r"\b(router|app)\.(get|post|put|patch|delete|api_route)\b")


def _registered(app_source: str) -> set[str]:
    """Names of the command functions `cli/app.py` registers: ("name", module.function)."""
    return set(re.findall(r'\("[\w-]+", \w+\.(\w+)\)', app_source))


def _body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body:
        return 0
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1


def long_bodies(folder: Path, commands: set[str], limit: int = MAX_BODY) -> list[str]:
    """Commands and routes in `folder` whose body is longer than `limit` lines."""
    out = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            decos = [ast.unparse(d) for d in node.decorator_list]
            face = node.name in commands or any(".command" in d or ROUTE.search(d) for d in decos)
            if face and _body_lines(node) > limit:
                out.append(f"{path.name}:{node.lineno} {node.name}: {_body_lines(node)} lines")
    return out


def _imported(tree: ast.Module) -> list[tuple[int, str, list[str], int]]:
    """(line, module, names, level) for each import of a module."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, [], 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names]
            out.append((node.lineno, node.module or "", names, node.level))
    return out


def forbidden_imports(folder: Path) -> list[str]:
    """Imports of SQLAlchemy or the store's SQL in a face module."""
    out = []
    for path in sorted(folder.rglob("*.py")):
        for line, module, names, _ in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            targets = [module] + [f"{module}.{n}".lstrip(".") for n in names]
            for target in targets:
                parts = target.split(".")
                if any(
                    parts[i : i + len(f.split("."))] == f.split(".")
                    for f in FORBIDDEN
                    for i in range(len(parts))
                ):
                    out.append(f"{path.name}:{line} imports {target}")
                    break
    return out


def private_imports(folder: Path) -> list[str]:
    """`from X import _name` in `folder`, where X is a module outside `folder`."""
    out = []
    for path in sorted(folder.rglob("*.py")):
        depth = len(path.relative_to(folder).parts)  # 1: a module right in folder
        for line, module, names, level in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            # `level` dots climb level-1 packages from the file's: still in folder?
            inside = 0 < level <= depth or module.startswith(f"collablens.{folder.name}")
            for name in names:
                if name.startswith("_") and not name.startswith("__") and not inside:
                    out.append(f"{path.name}:{line} imports {name} from {module or '.'}")
    return out


# -- the package as it is -------------------------------------------------------------------


def test_commands_and_routes_are_short():
    commands = _registered((PACKAGE / "cli" / "app.py").read_text(encoding="utf-8"))
    assert len(commands) > 10  # the pattern still finds what app.py registers
    assert long_bodies(PACKAGE / "cli", commands) == []
    assert long_bodies(PACKAGE / "web", set()) == []


@pytest.mark.parametrize("face", ["cli", "web"])
def test_faces_reach_no_sql(face):
    assert forbidden_imports(PACKAGE / face) == []


def test_web_imports_nothing_private():
    assert private_imports(PACKAGE / "web") == []


# -- each checker fails on a planted violation ------------------------------------------


def _plant(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    return path


def test_a_long_command_and_a_long_route_are_caught(tmp_path):
    work = "\n".join(f"    x{i} = {i}" for i in range(MAX_BODY + 1))
    _plant(tmp_path, "cli/long.py", f'def long_cmd():\n    """Doc."""\n{work}\n')
    _plant(tmp_path, "cli/grouped.py", f'@group.command("x")\ndef grouped():\n{work}\n')
    _plant(tmp_path, "web/pages.py", f'@router.get("/x")\nasync def page():\n{work}\n')
    short = "\n".join(f"    x{i} = {i}" for i in range(MAX_BODY))
    _plant(tmp_path, "cli/short.py", f'def short_cmd():\n    """Doc."""\n{short}\n')
    caught = long_bodies(tmp_path / "cli", {"long_cmd", "short_cmd"})
    assert [c.split(":")[0] for c in caught] == ["grouped.py", "long.py"]
    assert long_bodies(tmp_path / "web", set()) == [f"pages.py:2 page: {MAX_BODY + 1} lines"]
    # a helper that no one registers may be long: it is not a face
    assert long_bodies(tmp_path / "cli", set()) == ["grouped.py:2 grouped: 46 lines"]


def test_the_registered_names_are_read_from_app_py():
    assert _registered('    ("eval", coding.eval_cmd),\n    ("serve", server.serve),') == {
        "eval_cmd",
        "serve",
    }


@pytest.mark.parametrize(
    "line",
    [
        "import sqlalchemy as sa",
        "from sqlalchemy import select",
        "from ..store.queries import coding",
        "from ..store import queries",
        "from ..store.sql import rows",
        "from collablens.store import sql",
        "def f():\n    from ...store.queries.coding import waiting",
    ],
)
def test_sql_in_a_face_is_caught(tmp_path, line):
    _plant(tmp_path, "web/pages/bad.py", line + "\n")
    assert len(forbidden_imports(tmp_path / "web")) == 1


def test_the_store_itself_is_not_sql(tmp_path):
    _plant(tmp_path, "cli/ok.py", "from ..store import Store, open_workspace\nimport sqlite3\n")
    assert forbidden_imports(tmp_path / "cli") == []


@pytest.mark.parametrize(
    ("where", "line", "caught"),
    [
        ("web/api.py", "from ..cli.common import _fail", True),
        ("web/api.py", "from ..text.coding import _private, public", True),
        ("web/pages/review.py", "from ...access.audience import _forces", True),
        ("web/pages/review.py", "from collablens.text import _x", True),
        ("web/api.py", "from ..text.coding import public", False),
        ("web/api.py", "from .security import _token", False),  # inside web/
        ("web/pages/review.py", "from ..security import _token", False),
        ("web/pages/review.py", "from ._common import _helper", False),
        ("web/api.py", "from ..store import __version__", False),
    ],
)
def test_a_private_import_into_web_is_caught(tmp_path, where, line, caught):
    _plant(tmp_path, where, line + "\n")
    assert bool(private_imports(tmp_path / "web")) is caught
