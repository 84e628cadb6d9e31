"""The findings of one wave: every number a report shows, and every choice of what to show.

`find` loads a collaboration, scores it through the disclosure gate, gathers its free
text through the same gate and decides what is worth reading first (strengths,
concerns, headline gaps and changes, actions, quotes). The result is plain data: the
HTML report, the CLI and the web app only format it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..framework import Framework
from ..store import Store
from ..vocabulary import (
    ALL_RESPONDENTS,
    ATTRIBUTE_LABELS,
    DEFAULT_COMMENT_K,
    NOT_STATED,
    QUOTE_CANDIDATES,
)
from . import plain
from .dataset import SurveyData, load, load_coded, load_comments
from .disclosure import (
    CROSS,
    RELEASE,
    CommentEvidence,
    ForAudience,
    Policy,
    disclose,
    is_unasked,
    why_hidden,
)
from .interviews import InterviewFindings, interview_findings
from .provenance import coding_notes, coding_state, import_readings, method_notes, review_note

if TYPE_CHECKING:
    from .editions import WaveEvidence
from .quotes import FactorComments, summarise
from .scoring import Scores

HEADLINE_EFFECT = 0.5  # Hedges' g at which a significant gap makes the summary
GAPS_SHOWN = 15
SUMMARY_ITEMS = 3  # headline gaps and changes; strengths and concerns are all named
ALPHA_LOW = (
    plain.LOW_AGREEMENT
)  # Cronbach's alpha below which a factor's items do not hang together well
# Band labels that are nouns, with their plurals; any other label is read as an adjective
# ("4 borderline", "2 thriving") and left as it is.
PLURALS = {"strength": "strengths", "concern": "concerns", "weakness": "weaknesses"}
# Which breakdowns the report shows, and of what: README's "Anonymity" says the same.
SCORE_BREAKDOWNS = ("force",)


DEFAULT_BREAKDOWNS: tuple[str, ...] = ("force",)
# Why a group's figures are hidden, in the words the report uses.
HIDDEN_BECAUSE = {
    "primary": "small group",
    "secondary": "protects a small group",
    RELEASE: "with the figures already published it would reveal a small group",
    CROSS: "with another breakdown it would isolate a few people",
}


@dataclass
class Findings:
    """Everything a report of one wave shows; hidden cells are None, never a number."""

    collaboration: str
    wave: str
    waves: list[str]  # the waves up to and including `wave`, oldest first
    framework: Framework
    k: int
    comment_k: int
    n_respondents: int | None
    scorecard: list[dict] = field(default_factory=list)
    strengths: list[dict] = field(default_factory=list)
    concerns: list[dict] = field(default_factory=list)
    headline_gaps: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    gaps_tested: int = 0
    changes: list[dict] = field(default_factory=list)
    reliability: list[dict] = field(default_factory=list)
    counts: dict[str, list[dict]] = field(default_factory=dict)
    suppressed: list[str] = field(default_factory=list)
    comments: list[FactorComments] = field(default_factory=list)
    coded: bool = False
    # Comments of this wave not coded yet (an interrupted coding run): the counts are partial.
    uncoded_comments: int = 0
    # Comments of this wave, and those with passages whose model code is not accepted:
    # those passages are left out of counts and quotes until someone reviews them.
    total_comments: int = 0
    needs_review_comments: int = 0
    # Passages are coded, but not one code counts yet: the comments are shown grouped by
    # the question they answered, and `review_note` says why.
    nothing_counted: bool = False
    review_note: str = ""  # the sentence the report prints about it; empty when none wait
    coding_notes: list[str] = field(default_factory=list)  # for the method note
    top_band: str = ""
    bottom_band: str = ""
    n_strengths: int = 0
    n_concerns: int = 0
    # Every factor's band in one plain line ("1 strength, 5 concerns, 4 borderline"),
    # the counts behind it (highest band first), and the factors whose 95% interval
    # crosses a band edge ("on the line").
    headline: str = ""
    band_counts: list[dict] = field(default_factory=list)
    on_the_line: list[dict] = field(default_factory=list)
    scale_problems: list[dict] = field(default_factory=list)
    ci_rule: str = ""
    score_breakdowns: list[str] = field(default_factory=list)
    count_breakdowns: list[str] = field(default_factory=list)
    breakdowns: str = ""  # the sentence README's "Anonymity" repeats word for word
    all_hidden: bool = False
    # Figures hidden because an earlier release of the wave would give them away by
    # subtraction, or because breakdowns published together would isolate a cross cell.
    release_hidden: int = 0
    #: Why every factor is hidden, in plain words (when `all_hidden`).
    hidden_why: str = ""
    cross_hidden: int = 0
    # A preview of the collaboration as it stands (an admin's, never a release), not a
    # published edition; and which editions the figures are, in plain words.
    preview: bool = False
    editions: list[str] = field(default_factory=list)
    # Sections this audience is not shown (a force lead: those comparing forces); set by
    # the disclosure gate.
    hidden_sections: frozenset[str] = frozenset()
    # How this wave's answers came in: scale maps used, rows left out on import.
    import_notes: list[str] = field(default_factory=list)
    none_mentions: int = 0
    # Counted passages by what the reader is shown of their polarity: barrier or enabler
    # (what the mentions chart draws), and "unclear" (the coder was not sure of it).
    polar_mentions: int = 0
    unclear_mentions: int = 0
    actions: list[dict] = field(default_factory=list)
    # Chart data, already disclosed: factor x force means (hidden cells NaN), forces'
    # mean inhibitor and facilitator scores, and the whole collaboration's trend.
    force_means: pd.DataFrame | None = None
    quadrant: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None
    # The collaboration's interviews (all of them, not of one wave), disclosed; None
    # when it has none.
    interviews: InterviewFindings | None = None
    # The collaboration's governance facts from the register; None when it is not in it.
    governance: Any = None
    # Where what is drawn from these findings is kept with their edition (a published
    # view, `publishing.KeptView`); None for a preview, which is drawn every time.
    kept: Any = None


@dataclass
class Source:
    """What findings are computed from: a collaboration's answers and their disclosed
    scores, and each wave's free-text evidence. Live (an admin's preview, `live`) or the
    frozen editions of its published waves (`publishing.published_source`)."""

    data: SurveyData
    scores: Scores
    evidence: dict[str, WaveEvidence]
    comment_k: dict[str, int]  # per wave: the comment threshold it is shown under
    preview: bool


def live(store: Store, collaboration: str, waves: list[str] | None = None) -> Source:
    """The collaboration as it stands now, disclosed with every breakdown: a preview.

    Free-text evidence is gathered for `waves`, or when None for the latest wave only
    (the one `find` reports by default): earlier waves are in a report as scores and
    trend, never as comments, and gathering each wave's comments costs a query over all
    of them (issue 25: five waves of a national programme cost five times the one shown).
    """
    from .editions import WaveEvidence
    from .scoring import measure

    data = load(store, collaboration)
    policy = Policy.of(store)
    scores = disclose(measure(data), policy, breakdowns=None)
    evidence: dict[str, WaveEvidence] = {}
    for w in waves if waves is not None else data.waves[-1:]:
        counts, quotes = load_coded(store, collaboration, w, per_group=QUOTE_CANDIDATES)
        comments = None
        if counts.empty or not counts["counted"].astype(bool).any():
            comments = load_comments(store, collaboration, w, per_group=QUOTE_CANDIDATES)
        evidence[w] = WaveEvidence(
            counts,
            quotes,
            comments,
            coding_state(store, collaboration, w),
            method_notes(import_readings(store, collaboration), w),
        )
    return Source(data, scores, evidence, dict.fromkeys(evidence, policy.comment_k), True)


def refuse_if_empty(findings: Findings, output: str, allow_empty: bool = False) -> None:
    """Refuse to write `output` (a report, a deck, scores) when no factor score of the wave
    is shown: a file of blanks passed round as findings says nothing and looks like
    something. Raises `NothingToShow`, before anything is written or recorded."""
    from ..errors import NothingToShow

    if allow_empty or not findings.all_hidden or not findings.scorecard:
        return
    unasked = all(r["unasked"] for r in findings.scorecard)
    why = "no questions were asked" if unasked else findings.hidden_why
    raise NothingToShow(
        f"Every factor score of wave {findings.wave!r} of {findings.collaboration!r} is "
        f"hidden ({why}), so the {output} would show no figures; nothing was written."
    )


def find(
    store: Store,
    collaboration: str,
    wave: str | None = None,
    *,
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    audience_force: str | None = None,
    source: Source | None = None,
    with_register: bool = True,
) -> Findings:
    """The findings of `wave` (default: the latest) of a collaboration in a workspace.

    Why here and not in the report: the web app and the CLI need the same numbers and
    the same choices, and the disclosure gate must sit between the store and all of them.
    Scores are disclosed with every breakdown, whatever an output shows, so that every
    output of a wave shows the same figures; `breakdowns` are the respondent attributes
    whose counts the findings list (scores, gaps and quotes are by force only).

    `source` is what to compute from: the frozen editions of published waves (what the
    publishing path, `publishing.release`, passes) or, when None, the collaboration as it
    stands now (`live`, an admin's preview, never a release). `with_register`: add the
    interviews and governance facts (`add_register`), which are not frozen with a wave.

    `audience_force`: the findings are for that force's lead, who sees the
    collaboration's totals and their own force's figures, comments and quotes, and
    nothing of another force (no gaps, no other force's means or counts).
    """
    if source is None:
        source = live(store, collaboration, None if wave is None else [wave])
    data, scores = source.data, source.scores
    if wave is None:
        wave = data.waves[-1]
    elif wave not in data.waves:
        raise ValueError(
            f"collaboration {collaboration!r} has no wave {wave!r} (waves: {', '.join(data.waves)})"
        )
    policy = replace(
        Policy.of(store), comment_k=source.comment_k[wave], audience_force=audience_force
    )
    dims = tuple(dict.fromkeys(("force", *breakdowns)))
    ev = source.evidence[wave]
    counts, quotes = ev.counts, ev.quotes
    # Free text not coded (yet), or no code sure enough to count: group it by the
    # question it answered, and say why (`review_note`).
    if ev.comments is not None:
        evidence = CommentEvidence(wave, scores.counts, comments=ev.comments)
    else:
        evidence = CommentEvidence(wave, scores.counts, coded_counts=counts, quotes=quotes)
    out = assemble(data, scores, wave, disclose(evidence, policy), policy.comment_k, dims)
    out.preview = source.preview
    out.import_notes = list(ev.import_notes)
    # An interrupted coding run, or codes that wait for review: the report says so.
    state = ev.state
    out.uncoded_comments = state.uncoded
    out.total_comments = state.comments
    out.needs_review_comments = state.needs_review
    out.nothing_counted = state.nothing_counted
    out.review_note = review_note(state)
    out.coding_notes = coding_notes(state)
    out = disclose(ForAudience(out), policy)
    if with_register:
        add_register(store, out, policy)
    return out


def add_register(store: Store, out: Findings, policy: Policy) -> None:
    """The collaboration's interviews and governance facts, as they stand: they are not
    part of a wave's edition (interviews are of the collaboration, not of a wave)."""
    from ..govern.facts import governance_facts

    out.interviews = disclose(
        ForAudience(interview_findings(store, out.collaboration, policy)), policy
    )
    out.governance = governance_facts(store, out.collaboration)


def assemble(
    data: SurveyData,
    scores: Scores,
    wave: str,
    evidence: CommentEvidence | None = None,
    comment_k: int = DEFAULT_COMMENT_K,
    breakdowns: tuple[str, ...] | None = None,
) -> Findings:
    """Put disclosed scores and comment evidence together into the findings of one wave.

    `breakdowns`: the attributes whose respondent counts are listed (every one in `scores`
    when None); the scores themselves are whatever `scores` holds."""
    fw = data.framework
    names = {f.id: f.name for f in fw.factors}
    bands = {b.id: b.label for b in fw.bands}
    upto = data.waves[: data.waves.index(wave) + 1]
    t = scores.cells
    overall = t[(t["dimension"] == "all") & (t["wave"] == wave)].set_index("factor")
    prev = upto[-2] if len(upto) > 1 else None
    change = scores.change
    change_all = (
        change[(change["dimension"] == "all") & (change["wave_to"] == wave)].set_index("factor")
        if prev
        else pd.DataFrame()
    )
    rel = scores.reliability[scores.reliability["wave"] == wave].set_index("factor")
    c = scores.counts
    n_all = c[(c["dimension"] == "all") & (c["wave"] == wave)]["n"]
    out = Findings(
        collaboration=data.collaboration,
        wave=wave,
        waves=upto,
        framework=fw,
        k=scores.k,
        comment_k=comment_k,
        n_respondents=None if n_all.empty or pd.isna(n_all.iloc[0]) else int(n_all.iloc[0]),
    )
    for f in fw.factors:
        r = overall.loc[f.id]
        alpha, alpha_problem = _alpha(rel, f.id)
        row = {
            "id": f.id,
            "name": f.name,
            "kind": f.kind,
            "mean": _num(r["mean"]),
            "ci_low": _num(r["ci_low"]),
            "ci_high": _num(r["ci_high"]),
            "n": _int(r["n"]),
            "band": r["band"],
            "band_label": bands.get(r["band"], "Hidden") if r["band"] else "Hidden",
            "alpha": alpha,
            "alpha_problem": alpha_problem,
            "change": None,
            "hidden_why": why_hidden(r["suppressed"], scores.k),
            # The survey did not ask it: "no questions asked", never "hidden".
            "unasked": is_unasked(r["suppressed"]),
        }
        if row["unasked"]:
            row["band_label"] = "Not asked"
        row.update(_on_the_line(fw, row))
        if prev and f.id in change_all.index:
            ch = change_all.loc[f.id]
            row["change"] = {
                "diff": float(ch["diff"]),
                "ci_low": float(ch["adj_low"]),
                "ci_high": float(ch["adj_high"]),
                "ci_level": float(ch["ci_level"]),
                "p_holm": float(ch["p_holm"]),
                "significant": bool(ch["significant"]),
                "from": prev,
                "say": plain.change(
                    f.name,
                    f.kind,
                    "whole collaboration",
                    float(ch["diff"]),
                    prev,
                    bool(ch["significant"]),
                ),
            }
        out.scorecard.append(row)
    shown = [r for r in out.scorecard if r["mean"] is not None]
    top_band, bottom_band = fw.bands[0].id, fw.bands[-1].id
    out.top_band, out.bottom_band = fw.bands[0].label, fw.bands[-1].label
    in_top = sorted((r for r in shown if r["band"] == top_band), key=lambda r: -r["mean"])
    in_bottom = sorted((r for r in shown if r["band"] == bottom_band), key=lambda r: r["mean"])
    out.n_strengths, out.n_concerns = len(in_top), len(in_bottom)
    # Every factor in the top and the bottom band is named: a summary that names
    # "the lowest 3 of 5" leaves two concerns for the reader to find.
    out.strengths, out.concerns = in_top, in_bottom
    out.on_the_line = sorted((r for r in shown if r["on_line"]), key=lambda r: r["mean"])
    out.all_hidden = not shown
    if out.all_hidden and out.scorecard:
        # Why the factors asked are hidden; "no questions asked" only if none was asked.
        first = next((r for r in out.scorecard if not r["unasked"]), out.scorecard[0])
        out.hidden_why = first["hidden_why"]
    out.band_counts, out.headline = _headline(fw, out.scorecard)
    out.actions = _actions(fw, shown)
    out.scale_problems = [
        {"name": r["name"], "problem": r["alpha_problem"]}
        for r in out.scorecard
        if r["alpha_problem"]
    ]
    out.score_breakdowns = [ATTRIBUTE_LABELS[d] for d in SCORE_BREAKDOWNS]
    published = set(scores.counts["dimension"]) if breakdowns is None else set(breakdowns)
    out.count_breakdowns = [label for d, label in ATTRIBUTE_LABELS.items() if d in published]
    out.release_hidden = int(
        ((scores.cells["suppressed"] == RELEASE) & (scores.cells["wave"] == wave)).sum()
    ) + int(((scores.counts["suppressed"] == RELEASE) & (scores.counts["wave"] == wave)).sum())
    this_wave = scores.counts["wave"] == wave
    out.cross_hidden = int(((scores.counts["suppressed"] == CROSS) & this_wave).sum())
    counted = (
        f"respondent counts by {_and_list(out.count_breakdowns)}"
        if out.count_breakdowns
        else "the number of respondents only"
    )
    out.breakdowns = (
        f"the report shows scores, partner gaps and quotes by "
        f"{_and_list(out.score_breakdowns)} only, and {counted}"
    )
    out.ci_rule = CI_RULE.format(alpha=scores.alpha_level, level=100 * (1 - scores.alpha_level))
    _gaps(out, scores, names, wave)
    _changes(out, scores, names, wave)
    for f, r in rel.iterrows():
        alpha, problem = _alpha(rel, str(f))
        out.reliability.append(
            {
                "name": names[str(f)],
                "n_items": int(r["items"]),
                "n": _int(r["n_complete"]),
                "alpha": alpha,
                "problem": problem,
                "low": alpha is not None and alpha < ALPHA_LOW,
            }
        )
    _counts(out, scores, wave, published)
    if evidence is not None:
        out.coded = evidence.coded_counts is not None
        out.comments, out.none_mentions = summarise(evidence, fw)
        if out.coded:
            out.polar_mentions = sum(c.barrier + c.enabler for c in out.comments)
            out.unclear_mentions = sum(c.unclear for c in out.comments)
    _chart_data(out, scores, wave)
    return out


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


CI_RULE = (
    "Each interval of a gap or a change is shown at the confidence level Holm's procedure "
    "tested it at: 1 - {alpha:g}/j, where j is the number of comparisons still in play at "
    "its step (for comparisons Holm does not reject, the level of the step where it "
    "stopped). So an interval excludes zero exactly when the difference is significant "
    "after Holm's correction. These intervals are at least as wide as plain {level:g}% "
    "intervals and no wider than Bonferroni's."
)

SCALE_PROBLEMS = {
    "negative": (
        "Cronbach's alpha is below zero, so the items contradict each other "
        "(check the wording and which items are reverse-scored); the factor's score is not a "
        "sound measure"
    ),
    "undefined": (
        "Cronbach's alpha cannot be computed (no variation in the total of "
        "the items, or fewer than two complete answers); the factor's score is not a sound "
        "measure"
    ),
}


def _alpha(rel: pd.DataFrame, factor: str) -> tuple[float | None, str | None]:
    """(alpha, None) where alpha is a figure worth printing; (None, problem) where it is
    negative or undefined; (None, None) where it is hidden (too few complete answers)."""
    if factor not in rel.index or _int(rel.loc[factor, "n_complete"]) is None:
        return None, None
    a = _num(rel.loc[factor, "alpha"])
    if a is None:
        return None, SCALE_PROBLEMS["undefined"]
    if a < 0:
        return None, SCALE_PROBLEMS["negative"]
    return a, None


def _on_the_line(fw: Framework, row: dict) -> dict:
    """Whether a factor's 95% interval crosses a band edge, and which bands it reaches.

    A 2.98 whose interval runs from 2.70 to 3.26 is not a concern outright: the data
    cannot tell it from a borderline score. The band stays the one its mean is in (the
    documented rule); the report says it is on the line and names the other band.
    """
    out: dict[str, Any] = {"on_line": False, "near": [], "near_labels": [], "line_say": ""}
    if row["mean"] is None or row["ci_low"] is None or row["ci_high"] is None:
        return out
    ends = [fw.band(row["ci_low"]), fw.band(row["ci_high"])]
    near = [b for b in ends if b is not None and b.id != row["band"]]
    if near:
        out["on_line"] = True
        out["near"] = [b.id for b in near]
        out["near_labels"] = [b.label for b in near]
        out["line_say"] = plain.on_the_line(row["name"], row["band_label"], out["near_labels"])
    return out


def _and_list(labels: list[str]) -> str:
    words = [w.lower() for w in labels]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plural(label: str, n: int) -> str:
    word = label.lower()
    return PLURALS.get(word, word) if n != 1 else word


def _headline(fw: Framework, scorecard: list[dict]) -> tuple[list[dict], str]:
    """The band counts, highest band first, and the line that reads them out.

    The top band comes first, then the bottom band, then those between ("1 strength,
    5 concerns, 4 borderline"), then how many are on the line and how many hidden.
    """
    counts = []
    for b in fw.bands:
        rows = [r for r in scorecard if r["band"] == b.id and r["mean"] is not None]
        counts.append(
            {
                "band": b.id,
                "label": b.label,
                "n": len(rows),
                "on_line": sum(r["on_line"] for r in rows),
                "word": _plural(b.label, len(rows)),
                "words": f"{len(rows)} {_plural(b.label, len(rows))}",
            }
        )
    order = [counts[0], counts[-1], *counts[1:-1]] if len(counts) > 1 else counts
    line = ", ".join(c["words"] for c in order)
    on_line = sum(c["on_line"] for c in counts)
    if on_line:
        line += (
            f"; {on_line} factor{'s' if on_line != 1 else ''} "
            f"{'sit' if on_line != 1 else 'sits'} on the line between two bands"
        )
    hidden = sum(r["mean"] is None and not r.get("unasked") for r in scorecard)
    if hidden:
        line += f"; {hidden} hidden"
    unasked = sum(bool(r.get("unasked")) for r in scorecard)
    if unasked:
        line += f"; {unasked} not asked in this survey"
    return counts, line


def _actions(fw: Framework, shown: list[dict]) -> list[dict]:
    """The framework's actions for every factor in the bottom band, and for any factor
    whose interval reaches the bottom band; at least the lowest three outside the top band."""
    top, bottom = fw.bands[0].id, fw.bands[-1].id
    ranked = sorted(shown, key=lambda r: r["mean"])
    chosen = [r for r in ranked if r["band"] == bottom or bottom in r["near"]]
    if len(chosen) < SUMMARY_ITEMS:
        rest = [r for r in ranked if r not in chosen and r["band"] != top]
        chosen += rest[: SUMMARY_ITEMS - len(chosen)]
        chosen.sort(key=lambda r: r["mean"])
    return [
        {
            "factor": r["name"],
            "band": r["band"],
            "band_label": r["band_label"],
            "mean": r["mean"],
            "on_line": r["on_line"],
            "near_labels": r["near_labels"],
            "actions": fw.factor(r["id"]).actions,
        }
        for r in chosen
    ]


def effect_word(g: float) -> str:
    """Cohen's conventional labels, so readers need not interpret g themselves."""
    return "large" if g >= 0.8 else "medium" if g >= 0.5 else "small" if g >= 0.2 else "negligible"


def _gaps(out: Findings, scores: Scores, names: dict[str, str], wave: str) -> None:
    """The largest partner gaps, significant ones first; the headline is significant and
    at least a medium effect."""
    g = scores.gaps[scores.gaps["wave"] == wave]
    out.gaps_tested = len(g)
    g = g.assign(abs_g=g["hedges_g"].abs()).sort_values(["significant", "abs_g"], ascending=False)
    rows = []
    for _, r in g.head(GAPS_SHOWN).iterrows():
        # Every figure of a row reads one way: the lower-scoring force minus the higher,
        # so the difference, its interval and Hedges' g all carry the sign of the sentence
        # "lower scores |diff| lower than higher".
        flip = float(r["diff"]) > 0  # b - a > 0: a is the lower one
        sign = -1.0 if flip else 1.0
        lo, hi = _num(r["adj_low"]), _num(r["adj_high"])  # None where no test was possible
        if lo is not None and hi is not None:
            lo, hi = sorted((sign * lo, sign * hi))
        rows.append(
            {
                "factor": names[r["factor"]],
                "lower": r["group_a"] if flip else r["group_b"],
                "higher": r["group_b"] if flip else r["group_a"],
                "mean_lower": float(r["mean_a"] if flip else r["mean_b"]),
                "mean_higher": float(r["mean_b"] if flip else r["mean_a"]),
                "diff": sign * float(r["diff"]),
                "gap": abs(float(r["diff"])),
                "ci_low": lo,
                "ci_high": hi,
                "ci_level": _num(r["ci_level"]),
                "p_holm": _num(r["p_holm"]),
                "g": sign * float(r["hedges_g"]),
                "significant": bool(r["significant"]),
                "size": effect_word(abs(float(r["hedges_g"]))),
            }
        )
        row = rows[-1]
        row["say"] = plain.gap(
            row["factor"],
            out.framework.factor(r["factor"]).kind,
            row["lower"],
            row["higher"],
            row["gap"],
            row["size"],
            row["significant"],
        )
    out.gaps = rows
    out.headline_gaps = [r for r in rows if r["significant"] and abs(r["g"]) >= HEADLINE_EFFECT][
        :SUMMARY_ITEMS
    ]


def _changes(out: Findings, scores: Scores, names: dict[str, str], wave: str) -> None:
    """Significant changes: the whole collaboration's first, then the largest by force."""
    c = scores.change
    c = c[(c["wave_to"] == wave) & c["significant"]]
    c = c.assign(whole=c["dimension"] == "all", abs_diff=c["diff"].abs())
    c = c.sort_values(["whole", "abs_diff"], ascending=False)
    whole = c[c["whole"]]
    groups = c[c["dimension"] == "force"].head(SUMMARY_ITEMS)
    out.changes = [
        {
            "group": r["group"] if r["dimension"] != "all" else "whole collaboration",
            "factor": names[r["factor"]],
            "diff": float(r["diff"]),
            "ci_low": float(r["adj_low"]),
            "ci_high": float(r["adj_high"]),
            "ci_level": float(r["ci_level"]),
            "p_holm": float(r["p_holm"]),
            "from": r["wave_from"],
            "say": plain.change(
                names[r["factor"]],
                out.framework.factor(r["factor"]).kind,
                r["group"] if r["dimension"] != "all" else "whole collaboration",
                float(r["diff"]),
                r["wave_from"],
            ),
        }
        for _, r in pd.concat([whole, groups]).iterrows()
    ]


def _counts(out: Findings, scores: Scores, wave: str, published: set[str]) -> None:
    c = scores.counts[scores.counts["wave"] == wave]
    for dim, label in ATTRIBUTE_LABELS.items():
        if dim not in set(c["dimension"]) or dim not in published:
            continue
        part = c[c["dimension"] == dim].sort_values("n", ascending=False, na_position="last")
        out.counts[label] = [
            {
                "group": r["group"],
                "n": _int(r["n"]),
                "why": r["suppressed"],
                "why_text": HIDDEN_BECAUSE.get(r["suppressed"], "hidden"),
            }
            for _, r in part.iterrows()
        ]
        out.suppressed += [
            f"{label}: {r['group']}" for _, r in part.iterrows() if r["suppressed"] is not None
        ]


def _chart_data(out: Findings, scores: Scores, wave: str) -> None:
    """The disclosed numbers each chart draws: forces' means, quadrant points, the trend."""
    fw = out.framework
    t = scores.cells
    forces = t[(t["dimension"] == "force") & (t["wave"] == wave)]
    if not forces.empty:
        order = (
            scores.counts[(scores.counts["dimension"] == "force") & (scores.counts["wave"] == wave)]
            .sort_values("n", ascending=False, na_position="last")["group"]
            .tolist()
        )
        heat = forces.pivot(index="factor", columns="group", values="mean")
        # A factor the survey did not ask has no cell to compare: the scorecard says so.
        this = t[t["wave"] == wave]
        unasked = set(this.loc[this["suppressed"].map(is_unasked), "factor"])
        asked = [f.id for f in fw.factors if f.id not in unasked]
        out.force_means = heat.reindex(index=asked, columns=[g for g in order if g in heat.columns])
        pts = []
        for group, part in forces.groupby("group"):
            if part["mean"].isna().all() or group == NOT_STATED:
                continue
            # A force's inhibitor (facilitator) score is the mean of its inhibitor
            # (facilitator) factor scores: each factor counts once, whatever its n.
            by_kind = part.groupby("kind")["mean"].mean()
            pts.append(
                {
                    "group": group,
                    "inhibitor": by_kind.get("inhibitor", np.nan),
                    "facilitator": by_kind.get("facilitator", np.nan),
                    "n": float(part["n"].max()),
                }
            )
        quadrant = pd.DataFrame(pts).dropna() if pts else pd.DataFrame()
        out.quadrant = None if quadrant.empty else quadrant
    if len(out.waves) > 1:
        out.trend = t[
            (t["dimension"] == "all") & (t["group"] == ALL_RESPONDENTS) & t["wave"].isin(out.waves)
        ]
