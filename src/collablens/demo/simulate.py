"""Simulated survey responses for the demo, the tests and the benchmark.

The generative model (documented in docs/demo.md) is deliberately simple and
explicit, so a reader can check that the report recovers what was put in:

* each force f, factor j and wave w has a true mean  mu = base[j] + force_shift[f, j]
  + wave_shift[w, j] + role_shift[role, j]  on the 1-5 health scale;
* each respondent adds a general disposition d ~ N(0, 0.35) shared across factors
  and a view of their own on each factor, v ~ N(0, 0.55);
* each item answer is round(mu + d + v + e), e ~ N(0, 0.7), clipped to 1..5, then
  mirrored (6 - x) for reverse-worded items, as a respondent would answer them;
* 3% of item answers are left blank; a share of respondents write free text whose
  tone follows their own score on that factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..framework import Factor, Framework
from ..surveys.instrument import response_columns

ROLES = ["Police officer", "Police staff", "PCC staff"]
ROLE_WEIGHTS = [0.58, 0.38, 0.04]
RANK_BANDS = [
    "Constable or staff equivalent",
    "Sergeant or Inspector or equivalent",
    "Chief Inspector and above or equivalent",
]
RANK_WEIGHTS = [0.62, 0.30, 0.08]
SERVICE = ["Less than 2 years", "2 to 5 years", "6 to 15 years", "More than 15 years"]
SERVICE_WEIGHTS = [0.12, 0.2, 0.38, 0.3]

# Generic free-text fragments for a framework the demo has no comments for (the built-in
# framework's own are in comments.yaml); {name} and {ident} exercise redaction.
BARRIER = [
    "Honestly {topic} is what holds us back most.",
    "We keep hitting problems with {topic} and nothing changes.",
    "{topic} has got worse since the merger, speak to Sgt {name} about it.",
    "Nobody has sorted out {topic} and it frustrates the team.",
]
ENABLER = [
    "{topic} is working well for us now.",
    "Good progress on {topic}, credit to Insp {name} (collar {ident}).",
    "I think {topic} is a real strength of the collaboration.",
    "{topic} has made joint working much easier this year.",
]
NAMES = ["Morgan", "Ellis", "Patel", "Okafor", "Hughes", "Brennan", "Lindqvist"]


@dataclass
class Scenario:
    """Who answers and what they think: the knobs of the generative model."""

    forces: dict[str, int]  # force name -> respondents per wave ("" = force left blank)
    base: dict[str, float] = field(default_factory=dict)  # factor -> mean (default 3.3)
    force_shift: dict[str, dict[str, float]] = field(default_factory=dict)
    wave_shift: dict[int, dict[str, float]] = field(default_factory=dict)  # wave index -> factor
    role_shift: dict[str, dict[str, float]] = field(default_factory=dict)
    comment_share: float = 0.25
    missing_share: float = 0.03


def demo_scenario(framework: Framework) -> Scenario:
    """Five fictional forces of very different sizes; the smallest resents the largest."""
    ids = [f.id for f in framework.factors]
    base = dict.fromkeys(ids, 3.3)
    base.update(
        {
            "cultures": 3.0,
            "parochialism": 3.2,
            "politics_risk": 2.9,
            "governance": 2.8,
            "practicalities": 2.5,
            "trust": 3.5,
            "leadership": 3.95,
            "time_pace": 2.7,
            "coproduction": 3.0,
            "champions": 4.3,
        }
    )
    return Scenario(
        forces={
            "Northmoor Police": 420,
            "Eastdale Constabulary": 230,
            "Fellside Police": 120,
            "Harbourwick Police": 48,
            "Tarn Valley Constabulary": 8,
            "": 12,
        },
        base={k: v for k, v in base.items() if k in ids},
        force_shift={
            "Harbourwick Police": {"parochialism": -0.9, "trust": -0.4},
            "Tarn Valley Constabulary": {"parochialism": -1.2},
            "Fellside Police": {"parochialism": -0.4, "practicalities": -0.3},
            "Northmoor Police": {"parochialism": 0.4, "leadership": 0.2},
        },
        wave_shift={1: {"time_pace": 0.7, "trust": 0.2, "practicalities": 0.1}},
        role_shift={"PCC staff": {"politics_risk": 0.4}, "Police staff": {"practicalities": -0.2}},
    )


def simulate_wave(
    framework: Framework,
    scenario: Scenario,
    wave_index: int = 0,
    seed: int = 0,
    id_prefix: str = "R",
) -> pd.DataFrame:
    """One wave of responses in the response-template layout (raw, not reverse-scored)."""
    rng = np.random.default_rng([seed, wave_index])
    forces = np.repeat(list(scenario.forces), list(scenario.forces.values()))
    n = len(forces)
    sc = framework.scale

    # Each attribute's answers come from the framework's options where it lists them and
    # ours do not fit (a framework with other roles), so its files import as they would.
    def draw(attr: str, ours: list[str], weights: list[float]) -> np.ndarray:
        a = next((a for a in framework.attributes if a.id == attr), None)
        if a is None or not a.options or set(ours) <= set(a.options):
            return rng.choice(ours, size=n, p=weights)
        # As in our lists, the last option is rare (4%): small groups to protect.
        m = len(a.options)
        weights = [0.96 / (m - 1)] * (m - 1) + [0.04] if m > 1 else [1.0]
        return rng.choice(list(a.options), size=n, p=weights)

    roles = draw("role", ROLES, ROLE_WEIGHTS)
    frame: dict[str, object] = {
        "respondent_id": [f"{id_prefix}{wave_index + 1}-{i:07d}" for i in range(n)],
        "force": forces,
        "role": roles,
        "rank_band": draw("rank_band", RANK_BANDS, RANK_WEIGHTS),
        "length_of_service": draw("length_of_service", SERVICE, SERVICE_WEIGHTS),
    }
    disposition = rng.normal(0, 0.35, size=n)
    texts: dict[str, np.ndarray] = {}
    mid = (sc.min + sc.max) / 2
    for f in framework.factors:
        mu = np.full(n, scenario.base.get(f.id, mid + 0.3))
        for force, shifts in scenario.force_shift.items():
            mu[forces == force] += shifts.get(f.id, 0.0)
        for role, shifts in scenario.role_shift.items():
            mu[roles == role] += shifts.get(f.id, 0.0)
        for w in range(1, wave_index + 1):
            mu += scenario.wave_shift.get(w, {}).get(f.id, 0.0)
        latent = mu + disposition + rng.normal(0, 0.55, size=n)
        for it in f.items:
            x = np.clip(np.rint(latent + rng.normal(0, 0.7, size=n)), sc.min, sc.max)
            if it.reverse:
                x = sc.min + sc.max - x
            x[rng.random(n) < scenario.missing_share] = np.nan
            frame[it.id] = x
        questions = [q for q, ff, _ in framework.free_text_questions if ff.id == f.id]
        if questions:
            texts[questions[0]] = _comments(rng, f, latent, scenario.comment_share, mid)
    out = pd.DataFrame(frame)
    for q, col in texts.items():
        out[q] = col
    for c in response_columns(framework):
        if c not in out:
            out[c] = ""
    return out[response_columns(framework)]


@cache
def demo_comments() -> dict:
    """The demo's own comments per factor id and polarity, and `none` (comments.yaml)."""
    return yaml.safe_load((Path(__file__).parent / "comments.yaml").read_text(encoding="utf-8"))


