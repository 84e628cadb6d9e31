"""The redactor's gazetteer: shipped lists in the promised form, with real content of every
origin the redactor must recognise, reachable from an installed package, and rebuilt
deterministically from raw sources by scripts/build_gazetteer.py."""

from __future__ import annotations

import csv
import fnmatch
import importlib.util
import tomllib
import unicodedata
from functools import cache
from importlib.resources import files
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
DATA = files("collablens.text").joinpath("data")
LOWER = ("given_names.txt", "surnames.txt", "english_words.txt")
BUILT_AS_WRITTEN = ("places.txt", "police_terms.txt")
AS_WRITTEN = (*BUILT_AS_WRITTEN, "acronyms.txt")  # acronyms.txt is written by hand


@cache
def entries(name: str) -> frozenset[str]:
    return frozenset(_lines(name)[1])


def _lines(name: str) -> tuple[list[str], list[str]]:
    """(header comment lines, entries) of a shipped list, read through importlib.resources."""
    text = DATA.joinpath(name).read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[-1] == "", f"{name} must end with a newline"
    lines = lines[:-1]
    header = []
    while lines and lines[0].startswith("#"):
        header.append(lines.pop(0))
    return header, lines


@pytest.mark.parametrize("name", LOWER + AS_WRITTEN)
def test_each_list_is_sorted_unique_clean_and_commented_only_at_the_top(name):
    header, lines = _lines(name)
    assert header, f"{name} has no header comment"
    assert lines == sorted(set(lines)), f"{name} is not sorted and unique"
    for line in lines:
        assert line and line == line.strip(), f"{name}: blank or padded line {line!r}"
        assert not line.startswith("#"), f"{name}: comment below the header: {line!r}"
        assert unicodedata.normalize("NFC", line) == line, f"{name}: not NFC: {line!r}"
        assert "  " not in line and "\t" not in line and "\r" not in line


@pytest.mark.parametrize("name", LOWER)
def test_name_and_word_lists_are_lower_case(name):
    upper = [e for e in entries(name) if e != e.lower()]
    assert not upper, f"{name}: {upper[:5]}"


def test_lists_are_large_and_the_whole_gazetteer_stays_small():
    assert len(entries("given_names.txt")) > 40_000
    assert len(entries("surnames.txt")) > 100_000
    assert len(entries("english_words.txt")) > 50_000
    assert len(entries("places.txt")) > 20_000
    assert len(entries("police_terms.txt")) > 300
    size = sum(len(DATA.joinpath(n).read_bytes()) for n in LOWER + AS_WRITTEN)
    assert size < 6_000_000


GIVEN = {
    "English": ["joanne", "sarah", "marcus", "ellie", "ellie-mae", "ashley"],
    "Scottish and Gaelic": ["eilidh", "mairi", "màiri", "ruairidh", "catriona", "hamish"],
    "Irish, with and without accents": [
        "aoife", "caoimhe", "siobhán", "siobhan", "niamh", "oisín", "oisin", "ciarán", "ciaran",
    ],
    "Welsh": ["lowri", "dafydd", "rhiannon", "gethin", "angharad", "llŷr", "llyr"],
    "Polish": ["małgorzata", "malgorzata", "agnieszka", "wojciech", "łukasz"],
    "Romanian": ["ionuț", "ionut", "andreea", "mădălina"],
    "Lithuanian": ["vytautas", "gintarė", "rūta", "aistė"],
    "Portuguese, Italian, Spanish": ["joão", "gonçalo", "giuseppe", "alejandro", "begoña"],
    "Turkish and Kurdish": ["mehmet", "ayşe", "zeynep", "rojda", "heval"],
    "Arabic": ["amira", "mohammed", "muhammad", "zainab", "youssef"],
    "Somali": ["abdirahman", "hodan", "ifrah", "warsame"],
    "South Asian": ["gurpreet", "harjit", "priya", "sunil", "saravanan", "rahima", "imran"],
    "Chinese romanised": ["xiaoming", "wei", "jing"],
    "Vietnamese": ["thanh", "phuong", "quynh"],
    "Nigerian": ["folake", "chukwuemeka", "ngozi", "adebayo", "chidinma", "chinedu"],
    "Ghanaian": ["kwame", "akosua", "kwabena"],
    "Caribbean": ["delroy", "winston", "shanice"],
    "short forms": ["jonny", "becky", "kev", "gaz", "bex", "nige"],
}  # fmt: skip

