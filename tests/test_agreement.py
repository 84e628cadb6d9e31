"""Agreement between coders: the figures equal the reference packages', and blind coding
keeps each coder's codes apart."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select
from typer.testing import CliRunner

from collablens.analysis.agreement import AgreementError, measure_agreement
from collablens.analysis.stats import cohen_kappa, krippendorff_alpha_nominal
from collablens.cli import app
from collablens.interviews.importer import import_transcript
from collablens.store import Store, codes, codings
from collablens.text.coding import blind_queue, code_workspace, set_human_codes

DATA = Path(__file__).parent / "data" / "transcripts"
LABELS = st.sampled_from(["a", "b", "c", "none"])


@pytest.mark.filterwarnings("ignore")  # scikit-learn warns where kappa is undefined
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(LABELS, LABELS), min_size=1, max_size=60))
def test_kappa_equals_scikit_learn(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    ours = cohen_kappa(a, b)
    ref = cohen_kappa_score(a, b)
    assert (np.isnan(ours) and np.isnan(ref)) or ours == pytest.approx(ref, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda coders: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=coders, max_size=coders),
            min_size=2,
            max_size=40,
        )
    )
)
def test_alpha_equals_the_krippendorff_package(units):
    ours = krippendorff_alpha_nominal(units)
    data = np.array([[np.nan if v is None else v for v in u] for u in units], dtype=float).T
    values = {v for u in units if sum(x is not None for x in u) >= 2 for v in u if v is not None}
    if len(values) < 2:  # no disagreement possible: undefined, the package refuses
        assert np.isnan(ours)
        return
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert ours == pytest.approx(ref, abs=1e-9)


def _interviews(store: Store) -> list[int]:
    import_transcript(store, DATA / "interview_p01.txt", "C", ["P01"], ["Alex Carter"])
    import_transcript(store, DATA / "committee_q.txt", "C", ["P02"])
    return [item.segment_id for item in blind_queue(store, "Ana", "C", limit=1000)]


@pytest.mark.filterwarnings("ignore")
def test_figures_equal_the_reference_packages_on_generated_codings(any_store: Store):
    ids = _interviews(any_store)
    assert len(ids) == 20
    rng = np.random.default_rng(7)
    factors = [f.id for f in any_store.framework.factors][:4] + ["none"]
    truth = rng.choice(factors, size=len(ids))
    coded: dict[str, dict[int, str]] = {}
    for coder, noise, share in (("Ana", 0.2, 1.0), ("Ben", 0.4, 0.8), ("Cy", 0.5, 0.6)):
        coded[coder] = {}
        for sid, t in zip(ids, truth, strict=True):
            if rng.random() > share:
                continue  # left uncoded by this coder
            label = str(rng.choice(factors)) if rng.random() < noise else str(t)
            set_human_codes(any_store, [sid], label, "neutral", coder, blind=True)
            coded[coder][sid] = label
    res = measure_agreement(any_store, "C")
    assert res.coders == ["Ana", "Ben", "Cy"]
    matrix = np.array(
        [[factors.index(coded[c][s]) if s in coded[c] else np.nan for s in ids] for c in res.coders]
    )
    assert res.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-9
    )
    for pair in res.pairs:
        both = [s for s in ids if s in coded[pair.first] and s in coded[pair.second]]
        a = [coded[pair.first][s] for s in both]
        b = [coded[pair.second][s] for s in both]
        assert pair.units == len(both)
        assert pair.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        assert pair.percent == pytest.approx(np.mean(np.array(a) == np.array(b)))
    assert res.not_coded == {c: 20 - len(coded[c]) for c in res.coders}
    assert res.interviewer_turns == 5 + 3  # Alex Carter's five, the committee's three
    assert res.units + res.fewer_than_two == res.passages == 20
    assert len(res.disagreements) == sum(
        len({coded[c][s] for c in res.coders if s in coded[c]}) > 1 for s in ids
    )
    one = next(c for c in res.codes if c.code == factors[0])
    binary = [
        [(coded[c][s] == factors[0]) if s in coded[c] else np.nan for s in ids] for c in res.coders
    ]
    assert one.alpha == pytest.approx(
        krippendorff.alpha(
            reliability_data=np.array(binary, dtype=float), level_of_measurement="nominal"
        ),
        abs=1e-9,
    )


def test_blind_codes_count_only_where_nobody_has_coded(store: Store):
    ids = _interviews(store)
    code_workspace(store, "C")
    set_human_codes(store, [ids[0]], "governance", "barrier", "Ana", blind=True)
    set_human_codes(store, [ids[0]], "trust", "enabler", "Ben", blind=True)
    with store.connect() as conn:
        counted = conn.execute(
            select(codes.c.factor_id, codes.c.source, codes.c.coder).where(
                codes.c.segment_id == ids[0]
            )
        ).one()
        kept = dict(
            conn.execute(
                select(codings.c.coder, codings.c.factor_id).where(codings.c.segment_id == ids[0])
            ).all()
        )
    assert tuple(counted) == ("governance", "human", "Ana")  # the first person's stands
    assert kept["Ana"] == "governance" and kept["Ben"] == "trust" and "model" in kept
    # An open review replaces it; the model's own code is kept for agreement.
    set_human_codes(store, [ids[0]], "cultures", "barrier", "Cy")
    with store.connect() as conn:
        assert (
            conn.execute(select(codes.c.coder).where(codes.c.segment_id == ids[0])).scalar() == "Cy"
        )
    assert ids[0] not in [i.segment_id for i in blind_queue(store, "Ana", "C", limit=100)]
    assert ids[0] in [i.segment_id for i in blind_queue(store, "Dee", "C", limit=100)]
    res = measure_agreement(store, "C", ["Ana", "model"])
    assert res.units == 1 and res.pairs[0].first == "Ana"


def test_what_cannot_be_measured_is_said(store: Store):
    ids = _interviews(store)
    with pytest.raises(AgreementError, match="nobody has coded"):
        measure_agreement(store, "C")
    set_human_codes(store, ids[:3], "governance", "barrier", "Ana", blind=True)
    with pytest.raises(AgreementError, match="only 'Ana' has coded"):
        measure_agreement(store, "C")
    with pytest.raises(AgreementError, match="'Zed' coded none of these passages"):
        measure_agreement(store, "C", ["Ana", "Zed"])
    with pytest.raises(AgreementError, match="no transcript named 'Interview P9'"):
        measure_agreement(store, "C", ["Ana", "Ben"], sources=["Interview P9"])
    with pytest.raises(AgreementError, match="'gov' is not a factor"):
        measure_agreement(store, "C", codes=["gov"])
    with pytest.raises(ValueError, match="the model's coder name"):
        set_human_codes(store, ids[:1], "governance", "barrier", "Model", blind=True)


def test_selected_codes_sources_and_polarity(store: Store):
    ids = _interviews(store)
    set_human_codes(store, ids[:2], "governance", "barrier", "Ana", blind=True)
    set_human_codes(store, ids[:1], "governance", "enabler", "Ben", blind=True)
    set_human_codes(store, ids[1:2], "trust", "enabler", "Ben", blind=True)
    set_human_codes(store, ids[-1:], "trust", "enabler", "Ana", blind=True)
    set_human_codes(store, ids[-1:], "cultures", "enabler", "Ben", blind=True)
    res = measure_agreement(store, "C", codes=["governance"])
    assert {c.code for c in res.codes} == {"governance"}  # others are "(other codes)"
    assert res.pairs[0].percent == pytest.approx(2 / 3)  # the last: other = other
    assert measure_agreement(store, "C", with_polarity=True).pairs[0].percent == 0
    only = measure_agreement(store, "C", sources=["Interview P02"])
    assert (only.units, only.passages) == (1, 5)


def test_the_agreement_command(tmp_path, store: Store, monkeypatch):
    ids = _interviews(store)
    set_human_codes(store, ids[:4], "governance", "barrier", "Ana", blind=True)
    set_human_codes(store, ids[:2], "governance", "barrier", "Ben", blind=True)
    set_human_codes(store, ids[2:4], "trust", "barrier", "Ben", blind=True)
    db = store.url
    store.engine.dispose()
    runner = CliRunner()
    out = runner.invoke(app, ["agreement", "-c", "C", "--json", "--db", db])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["coders"] == ["Ana", "Ben"] and data["units"] == 4
    assert data["pairs"][0]["percent"] == 0.5 and len(data["disagreements"]) == 2
    assert "not counted as agreeing that nothing applies" in data["excluded"]
    text = runner.invoke(app, ["agreement", "-c", "C", "--db", db])
    assert "Krippendorff's alpha" in text.output and "To discuss" in text.output
    bad = runner.invoke(app, ["agreement", "-c", "C", "--coders", "Ana", "--db", db])
    assert bad.exit_code == 1 and "two coders or more" in bad.output
    assert "Traceback" not in bad.output


def test_uncoded_passages_can_count_as_none(store: Store):
    """--uncoded none: every passage is a unit, and what a coder left uncoded is their none
    (NVivo's way); the output says which rule was used."""
    ids = _interviews(store)
    set_human_codes(store, ids[:4], "governance", "barrier", "Ana", blind=True)
    set_human_codes(store, ids[:2], "governance", "barrier", "Ben", blind=True)
    set_human_codes(store, ids[2:3], "trust", "barrier", "Ben", blind=True)
    missing = measure_agreement(store, "C")
    as_none = measure_agreement(store, "C", uncoded="none")
    assert (missing.units, as_none.units) == (3, len(ids))
    ana = ["governance"] * 4 + ["none"] * (len(ids) - 4)
    ben = ["governance"] * 2 + ["trust"] + ["none"] * (len(ids) - 3)
    assert as_none.pairs[0].kappa == pytest.approx(cohen_kappa_score(ana, ben))
    assert as_none.pairs[0].percent == pytest.approx((len(ids) - 2) / len(ids))
    assert missing.pairs[0].percent == pytest.approx(2 / 3)
    from collablens.analysis.agreement import exclusion_note

    assert "counts as that coder's 'none'" in exclusion_note(as_none)
    assert "is missing for that coder" in exclusion_note(missing)
    with pytest.raises(AgreementError, match="--uncoded is 'missing' or 'none'"):
        measure_agreement(store, "C", uncoded="zero")


def test_the_web_page_says_its_own_way_where_the_command_line_names_options(store, web):
    """The command line's --uncoded and --coders are links on the agreement page; no
    message there names a command."""
    import html

    from webkit import COLLAB, sign_in

    from collablens.access.accounts import ANALYST
    from collablens.analysis.agreement import exclusion_note
    from collablens.errors import for_web

    ids = _interviews(store)
    set_human_codes(store, ids[:4], "governance", "barrier", "Ana", blind=True)
    with pytest.raises(AgreementError) as info:
        measure_agreement(store, "C")
    assert "collablens review --blind" in str(info.value)
    assert "collablens" not in for_web(info.value) and "--" not in for_web(info.value)
    set_human_codes(store, ids[:2], "governance", "barrier", "Ben", blind=True)
    result = measure_agreement(store, "C")
    assert "--uncoded none" in exclusion_note(result)
    assert "--" not in exclusion_note(result, cli=False)
    client = web.client()
    sign_in(client, ANALYST)
    url = "/c/" + COLLAB.replace(" ", "%20") + "/agreement"
    page = html.unescape(client.get(url).text)
    assert "nobody has coded these passages" in page
    assert "collablens" not in page.split("<main", 1)[1] and "--" not in page.split("<main", 1)[1]
    assert client.get(url + "?uncoded=zero").status_code == 400