def _comments(
    rng: np.random.Generator, factor: Factor, latent: np.ndarray, share: float, mid: float
):
    """A comment from a share of respondents, barrier or enabler as their own score says.

    The built-in framework's factors get comments written in staff's words, with about
    one in eleven about no factor at all, as real surveys get; any other framework gets
    generic sentences that name the factor."""
    bank_of = demo_comments()
    own = bank_of.get(factor.id)
    n = len(latent)
    out = np.full(n, "", dtype=object)
    writes = np.flatnonzero(rng.random(n) < share)
    for i in writes:
        side = "barrier" if latent[i] < mid else "enabler"
        if own:
            bank = own[side]
            pick = int(rng.integers(2 * len(bank) + 1))
            template = bank[pick // 2] if pick < 2 * len(bank) else None
        else:
            template = (BARRIER if side == "barrier" else ENABLER)[rng.integers(len(BARRIER))]
        name = NAMES[rng.integers(len(NAMES))]
        ident = int(rng.integers(1000, 9999))
        if template is None:
            text = bank_of["none"][ident % len(bank_of["none"])]
        else:
            text = template.format(topic=factor.name.lower(), name=name, ident=ident)
        out[i] = text[0].upper() + text[1:]
    return out


def to_template_csv(frame: pd.DataFrame, path) -> None:
    """Likert answers as whole numbers, blanks empty, as a filled-in template would be."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype.kind == "f":
            out[c] = out[c].astype("Int64")
    from ..outputs import atomic_path

    with atomic_path(path, "demo answers") as tmp:
        out.to_csv(tmp, index=False)


def to_qualtrics_csv(frame: pd.DataFrame, framework: Framework, path) -> None:
    """The same answers as a Qualtrics export: three header rows, wording, answers as words."""
    labels = framework.scale.labels
    wording = {it.id: f"How far do you agree? - {it.text}" for _, it in framework.items}
    wording |= {q: p for q, _, p in framework.free_text_questions}
    attr = {a.id: a.label for a in framework.attributes}
    cols = ["ResponseId", *frame.columns[1:]]
    row1 = ["ResponseId", *[f"Q{i}" for i in range(1, len(cols))]]
    row2 = ["Response ID", *[wording.get(c, attr.get(c, c)) for c in frame.columns[1:]]]
    row3 = ['{"ImportId":"_recordId"}', *[f'{{"ImportId":"QID{i}"}}' for i in range(1, len(cols))]]
    body = frame.copy()
    for _, it in framework.items:
        body[it.id] = body[it.id].map(lambda v: "" if pd.isna(v) else labels.get(int(v), int(v)))
    header = pd.DataFrame([row1, row2, row3], columns=frame.columns)
    from ..outputs import atomic_path

    with atomic_path(path, "demo answers") as tmp:
        pd.concat([header, body.astype(object)], ignore_index=True).to_csv(
            tmp, index=False, header=False
        )
