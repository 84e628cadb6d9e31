"""Plugins: built-ins and third parties fill the registries through the same pluggy hooks."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from collablens import plugins
from collablens.hookspecs import hookimpl

BUILT_IN = "collablens.default_plugins"


def test_every_built_in_comes_through_the_hooks():
    expected = {
        plugins.readers: {"qualtrics", "qualtrics-legacy", "surveymonkey", "wide"},
        plugins.embedders: {"static-mpnet-256", "paraphrase-minilm-l3-int8"},
        plugins.sections: {"summary", "scorecard", "gaps", "comments", "method"},
        plugins.exporters: {"csv", "json"},
    }
    for registry, names in expected.items():
        assert names <= set(registry), registry.kind
        for name in registry:
            assert registry.origin(name) == BUILT_IN, (registry.kind, name)


def test_a_section_keeps_the_name_it_was_registered_under():
    for name, section in plugins.sections.items():
        assert section.id == name
    for name, exporter in plugins.exporters.items():
        assert exporter.name == name
    for name, reader in plugins.readers.items():
        assert reader.name == name


class _Extra:
    """A third-party plugin as a package would write it: a section, an exporter, a reader."""

    @hookimpl
    def register_sections(self, register):
        from collablens.reporting.sections import Section

        register("extra", Section("extra", "Extra", 1, "sections/workshop.html"))

    @hookimpl
    def register_exporters(self, register):
        from collablens.reporting.exporters import Exporter

        def tsv(scores, out: Path) -> None:
            scores.cells.to_csv(out, sep="\t", index=False)

        register("tsv", Exporter("tsv", ".tsv", tsv))

    @hookimpl
    def register_embedders(self, register):
        from collablens.text.embed import static_mpnet

        register("static-mpnet-256", static_mpnet)  # the built-in's name: replaces it


@pytest.fixture
def extra():
    plugins.register(_Extra(), name="extra-plugin")
    yield
    plugins.unregister("extra-plugin")


def test_a_plugin_section_and_exporter_are_used(extra, tmp_path, store, builtin_framework):
    from collablens.analysis.dataset import load
    from collablens.analysis.disclosure import Policy, disclose
    from collablens.analysis.scoring import measure
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.reporting.exporters import export
    from collablens.reporting.view import build_report, render_html
    from collablens.surveys.importer import import_responses

    path = tmp_path / "w.csv"
    to_template_csv(simulate_wave(builtin_framework, Scenario(forces={"A": 30, "B": 20})), path)
    import_responses(store, path, "C", "1")
    html = render_html(build_report(store, "C"))
    assert html.count('<section id="workshop">') == 2
    assert html.index('<section id="workshop">') < html.index('<section id="summary">')
    out = export(disclose(measure(load(store, "C")), Policy()), tmp_path / "s.tsv")
    assert out.read_text().startswith("wave\tdimension\tgroup")


def test_a_plugin_is_listed_with_what_it_added_and_can_replace_a_built_in(extra):
    listed = {p["name"]: p for p in plugins.installed()}
    mine = listed["extra-plugin"]
    assert not mine["built_in"]
    assert mine["sections"] == ["extra"] and mine["exporters"] == ["tsv"]
    assert mine["embedders"] == ["static-mpnet-256"]
    assert plugins.embedders.origin("static-mpnet-256") == "extra-plugin"
    assert "static-mpnet-256" not in listed[BUILT_IN]["embedders"]
    assert listed[BUILT_IN]["built_in"]
    assert "register_readers" in listed[BUILT_IN]["hooks"]


def test_unregistering_takes_back_what_it_added(extra):
    plugins.unregister("extra-plugin")
    try:
        assert "extra" not in plugins.sections and "tsv" not in plugins.exporters
        assert plugins.embedders.origin("static-mpnet-256") == BUILT_IN
    finally:
        plugins.register(_Extra(), name="extra-plugin")  # for the fixture to take back


def test_an_unknown_name_lists_the_installed_ones():
    with pytest.raises(LookupError, match="no exporter named 'xlsx' .*csv.*json"):
        plugins.exporters["xlsx"]


def _install(site: Path, module: str, body: str) -> None:
    """Install a plugin the way pip leaves one: a module and a dist-info with an entry point."""
    (site / f"{module}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[collablens]\n{module} = {module}\n")


def test_an_installed_plugin_is_found_through_its_entry_point(tmp_path):
    _install(
        tmp_path,
        "collablens_pipes",
        """
        from collablens.hookspecs import hookimpl

        @hookimpl
        def register_readers(register):
            from collablens.surveys.readers import WIDE, Reader
            register("pipes", Reader("pipes", detect=lambda f: False, description="pipes"))
        """,
    )
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); from collablens import plugins; "
        "print(json.dumps([plugins.readers.origin('pipes'), plugins.installed()]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    origin, listed = json.loads(out.stdout)
    assert origin == "collablens_pipes"
    mine = [p for p in listed if p["name"] == "collablens_pipes"]
    assert mine and mine[0]["version"] == "0.1" and mine[0]["readers"] == ["pipes"]


class _Page:
    """A plugin page, guarded as every built-in one is."""

    @hookimpl
    def register_routes(self, app):
        from fastapi import APIRouter

        from collablens.web.security import allow

        router = APIRouter()

        @router.get("/hello", dependencies=[allow("see_results")])
        def hello() -> dict:
            return {"hello": "world"}

        @router.get("/login", dependencies=[allow("public")])
        def takeover() -> dict:
            return {"taken": "over"}

        app.include_router(router)


class _OpenPage:
    @hookimpl
    def register_routes(self, app):
        @app.get("/open")
        def wide_open() -> dict:
            return {}


def test_a_plugin_route_is_served_after_the_built_ins_and_keeps_its_guard(store):
    from fastapi.testclient import TestClient

    from collablens.web.app import create_app

    plugins.register(_Page(), name="page-plugin")
    try:
        client = TestClient(create_app(store, run_jobs=False))
        assert client.get("/hello", follow_redirects=False).status_code == 303  # sign in first
        assert "taken" not in client.get("/login").text  # the built-in page still answers
    finally:
        plugins.unregister("page-plugin")


def test_a_route_that_says_nothing_of_who_may_use_it_stops_the_app(store):
    from collablens.errors import CollablensError
    from collablens.web.app import create_app

    plugins.register(_OpenPage(), name="open-plugin")
    try:
        with pytest.raises(CollablensError, match=r"\['GET'\] /open"):
            create_app(store, run_jobs=False)
    finally:
        plugins.unregister("open-plugin")


def _collablens(site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the command line with `site` on the path, as if its plugins were pip-installed."""
    probe = "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = sys.argv[1:]; "
    probe += "from collablens.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", probe, str(site), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_plugin_adds_a_command_and_cannot_take_a_built_in_one(tmp_path):
    _install(
        tmp_path,
        "collablens_hello",
        """
        import typer
        from collablens.hookspecs import hookimpl

        @hookimpl
        def register_commands(cli):
            @cli.command()
            def hello(name: str = "world"):
                "Say hello."
                typer.echo(f"hello {name}")

            @cli.command("init")
            def takeover():
                typer.echo("taken over")
        """,
    )
    out = _collablens(tmp_path, "hello", "--name", "ROCU")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "hello ROCU\n"
    assert "a plugin's command 'init' is ignored" in out.stderr
    helped = _collablens(tmp_path, "--help").stdout
    assert "hello" in helped and helped.index(" init ") < helped.index(" hello ")
    listed = json.loads(_collablens(tmp_path, "plugins").stdout)
    assert [p["name"] for p in listed] == ["collablens_hello"]
    assert listed[0]["hooks"] == ["register_commands"]
    everything = json.loads(_collablens(tmp_path, "plugins", "--all").stdout)
    assert everything[0]["name"] == BUILT_IN and everything[0]["built_in"]
