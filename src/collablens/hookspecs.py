"""The hooks a plugin may implement: one per kind of thing collablens can be given.

A plugin is a module with functions marked `@hookimpl`, named after the hooks below.
Built-ins are plugins too (`collablens.default_plugins`), registered in code through these
same hooks, so a new built-in needs no reinstall and a third party's plugin is met on the
same terms. Third-party packages declare theirs under one entry-point group, as `llm` does::

    [project.entry-points.collablens]
    limesurvey = "collablens_limesurvey"

and `collablens plugins` lists what is installed. Every hook takes keyword arguments
only; a plugin implements the ones it needs and may leave out arguments it does not use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

#: The project name pluggy keys its markers and entry-point group by.
PROJECT = "collablens"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

#: `register(name, item)`: what every registering hook is handed.
Register = Callable[[str, Any], Any]


@hookspec
def register_readers(register: Register) -> None:
    """Add survey-file readers: `register(name, Reader(...))`.

    Readers are tried by their `priority`, highest first, then in the order registered.
    """


@hookspec
def register_embedders(register: Register) -> None:
    """Add sentence embedders for the coder: `register(name, zero_argument_factory)`.

    A factory, not a model: loading a model costs seconds and memory, so it happens only
    for the one a workspace uses.
    """


@hookspec
def register_sections(register: Register) -> None:
    """Add report sections: `register(name, Section(...))`, shown in their `order`."""


@hookspec
def register_exporters(register: Register) -> None:
    """Add exporters of disclosed results: `register(name, Exporter(...))`."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the `collablens` command line: `cli` is its `typer.Typer` app.

    Keep imports inside the command bodies: every command's module is imported for
    `collablens --help`, which must stay quick.
    """


@hookspec
def register_routes(app: Any) -> None:
    """Add pages or API routes to the web app: `app` is its `fastapi.FastAPI`.

    Every route must declare who may use it (`collablens.web.security.allow` or
    `PUBLIC`); the app refuses to start with one that does not.
    """
