"""The framework as data: the built-in codebook, a second one, and clear errors for bad files."""

from __future__ import annotations

import copy
import math
import re

import pytest
import yaml

from collablens.framework import (
    BUILTIN_ID,
    FrameworkError,
    load_framework,
    parse_framework,
)

INHIBITORS = ["cultures", "parochialism", "politics_risk", "governance", "practicalities"]
FACILITATORS = ["trust", "leadership", "time_pace", "coproduction", "champions"]


# -- the built-in framework -------------------------------------------------------------


def test_builtin_has_the_ten_factors_in_order(builtin_framework):
    fw = builtin_framework
    assert fw.id == BUILTIN_ID
    assert [f.id for f in fw.factors] == INHIBITORS + FACILITATORS
    assert [f.kind for f in fw.factors] == ["inhibitor"] * 5 + ["facilitator"] * 5


@pytest.mark.parametrize("factor_id", INHIBITORS + FACILITATORS)
def test_builtin_factor_is_complete(builtin_framework, factor_id):
    f = builtin_framework.factor(factor_id)
    assert f.name.strip() and f.definition.strip()
    assert len(f.definition.split()) >= 15, "a definition should say what the factor is"
    assert f.sub_themes and all(s.strip() for s in f.sub_themes)
    assert f.indicators.present and f.indicators.absent
    assert 3 <= len(f.items) <= 5
    assert any(it.reverse for it in f.items), "each factor needs a reverse-worded item"
    assert not all(it.reverse for it in f.items)
    assert all(len(it.text.split()) >= 5 for it in f.items)
    assert f.prompts and all(p.strip().endswith("?") for p in f.prompts)
    assert f.actions and all(a.strip() for a in f.actions)


def test_builtin_ids_and_wordings_are_unique(builtin_framework):
    items = [it for _, it in builtin_framework.items]
    assert len({it.id for it in items}) == len(items)
    assert len({it.text.strip().lower() for it in items}) == len(items)


def test_builtin_citation_scale_and_bands(builtin_framework):
    fw = builtin_framework
    assert "L'Hoiry" in fw.citation and "French" in fw.citation and "2017" in fw.citation
    assert (fw.scale.min, fw.scale.max) == (1, 5)
    assert sorted(fw.scale.labels) == [1, 2, 3, 4, 5]
    assert [b.id for b in fw.bands] == ["strength", "borderline", "concern"]
    cases = {
        5.0: "strength",
        4.0: "strength",
        3.999: "borderline",
        3.0: "borderline",
        2.999: "concern",
        1.0: "concern",
        0.2: "concern",
    }
    for score, band in cases.items():
        assert fw.band(score).id == band, score
    assert fw.band(None) is None
    assert fw.band(math.nan) is None


def test_builtin_reverse_mirrors_the_scale(builtin_framework):
    assert [builtin_framework.reverse(v) for v in range(1, 6)] == [5, 4, 3, 2, 1]


def test_builtin_free_text_question_ids(builtin_framework):
    qs = builtin_framework.free_text_questions
    assert [q for q, _, _ in qs] == [f"{f}_text" for f in INHIBITORS + FACILITATORS]


def test_load_framework_builtin_aliases():
    for alias in (None, "", BUILTIN_ID, f"builtin:{BUILTIN_ID}"):
        assert load_framework(alias).id == BUILTIN_ID


# -- a second framework ----------------------------------------------------------------


def test_mini_framework_loads_with_its_own_shape(mini_framework):
    fw = mini_framework
    assert fw.id == "mini_test"
    assert [(f.id, f.kind, len(f.items)) for f in fw.factors] == [
        ("sharing", "facilitator", 2),
        ("friction", "inhibitor", 3),
        ("capacity", "facilitator", 5),
    ]
    assert (fw.scale.min, fw.scale.max) == (1, 7)
    assert fw.reverse(1) == 7 and fw.reverse(4) == 4
    assert [b.id for b in fw.bands] == ["healthy", "watch", "weak"]
    assert fw.band(5.5).id == "healthy" and fw.band(5.49).id == "watch"
    assert fw.band(3.99).id == "weak"
    assert [q for q, _, _ in fw.free_text_questions] == [
        "sharing_text",
        "capacity_text",
        "capacity_text_2",
    ]
    assert fw.item_index["fr_b"][0].id == "friction"


# -- errors in a user's framework --------------------------------------------------------


