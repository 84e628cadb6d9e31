"""One web response checked in plain Python (`importer.parse_one`) refuses exactly what the
importer's `parse` refuses for a file of that one row, in the same words, and stores the
same row: the web path is the import's checks, not a copy of them.

`by_import` is how `online.submit` read a response until issue 25 (a one-row table
through `parse`); it stays here as the reference the faster path is held to."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import secrets
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from collablens.store.tables import comments, respondents
from collablens.surveys import online
from collablens.surveys.attributes import set_forces
from collablens.surveys.importer import map_columns, pack_answers, parse, parse_one
from collablens.surveys.instrument import DONT_KNOW, response_columns
from collablens.surveys.readers import InputError, RawTable

COLLAB, WAVE = "North East ROCU", "2026"
FORCES = ["Durham", "Cleveland", "Northumbria"]


@functools.cache
def built_in():
    """The built-in framework (not a fixture: a failing example then prints short)."""
    from collablens.framework import framework_source, parse_framework

    return parse_framework(*framework_source(None))


def by_import(cells, headers, cmap, fw, force, declared):
    """The old path: the response as a one-row table through the importer's `parse`."""
    raw = RawTable(
        path=Path(online.ORIGIN),
        headers=headers,
        data=pd.DataFrame([cells], columns=list(range(len(headers)))),
        first_row=2,
        source_format=online.WEB_FORMAT,
        sha256=hashlib.sha256(json.dumps(cells).encode()).hexdigest(),
        aliases=[[] for _ in headers],
    )
    return parse(
        raw,
        cmap,
        fw,
        force=force,
        declared_forces=declared,
        wave=WAVE,
        collaboration=COLLAB,
    )


def outcome(run):
    """What a reading decides: its refusal (lines, hint, ways out) or what it would store."""
    try:
        return ("stored", run())
    except InputError as exc:
        return ("refused", (exc.problems, exc.hint, [(f.cli, f.web) for f in exc.fixes]))


def old_outcome(cells, headers, cmap, fw, force, declared):
    def run():
        p = by_import(cells, headers, cmap, fw, force, declared)
        if p.frame.empty:
            return ("nothing", bool(p.non_answer_rows))
        row = p.frame.iloc[0]
        return (
            row["key"],
            {c: row[c] for c in p.frame.columns if c != "key"},
            dict(zip(p.item_ids, [_nan(v) for v in p.values[0]], strict=True)),
            [(q, f, t) for _, q, f, t in p.comments],
        )

    return outcome(run)


def new_outcome(cells, headers, cmap, fw, force, declared):
    def run():
        one = parse_one(
            cells,
            headers,
            cmap,
            fw,
            origin=online.ORIGIN,
            force=force,
            declared_forces=declared,
            collaboration=COLLAB,
        )
        if not one.answered:
            return ("nothing", one.non_answer)
        return (
            one.key,
            one.attributes,
            {k: _nan(v) for k, v in one.values.items()},
            one.comments,
        )

    return outcome(run)


