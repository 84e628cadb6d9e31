"""Findings in a chief officer's words: one sentence per figure, decided once, here.

The report, the dashboard, the deck and the CLI all print these sentences, so the same
gap reads the same way wherever it appears, and no face invents its own wording of a
number. The statistics behind each sentence (intervals, adjusted levels, effect sizes)
stay on the finding and go to the method section and to expandable detail.

Words follow GOV.UK style: short sentences, common words, a number with its meaning.
Scores are read in the collaboration's favour (higher is healthier): a higher score on
an inhibitor means it holds the collaboration back *less*. So a sentence never says "a
higher parochialism score", which a reader would take the wrong way round; it says what
the score means.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["inhibitor", "facilitator"]

# Below this a rounded difference reads as no change ("-0.00" never reaches a reader).
NEGLIGIBLE = 0.05

#: How big a difference is, in the words the reader gets (Cohen's conventions, applied to
#: Hedges' g by `findings.effect_word`); the method section names the statistic.
SIZE_WORDS = {
    "large": "a large difference",
    "medium": "a clear difference",
    "small": "a small difference",
    "negligible": "a very small difference",
}


def points(value: float) -> str:
    """A difference in points for a reader: one decimal place, never "-0.0", never signed.

    "1.4 points", "0.7 points", "less than 0.1 points"; the direction is said in words.
    """
    v = abs(value)
    if v < NEGLIGIBLE:
        return "less than 0.1 points"
    text = f"{v:.1f}"
    return f"{text} point" if text == "1.0" else f"{text} points"


def score(value: float | None) -> str:
    """A score as printed beside a sentence; "not shown" when hidden.

    Two decimal places, as the report prints it: rounded to one, a 2.99 reads "3.0" beside
    "a concern" (the concern band ends at 3) and a 3.98 reads "4.0" beside "borderline", so
    a reader checking the band's edges would think the band wrong."""
    return "not shown" if value is None else f"{value:.2f}"


def standing(value: float | None, scale_max: int, band_label: str) -> str:
    """A factor's score and band in words: "2.8 out of 5, a concern", "3.4 out of 5,
    borderline"; "not shown" where the score is hidden."""
    if value is None:
        return "not shown"
    word = band_label.lower()
    # A band named by a noun reads "a concern"; one named by an adjective, "borderline".
    word = f"a {word}" if word in BAND_NOUNS else word
    return f"{score(value)} out of {scale_max}, {word}"


#: Band labels that are nouns ("a strength"); any other label is read as an adjective.
BAND_NOUNS = frozenset({"strength", "concern", "weakness", "risk"})


def raised(
    where: str, barrier: int, enabler: int, neutral: int, unclear: int, waiting: int = 0
) -> str:
    """How often a factor came up in one kind of evidence, in one short sentence.

    "Interviews: raised 3 times: 2 as a barrier and 1 as an enabler." "Survey comments:
    raised 33 times; the coder could not tell which way most lean. 134 more wait for a
    person to check them." The full split, with every unclear and waiting passage, is
    `quotes.polarity_phrase`, in the report's detail.
    """
    total = barrier + enabler + neutral + unclear
    more = f" {waiting:,} more wait for a person to check them." if waiting else ""
    if not total:
        return f"{where}: not raised yet.{more}" if waiting else f"{where}: not raised."
    times = "once" if total == 1 else f"{total:,} times"
    sure = [
        f"{n:,} {word}"
        for n, word in ((barrier, "as a barrier"), (enabler, "as an enabler"), (neutral, "neutral"))
        if n
    ]
    listed = " and ".join([", ".join(sure[:-1]), sure[-1]] if len(sure) > 1 else sure)
    if unclear * 2 > total:
        lean = "the coder could not tell which way most lean"
        body = f"{lean}; of the rest, {listed}" if sure else lean
        return f"{where}: raised {times}; {body}.{more}"
    tail = f"; {unclear:,} unclear" if unclear else ""
    return f"{where}: raised {times}: {listed}{tail}.{more}"


def _lower(name: str) -> str:
    """A factor's name inside a sentence: sentence case, keeping acronyms (ICT)."""
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in name.split())


def what_lower_means(kind: Kind) -> str:
    """What a lower score means for a factor of this kind, in words."""
    return "it holds them back more" if kind == "inhibitor" else "it helps them less"