@pytest.fixture
def mini_data(mini_framework_path):
    return yaml.safe_load(mini_framework_path.read_text(encoding="utf-8"))


def _error(data) -> str:
    text = data if isinstance(data, str) else yaml.safe_dump(data)
    with pytest.raises(FrameworkError) as info:
        parse_framework(text, origin="ours.yaml")
    message = str(info.value)
    assert message.startswith("ours.yaml: "), message
    return message


def test_unknown_key_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][1]["colour"] = "red"
    message = _error(data)
    assert "factors[1].colour" in message and "unknown key" in message


def test_unknown_top_level_key_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["factor"] = data.pop("factors")
    message = _error(data)
    assert "factor: unknown key" in message
    assert "factors: Field required" in message


def test_duplicate_item_id_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][2]["items"][3]["id"] = "sh_a"
    message = _error(data)
    assert "factors[2].items[3].id" in message and "'sh_a'" in message
    assert "already used" in message


def test_item_id_clashing_with_a_factor_id_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][0]["items"][1]["id"] = "capacity"
    message = _error(data)
    assert "factors[0].items[1].id" in message and "'capacity'" in message


def test_duplicate_factor_id_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][2]["id"] = "sharing"
    message = _error(data)
    assert "factors[2].id" in message and "used twice" in message


def test_bad_kind_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][1]["kind"] = "barrier"
    message = _error(data)
    assert "factors[1].kind" in message
    assert "'inhibitor'" in message and "'facilitator'" in message


@pytest.mark.parametrize("items", [None, []], ids=["missing", "empty"])
def test_missing_items_are_named(mini_data, items):
    data = copy.deepcopy(mini_data)
    if items is None:
        del data["factors"][0]["items"]
    else:
        data["factors"][0]["items"] = items
    message = _error(data)
    assert "factors[0].items" in message
    assert ("required" in message) if items is None else ("at least 1" in message)


def test_bad_id_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][1]["items"][0]["id"] = "Fr-A"
    message = _error(data)
    assert "factors[1].items[0].id" in message and "'Fr-A' is not a valid id" in message


def test_bands_out_of_order_are_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["bands"].reverse()
    assert "bands: list bands from the highest min" in _error(data)


def test_scale_problems_are_named(mini_data):
    data = copy.deepcopy(mini_data)
    data["scale"]["labels"][9] = "Beyond"
    message = _error(data)
    assert "scale" in message and "outside the scale 1..7" in message
    data = copy.deepcopy(mini_data)
    data["scale"]["max"] = 1
    assert re.search(r"scale: max \(1\) must be greater than min \(1\)", _error(data))


def test_scale_labels_must_name_every_point_of_the_range(mini_data):
    data = copy.deepcopy(mini_data)
    data["scale"]["max"] = 9  # labels name 1..7 only
    message = _error(data)
    assert "labels do not match the scale 1..9: no label for 8, 9" in message
    data = copy.deepcopy(mini_data)
    data["scale"]["min"] = 0
    assert "no label for 0" in _error(data)
    data = copy.deepcopy(mini_data)
    del data["scale"]["labels"][4]
    assert "no label for 4" in _error(data)
    data = copy.deepcopy(mini_data)
    data["scale"]["labels"] = {}  # no labels at all: answers are numbers
    assert parse_framework(yaml.safe_dump(data)).scale.labels == {}


def test_scale_labels_must_differ(mini_data):
    data = copy.deepcopy(mini_data)
    data["scale"]["labels"][2] = " completely  DISAGREE "
    message = _error(data)
    assert "labels for 1 and 2 are both" in message


def test_several_problems_are_all_listed(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][0]["kind"] = "helper"
    data["factors"][2]["items"][0]["text"] = ""
    message = _error(data)
    assert "factors[0].kind" in message and "factors[2].items[0].text" in message


def test_bad_yaml_is_reported_on_one_line():
    message = _error("id: x\nfactors: [\n  - id: a\n")
    assert "not valid YAML at line" in message
    assert "\n" not in message
    message = _error("id: x\n  foo: [\n")
    assert (
        message.startswith("ours.yaml: not valid YAML at line 2, column ") and "\n" not in message
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "Excel workbook"),
        (b"SQLite format 3\x00" + bytes(range(128, 256)), "not a text file"),
        (b"id: x\x00\x00\n", "not a text file"),
    ],
)
def test_a_file_that_is_not_yaml_text_is_named_in_one_line(tmp_path, content, says):
    path = tmp_path / "codebook.yaml"
    path.write_bytes(content)
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and says in message and "\n" not in message


