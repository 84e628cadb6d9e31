"""Only codes people can trust are counted: a person's, and the model's accepted ones.

Every code here is written by the test (rows, or `Code` objects from a stand-in coder),
so nothing depends on what the shipped model decides today.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import head_revision
from sqlalchemy import inspect, select, text

from collablens.analysis.findings import find
from collablens.analysis.provenance import coding_state
from collablens.analysis.quotes import polarity_phrase, polarity_shown, shown_polarity
from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
from collablens.reporting.view import build_report, render_html
from collablens.store import (
    Store,
    codes,
    comments,
    metadata,
    now,
    respondents,
    segments,
    waves,
)
from collablens.store.queries import coding as coding_q
from collablens.store.queries.surveys import insert_import
from collablens.store.queries.waves import ensure_wave
from collablens.surveys.importer import import_responses
from collablens.text.classifier import Code
from collablens.text.coding import code_segments, segment_comments, set_human_code
from collablens.text.files import _write
from collablens.vocabulary import UNCLEAR_POLARITY

TRUST = ["accepted", "polarity_confidence", "polarity_sure"]


# -- store: migration 0006 ------------------------------------------------------------------


def _segments(store: Store, n: int) -> list[int]:
    """`n` respondents in one wave, each with a comment of one segment; their segment ids."""
    with store.begin() as conn:
        wid = ensure_wave(conn, "C", "1")
        iid = insert_import(
            conn, wid, filename="f.csv", sha256="0" * 64, source_format="wide",
            rows_added=n, item_ids=["a"], scale_min=1,
        )  # fmt: skip
        ids = []
        for i in range(n):
            rid = conn.execute(
                respondents.insert().values(wave_id=wid, import_id=iid, key=f"k{i}", answers=b"\1")
            ).inserted_primary_key[0]
            cid = conn.execute(
                comments.insert().values(respondent_id=rid, question_id="q", text=f"t{i}")
            ).inserted_primary_key[0]
            ids.append(
                conn.execute(
                    segments.insert().values(comment_id=cid, position=0, text=f"t{i}")
                ).inserted_primary_key[0]
            )
    return ids


def _trust(store: Store) -> dict[int, tuple]:
    with store.connect() as conn:
        rows = conn.execute(
            select(codes.c.segment_id, codes.c.source, *(codes.c[c] for c in TRUST))
        )
        return {int(sid): (src, *rest) for sid, src, *rest in rows}


def test_upgrade_from_0005_leaves_earlier_model_codes_needing_review(any_store: Store, downgrade):
    ids = _segments(any_store, 3)
    downgrade(any_store, "0005_releases_and_forces")
    assert set(TRUST).isdisjoint(c["name"] for c in inspect(any_store.engine).get_columns("codes"))
    old = dict(factor_id="governance", polarity="barrier", others="[]", coded_at=now())
    with any_store.begin() as conn:  # codes as collablens 0005 wrote them
        for sid, source in zip(ids, ["model", "model", "human"], strict=True):
            conn.execute(
                codes.insert().values(
                    segment_id=sid, confidence=0.97, source=source, model=source, **old
                )
            )
    any_store.migrate()
    assert _trust(any_store) == {
        ids[0]: ("model", False, None, False),
        ids[1]: ("model", False, None, False),
        ids[2]: ("human", True, 1.0, True),  # a person's code counts as it is
    }
    with any_store.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            head_revision()
        )
        state = coding_state(any_store, "C", "1")
    assert (state.comments, state.needs_review, state.codes, state.counted) == (3, 2, 3, 1)
    # And back: 0006 goes down cleanly, keeping every code, and up again.
    downgrade(any_store, "0005_releases_and_forces")
    assert set(TRUST).isdisjoint(c["name"] for c in inspect(any_store.engine).get_columns("codes"))
    any_store.migrate()
    assert len(_trust(any_store)) == 3


def test_write_model_codes_stores_the_coders_decisions(any_store: Store):
    ids = _segments(any_store, 3)
    stamp = now()
    base = ["governance", "barrier", 0.8, "[]", "model", "m", stamp]
    rows = [
        (ids[0], *base, True, 0.91, True),
        (ids[1], *base, False, 0.55, False),
        (ids[2], *base),  # a row that stops before the decisions: it waits for review
    ]
    with any_store.begin() as conn:
        coding_q.lock_coding(conn)
        assert coding_q.write_model_codes(conn, rows, recode=False) == 3
    assert _trust(any_store) == {
        ids[0]: ("model", True, 0.91, True),
        ids[1]: ("model", False, 0.55, False),
        ids[2]: ("model", False, None, False),
    }
    set_human_code(any_store, ids[1], "trust", "enabler")
    assert _trust(any_store)[ids[1]] == ("human", True, 1.0, True)


class StandIn:
    """Codes as a coder would, with the decisions this test chooses."""

    model_name = "stand-in"
    human: list = []

    def code(self, texts: list[str]) -> list[Code]:
        return [
            Code(
                "governance",
                "barrier",
                0.8,
                accepted=len(t) % 2 == 0,
                polarity_confidence=0.25 + len(t) % 3 / 4,
                polarity_sure=len(t) % 3 == 2,
            )
            for t in texts
        ]


def test_code_segments_writes_each_codes_decisions(store: Store):
    ids = _segments(store, 12)
    with store.connect() as conn:
        texts = dict(conn.execute(select(segments.c.id, segments.c.text)).all())
    run = code_segments(store, "C", coder=StandIn(), batch_size=5)  # type: ignore[arg-type]
    assert run.segments_coded == 12
    expected = {
        sid: ("model", len(texts[sid]) % 2 == 0, 0.25 + len(texts[sid]) % 3 / 4,
              len(texts[sid]) % 3 == 2)
        for sid in ids
    }  # fmt: skip
    assert _trust(store) == expected
    assert {v[1] for v in expected.values()} == {True, False}


def test_the_polarity_shown_is_the_codes_only_when_sure_or_a_persons():
    assert polarity_shown("barrier", "model", True) == "barrier"
    assert polarity_shown("barrier", "model", False) == UNCLEAR_POLARITY == "unclear"
    assert polarity_shown("enabler", "human", False) == "enabler"
    frame = pd.DataFrame(
        {
            "polarity": ["barrier", "enabler", "neutral"],
            "source": ["model", "model", "human"],
            "polarity_sure": [True, False, False],
        }
    )
    assert shown_polarity(frame).tolist() == ["barrier", "unclear", "neutral"]


def test_a_codes_file_marks_what_needs_review_and_unclear_polarity():
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["source", "segment", "text", "factor", "factor_name", "polarity",
                     "confidence", "also_present", "accepted"])  # fmt: skip
    units = [("row 2", 1, "1234"), ("row 3", 1, "12345")]
    assert _write(writer, units, StandIn(), {"governance": "Governance"}) == 2  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert [(r["accepted"], r["polarity"]) for r in rows] == [
        ("yes", "unclear"),  # 4 characters: accepted, polarity not sure
        ("no", "barrier"),  # 5 characters: not accepted, polarity sure
    ]


# -- analysis and the report ------------------------------------------------------------


@pytest.fixture
def survey(store: Store, tmp_path) -> Store:
    """Two waves of C: the first cut into segments, the second not coded at all."""
    fw = store.framework
    sc = Scenario(forces={"Alpha": 30, "Beta": 20, "Gamma": 4}, comment_share=0.6)
    for i, wave in enumerate(("2025", "2026")):
        path = tmp_path / f"{wave}.csv"
        to_template_csv(simulate_wave(fw, sc, i, seed=5), path)
        import_responses(store, path, "C", wave)
    segment_comments(store, "C")
    return store


def _wave_segments(store: Store, wave: str) -> list[tuple[int, int, str]]:
    """(segment id, comment id, force) of a wave's segments, in id order."""
    stmt = (
        select(segments.c.id, segments.c.comment_id, respondents.c.force)
        .join(comments, comments.c.id == segments.c.comment_id)
        .join(respondents, respondents.c.id == comments.c.respondent_id)
        .join(waves, waves.c.id == respondents.c.wave_id)
        .where(waves.c.label == wave)
        .order_by(segments.c.id)
    )
    with store.connect() as conn:
        return [(int(s), int(c), str(f)) for s, c, f in conn.execute(stmt)]


