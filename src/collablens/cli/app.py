"""The `collablens` command tree: the Typer app, its callback, and every command in the
order `collablens --help` lists them.

Each command lives in the module of its feature (surveys, imports, exports, register,
coding, results, server, users, demo) and parses options, calls one library function and
prints the result; this module only assembles them, so the whole tree reads in one place.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import plugins as plugins_module
from . import coding, demo, exports, imports, register, results, server, surveys, users
from . import plugins as plugins_cmd

app = typer.Typer(
    help=(
        "collablens: what helps and what holds back a police inter-force collaboration, "
        "from its own staff's survey answers.\n\n"
        "Typical use:\n\n"
        "  collablens survey template --format xlsx --out survey.xlsx\n\n"
        '  collablens import responses answers.csv --collaboration "NE ROCU" --wave 2026\n\n'
        '  collablens report --collaboration "NE ROCU" --out report.html --pdf\n\n'
        "Try `collablens demo` to see a full report built from simulated answers."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"collablens {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print collablens' version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    # No docstring: the help above (typer.Typer(help=...)) stays the program's help.
    pass


def add_built_in_commands(cli: typer.Typer) -> None:
    """Every built-in command and group, in the order of `collablens --help`.

    Called through the `register_commands` hook (`collablens.default_plugins`), the same
    way a plugin adds its commands, before any plugin's.
    """
    for name, command in (
        ("init", surveys.init),
        ("forces", results.forces_cmd),
        ("waves", results.waves_cmd),
        ("close", results.close_cmd),
        ("publish", results.publish_cmd),
        ("reopen", results.reopen_cmd),
        ("scores", results.scores),
        ("report", results.report),
        ("releases", results.releases_cmd),
        ("deck", results.deck),
        ("demo", demo.demo),
        ("code", coding.code),
        ("eval", coding.eval_cmd),
        ("review", coding.review),
        ("agreement", coding.agreement),
        ("serve", server.serve),
        ("worker", server.worker),
        ("plugins", plugins_cmd.plugins),
    ):
        cli.command(name)(command)
    for name, group in (
        ("framework", surveys.framework_app),
        ("survey", surveys.survey_app),
        ("import", imports.import_app),
        ("export", exports.export_app),
        ("register", register.register_app),
        ("users", users.users_app),
    ):
        cli.add_typer(group, name=name)


def _keep_built_ins(cli: typer.Typer) -> None:
    """A plugin's command named like an earlier one is dropped, with a line on stderr: a
    plugin cannot take over `import` or `users`, nor another plugin's command."""
    seen: set[str] = set()
    for kind in ("registered_commands", "registered_groups"):
        kept = []
        for item in getattr(cli, kind):
            name = item.name or getattr(item.callback, "__name__", "")
            if name in seen:
                typer.echo(f"collablens: a plugin's command {name!r} is ignored: taken", err=True)
                continue
            seen.add(name)
            kept.append(item)
        setattr(cli, kind, kept)


plugins_module.manager().hook.register_commands(cli=app)
_keep_built_ins(app)


if __name__ == "__main__":  # pragma: no cover
    app()
