"""Each setting default is declared once, in `collablens.vocabulary`.

"Change the default k" must touch one file: a default written as a literal in a signature
(or a record's field) is a second place that a change would have to find.
"""

from __future__ import annotations

import ast
from pathlib import Path

import collablens
from collablens import vocabulary

PACKAGE = Path(collablens.__file__).parent
#: Parameters and fields whose default is a setting: a disclosure threshold, a confidence
#: or error level, a quote count. Their default must be a name, never a number.
SETTING_NAMES = frozenset(
    {
        "k",
        "comment_k",
        "interview_k",
        "min_n",
        "threshold",
        "alpha",
        "alpha_level",
        "level",
        "per_group",
    }
)


def _sources() -> list[Path]:
    return [
        p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.relative_to(PACKAGE).parts
    ]


def _is_literal(node: ast.expr | None) -> bool:
    """A number or a non-empty string (None, booleans and "" mean "not given", not a value)."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) and _is_literal(node.right)
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return False
    return isinstance(node.value, int | float) or (isinstance(node.value, str) and node.value != "")


def literal_setting_defaults(source: str, where: str) -> list[str]:
    """Each parameter or annotated field named in SETTING_NAMES given a literal default."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            a = node.args
            positional = [*a.posonlyargs, *a.args]
            pairs = list(
                zip(positional[len(positional) - len(a.defaults) :], a.defaults, strict=True)
            )
            pairs += [
                (arg, d)
                for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
                if d is not None
            ]
            for arg, default in pairs:
                if arg.arg in SETTING_NAMES and _is_literal(default):
                    found.append(f"{where}:{default.lineno} {arg.arg}")
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id in SETTING_NAMES
            and _is_literal(node.value)
        ):
            found.append(f"{where}:{node.lineno} {node.target.id}")
    return found


def test_setting_defaults_are_vocabulary_names():
    found = []
    for path in _sources():
        found += literal_setting_defaults(path.read_text(), str(path.relative_to(PACKAGE)))
    assert not found, "declare the default in vocabulary.py and read it from there: " + ", ".join(
        found
    )


def test_the_check_finds_a_literal_default():
    """The check above is only worth having if it catches what it is for."""
    source = (
        "def f(x, k: int = 10, *, level=0.95, alpha=DEFAULT_ALPHA, min_n=None): ...\n"
        "class R:\n    threshold: float = -0.5\n    per_group: int = QUOTE_CANDIDATES\n"
    )
    assert literal_setting_defaults(source, "m.py") == [
        "m.py:1 k",
        "m.py:1 level",
        "m.py:3 threshold",
    ]


def test_no_module_declares_a_vocabulary_default_again():
    """A constant vocabulary declares is never assigned a literal in another module."""
    declared = {n for n in dir(vocabulary) if n.isupper() and not n.startswith("_")}
    found = []
    for path in _sources():
        if path.name == "vocabulary.py" and path.parent == PACKAGE:
            continue
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            value = getattr(node, "value", None)
            for t in targets:
                if isinstance(t, ast.Name) and t.id in declared and _is_literal(value):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {t.id}")
    assert not found, found


def test_the_default_k_is_the_default_setting():
    """DEFAULT_K is read from the workspace's default settings, so the two cannot differ."""
    assert str(vocabulary.DEFAULT_K) == vocabulary.DEFAULT_SETTINGS[vocabulary.SETTING_ANONYMITY_K]
    assert vocabulary.DEFAULT_CONFIDENCE == 1 - vocabulary.DEFAULT_ALPHA == 0.95


def test_the_comment_k_follows_k_unless_a_workspace_sets_its_own(store):
    """One number changes the default k everywhere (comments included); a workspace may set
    its comment threshold apart (`init --comment-k`)."""
    from collablens.analysis.disclosure import Policy

    k = vocabulary.DEFAULT_K
    assert k == vocabulary.DEFAULT_COMMENT_K
    assert vocabulary.DEFAULT_SETTINGS[vocabulary.SETTING_COMMENT_K] == str(k)
    assert (Policy().k, Policy().comment_k) == (k, k)
    assert (store.anonymity_k, store.comment_k) == (k, k)
    store.set_setting(vocabulary.SETTING_COMMENT_K, str(k + 5))
    assert (store.anonymity_k, store.comment_k) == (k, k + 5)