SURNAMES = [
    "pemberton", "cartwright", "ashworth", "jennings", "gordon", "khalil", "kowalski",
    "wiśniewski", "popescu", "kazlauskas", "yılmaz", "okonkwo", "mensah", "patel", "nguyen",
    "o'brien", "mac giolla phádraig", "ní bhriain", "ó briain", "macleod", "llewellyn",
]  # fmt: skip

PLACES = [
    "Newton Aycliffe", "Chester-le-Street", "Whitley Bay", "Leeds Bradford Airport", "Tyne",
    "Catterick", "Weardale", "Grainger Town", "Newcastle upon Tyne", "Belfast", "Omagh",
    "Aberystwyth", "Ullapool", "Ynys Môn", "Ynys Mon", "Llanfairpwllgwyngyll", "Peak District",
    "North York Moors", "Teesside", "County Durham", "Heathrow",
]  # fmt: skip

POLICE = [
    "Northumbria", "Durham Constabulary", "the Met", "Police Scotland", "PSNI", "BTP", "CNC",
    "MDP", "NERSOU", "TITAN", "Yorkshire and Humber ROCU", "NCA", "College of Policing",
    "NPCC", "HMICFRS", "IOPC", "Action Fraud", "NFIB", "CPS", "Niche RMS", "Athena", "Storm",
    "SmartStorm", "Genesys", "Holmes 2", "HOLMES", "PNC", "PND", "ANPR", "Airwave", "ESN",
    "Mobile Pocketbook", "Pronto", "Connect", "Unifi", "NICHE", "Origin", "DEMS", "Axon",
    "Motorola", "ServiceNow", "Oracle Fusion", "SAP", "Duty Sheet", "Optima", "Roads Policing",
    "Tactical Firearms", "Major Crime", "MIT", "CSI",
]  # fmt: skip


@pytest.mark.parametrize("origin", sorted(GIVEN))
def test_given_names_of_each_origin_are_present(origin):
    missing = [n for n in GIVEN[origin] if n not in entries("given_names.txt")]
    assert not missing, f"{origin}: {missing}"


def test_surnames_of_many_origins_are_present_with_particles_kept_whole():
    surnames = entries("surnames.txt")
    assert not [n for n in SURNAMES if n not in surnames]
    # A particle is an entry only where the public lists hold it as a whole surname.
    for particle in ["ní", "mac", "van", "von", "de", "al"]:
        assert particle not in surnames, particle
    # ... and particles that are whole surnames stay: Lê, Đỗ (Vietnamese), Ni, Li (Chinese).
    assert {"le", "lê", "do", "đỗ", "ni", "li"} <= surnames


def test_places_keep_their_case_and_multi_word_form():
    assert not [p for p in PLACES if p not in entries("places.txt")]
    assert "newton aycliffe" not in entries("places.txt")


def test_police_terms_hold_forces_bodies_units_and_systems():
    assert not [t for t in POLICE if t not in entries("police_terms.txt")]


def test_english_words_hold_words_that_are_also_names_but_no_proper_nouns():
    words = entries("english_words.txt")
    for word in ["rose", "hill", "will", "mark", "grant", "young", "church", "lane", "bay",
                 "law", "tow", "kit", "the", "collaboration"]:  # fmt: skip
        assert word in words, word
    for proper in ["london", "newcastle", "sarah", "aoife", "durham"]:
        assert proper not in words, proper
    assert not [w for w in words if w.endswith("'s")]


def test_function_words_are_not_names():
    for word in ["the", "and", "of"]:
        assert word not in entries("given_names.txt")
        assert word not in entries("surnames.txt")