def _nan(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


ANSWERS = st.sampled_from(
    ["1", "2", "3", "4", "5", " 4 ", "4.0", "0", "6", "-1", "99", "", " ", DONT_KNOW,
     "don't know", "N/A", "Prefer not to say", "Agree", "Strongly disagree", "Neither",
     "yes", "★★★★", "٣", "3 - Neither agree nor disagree"]
) | st.text(max_size=8)  # fmt: skip
FORCE_VALUES = st.sampled_from(
    [*FORCES, "durham", " Cleveland ", "Durhma", "Cleaveland", "West Yorkshire", "", "  "]
) | st.text(max_size=12)
TEXTS = st.sampled_from(
    ["", "  ", "Ring Jane Smyth on 07700 900456", "The rota changes arrive late"]
) | st.text(max_size=60)


def _option_values(fw, attr):
    a = next(a for a in fw.attributes if a.id == attr)
    words = list(a.options) + [o.lower() for o in a.options] + ["", "Sargeant", "Other"]
    return st.sampled_from(words) | st.text(max_size=10)


@st.composite
def responses(draw, fw):
    headers = response_columns(fw)
    row = {}
    for h in headers:
        if h == "respondent_id":
            row[h] = draw(st.sampled_from([secrets.token_urlsafe(16), "", " ", "x" * 300]))
        elif h == "force":
            row[h] = draw(FORCE_VALUES)
        elif h in ("role", "rank_band", "length_of_service"):
            row[h] = draw(_option_values(fw, h))
        elif h.endswith("_text"):
            row[h] = draw(TEXTS) if draw(st.integers(0, 5)) == 0 else ""
        else:
            row[h] = draw(ANSWERS) if draw(st.integers(0, 2)) else ""
    force = draw(st.sampled_from([None, "Durham", "Cleveland", "Somewhere Else", " "]))
    if force is not None:
        row["force"] = draw(st.sampled_from(["", "", "Durham", "Northumbria"]))
    declared = draw(st.sampled_from([FORCES, FORCES, []]))
    return [row[h] for h in headers], force, declared


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_response_is_refused_and_read_exactly_as_a_one_row_file(data):
    fw = built_in()
    cells, force, declared = data.draw(responses(fw))
    headers = response_columns(fw)
    cmap = map_columns(headers, fw, origin=online.ORIGIN)
    old = old_outcome(cells, headers, cmap, fw, force, declared)
    new = new_outcome(cells, headers, cmap, fw, force, declared)
    assert new == old


@pytest.mark.parametrize(
    "answers",
    [
        {"cultures_1": "9", "trust_1": "Agree", "role": "Sargeant"},  # refused
        {"cultures_1": DONT_KNOW},  # nothing to count
        {"role": "Police staff"},  # nothing answered
    ],
)
def test_a_refusal_is_the_imports_to_the_word(answers):
    fw = built_in()
    headers = response_columns(fw)
    cmap = map_columns(headers, fw, origin=online.ORIGIN)
    cells = [answers.get(h, "") for h in headers]
    cells[headers.index("respondent_id")] = "k1"
    old = old_outcome(cells, headers, cmap, fw, "Durham", FORCES)
    assert old == new_outcome(cells, headers, cmap, fw, "Durham", FORCES)
    assert old[0] == "refused" or old[1][0] == "nothing"


def test_a_stored_response_is_the_row_the_import_would_store(store):
    """Through `online.submit`: the stored respondent (key, attributes, packed answers) and
    its redacted comments are what the old one-row import made of the same answers."""
    store.set_framework()
    fw = store.framework
    set_forces(store, COLLAB, FORCES)
    headers = response_columns(fw)
    cmap = map_columns(headers, fw, origin=online.ORIGIN)
    layout = [it.id for _, it in fw.items]
    sent = [
        ("Durham", {"cultures_1": "2", "trust_1": " 5 ", "role": "police staff",
                    "rank_band": "Sergeant or Inspector or equivalent",
                    "cultures_text": "Call Jane Smyth on 07700 900456 about it"}),
        (None, {"force": " cleveland", "trust_2": DONT_KNOW, "parochialism_1": "4.0",
                "length_of_service": "6 to 15 years"}),
        ("Northumbria", {"trust_text": "The rota changes arrive late"}),
    ]  # fmt: skip
    for force, answers in sent:
        link = online.create_link(store, COLLAB, WAVE, force)
        key = secrets.token_urlsafe(16)
        assert online.submit(store, link.token, key, answers)
        row = {h: answers.get(h, "") for h in headers} | {"respondent_id": key}
        if force is not None:
            row["force"] = ""
        p = by_import([row[h] for h in headers], headers, cmap, fw, force, FORCES)
        where = {item: j for j, item in enumerate(p.item_ids)}
        packed = pack_answers(p.values[:, [where[i] for i in layout]], fw.scale.min)[0]
        want = p.frame.iloc[0]
        with store.connect() as conn:
            got = conn.execute(select(respondents).where(respondents.c.key == want["key"])).one()
            said = conn.execute(
                select(comments.c.question_id, comments.c.factor_id, comments.c.text)
                .where(comments.c.respondent_id == got.id)
                .order_by(comments.c.id)
            ).all()
        assert got.answers == packed
        for attr in ("force", "role", "rank_band", "length_of_service"):
            assert getattr(got, attr) == want[attr], attr
        assert [tuple(s) for s in said] == [(q, f, t) for _, q, f, t in p.comments]
