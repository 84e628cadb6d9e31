"""The disclosure gate: the one function every published figure and text passes through.

Whatever collablens shows (the report, the `scores` table and its CSV or JSON, codes
written from a file, the future web app) is first handed to `disclose` with the
workspace's `Policy`. `disclose` has one rule per kind of thing it may be given:

- `RawScores` -> `Scores`: small-group suppression (primary and secondary, the same
  groups hidden for every factor), reliability hidden under k, then partner gaps and
  change computed from the shown cells only;
- `CommentEvidence` -> `CommentEvidence`: comments, mention counts and quote
  candidates kept only from forces shown with at least `comment_k` respondents, so no
  hidden force's count can be found by subtracting shown forces from a total;
- `Passages` -> `Passages`: free text redacted of personal data before anything is
  segmented, coded or written;
- `InterviewEvidence` -> `InterviewEvidence`: participants counted by force and role
  only in groups of at least `interview_k`, smaller ones pooled so that none can be
  recovered by subtraction; a quote names its force only where that group is shown;
- `ForAudience` -> what it wraps, cut to the audience: a force lead's findings, interview
  findings and scores keep the totals and their own force, and lose every section that
  compares forces (`COMPARES_FORCES`); `ChampionNames` keeps names only for those who may
  read them. No page, command or export decides an audience rule again.

Anything else raises TypeError: a new kind of output needs a rule here before it can
publish anything. `tests/test_disclosure.py` runs every output on a store with a
three-person force and searches what comes out for that force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import singledispatch
from typing import Any

import numpy as np
import pandas as pd

from ..store import Store
from ..vocabulary import (
    ATTRIBUTES,
    DEFAULT_ALPHA,
    DEFAULT_COMMENT_K,
    DEFAULT_INTERVIEW_K,
    DEFAULT_K,
    FEW_ASKED,
    NOT_ASKED,
    NOT_STATED,
)
from . import comparisons
from .anonymity import PRIMARY, SECONDARY, suppress_partition
from .scoring import RawScores, Scores


@dataclass(frozen=True)
class Policy:
    """How much a workspace may show: no group under `k`, no comments from a force under
    `comment_k`. `audience_force`: the output is for one force's lead, who may read only
    their own force's comments and interview quotes (and its figures beside the totals)."""

    k: int = DEFAULT_K
    comment_k: int = DEFAULT_COMMENT_K
    interview_k: int = DEFAULT_INTERVIEW_K
    audience_force: str | None = None
    #: The output is for someone whose role may read people's names (the register's
    #: champions): the programme office only. Names are shown nowhere else.
    see_names: bool = False

    @classmethod
    def of(cls, store: Store) -> Policy:
        """The policy a workspace was set up with (`collablens init --k --comment-k`)."""
        return cls(k=store.anonymity_k, comment_k=store.comment_k, interview_k=store.interview_k)


@dataclass
class InterviewEvidence:
    """Interview participants (key, force, role) and the counted codes of their passages
    (dicts with factor_id, polarity, source, polarity_sure, text, force...), before or after
    disclosure. After: participant counts by force and role with small groups pooled, and
    each code's `shown_force` (its force where that group is shown, else None)."""

    participants: list[tuple[str, str | None, str | None]]
    codes: list[dict]
    by_force: list[dict] = field(default_factory=list)
    by_role: list[dict] = field(default_factory=list)
    k: int = DEFAULT_INTERVIEW_K
    disclosed: bool = False
    #: The collaboration's force names: a pooled participant's words read "[force]" for them.
    forces: list[str] = field(default_factory=list)


@dataclass
class CommentEvidence:
    """Free-text evidence of one wave, before or after disclosure.

    `coded_counts` (factor_id, force, polarity, source, polarity_sure, n) and `quotes`
    (quote candidates with force, polarity, confidence, source, polarity_sure) of the
    codes that count, when the text is coded; `comments` (answers
    with force and group_count) when it is not. `respondent_counts` are the disclosed
    respondent counts (`Scores.counts`) that decide which forces may be quoted.
    """

    wave: str
    respondent_counts: pd.DataFrame
    coded_counts: pd.DataFrame | None = None
    quotes: pd.DataFrame | None = None
    comments: pd.DataFrame | None = None
    allowed_forces: frozenset[str] = frozenset()
    disclosed: bool = False


