"""Survey readers: the built-ins come from entry points, and a third party's reader is used."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pandas as pd
import pytest

from collablens import plugins
from collablens.demo import simulate
from collablens.store import Store
from collablens.surveys import importer
from collablens.surveys.importer import import_responses
from collablens.surveys.readers import QUALTRICS, WIDE, Reader, read_table

# -- a third party's reader: answers separated by semicolons (as Excel writes CSV where the
# decimal separator is a comma), which the built-in readers would see as one wide column.


def _split_semicolons(grid: pd.DataFrame) -> pd.DataFrame:
    if grid.shape[1] != 1 or ";" not in grid.iloc[0, 0]:
        return grid
    rows = [cell.split(";") for cell in grid.iloc[:, 0]]
    width = max(len(r) for r in rows)
    out = pd.DataFrame([r + [""] * (width - len(r)) for r in rows])
    out.attrs["separator"] = ";"
    return out


SEMICOLONS = Reader(
    name="semicolons",
    detect=lambda grid: grid.attrs.get("separator") == ";",
    prepare=_split_semicolons,
    description="CSV separated by semicolons",
)


@pytest.fixture
def semicolons(monkeypatch: pytest.MonkeyPatch) -> Reader:
    """SEMICOLONS registered for one test only."""
    list(plugins.readers)  # load the entry points first, then work on a copy
    monkeypatch.setattr(plugins.readers, "_items", dict(plugins.readers._items))
    return plugins.readers.register("semicolons", SEMICOLONS)


def _simulated(store: Store, seed: int = 3) -> pd.DataFrame:
    scenario = simulate.Scenario(
        forces={"Northmoor Police": 6, "Eastdale Constabulary": 4}, comment_share=0.0
    )
    return simulate.simulate_wave(store.framework, scenario, seed=seed)


# -- tests ------------------------------------------------------------------------------


def test_the_registry_lists_both_built_ins():
    assert {"qualtrics", "wide"} <= set(plugins.readers)
    assert plugins.readers["qualtrics"] is QUALTRICS
    assert plugins.readers["wide"] is WIDE
    declared = {ep.name for ep in entry_points(group="collablens.readers")}
    built_in = {"qualtrics", "qualtrics-legacy", "surveymonkey", "smartsurvey", "microsoft-forms"}
    assert built_in | {"wide"} <= declared <= set(plugins.readers)
    for _, reader in plugins.readers.items():
        assert isinstance(reader, Reader) and reader.description


def test_reading_is_still_importable_from_the_importer():
    assert importer.read_table is read_table
    assert importer.RawTable.__module__ == "collablens.surveys.readers"


def test_qualtrics_is_tried_before_the_catch_all(store: Store, tmp_path: Path):
    raw = _simulated(store)
    path = tmp_path / "qualtrics.csv"
    simulate.to_qualtrics_csv(raw, store.framework, path)
    table = read_table(path)
    assert (table.source_format, table.first_row) == ("qualtrics", 4)
    assert len(table.data) == len(raw)


def test_a_third_party_reader_reads_the_files_it_detects(
    semicolons: Reader, store: Store, tmp_path: Path
):
    raw = _simulated(store)
    path = tmp_path / "answers.csv"
    simulate.to_template_csv(raw, path)
    pd.read_csv(path, dtype=str, keep_default_na=False).to_csv(path, sep=";", index=False)
    assert "," not in path.read_text()

    table = read_table(path)
    assert table.source_format == "semicolons"
    assert table.headers == list(raw.columns)
    assert (len(table.data), table.first_row) == (len(raw), 2)

    r = import_responses(store, path, "North East", "2024")
    assert r.source_format == "semicolons"
    assert (r.rows_added, r.mapped_items, r.unmapped) == (len(raw), 40, [])


def test_a_third_party_reader_leaves_other_files_alone(
    semicolons: Reader, store: Store, tmp_path: Path
):
    raw = _simulated(store, seed=4)
    path = tmp_path / "template.csv"
    simulate.to_template_csv(raw, path)
    assert read_table(path).source_format == "wide"
    qualtrics = tmp_path / "qualtrics.csv"
    simulate.to_qualtrics_csv(raw, store.framework, qualtrics)
    assert read_table(qualtrics).source_format == "qualtrics"


def test_the_registration_did_not_outlive_its_test():
    assert "semicolons" not in plugins.readers