def _code(store: Store, wave: str, rule: Callable[[int], tuple | str]) -> list[tuple]:
    """Code each segment of a wave by `rule(position)`: "human" or a model code's fields."""
    coded = _wave_segments(store, wave)
    rows, people = [], []
    for i, (sid, _, _) in enumerate(coded):
        how = rule(i)
        if how == "human":
            people.append(sid)
        else:
            factor, polarity, accepted, sure = how
            model = ("model", "m", now())
            rows.append((sid, factor, polarity, 0.9, "[]", *model, accepted, 0.6, sure))
    with store.begin() as conn:
        coding_q.lock_coding(conn)
        coding_q.write_model_codes(conn, rows, recode=False)
    for sid in people:
        set_human_code(store, sid, "governance", "barrier")
    return coded


def _mixed(i: int) -> tuple | str:
    return [
        "human",  # governance, barrier
        ("governance", "enabler", True, True),  # accepted, polarity sure
        ("governance", "barrier", True, False),  # accepted, polarity unclear
        ("trust", "barrier", False, True),  # not accepted: needs review, never counted
    ][i % 4]


def test_counts_and_quotes_use_only_human_and_accepted_codes(survey: Store):
    coded = _code(survey, "2025", _mixed)
    out = find(survey, "C", "2025")
    # Forces with fewer than comment_k people (Gamma, and any hidden to protect it) are
    # never counted or quoted.
    big = {r["group"] for r in out.counts["Force"] if (r["n"] or 0) >= out.comment_k}
    assert big and "Gamma" not in big
    kinds = [i % 4 for i, (_, _, force) in enumerate(coded) if force in big]
    assert out.coded and not out.nothing_counted
    by_id = {c.id: c for c in out.comments}
    gov, trust = by_id["governance"], by_id["trust"]
    assert gov.count == sum(k < 3 for k in kinds) > 0
    assert gov.by_polarity == {
        "barrier": kinds.count(0), "enabler": kinds.count(1), "neutral": 0,
        "unclear": kinds.count(2),
    }  # fmt: skip
    assert (gov.barrier, gov.enabler, gov.unclear) == tuple(kinds.count(k) for k in (0, 1, 2))
    assert sum(f["unclear"] for f in gov.by_force) == kinds.count(2)
    assert (trust.count, trust.quotes) == (0, [])  # every trust code waits for review
    assert sum(c.count for c in out.comments) == gov.count
    assert gov.quotes and {q.polarity for q in gov.quotes} <= {"barrier", "enabler", "unclear"}
    assert {q.force for q in gov.quotes} <= big


