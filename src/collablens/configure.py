"""What a command starts from, resolved one way for every face: the framework in force and
the coder's model.

The command line, the web app and the demo ask the same questions ("which framework?",
"is this model installed?"); answering them here keeps one rule and one message for each.
Only `framework_for` reads a workspace, and it never creates or upgrades one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CollablensError
from .vocabulary import DEFAULT_DB, SETTING_CODER_MODEL

if TYPE_CHECKING:
    from .framework import Framework
    from .store import Store


class UnknownModel(CollablensError, LookupError):
    """A model name that no embedder (built-in or plugin) registers."""


class ModelMissing(CollablensError, LookupError):
    """A registered model whose files or package are not installed here."""


def framework_for(path: Path | None, db: str | None = None) -> Framework:
    """The framework of `path`, else of an existing workspace at `db`, else the built-in one.

    Only reads: a missing workspace is not created, and an old one is not upgraded, so
    commands that merely show or write the framework leave no file behind. Raises
    FrameworkError or WorkspaceError.
    """
    from .framework import load_framework

    if path is not None:
        return load_framework(path)
    where = Path(db or DEFAULT_DB).expanduser()
    if "://" not in (db or "") and not where.exists() and where.parent.is_dir():
        return load_framework(None)  # no workspace here: no need to load the store
    from .store import MissingWorkspace, open_workspace

    try:
        store = open_workspace(db, migrate=False)
    except MissingWorkspace:
        return load_framework(None)
    try:
        return store.framework
    finally:
        store.close()


def check_model(name: str) -> None:
    """Refuse a model that is not registered (UnknownModel) or not installed (ModelMissing).

    Checked when a model is chosen, so a refusal comes before anything is written rather
    than at coding time. UnknownModel's message is the list to choose from.
    """
    from . import plugins

    if name not in plugins.embedders:
        raise UnknownModel(f"must be one of {', '.join(plugins.embedders)}")
    _load(name)


def coder_model(store: Store) -> str:
    """The model the workspace's coder uses: its setting, else the library's default."""
    from .text.embed import DEFAULT_MODEL

    return store.get_setting(SETTING_CODER_MODEL) or DEFAULT_MODEL


def check_coder(store: Store) -> None:
    """Raise ModelMissing when the workspace's coding model cannot be loaded here.

    Asked before an import commits, so that a missing model is said before the answers
    are stored rather than after.
    """
    _load(coder_model(store))


def _load(name: str) -> None:
    from .text.embed import get_embedder

    try:
        get_embedder(name)
    except LookupError as exc:
        raise ModelMissing(str(exc)) from None


def configure(
    store: Store,
    framework: Path | None = None,
    model: str | None = None,
    k: int | None = None,
    comment_k: int | None = None,
    interview_k: int | None = None,
) -> Framework:
    """Set what is given (framework file, coding model, anonymity thresholds) and record the
    framework in force; returns it. Raises FrameworkError for a bad framework file, before
    any setting is written. Check `model` with `check_model` first: this stores it as given.
    """
    from .vocabulary import SETTING_ANONYMITY_K, SETTING_COMMENT_K, SETTING_INTERVIEW_K

    if framework is not None:
        store.set_framework(framework)
    fw = store.framework
    with store.begin() as conn:
        store.record_framework(conn)
    given = {
        SETTING_CODER_MODEL: model,
        SETTING_ANONYMITY_K: k,
        SETTING_COMMENT_K: comment_k,
        SETTING_INTERVIEW_K: interview_k,
    }
    for key, value in given.items():
        if value is not None:
            store.set_setting(key, str(value))
    return fw
