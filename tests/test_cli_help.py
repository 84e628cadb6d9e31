"""Every command in the real command tree explains itself and shows an example of its own use.

The tree is walked from the Typer app itself, so a new command is checked without anyone
remembering to add it to a list.
"""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

import collablens
from collablens.cli import app

runner = CliRunner()


def _is_group(cmd) -> bool:
    # Duck-typed: recent Typer builds on its own copy of click, not the click package.
    return hasattr(cmd, "list_commands") and hasattr(cmd, "get_command")


def _walk(group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    """(command path, command) for every visible command and group under `group`."""
    ctx = group.context_class(group, info_name="collablens")
    found = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or getattr(cmd, "hidden", False):
            continue
        found.append(((*path, name), cmd))
        if _is_group(cmd):
            found += _walk(cmd, (*path, name))
    return found


ROOT = typer.main.get_command(app)
TREE = _walk(ROOT)
LEAVES = [(path, cmd) for path, cmd in TREE if not _is_group(cmd)]
GROUPS = [(path, cmd) for path, cmd in TREE if _is_group(cmd)]


def _ids(entries) -> list[str]:
    return [" ".join(path) for path, _ in entries]


def test_the_walk_finds_the_whole_tree():
    assert _is_group(ROOT)
    paths = set(_ids(TREE))
    # A few known commands at both depths, including one a hand-kept list once missed.
    assert {"waves", "import responses", "framework validate", "survey template"} <= paths
    assert {"framework", "survey", "import"} <= paths


def test_the_program_has_help():
    assert (ROOT.help or "").strip()
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "collablens" in result.output


@pytest.mark.parametrize(("path", "cmd"), GROUPS, ids=_ids(GROUPS))
def test_every_group_has_help(path, cmd):
    assert (cmd.help or "").strip(), f"`collablens {' '.join(path)}` has no help text"
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("path", "cmd"), LEAVES, ids=_ids(LEAVES))
def test_every_command_has_help_and_an_example_of_itself(path, cmd):
    text = (cmd.help or "").strip()
    assert text, f"`collablens {' '.join(path)}` has no help text"
    examples = [
        line.strip().removeprefix("Example:").strip()
        for line in text.splitlines()
        if line.strip().startswith("Example:")
    ]
    assert examples, f"`collablens {' '.join(path)}` help has no 'Example:' line"
    own = re.compile(r"^collablens " + re.escape(" ".join(path)) + r"(\s|$)")
    assert all(own.match(e) for e in examples), (
        f"an example of `collablens {' '.join(path)}` runs another command: {examples}"
    )
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: collablens " + " ".join(path) in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"collablens {collablens.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", collablens.__version__)


# Commands a reader copies from the help must run in bash, PowerShell and cmd.exe alike:
# double quotes (cmd.exe passes single quotes through), one command a line, and no
# opener of one system (open, xdg-open, start).
NOT_PORTABLE = re.compile(r"'|&&|\|\||[|;]|(^|\s)(open|xdg-open|start|explorer)\s")


def _commands(text: str) -> list[str]:
    return [
        line.strip().removeprefix("Example:").strip()
        for line in text.splitlines()
        if line.strip().startswith(("Example:", "collablens "))
    ]


@pytest.mark.parametrize(("path", "cmd"), LEAVES, ids=_ids(LEAVES))
def test_examples_run_on_linux_and_windows(path, cmd):
    for command in _commands(cmd.help or ""):
        assert not NOT_PORTABLE.search(command), (
            f"`collablens {' '.join(path)}` help example does not run everywhere: {command}"
        )


def test_the_programs_typical_use_runs_on_linux_and_windows():
    commands = _commands(ROOT.help or "")
    assert len(commands) >= 3
    for command in commands:
        assert not NOT_PORTABLE.search(command), command


def test_no_help_tells_people_to_run_a_one_system_opener():
    for path, cmd in TREE:
        text = cmd.help or ""
        assert not re.search(r"\b(xdg-open|open|start)\s+\S+\.(html|pdf|csv|xlsx)", text), path
