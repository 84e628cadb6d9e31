"""docs/architecture.md names where each number is computed: those names must exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import collablens
from collablens import plugins

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


def test_the_built_in_plugins_are_registered_through_entry_points():
    assert {"csv", "json"} <= set(plugins.exporters)
    assert {"summary", "scorecard", "gaps", "comments", "method"} <= set(plugins.sections)
    assert {"qualtrics", "wide"} <= set(plugins.readers)
    assert "paraphrase-minilm-l3-int8" in plugins.embedders


def test_a_third_party_section_and_exporter_are_used(tmp_path, store, builtin_framework):
    from collablens.analysis.dataset import load
    from collablens.analysis.disclosure import Policy, disclose
    from collablens.analysis.scoring import measure
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.reporting.exporters import Exporter, export
    from collablens.reporting.sections import Section
    from collablens.reporting.view import build_report, render_html
    from collablens.surveys.importer import import_responses

    path = tmp_path / "w.csv"
    to_template_csv(simulate_wave(builtin_framework, Scenario(forces={"A": 30, "B": 20})), path)
    import_responses(store, path, "C", "1")
    extra = Section("extra", "Extra", 1, "sections/workshop.html")

    def tsv(scores, out: Path) -> None:
        scores.cells.to_csv(out, sep="\t", index=False)

    plugins.sections.register("extra", extra)
    plugins.exporters.register("tsv", Exporter("tsv", ".tsv", tsv))
    try:
        html = render_html(build_report(store, "C"))
        assert html.count('<section id="workshop">') == 2
        assert html.index('<section id="workshop">') < html.index('<section id="summary">')
        out = export(disclose(measure(load(store, "C")), Policy()), tmp_path / "s.tsv")
        assert out.read_text().startswith("wave\tdimension\tgroup")
    finally:
        plugins.sections._items.pop("extra")
        plugins.exporters._items.pop("tsv")
