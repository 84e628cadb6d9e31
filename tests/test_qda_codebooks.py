"""Codebooks to and from QDA tools: a flat codebook (Taguette's) keeps every code, a
polarity child folds into its factor only under it, the command says what became of
every code, the draft's bands are the built-in framework's, and the CSV codebook is one
Taguette imports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from collablens.cli import app
from collablens.framework import parse_framework
from collablens.interviews.refiqda import (
    NONE_CODE,
    codebook_csv,
    codebook_rows,
    codebook_xml,
)
from collablens.interviews.refiqda_import import QdaCode, codebook_draft, read_codebook

DATA = Path(__file__).parent / "data" / "refiqda"
TAGUETTE = DATA / "taguette" / "codebook.qdc"
TAGUETTE_CODES = [
    "interesting",
    "Trust, confidence and credibility (enabler)",
    "Trust, confidence and credibility (barrier)",
    "Governance (barrier)",
    "Brave and visionary leadership",
    "Practicalities and logistics",
    "Practicalities and logistics (barrier)",
    "Champions & brokers",
]
GROUP = "a group, not codable"


def _said(output: str) -> str:
    return " ".join(output.split())


def test_taguettes_flat_codebook_keeps_every_code():
    codes = read_codebook(TAGUETTE)
    assert [c.name for c in codes] == TAGUETTE_CODES
    assert all(c.codable and c.parent is None and not c.children for c in codes)
    draft = codebook_draft(codes, "From Taguette")
    assert draft.mapped == TAGUETTE_CODES
    assert draft.merged == [] and draft.left_out == []
    assert draft.lone_polarity == [n for n in TAGUETTE_CODES if n.endswith("r)")]
    fw = parse_framework(draft.text)
    assert [f.name for f in fw.factors] == TAGUETTE_CODES
    # Taguette writes no descriptions: every definition is left to write.
    assert all(f.definition.startswith("TODO") for f in fw.factors)
    assert "merge any that are one factor's two sides" in draft.text


def test_our_codebook_merges_each_polarity_into_its_factor(builtin_framework, tmp_path):
    (tmp_path / "ours.qdc").write_bytes(codebook_xml(builtin_framework))
    draft = codebook_draft(read_codebook(tmp_path / "ours.qdc"), "Ours")
    names = [f.name for f in builtin_framework.factors]
    assert sorted(draft.mapped) == sorted(names)
    assert sorted(draft.merged) == sorted(
        (f"{n} ({pol})", n) for n in names for pol in ("barrier", "enabler")
    )
    assert [c for c, _ in draft.left_out] == ["Inhibitors", "Facilitators", NONE_CODE]
    assert [why for _, why in draft.left_out][:2] == [GROUP, GROUP]
    assert draft.lone_polarity == []


def _tree(spec) -> list[QdaCode]:
    """Codes from (name, codable, children) tuples."""

    def build(items, up=None):
        out = []
        for i, (name, codable, kids) in enumerate(items):
            c = QdaCode(f"{name}-{i}", name, codable, parent=up)
            c.children = build(kids, c)
            out.append(c)
        return out

    return build(spec)


def test_a_polarity_code_folds_only_under_its_own_factor():
    codes = _tree(
        [
            ("Inhibitors", False, [("Trust (barrier)", True, [])]),
            (
                "Facilitators",
                False,
                [("Governance", True, [("barrier", True, []), ("Trust (enabler)", True, [])])],
            ),
            ("Leadership", True, [("LEADERSHIP (Enabler)", True, [])]),
        ]
    )
    draft = codebook_draft(codes, "Mixed")
    assert draft.mapped == ["Trust (barrier)", "Governance", "Trust (enabler)", "Leadership"]
    assert draft.merged == [("barrier", "Governance"), ("LEADERSHIP (Enabler)", "Leadership")]
    assert draft.left_out == [("Inhibitors", GROUP), ("Facilitators", GROUP)]
    kinds = {f["name"]: f["kind"] for f in yaml.safe_load(draft.text)["factors"]}
    assert kinds["Trust (barrier)"] == "inhibitor"  # from its group, Inhibitors


def test_the_drafts_bands_are_the_built_in_frameworks(builtin_framework):
    draft = yaml.safe_load(codebook_draft(read_codebook(TAGUETTE), "T").text)
    assert [(b["id"], b["min"]) for b in draft["bands"]] == [
        (b.id, b.min) for b in builtin_framework.bands
    ]
    assert [b["min"] for b in draft["bands"]] == [4.0, 3.0, 1.0]
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "strength 4.0 and over, borderline 3.0 to 3.99" in readme


def test_import_qdc_says_what_became_of_every_code(builtin_framework, tmp_path):
    run = CliRunner().invoke
    out = run(app, ["import", "qdc", str(TAGUETTE), "--out", str(tmp_path / "t.yaml")])
    said = _said(out.output)
    assert out.exit_code == 0, said
    assert "Mapped 8 codes to factors: 'interesting'," in said
    assert "Merged 0 polarity codes" in said and "Left out 0 codes." in said
    assert "4 factors are named as a polarity with no parent code" in said
    assert len(parse_framework((tmp_path / "t.yaml").read_text("utf-8")).factors) == 8
    (tmp_path / "ours.qdc").write_bytes(codebook_xml(builtin_framework))
    out = run(app, ["import", "qdc", str(tmp_path / "ours.qdc"), "--out", str(tmp_path / "o.yaml")])
    said = _said(out.output)
    assert out.exit_code == 0, said
    assert "Mapped 10 codes to factors" in said
    assert "Merged 20 polarity codes into their parent factor" in said
    assert (
        "Left out 3 codes: 2 a group, not codable: 'Inhibitors', 'Facilitators'; "
        "1 collablens' code for a passage about no factor: 'None of the factors'."
    ) in said


_names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=30
) | st.sampled_from(["barrier", "Enabler", "X (barrier)", "X", "X (enabler)", NONE_CODE, " "])


@st.composite
def _trees(draw, depth=0):
    n = draw(st.integers(0, 4 if depth == 0 else 2))
    return [
        (draw(_names), draw(st.booleans()), draw(_trees(depth + 1)) if depth < 2 else [])
        for _ in range(n)
    ]


@settings(max_examples=150, deadline=None)
@given(_trees())
def test_every_code_is_mapped_merged_or_left_out(spec):
    codes = _tree(spec)
    total = []

    def walk(cs):
        for c in cs:
            total.append(c)
            walk(c.children)

    walk(codes)
    try:
        draft = codebook_draft(codes, "Any")
    except Exception as exc:  # only one refusal: nothing to make a factor of
        assert "no codable codes" in str(exc)
        assert not any(c.codable and c.name.strip() and c.name != NONE_CODE for c in total)
        return
    assert len(draft.mapped) + len(draft.merged) + len(draft.left_out) == len(total)
    factors = yaml.safe_load(draft.text)["factors"]
    assert [f["name"] for f in factors] == draft.mapped
    assert len({f["id"] for f in factors}) == len(factors)


def _taguette_reads(data: bytes) -> list[tuple[str, str]]:
    """The CSV read by Taguette's codebook import rules (taguette/import_codebook.py):
    the header lowercased, exactly one of tag/name/path, an optional description."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    header = [h.lower() for h in rows[0]]
    assert sum(k in header for k in ("tag", "name", "path")) == 1
    name, desc = header.index("name"), header.index("description")
    return [(r[name].strip(), r[desc].strip()) for r in rows[1:] if any(r)]