@dataclass
class Passages:
    """Free text from outside the store (a file to code), on its way to an output."""

    texts: list[str] = field(default_factory=list)
    redacted: bool = False


@singledispatch
def disclose(subject: object, policy: Policy, **options: Any) -> Any:
    """Apply the anonymity and privacy rules to `subject`; the only way out for results."""
    raise TypeError(
        f"no disclosure rule for {type(subject).__name__}: add one to "
        "collablens.analysis.disclosure before publishing it"
    )


#: Why a cell is hidden besides small numbers: with what is already published it would
#: give a small group away by subtraction (the audit, when an edition is published), or
#: two breakdowns published together would isolate a small cross cell.
RELEASE = "release"
CROSS = "cross"
#: The "dimension" of a withheld reliability (complete-answer) count in `forced`.
RELIABILITY = "reliability"

#: Why a figure is hidden, in words a chief officer reads at a glance: what the report,
#: the dashboard, the deck and the command line say (`why_hidden`), declared once.
WHY_HIDDEN: dict[str, str] = {
    PRIMARY: "too few people: fewer than {k} answered",
    SECONDARY: "hidden so that a smaller group cannot be worked out by subtraction",
    RELEASE: (
        "withheld: with the figures already published, it would reveal a small group by subtraction"
    ),
    CROSS: "hidden so that a small group inside another cannot be worked out",
    # Not hidden: never asked. A factor an export left out has nothing to hide.
    NOT_ASKED: "no questions asked",
    FEW_ASKED: "too few of its questions asked to give a score",
}
#: Codes in `suppressed` that mean the survey did not ask a factor, not that it is hidden.
UNASKED = frozenset({NOT_ASKED, FEW_ASKED})


def is_unasked(code: str | None) -> bool:
    """Whether a cell has no figure because its factor was not asked (not for anonymity)."""
    return code in UNASKED


def why_hidden(code: str | None, k: int) -> str:
    """The plain reason for a hidden figure, from the gate's code for it ("" if shown)."""
    if code is None:
        return ""
    return WHY_HIDDEN.get(code, "hidden").format(k=k)


Cell = tuple[str, str, str, str]  # wave, dimension, group, factor ("-": respondent count)


@disclose.register
def _disclose_scores(
    subject: RawScores,
    policy: Policy,
    alpha_level: float = DEFAULT_ALPHA,
    breakdowns: tuple[str, ...] | None = None,
    forced: frozenset[Cell] | set[Cell] | None = None,
) -> Scores:
    """Scores that may be published.

    `breakdowns` are the respondent attributes the output publishes (all four when None);
    every other breakdown is dropped before anything is decided, and the published ones
    are checked pairwise. `forced` are cells the release ledger hides (see `ledger`).
    """
    k = policy.k
    dims = tuple(ATTRIBUTES) if breakdowns is None else tuple(breakdowns)
    unknown = set(dims) - set(ATTRIBUTES)
    if unknown:
        raise ValueError(f"unknown breakdowns: {', '.join(sorted(unknown))}")
    forced = set(forced or ())
    # A reliability count withheld on its own: the factor's complete answers, not its cell.
    unreliable = {(w, f) for w, d, _, f in forced if d == RELIABILITY}
    forced = {c for c in forced if c[1] != RELIABILITY}
    counts, cells = _decide(subject, dims, k, forced, cross_check=True)
    # Holm's family is fixed by the analysis: every comparison between groups the
    # small-group rule lets through, on every breakdown, whatever this output publishes
    # and whatever else hides a group from it (see `comparisons`). Only the rows this
    # output shows come out.
    _, family = _decide(subject, tuple(ATTRIBUTES), k, set(), cross_check=False)
    return Scores(
        cells=cells,
        counts=counts,
        reliability=_reliability(subject.reliability, cells, k, unreliable),
        gaps=comparisons.gaps(family, alpha_level, shown=cells),
        change=comparisons.change(family, subject.waves, alpha_level, shown=cells),
        k=k,
        alpha_level=alpha_level,
    )


