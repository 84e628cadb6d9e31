"""The words collablens uses, defined once and imported everywhere.

Two pairs of words are easy to confuse, so they are kept apart on purpose:

- a factor's **kind** is ``inhibitor`` or ``facilitator`` (what the framework says the
  factor is, whatever anyone writes about it);
- a code's **polarity** is ``barrier``, ``enabler`` or ``neutral`` (how a piece of text
  describes the factor: as holding the collaboration back, as helping it, or neither).

Files written by other tools or older versions may give polarity as inhibitor/facilitator;
`normalise_polarity` reads those, and nothing writes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final, Literal

# -- respondents -------------------------------------------------------------------------

#: The respondent attributes a survey may record, in the order tables show them.
ATTRIBUTES: Final = ("force", "role", "rank_band", "length_of_service")
Attribute = Literal["force", "role", "rank_band", "length_of_service"]
ATTRIBUTE_LABELS: Final = {
    "force": "Force",
    "role": "Role",
    "rank_band": "Rank or grade",
    "length_of_service": "Length of service",
}
#: A breakdown of the results: the whole wave ("all") or one attribute.
DIMENSIONS: Final = ("all", *ATTRIBUTES)
#: The group a respondent falls in when an attribute was left blank.
NOT_STATED: Final = "Not stated"
#: The single group of the "all" dimension.
ALL_RESPONDENTS: Final = "All respondents"
#: Why a factor has no score in a wave besides hiding (`SurveyData.unasked`): the survey
#: asked none of its statements, or too few of them to make a score.
NOT_ASKED: Final = "not_asked"
FEW_ASKED: Final = "few_asked"
#: The share of a factor's statements a person must answer for a score on it.
MIN_SHARE: Final = 0.5


def min_answers(n_items: int, min_share: float = MIN_SHARE) -> int:
    """How many of a factor's `n_items` statements make a score: half, and at least one."""
    return max(1, math.ceil(n_items * min_share))


# -- framework ----------------------------------------------------------------------------

FactorKind = Literal["inhibitor", "facilitator"]
FACTOR_KINDS: Final = ("inhibitor", "facilitator")

# -- codes -----------------------------------------------------------------------------

Polarity = Literal["barrier", "enabler", "neutral"]
POLARITIES: Final = ("barrier", "enabler", "neutral")
#: The polarity a reader is shown where the coder was not sure of a code's polarity
#: (never stored: see `analysis.quotes.shown_polarity`).
UNCLEAR_POLARITY: Final = "unclear"
#: The polarities a report shows, in its order.
SHOWN_POLARITIES: Final = (*POLARITIES, UNCLEAR_POLARITY)
#: The code of a passage that speaks to none of the framework's factors.
NO_FACTOR: Final = "none"
#: Where a code came from: the model, or a person who confirmed or corrected it.
MODEL_CODE: Final = "model"
HUMAN_CODE: Final = "human"
CODE_SOURCES: Final = (MODEL_CODE, HUMAN_CODE)
#: Coder names in `codings`: the model codes as "model"; a person under their own name,
#: or "reviewer" where none was given (and for reviews from before names were kept).
MODEL_CODER: Final = "model"
REVIEWER: Final = "reviewer"
#: What a person's coder name may be: letters, digits, spaces, dots, hyphens, apostrophes.
CODER_NAME_LENGTH: Final = 60
_POLARITY_ALIASES: Final = {
    "barrier": "barrier",
    "inhibitor": "barrier",
    "negative": "barrier",
    "enabler": "enabler",
    "facilitator": "enabler",
    "positive": "enabler",
    "neutral": "neutral",
}


def normalise_polarity(value: str) -> Polarity:
    """Read a polarity in our words or another tool's; raise ValueError for anything else."""
    word = _POLARITY_ALIASES.get(str(value).strip().lower())
    if word is None:
        raise ValueError(
            f"{value!r} is not a polarity: use barrier, enabler or neutral "
            "(inhibitor and facilitator are read as barrier and enabler)"
        )
    return word  # type: ignore[return-value]