def gap(
    factor: str,
    kind: Kind,
    lower: str,
    higher: str,
    difference: float,
    size: str,
    significant: bool,
) -> str:
    """A partner gap as one sentence.

    "A real difference: Harbourwick staff rate parochialism and protectionism 1.4 points
    lower than Northmoor staff do, so it holds them back more (a large difference)."
    "Real" means it passed the survey's test for chance after allowing for the number of
    comparisons made; a gap that did not is said to be possibly chance.
    """
    lead = "A real difference" if significant else "Possibly chance"
    body = (
        f"{lower} staff rate {_lower(factor)} {points(difference)} lower than {higher} "
        f"staff do, so {what_lower_means(kind)}"
    )
    tail = f" ({SIZE_WORDS.get(size, size)})" if significant else ""
    return f"{lead}: {body}{tail}."


def change(
    factor: str,
    kind: Kind,
    group: str,
    difference: float,
    since: str,
    significant: bool = True,
) -> str:
    """A change between waves as one sentence, saying whether it is better or worse.

    "Time, pace and patience: up 0.7 points since Wave 1 across the whole collaboration,
    so it helps more." A change too small to print reads "about the same".
    """
    who = "across the whole collaboration" if group == "whole collaboration" else f"for {group}"
    if abs(difference) < NEGLIGIBLE:
        return f"{factor}: about the same as in {since} {who}."
    better = difference > 0
    direction = "up" if better else "down"
    if kind == "inhibitor":
        meaning = "it holds the collaboration back less" if better else "it holds it back more"
    else:
        meaning = "it helps more" if better else "it helps less"
    if group != "whole collaboration":
        meaning = meaning.replace("the collaboration", f"{group}")
    hedge = "" if significant else " This may be chance."
    return f"{factor}: {direction} {points(difference)} since {since} {who}, so {meaning}.{hedge}"


def on_the_line(name: str, band: str, near: list[str]) -> str:
    """A factor whose score is too close to a band edge for the survey to tell.

    "Governance sits on the line between borderline and concern: the survey cannot tell
    which side it is on."
    """
    bands = " and ".join([band.lower(), *(b.lower() for b in near)])
    return f"{name} sits on the line between {bands}: the survey cannot tell which side it is on."


def verdict(size: str, significant: bool) -> str:
    """How sure the survey is of a gap, in a table cell: "Real: a large difference" or
    "Possibly chance"; the test behind it is in the method section."""
    return f"Real: {SIZE_WORDS.get(size, size)}" if significant else "Possibly chance"


def change_short(difference: float, kind: Kind, significant: bool) -> str:
    """A change in a table cell: "up 0.7 (better)", "down 0.2 (worse, may be chance)",
    "about the same". Up is always better: scores read in the collaboration's favour."""
    if abs(difference) < NEGLIGIBLE:
        return "about the same"
    word = "up" if difference > 0 else "down"
    meaning = "better" if difference > 0 else "worse"
    hedge = "" if significant else ", may be chance"
    return f"{word} {abs(difference):.1f} ({meaning}{hedge})"


def interval(low: float | None, high: float | None) -> str:
    """An interval with enough decimal places that an end never reads as a rounded zero:
    "+0.004 to +0.26", not "+0.00 to +0.26" for a difference the test found real.

    Two places by default; more (up to four) while an end that is not zero prints as 0.
    """
    if low is None or high is None or low != low or high != high:
        return "–"
    places = 2
    while places < 4 and any(v != 0 and round(v, places) == 0 for v in (low, high)):
        places += 1
    return f"{low:+.{places}f} to {high:+.{places}f}"


def people(n: int | None) -> str:
    """How many people answered, or "not shown" (the reason is printed beside it)."""
    return "not shown" if n is None else f"{n:,}"


def coder_agreement(alpha: float | None) -> str:
    """How far coders agree, in words, from Krippendorff's alpha (Krippendorff's own
    thresholds: 0.8 good, 0.667 the least to draw tentative conclusions from)."""
    if alpha is None or alpha != alpha:
        return "too few passages in common to say how far they agree"
    if alpha >= 0.8:
        return "good agreement"
    if alpha >= 0.667:
        return "fair agreement: usable, with care"
    return "weak agreement: treat the codes with caution"


#: Cronbach's alpha below which a factor's questions do not hang together well (the usual
#: 0.70); `findings.ALPHA_LOW` is this value.
LOW_AGREEMENT = 0.7


def caution(alpha: float | None, problem: str | None) -> str:
    """The warning a factor's score carries wherever it is shown alone (a summary card, a
    slide): empty where its questions agree well enough, or where it is not shown."""
    if problem:
        return (
            "The answers to its questions contradict each other: read this score with great care."
        )
    if alpha is not None and alpha < LOW_AGREEMENT:
        return "Its questions do not agree well: read this score with care."
    return ""