def _reliability(
    reliability: pd.DataFrame,
    cells: pd.DataFrame,
    k: int,
    withheld: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> pd.DataFrame:
    """Reliability shown only beside the factor's whole-wave score: its complete-answer
    count and alpha are hidden where that score is (a withheld wave, too few people), and
    wherever fewer than `k` answers are complete, so late answers cannot be counted by
    comparing the complete answers of two releases."""
    whole = cells[(cells["dimension"] == "all") & cells["suppressed"].isna()]
    shown = set(zip(whole["wave"].astype(str), whole["factor"], strict=True))
    reliability = reliability.copy()
    beside = pd.Series(
        [
            (str(w), f) in shown and (str(w), f) not in withheld
            for w, f in zip(reliability["wave"], reliability["factor"], strict=True)
        ],
        index=reliability.index,
        dtype=bool,
    )
    small = reliability["n_complete"].isna() | (reliability["n_complete"] < k) | ~beside
    reliability["n_complete"] = reliability["n_complete"].astype(object)
    reliability.loc[small, "n_complete"] = None
    reliability.loc[small, "alpha"] = float("nan")
    return reliability


def _decide(
    subject: RawScores,
    dims: tuple[str, ...],
    k: int,
    forced: set[Cell],
    cross_check: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The respondent counts and cells of `dims` with each hidden one's reason: the
    small-group rule, then (`cross_check`) breakdowns published together, and `forced`."""
    published = {"all", *dims}
    counts = subject.counts[subject.counts["dimension"].isin(published)].reset_index(drop=True)
    extra: dict[tuple[str, str], dict[str, str | None]] = {}
    per_factor: dict[tuple[str, str, str], dict[str, str | None]] = {}
    for wave, dim, group, factor in forced:
        if factor == "-":
            extra.setdefault((dim, wave), {})[group] = RELEASE
        else:
            per_factor.setdefault((dim, wave, factor), {})[group] = RELEASE
    cross = subject.cross if subject.cross is not None else pd.DataFrame()
    if cross_check and len(dims) > 1 and not cross.empty:
        cross = cross[cross["dim_a"].isin(dims) & cross["dim_b"].isin(dims)]
    else:
        cross = cross.iloc[0:0]
    # Group sizes before suppression, per wave, factor ("-": respondents) and group.
    size: dict[tuple[str, str, str, str], int] = {}
    for r in counts.itertuples(index=False) if not cross.empty else ():
        size[(r.wave, "-", r.dimension, r.group)] = int(r.n)
    cells = subject.cells[subject.cells["dimension"].isin(published)].reset_index(drop=True)
    for r in cells.itertuples(index=False) if not cross.empty else ():
        size[(r.wave, r.factor, r.dimension, r.group)] = int(r.n)
    while True:
        reasons = _suppress(counts.assign(factor="-"), ["wave", "factor"], k, extra)
        shown = {
            (w, d, g)
            for w, d, g, why in zip(
                counts["wave"], counts["dimension"], counts["group"], reasons, strict=True
            )
            if why is None
        }
        hide = _cross_leaks(cross, size, shown, k)
        for wave, dim, group in hide:
            extra.setdefault((dim, wave), {})[group] = CROSS
        if not hide:
            break
    counts["suppressed"] = reasons
    all_forced = {(w, g) for w, d, g, f in forced if d == "all" and f == "-"}
    for i in counts.index[counts["dimension"] == "all"]:
        if (counts.at[i, "wave"], counts.at[i, "group"]) in all_forced:
            counts.at[i, "suppressed"] = RELEASE
    counts["n"] = counts["n"].astype(float)
    counts.loc[counts["suppressed"].notna(), "n"] = np.nan
    base: dict[tuple[str, str], dict[str, str | None]] = {}
    for (dim, wave), part in counts.groupby(["dimension", "wave"], sort=False):
        base[(dim, wave)] = dict(zip(part["group"], part["suppressed"], strict=True))
    cells["suppressed"] = _suppress(cells, ["wave", "factor"], k, base, per_factor)
    for i in cells.index[cells["dimension"] == "all"]:
        key = (cells.at[i, "wave"], "all", cells.at[i, "group"], cells.at[i, "factor"])
        if key in forced or (key[0], key[2]) in all_forced:
            cells.at[i, "suppressed"] = RELEASE
    # A factor the wave's survey did not ask has no answers in any group: it is marked so,
    # whatever the small-group rule made of its empty cells (it has no figure to hide).
    for (wave, factor), why in subject.unasked.items():
        unasked = (cells["wave"] == wave) & (cells["factor"] == factor)
        cells.loc[unasked, "suppressed"] = why
    cells = _blank(cells, ["n", "mean", "var", "sd", "ci_low", "ci_high", "band"])
    return counts, cells


@disclose.register
def _disclose_comments(subject: CommentEvidence, policy: Policy) -> CommentEvidence:
    c = subject.respondent_counts
    big = c[
        (c["wave"] == subject.wave) & (c["dimension"] == "force") & (c["n"] >= policy.comment_k)
    ]
    allowed = frozenset(big["group"]) - {NOT_STATED}
    if policy.audience_force is not None:
        allowed &= {policy.audience_force}

    def keep(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        return None if frame is None else frame[frame["force"].isin(allowed)].reset_index(drop=True)

    return replace(
        subject,
        coded_counts=keep(subject.coded_counts),
        quotes=keep(subject.quotes),
        comments=keep(subject.comments),
        allowed_forces=allowed,
        disclosed=True,
    )


OTHER_GROUP = "other"
NOT_GIVEN = "not given"


def pooled_counts(values: list[str | None], k: int) -> tuple[list[dict], set[str]]:
    """Counts of people by group, largest first, with groups under `k` pooled as "other";
    where "other" would hold 1 to k-1 people, the smallest shown groups join it until it
    holds k or more (or nothing is left shown), so no hidden group can be found by
    subtracting the shown ones from the total. Returns the rows and the groups shown."""
    counts: dict[str, int] = {}
    for v in values:
        key = v or NOT_GIVEN
        counts[key] = counts.get(key, 0) + 1
    shown = sorted((g for g, n in counts.items() if n >= k), key=lambda g: (-counts[g], g))
    other = sum(n for g, n in counts.items() if g not in shown)
    while 0 < other < k and shown:
        other += counts[shown.pop()]
    rows = [{"group": g, "n": counts[g]} for g in shown]
    if other:
        rows.append({"group": OTHER_GROUP, "n": other})
    return rows, set(shown)


#: Words a force's name ends with that do not tell one force from another: a participant
#: says "Cleveland", not "Cleveland Police".
FORCE_NAME_ENDINGS = ("police service", "police force", "constabulary", "police", "force")
#: What a force's name reads as in the words of a participant whose force is pooled.
FORCE_PLACEHOLDER = "[force]"


def force_names(forces: list[str]) -> re.Pattern[str] | None:
    """A pattern for the forces' names as people say them: in full, and without the ending
    that every force shares ("Northmoor Police": "Northmoor"), whatever the case."""
    said: set[str] = set()
    for name in forces:
        name = " ".join(name.split())
        said.add(name)
        short = name
        for ending in FORCE_NAME_ENDINGS:
            if short.casefold().endswith(" " + ending):
                short = short[: -len(ending) - 1].rstrip()
                break
        if len(short) >= 3:
            said.add(short)
    if not said:
        return None
    alternatives = "|".join(map(re.escape, sorted(said, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@disclose.register
def _disclose_interviews(subject: InterviewEvidence, policy: Policy) -> InterviewEvidence:
    k = policy.interview_k
    by_force, forces = pooled_counts([f for _, f, _ in subject.participants], k)
    by_role, _ = pooled_counts([r for _, _, r in subject.participants], k)
    codes = [
        {**c, "shown_force": c.get("force") if (c.get("force") or NOT_GIVEN) in forces else None}
        for c in subject.codes
    ]
    # A quote attributed to no force must not name it in its words either ("...Cleveland
    # just fits around them" from a pooled participant names the group that was hidden).
    named = force_names(subject.forces)
    if named is not None:
        codes = [
            {**c, "text": named.sub(FORCE_PLACEHOLDER, c["text"])}
            if c["shown_force"] is None and c.get("text")
            else c
            for c in codes
        ]
    if policy.audience_force is not None:  # a force lead reads their own force's words only
        codes = [
            {**c, "text": None} if c.get("force") != policy.audience_force else c for c in codes
        ]
    return InterviewEvidence(
        subject.participants, codes, by_force, by_role, k=k, disclosed=True, forces=subject.forces
    )


@dataclass
class ChampionNames:
    """The register's champions and brokers, by name: shown only to an audience that may
    read names (`Policy.see_names`); everyone else sees counts by force and role only."""

    entries: list


@disclose.register
def _disclose_champions(subject: ChampionNames, policy: Policy) -> ChampionNames:
    return ChampionNames(list(subject.entries) if policy.see_names else [])


@disclose.register
def _disclose_passages(subject: Passages, policy: Policy) -> Passages:
    # Redacted together (spaCy batches them) and not cached: passages stream through once.
    from ..text.redact import redact_passing

    return Passages(redact_passing(subject.texts), redacted=True)


# -- suppression of a table of cells -------------------------------------------------------


def _cross_leaks(
    cross: pd.DataFrame,
    size: dict[tuple[str, str, str, str], int],
    shown: set[tuple[str, str, str]],
    k: int,
) -> set[tuple[str, str, str]]:
    """Groups to hide so that no two breakdowns published together isolate 1 to k-1 people.

    With outside knowledge of who is in which group ("all our new starters are in Xshire"),
    a reader can subtract a group of one breakdown from a group of another that contains
    it, or subtract from one group every group of another breakdown that lies inside it.
    Both are checked, per factor; a group of the later breakdown (forces come first, so
    forces are kept) is hidden, and the caller then protects it from subtraction.
    """
    hide: set[tuple[str, str, str]] = set()
    if cross.empty:
        return hide
    for (wave, factor, dim_a, dim_b), part in cross.groupby(
        ["wave", "factor", "dim_a", "dim_b"], sort=False
    ):
        inside_a: dict[str, list[tuple[str, int]]] = {}  # a -> shown b's wholly inside it
        inside_b: dict[str, list[tuple[str, int]]] = {}  # b -> shown a's wholly inside it
        for r in part.itertuples(index=False):
            a, b = (wave, dim_a, r.group_a), (wave, dim_b, r.group_b)
            if a not in shown or b not in shown:
                continue
            na = size.get((wave, factor, dim_a, r.group_a), 0)
            nb = size.get((wave, factor, dim_b, r.group_b), 0)
            only_a, only_b = na - int(r.n), nb - int(r.n)
            if (only_b == 0 and 0 < only_a < k) or (only_a == 0 and 0 < only_b < k):
                hide.add(b)
            if only_b == 0:
                inside_a.setdefault(r.group_a, []).append((r.group_b, int(r.n)))
            if only_a == 0:
                inside_b.setdefault(r.group_b, []).append((r.group_a, int(r.n)))
        for group_a, nested in inside_a.items():
            left = size.get((wave, factor, dim_a, group_a), 0) - sum(n for _, n in nested)
            if 0 < left < k:
                hide.add((wave, dim_b, min(nested, key=lambda t: (t[1], t[0]))[0]))
        for group_b, nested in inside_b.items():
            left = size.get((wave, factor, dim_b, group_b), 0) - sum(n for _, n in nested)
            if 0 < left < k:
                hide.add((wave, dim_b, group_b))
    return hide - {h for h in hide if h not in shown}


def _suppress(
    table: pd.DataFrame,
    within: list[str],
    k: int,
    base: dict[tuple[str, str], dict[str, str | None]] | None = None,
    per_factor: dict[tuple[str, str, str], dict[str, str | None]] | None = None,
) -> pd.Series:
    """Suppression reasons for each row, decided partition by partition against its total.

    `base` holds, per (dimension, wave), the groups hidden in the respondent counts;
    every factor hides at least those. `per_factor`, per (dimension, wave, factor), the
    groups hidden for one factor only (by the release ledger).
    """
    reasons = pd.Series([None] * len(table), index=table.index, dtype=object)
    totals = table[table["dimension"] == "all"].set_index(within)["n"]
    for key, part in table[table["dimension"] != "all"].groupby(["dimension", *within], sort=False):
        total = int(totals.get(tuple(key[1:]), part["n"].sum()))
        already = dict((base or {}).get((key[0], key[1])) or {})
        already.update((per_factor or {}).get((key[0], key[1], key[2]), {}))
        counts = dict(zip(part["group"], part["n"].astype(int), strict=True))
        decided = suppress_partition(counts, k, total, already)
        reasons[part.index] = part["group"].map(decided).to_numpy()
    all_rows = table["dimension"] == "all"
    reasons[all_rows & (table["n"] < k)] = PRIMARY
    return reasons.astype(object).where(reasons.notna(), None)


def _blank(table: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    table = table.copy()
    hidden = table["suppressed"].notna()
    for c in cols:
        table[c] = table[c].astype(object if c == "band" else float)
        table.loc[hidden, c] = None if c == "band" else np.nan
    return table


#: Sections of the findings that compare forces with each other: not for one force's lead.
COMPARES_FORCES = frozenset({"gaps", "quadrant"})
OTHER_FORCES = "other forces"


@dataclass
class ForAudience:
    """Findings, interview findings or scores on their way to one audience: the gate cuts
    them to what `policy.audience_force` (a force lead) may see; others see them whole."""

    subject: Any


@disclose.register
def _disclose_audience(subject: ForAudience, policy: Policy) -> Any:
    inner, force = subject.subject, policy.audience_force
    if force is None or inner is None:
        return inner
    if isinstance(inner, Scores):
        return _scores_for_force(inner, force)
    if hasattr(inner, "by_force") and not hasattr(inner, "scorecard"):
        inner.by_force = _own_and_others(inner.by_force, force)
        return inner
    return _findings_for_force(inner, force)


def _alone_with_one(groups: list[str]) -> bool:
    """Two forces (or one) shown: with the totals beside them, a force lead's own figures
    would give the other force's away by subtraction, so they are withheld too."""
    return len([g for g in groups if g != NOT_STATED]) <= 2


def _findings_for_force(out: Any, force: str) -> Any:
    """A force lead's findings: the totals and their own force, nothing of another."""
    from ..vocabulary import ATTRIBUTE_LABELS

    label = ATTRIBUTE_LABELS["force"]
    shown = [r["group"] for r in out.counts.get(label, []) if r["n"]]
    keep_force = set() if _alone_with_one(shown) else {force}
    out.gaps, out.headline_gaps, out.gaps_tested = [], [], 0
    out.quadrant = None
    out.changes = [c for c in out.changes if c["group"] in {"whole collaboration", *keep_force}]
    if out.force_means is not None:
        keep = [c for c in out.force_means.columns if c in keep_force]
        out.force_means = out.force_means[keep] if keep else None
    if label in out.counts:
        out.counts[label] = [r for r in out.counts[label] if r["group"] in keep_force]
    out.suppressed = []
    out.hidden_sections = COMPARES_FORCES
    return out


def _own_and_others(rows: list[dict], force: str) -> list[dict]:
    """Interview participants by force for one force's lead: theirs, and all others as one."""
    own = [r for r in rows if r["group"] == force]
    others = sum(int(r["n"]) for r in rows if r["group"] != force)
    return own + ([{"group": OTHER_FORCES, "n": others}] if others else [])


def _scores_for_force(scores: Scores, force: str) -> Scores:
    """A force lead's scores export: whole-collaboration rows and their own force's, per
    wave (none of their own where only two forces are shown); no gaps between forces."""
    c = scores.counts
    keep_waves = set()
    for wave, part in c[(c["dimension"] == "force") & c["suppressed"].isna()].groupby("wave"):
        if not _alone_with_one(list(part["group"].astype(str))):
            keep_waves.add(wave)

    def mine(t: pd.DataFrame, group: str = "group") -> pd.Series:
        whole = t["dimension"] == "all"
        own = (t["dimension"] == "force") & (t[group] == force) & t["wave"].isin(keep_waves)
        return whole | own

    change = scores.change
    change = change[mine(change.rename(columns={"wave_to": "wave"}))] if len(change) else change
    return replace(
        scores,
        cells=scores.cells[mine(scores.cells)].reset_index(drop=True),
        counts=c[mine(c)].reset_index(drop=True),
        gaps=scores.gaps.iloc[0:0],
        change=change.reset_index(drop=True),
    )