def test_the_lists_are_package_data_of_the_built_distribution():
    """Each shipped file matches a package-data pattern, so wheel and sdist carry it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["collablens"]
    shipped = ROOT / "src" / "collablens" / "text" / "data"
    for path in sorted(shipped.iterdir()):
        relative = f"text/data/{path.name}"
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


# ----- the build script, on small raw inputs made here ------------------------------------


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _raw_sources(tmp: Path) -> list[str]:
    census = tmp / "census"
    census.mkdir()
    (census / "dist.male.first").write_text("JAMES  3.318 3.318 1\nTHE 0.001 1 2\n")
    (census / "dist.female.first").write_text("MARY   2.629 2.629 1\n")
    (census / "dist.all.last").write_text("SMITH 1.006 1 1\nPOLICE 0.000 1 2\nVAN 0 1 3\n")
    ssa = tmp / "ssa"
    ssa.mkdir()
    (ssa / "yob1930.txt").write_text("Oldname,F,900\n")
    (ssa / "yob1990.txt").write_text("Jessica,F,40\nRare,M,5\n")
    (ssa / "yob1991.txt").write_text("Jessica,F,40\n")
    ons = tmp / "ons"
    ons.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [("Table 6",), ("Rank", "Name", "Count"), (1, "Muhammad", 5721),
                (2, "Ellie-Mae", 40), ("note", "Source: ONS", None)]:  # fmt: skip
        sheet.append(row)
    region = book.create_sheet()
    region.append(("Region code", "Region of usual residence name", "Rank", "Name", "Count"))
    region.append(("E12000001", "North East", 1, "Oliver", 199))
    book.save(ons / "boys2024.xlsx")
    person = tmp / "faker" / "providers" / "person" / "ga_IE"
    person.mkdir(parents=True)
    (person / "__init__.py").write_text(
        "class Provider:\n"
        "    first_names_female = ('Siobhán', 'Łucja', 'Анна', 'd\\'')\n"
        "    last_names = ('Ó Briain', 'Mac Giolla Phádraig')\n"
        "    first_romanized_names = ('Xiaoming',)\n"
    )
    (tmp / "nicknames.csv").write_text("name1,relationship,name2\nkevin,has_nickname,kev\n")
    surnames = tmp / "namedb" / "k"
    surnames.mkdir(parents=True)
    (surnames / "ko.yml").write_text("---\n- kowalski\n- kovac:\n    gender: null\n")
    with (tmp / "places.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        rows = [("name", "type", "country"), ("Newton Aycliffe", "Town", "England")]
        rows += [("Llanfair Caereinion", "Village", "Wales"), ("Aberdâr", "Town", "Wales")]
        writer.writerows(rows)
    (tmp / "words").write_text("rose\nRose\nrose's\nLondon\nhill\n")
    return [
        "--census1990", str(census), "--ssa", str(ssa), "--ons", str(ons),
        "--faker", str(tmp / "faker"), "--nicknames", str(tmp / "nicknames.csv"),
        "--surnames", str(tmp / "namedb"), "--places", str(tmp / "places.csv"),
        "--words", str(tmp / "words"), "--ssa-min", "50",
    ]  # fmt: skip


def test_build_script_reads_each_source_and_is_deterministic(tmp_path):
    builder = _load_builder()
    args = _raw_sources(tmp_path)
    first, second = tmp_path / "out1", tmp_path / "out2"
    assert builder.main([*args, "--out", str(first)]) == 0
    assert builder.main([*args, "--out", str(second)]) == 0
    for name in LOWER + BUILT_AS_WRITTEN:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name

    def built(name: str) -> set[str]:
        lines = (first / name).read_text(encoding="utf-8").splitlines()
        return {line for line in lines if not line.startswith("#")}

    given_names = built("given_names.txt")
    for name in ["james", "mary", "jessica", "muhammad", "ellie-mae", "siobhán", "siobhan",
                 "łucja", "lucja", "xiaoming", "kevin", "kev"]:  # fmt: skip
        assert name in given_names, name
    # SSA: under the threshold, or only before 1940; non-Latin script; function words; "d'".
    for name in ["rare", "oldname", "анна", "the", "d'", "north east", "source: ons"]:
        assert name not in given_names, name
    assert "oliver" in given_names  # an 'Aged ... Name'-style column next to a count
    surnames = built("surnames.txt")
    assert {"smith", "kowalski", "kovac", "ó briain", "o briain", "mac giolla phádraig"} <= (
        surnames
    )
    assert "police" in surnames  # a real census surname: the words list tells it apart
    assert "van" not in surnames
    assert built("english_words.txt") == {"rose", "hill"}
    places = built("places.txt")
    assert {"Newton Aycliffe", "Aberdâr", "Aberdar", "Grainger Town", "Omagh"} <= places
    assert "Northumbria" in built("police_terms.txt")


@given(st.text(max_size=40))
def test_clean_name_gives_a_lower_case_latin_name_or_nothing(raw):
    clean = _builder().clean_name(raw)
    if clean is not None:
        assert clean == clean.lower().strip() and len(clean) >= 2
        assert clean[0].isalpha() and clean[-1].isalpha()
        assert _builder().is_latin_name(clean)
        assert clean not in _builder().FUNCTION_WORDS


@cache
def _builder():
    return _load_builder()


def test_acronyms_are_capitals_and_hold_the_common_police_ones():
    acronyms = entries("acronyms.txt")
    assert all(a == a.upper() and a.isalnum() for a in acronyms)
    assert {"HR", "ICT", "ARV", "CID", "PNC", "NCA", "GMP", "DOB"} <= acronyms