def test_a_byte_order_mark_is_fine(tmp_path, mini_framework_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + mini_framework_path.read_bytes())
    assert load_framework(path).id == load_framework(mini_framework_path).id


@pytest.mark.parametrize("text", ["- just\n- a list\n", "plain words\n", ""])
def test_top_level_must_be_a_mapping(text):
    assert "top level must be a mapping" in _error(text)


def test_unreadable_file_is_reported(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(FrameworkError, match=re.escape(str(missing))):
        load_framework(missing)


def test_item_id_clashing_with_a_free_text_question_is_named(mini_data):
    data = copy.deepcopy(mini_data)
    fid = data["factors"][0]["id"]
    data["factors"][1]["items"][0]["id"] = f"{fid}_text"
    assert data["factors"][0].get("prompts"), "the mini framework's first factor has a prompt"
    message = _error(data)
    assert f"'{fid}_text'" in message and "free-text question id" in message


def test_two_items_with_the_same_wording_are_refused(mini_data):
    data = copy.deepcopy(mini_data)
    data["factors"][2]["items"][0]["text"] = data["factors"][0]["items"][0]["text"].upper() + "!"
    assert "same wording" in _error(data)


def test_unsupported_attribute_and_overlong_id_are_refused(mini_data):
    data = copy.deepcopy(mini_data)
    data["attributes"] = [{"id": "department", "label": "Your department"}]
    assert "'department' is not supported" in _error(data)
    data = copy.deepcopy(mini_data)
    data["factors"][0]["id"] = "f" * 120
    assert "longer than 90 characters" in _error(data)


# -- band colours -------------------------------------------------------------------------


def test_builtin_bands_carry_their_colours(builtin_framework):
    assert builtin_framework.band_colours == {
        "strength": "#1b7f4b",
        "borderline": "#a86400",
        "concern": "#c0392b",
    }
    assert builtin_framework.band_colour(None) == builtin_framework.band_colour("nope")


@pytest.mark.parametrize(
    ("given", "stored"),
    [("#1B7F4B", "#1b7f4b"), ("#345", "#334455"), (" #123456 ", "#123456")],
)
def test_band_colours_are_hex_and_normalised(mini_data, given, stored):
    data = copy.deepcopy(mini_data)
    data["bands"][0]["colour"] = given
    fw = parse_framework(yaml.safe_dump(data), origin="ours.yaml")
    assert fw.bands[0].colour == stored
    assert fw.band_colour(fw.bands[0].id) == stored


@pytest.mark.parametrize("bad", ["red", "#12345", "#gggggg", "1b7f4b", "", 12])
def test_a_band_colour_that_is_not_hex_is_named(mini_data, bad):
    data = copy.deepcopy(mini_data)
    data["bands"][1]["colour"] = bad
    message = _error(data)
    assert "bands[1].colour" in message and "not a hex colour" in message


def test_an_unquoted_hex_colour_reads_as_none_and_gets_a_default(mini_data):
    # YAML reads `colour: #1b7f4b` as an empty value and a comment; it must not break.
    text = yaml.safe_dump(mini_data).replace("id: watch\n", "colour: #1b7f4b\n  id: watch\n", 1)
    fw = parse_framework(text, origin="ours.yaml")
    assert fw.bands[1].colour is None
    assert re.fullmatch(r"#[0-9a-f]{6}", fw.band_colour("watch"))


def test_bands_without_colours_get_distinct_defaults_by_position(mini_data):
    data = copy.deepcopy(mini_data)
    data["bands"].insert(2, {"id": "poor", "label": "Poor", "min": 3.0})
    fw = parse_framework(yaml.safe_dump(data), origin="ours.yaml")
    colours = [fw.band_colour(b.id) for b in fw.bands]
    assert len(set(colours)) == 4
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    assert colours[0] == "#1b7f4b" and colours[-1] == "#c0392b"  # healthy green to red
    data["bands"][1]["colour"] = "#123456"
    fw = parse_framework(yaml.safe_dump(data), origin="ours.yaml")
    assert [fw.band_colour(b.id) for b in fw.bands] == [colours[0], "#123456", *colours[2:]]