def test_the_csv_codebook_is_one_taguette_imports(builtin_framework):
    data = codebook_csv(builtin_framework)
    assert data.startswith(b"name,description\r\n")
    got = _taguette_reads(data)
    assert got == codebook_rows(builtin_framework)
    assert len(got) == 3 * len(builtin_framework.factors) + 1
    # The same codable codes, by name, as the .qdc.
    import xml.etree.ElementTree as ET

    root = ET.fromstring(codebook_xml(builtin_framework))
    codable = {
        el.get("name")
        for el in root.iter()
        if el.tag.endswith("Code") and el.get("isCodable") == "true"
    }
    assert {n for n, _ in got} == codable
    trust = next(f for f in builtin_framework.factors if f.id == "trust")
    assert (trust.name, trust.definition.strip()) in got


def test_export_codebook_csv_command(tmp_path):
    args = ["--out", str(tmp_path / "c.csv"), "--db", str(tmp_path / "x.db")]
    out = CliRunner().invoke(app, ["export", "codebook-csv", *args])
    assert out.exit_code == 0, out.output
    assert "(31 codes of 10 factors)" in _said(out.output)
    rows = _taguette_reads((tmp_path / "c.csv").read_bytes())
    assert rows[0][0] and rows[-1][0] == NONE_CODE


def test_a_polarity_child_of_an_unnamed_code_is_a_code_of_its_own():
    # found by the property test above: "BARRIER" under a codable code with no name folded
    # into a parent that makes no factor, and the import was refused as having no codes
    draft = codebook_draft(_tree([("", True, [("BARRIER", True, [])])]), "Any")
    assert draft.mapped == ["BARRIER"]
