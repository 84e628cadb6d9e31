"""The built-in readers, embedders, report sections and exporters, registered as a plugin.

They go through the same hooks (`collablens.hookspecs`) a third-party plugin implements, as
llm's default plugins do, so nothing about a built-in is special but where it lives. Each
hook imports its module only when called: reading the list of readers must not load the
coder's models, and ``collablens --help`` must load neither.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .hookspecs import Register, hookimpl


def _records(module: ModuleType, kind: type) -> list[Any]:
    """Every record of `kind` a module declares at its top level, in the order written.

    A built-in reader, section or exporter is declared once, as a record in its module;
    declaring it is registering it, so adding one touches no second list.
    """
    return [v for v in vars(module).values() if isinstance(v, kind)]


@hookimpl
def register_readers(register: Register) -> None:
    from .surveys import layouts_lime
    from .surveys import readers as r

    # Each tool's readers in their module; the catch-all (readers.WIDE) is tried last by
    # its priority, not by this order.
    for module in (r, layouts_lime):
        for reader in _records(module, r.Reader):
            register(reader.name, reader)


@hookimpl
def register_embedders(register: Register) -> None:
    from .text import embed as e

    register(e.DEFAULT_MODEL, e.static_then_finetuned)
    register(e.FINETUNED_MODEL, e.minilm_l6_collab)
    register(e.CASCADE_MODEL, e.static_then_l3)
    register(e.STATIC_MODEL, e.static_mpnet)
    register(e.ENCODER_MODEL, e.paraphrase_l3)
    register("minilm-l6-int8", e.minilm_l6)


@hookimpl
def register_sections(register: Register) -> None:
    from .reporting import sections as s

    for section in _records(s, s.Section):
        register(section.id, section)


@hookimpl
def register_exporters(register: Register) -> None:
    from .reporting import exporters as x

    for exporter in _records(x, x.Exporter):
        register(exporter.name, exporter)


@hookimpl(tryfirst=True)
def register_routes(app: Any) -> None:
    """The built-in pages, the respondents' survey pages and the API: first, so no plugin
    route can take over one of their addresses.

    The survey's first: routes are matched in order, and a respondent's page and submit
    are the requests that come by the thousand; behind the signed-in pages' dozens of
    routes, matching alone took about a millisecond of each. No other route's address
    begins with /s/, so the order changes no match."""
    from .web import api, pages, survey

    app.include_router(survey.router)
    app.include_router(pages.router)
    app.include_router(api.router)


@hookimpl(tryfirst=True)
def register_commands(cli: Any) -> None:
    """The built-in commands: first, so a plugin's cannot take their names."""
    from .cli.app import add_built_in_commands

    add_built_in_commands(cli)