def test_the_needs_review_count_is_per_wave_and_collaboration(survey: Store):
    coded = _code(survey, "2025", _mixed)
    waiting = {cid for i, (_, cid, _) in enumerate(coded) if i % 4 == 3}
    with survey.connect() as conn:
        total = coding_q.count_comments(conn, "C", "2025")
    first = coding_state(survey, "C", "2025")
    assert (first.comments, first.needs_review, first.uncoded) == (total, len(waiting), 0)
    assert 0 < first.needs_review < first.comments
    second = coding_state(survey, "C", "2026")  # cut but not coded: uncoded, not "to review"
    assert second.needs_review == 0 and second.uncoded == second.comments > 0
    whole = coding_state(survey, "C")
    assert whole.needs_review == first.needs_review
    assert whole.comments == first.comments + second.comments
    assert coding_state(survey, "Other").comments == 0
    out = find(survey, "C", "2025")
    assert (out.needs_review_comments, out.total_comments) == (len(waiting), total)


def test_the_report_says_how_many_comments_need_review(survey: Store):
    _code(survey, "2025", _mixed)
    out = find(survey, "C", "2025")
    n, total = out.needs_review_comments, out.total_comments
    html = render_html(build_report(survey, "C", "2025"))
    sentence = (
        f"{n:,} of {total:,} comments have passages the coder was not sure of; those "
        "passages are left out of the counts and quotes until someone reviews them."
    )
    assert sentence in html and 'id="needs-review"' in html
    assert "collablens review --collaboration" in html
    assert 'id="method-coding"' in html and "wait for review" in html
    assert "unclear that could be any of these" in html or "with polarity unclear" in html
    assert "Grey: " in html and "could not tell well enough whether staff meant it" in html


