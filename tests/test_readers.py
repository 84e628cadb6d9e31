"""Survey readers: the built-ins come from entry points, and a third party's reader is used."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collablens import plugins
from collablens.demo import simulate
from collablens.store import Store
from collablens.surveys import importer, readers
from collablens.surveys.importer import InputError, import_responses
from collablens.surveys.readers import QUALTRICS, WIDE, Reader, read_table

# -- a third party's reader: answers separated by vertical bars (as some HR systems write
# them), which the built-in readers (commas, semicolons, tabs) would see as one wide column.


def _split_bars(grid: pd.DataFrame) -> pd.DataFrame:
    if grid.shape[1] != 1 or "|" not in grid.iloc[0, 0]:
        return grid
    rows = [cell.split("|") for cell in grid.iloc[:, 0]]
    width = max(len(r) for r in rows)
    out = pd.DataFrame([r + [""] * (width - len(r)) for r in rows])
    out.attrs["separator"] = "|"
    return out


BARS = Reader(
    name="bars",
    detect=lambda grid: grid.attrs.get("separator") == "|",
    prepare=_split_bars,
    description="CSV separated by vertical bars",
)


@pytest.fixture
def bars(monkeypatch: pytest.MonkeyPatch) -> Reader:
    """BARS registered for one test only."""
    list(plugins.readers)  # fill the registry from the plugins first, then work on a copy
    monkeypatch.setattr(plugins.readers, "_items", dict(plugins.readers._items))
    return plugins.readers.register("bars", BARS)


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
    built_in = {"qualtrics", "qualtrics-legacy", "surveymonkey", "smartsurvey", "microsoft-forms"}
    assert built_in | {"wide"} <= set(plugins.readers)
    for name in built_in | {"wide"}:
        assert plugins.readers.origin(name) == "collablens.default_plugins"
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


def test_a_third_party_reader_reads_the_files_it_detects(bars: Reader, store: Store, tmp_path):
    raw = _simulated(store)
    path = tmp_path / "answers.csv"
    simulate.to_template_csv(raw, path)
    pd.read_csv(path, dtype=str, keep_default_na=False).to_csv(path, sep="|", index=False)
    assert "," not in path.read_text()

    table = read_table(path)
    assert table.source_format == "bars"
    assert table.headers == list(raw.columns)
    assert (len(table.data), table.first_row) == (len(raw), 2)

    r = import_responses(store, path, "North East", "2024")
    assert r.source_format == "bars"
    assert (r.rows_added, r.mapped_items, r.unmapped) == (len(raw), 40, [])


def test_a_third_party_reader_leaves_other_files_alone(bars: Reader, store: Store, tmp_path):
    raw = _simulated(store, seed=4)
    path = tmp_path / "template.csv"
    simulate.to_template_csv(raw, path)
    assert read_table(path).source_format == "wide"
    qualtrics = tmp_path / "qualtrics.csv"
    simulate.to_qualtrics_csv(raw, store.framework, qualtrics)
    assert read_table(qualtrics).source_format == "qualtrics"


def test_the_registration_did_not_outlive_its_test():
    assert "bars" not in plugins.readers


# -- separators, encodings and limits of the built-in reading ----------------------------


def test_semicolons_are_read_by_the_built_in_readers(store: Store, tmp_path: Path):
    """Excel writes CSV with semicolons where the decimal separator is a comma."""
    raw = _simulated(store, seed=5)
    path = tmp_path / "answers.csv"
    simulate.to_template_csv(raw, path)
    pd.read_csv(path, dtype=str, keep_default_na=False).to_csv(path, sep=";", index=False)
    table = read_table(path)
    assert (table.source_format, table.headers) == ("wide", list(raw.columns))
    assert any("semicolons" in n for n in table.notes)
    assert import_responses(store, path, "North East", "2024").rows_added == len(raw)


def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path):
    path = tmp_path / "u.csv"
    path.write_bytes("respondent_id\ttrust_1\nR1\t4\n".encode("utf-16-le"))
    table = read_table(path)
    assert table.headers == ["respondent_id", "trust_1"] and table.data.iloc[0, 1] == "4"


def test_row_limit_is_checked_before_anything_slow(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(readers, "MAX_ROWS", 10)
    path = tmp_path / "many.csv"
    path.write_text("a,b\n" + "1,2\n" * 50)
    with pytest.raises(InputError, match="more than 10 rows.*files of at most 10 rows"):
        read_table(path)


def test_file_size_limit(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 50)
    with pytest.raises(InputError, match="over the limit of 0 MB"):
        read_table(path)


def test_free_text_limit_per_file(monkeypatch, store: Store, tmp_path: Path):
    monkeypatch.setattr(importer, "MAX_FREE_TEXT_CHARS", 50)
    raw = _simulated(store, seed=6)
    question = store.framework.free_text_questions[0][0]
    raw[question] = "A comment of some length about the collaboration."
    path = tmp_path / "texts.csv"
    simulate.to_template_csv(raw, path)
    with pytest.raises(InputError, match="free-text answers hold 490 characters together") as err:
        import_responses(store, path, "North East", "2024")
    # The refusal says what to do: how many files, of how many rows, each under the limit.
    rows = len(raw)
    assert f"split the file into 11 or more files of at most {-(-rows // 11):,} rows" in str(
        err.value
    )


@st.composite
def grids(draw):
    cell = st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"'),
        max_size=8,
    )
    width = draw(st.integers(2, 5))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=5))
    header = [f"h{i}" for i in range(width)]
    return [header, *[[*r[:-1], r[-1] or "x"] for r in rows]]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grid=grids(),
    sep=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_a_table_reads_back_whatever_its_separator_and_encoding(grid, sep, encoding, tmp_path):
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(grid)
    path = tmp_path / "g.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    table = read_table(path)
    assert table.headers == grid[0]
    assert table.data.astype(str).values.tolist() == grid[1:]


def test_a_tools_own_codes_are_on_its_reader():
    """Qualtrics' status and finished codes are the Qualtrics readers' (both layouts); a
    reader of another tool reads no cell as a preview or unfinished."""
    from collablens.surveys import readers as r

    for reader in (r.QUALTRICS, r.QUALTRICS_LEGACY):
        assert reader.not_real("Survey Preview") and reader.not_real("17")
        assert not reader.not_real("IP Address") and not reader.not_real("0")
        assert reader.unfinished("False") and not reader.unfinished("True")
    assert not r.WIDE.not_real("Survey Preview") and not r.WIDE.unfinished("False")