def polarity_of_kind(kind: str, present: bool = True) -> Polarity:
    """The polarity of text saying a factor of this kind is (or is not) at work."""
    barrier = (kind == "inhibitor") == present
    return "barrier" if barrier else "enabler"


# -- workspace settings -------------------------------------------------------------------

SETTING_ANONYMITY_K: Final = "anonymity_k"
SETTING_COMMENT_K: Final = "comment_k"
SETTING_CODER_MODEL: Final = "coder_model"
SETTING_FRAMEWORK_YAML: Final = "framework_yaml"
SETTING_FRAMEWORK_ORIGIN: Final = "framework_origin"
#: The smallest group of interview participants (by force or role) that is shown: far
#: smaller than a survey's, as a study interviews a handful of people per force.
SETTING_INTERVIEW_K: Final = "interview_k"
DEFAULT_INTERVIEW_K: Final = 3
#: The default smallest group whose results may be shown: the one number to change.
DEFAULT_K: Final = 10
#: The default smallest force whose comments may be counted or quoted: k's, unless a
#: workspace sets its own (`init --comment-k`).
DEFAULT_COMMENT_K: Final = DEFAULT_K
#: What a new workspace starts with.
DEFAULT_SETTINGS: Final = {
    SETTING_ANONYMITY_K: str(DEFAULT_K),
    SETTING_COMMENT_K: str(DEFAULT_COMMENT_K),
}
#: The workspace file used when no --db is given (SQLite, in the working folder).
DEFAULT_DB: Final = "collablens.db"
#: The offline model that codes free text when the workspace names none: a static table,
#: with the fine-tuned encoder re-coding its least confident sentences (`text.embed`).
DEFAULT_CODER_MODEL: Final = "static-mpnet-256+minilm-l6-collab"

# -- statistics ---------------------------------------------------------------------------

#: The family-wise error rate of the comparisons (Holm), so intervals are 95% by default.
DEFAULT_ALPHA: Final = 0.05
#: The confidence level of an interval when none is asked for: the one that matches alpha.
DEFAULT_CONFIDENCE: Final = 1 - DEFAULT_ALPHA

# -- quotes -------------------------------------------------------------------------------

#: Quotes shown per factor (survey comments and interviews alike): enough to show range,
#: few enough that a report page stays readable.
QUOTES_PER_FACTOR: Final = 3
#: The fullest (or most confident) answers per factor and force read as quote candidates.
QUOTE_CANDIDATES: Final = 5

# -- queues and limits ----------------------------------------------------------------------

#: Sentences (or passages) a review or blind-coding queue holds when no limit is given:
#: a sitting's work, read in one query.
DEFAULT_QUEUE: Final = 50
#: The largest upload or export file read, in bytes: a region's whole survey export is a
#: few megabytes, so this is far above any real file and far below one that would hang us.
MAX_FILE_BYTES: Final = 100 * 1024 * 1024
#: Answers one survey link takes in a clock minute; more are refused in plain words. A
#: team briefing answering together stays under it; a script padding a force does not.
LINK_RESPONSES_PER_MINUTE: Final = 30
#: Answers through one link in one minute that make a burst, flagged to the programme admin
#: (many people at once is possible, a briefing; it is also what padding looks like).
LINK_BURST_RESPONSES: Final = 10
#: The seed of the demo's simulated answers and interviews (the year of the study it follows).
DEMO_SEED: Final = 2017

# -- column lengths (store/tables.py declares its String(n) columns with these, and inputs
# are checked against them before anything is written) ------------------------------------

NAME_LENGTH: Final = 200  # collaboration names, respondent keys and attribute values
LABEL_LENGTH: Final = 100  # wave labels
ID_LENGTH: Final = 100  # factor, item and question ids
MAX_TEXT_FIELD: Final = NAME_LENGTH - 10  # what an import accepts for a name-length column
#: Framework ids leave room in an id column for a "_text_N" suffix (free-text questions).
MAX_FRAMEWORK_ID: Final = ID_LENGTH - 10

# -- progress -------------------------------------------------------------------------------

#: Long-running library calls report (stage, done, total) to one of these; the CLI draws a bar.
ProgressCallback = Callable[[str, int, int], None]