def test_a_factor_with_unclear_or_waiting_passages_never_reads_as_one_sided():
    """The one phrase every output uses: open shares are said as plainly as sure ones."""
    assert polarity_phrase(0, 19, 0, 0) == "0 as a barrier, 19 as an enabler, 0 neutral"
    most = polarity_phrase(0, 19, 0, 60)
    assert (
        most.startswith("60 of 79 not clear whether a barrier or an enabler")
        and "0 as a barrier" in most
    )
    some = polarity_phrase(0, 19, 2, 5)
    assert some.endswith("and 5 unclear that could be any of these")
    waiting = polarity_phrase(0, 19, 0, 0, waiting=187)
    assert waiting.endswith(
        "187 more passages (repeats of a sentence included) placed here by the coder wait "
        "for a person to check them"
    )
    assert polarity_phrase(0, 0, 0, 33).startswith(
        "all 33 not clear whether a barrier or an enabler"
    )
    assert polarity_phrase(0, 0, 0, 0) == "not raised"
    assert polarity_phrase(0, 0, 0, 0, waiting=3).startswith("none counted yet")


def test_a_chart_of_unclear_passages_when_no_counted_polarity_is_sure(survey: Store):
    """Counted passages whose polarity is not known still show which factors staff raised:
    as grey bars, the unclear share drawn as plainly as a barrier or an enabler would be."""
    _code(survey, "2025", lambda i: ("governance", "enabler", True, False))
    rep = build_report(survey, "C", "2025")
    assert rep.coded and rep.polar_mentions == 0 and rep.unclear_mentions > 0
    assert "not clear which" in rep.charts["mentions"]
    html = render_html(rep)
    assert (
        "not clear whether a barrier or an enabler (too few sure to say which way staff lean)"
        in html
    )
    assert 'id="needs-review"' not in html  # every code was accepted


def test_the_report_says_so_when_no_code_can_be_counted(survey: Store):
    _code(survey, "2025", lambda i: ("governance", "barrier", False, True))
    rep = build_report(survey, "C", "2025")
    assert not rep.coded and rep.nothing_counted
    assert rep.needs_review_comments == rep.total_comments > 0
    assert "mentions" not in rep.charts
    html = render_html(rep)
    assert "Nothing counted yet" in html
    assert f"{rep.needs_review_comments:,} of {rep.total_comments:,} comments have passages" in html
    assert "no mention is counted by factor" in html
    assert "the coder was sure of no passage" in html  # the method note says it too
    # Not an empty section: the comments are still there, grouped by their question.
    assert "<blockquote>" in html and "grouped by the question they answered" in html


def test_nothing_to_review_says_nothing_about_review(survey: Store):
    _code(survey, "2025", lambda i: "human" if i % 2 else ("none", "neutral", True, True))
    rep = build_report(survey, "C", "2025")
    assert rep.coded and rep.needs_review_comments == 0 and rep.review_note == ""
    html = render_html(rep)
    assert 'id="needs-review"' not in html and "unclear</span>" not in html


def test_collablens_code_says_how_many_comments_need_review(tmp_path):
    from typer.testing import CliRunner

    from collablens.cli import app

    db = tmp_path / "w.db"
    store = Store(str(db))
    store.migrate()
    ids = _segments(store, 3)
    rows = [(sid, "governance", "barrier", 0.4, "[]", "model", "m", now()) for sid in ids[:2]]
    with store.begin() as conn:
        coding_q.write_model_codes(conn, rows, recode=False)
    set_human_code(store, ids[2], "trust", "enabler")
    store.close()
    res = CliRunner().invoke(app, ["code", "--db", str(db)])  # nothing left to code
    assert res.exit_code == 0, res.output
    assert "2 of 3 comments have passages the coder was not sure of" in " ".join(res.output.split())
    assert "collablens review" in res.output


def test_review_shows_codes_that_do_not_count_yet_first(any_store: Store):
    """Accepted codes already count; the queue starts with those the report leaves out,
    even when an accepted code is less confident."""
    from collablens.text.coding import review_queue

    ids = _segments(any_store, 4)
    stamp = now()
    rows = [
        (ids[0], "governance", "barrier", 0.55, "[]", "model", "m", stamp, True, 0.9, True),
        (ids[1], "trust", "enabler", 0.97, "[]", "model", "m", stamp, False, 0.9, True),
        (ids[2], "governance", "barrier", 0.60, "[]", "model", "m", stamp, True, 0.9, True),
        (ids[3], "trust", "enabler", 0.95, "[]", "model", "m", stamp, False, 0.9, True),
    ]
    with any_store.begin() as conn:
        coding_q.lock_coding(conn)
        coding_q.write_model_codes(conn, rows, recode=False)
    order = [item.segment_id for item in review_queue(any_store, "C")]
    assert set(order[:2]) == {ids[1], ids[3]}
    assert set(order[2:]) == {ids[0], ids[2]}
