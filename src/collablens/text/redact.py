"""Personal data redaction for free-text survey answers.

Staff answers are redacted before anything is stored, and the original wording is never kept,
so this module is the only protection a respondent has against being identified, or identifying
a colleague, through what they wrote. The rules therefore lean towards over-redaction: a
capitalised word after a rank is taken to be a name unless it is a known common word, and a
digit run after an identifier keyword is taken to be an identifier unless it is plainly a
quantity ("10 years", "15%").

Only the standard library is used, so the same rules run in the importer, in tests and in any
batch job without pulling in a web or CLI stack.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

TOKENS: dict[str, str] = {
    "email": "[EMAIL]",
    "id_number": "[ID NUMBER]",
    "postcode": "[POSTCODE]",
    "phone": "[PHONE]",
    "name": "[NAME]",
}
"""Replacement token per kind; the kinds are also the keys of ``redact_with_counts``' counts."""

# A pass can expose something that an earlier pass skipped (for example a name glued to a
# number that is only separated once the number becomes a token), so passes repeat until the
# text stops changing. Tokens contain nothing any rule matches, so this settles in one or two.
_MAX_PASSES = 5

# Latin-1 upper and lower case letters, so that names such as "Ó Sé" or "Zoë" are covered.
_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
_APOS = "'’"

# Quantities: a number followed by one of these is a count, a share or a time, not an id.
_UNITS = (
    r"(?![.,:]\d)(?![ \t]*(?:%|(?i:per|percent|years?|yrs?|months?|weeks?|days?|hours?|hrs?"
    r"|minutes?|mins?|seconds?|secs?|times?|people|persons?|officers?|staff|members?|calls?"
    r"|miles?|km|am|pm|o'clock)(?!\w)))"
)

# --------------------------------------------------------------------------------------------
# Email addresses

# The match starts only at the start of a run of local-part characters, which keeps long runs
# without an "@" linear; leading punctuation ("'jane@...") is put back by ``_email``.
_EMAIL_RE = re.compile(r"(?<![\w.%+'’-])(?P<local>[\w.%+'’-]+)@[\w-]+(?:\.[\w-]+)+")
_EMAIL_LEAD = ".%+'’-"

# --------------------------------------------------------------------------------------------
# Collar, warrant, staff and similar identifiers. Only the number is replaced, so the answer
# still says what kind of identifier was given.

_NUMBER_WORD = r"(?:numbers?|nos?\.?|num\.?|nr\.?|id|ref(?:erence)?|#)"
_ID_KEYWORD_RE = re.compile(
    r"(?<!\w)(?P<pre>(?i:"
    rf"(?:collar|shoulder|badge|epaulette)(?:[ \t]*{_NUMBER_WORD})?"
    r"|(?:warrant(?:[ \t]+card)?|staff|payroll|pay|employee|personnel|service|officer"
    rf"|identification|id)[ \t]*{_NUMBER_WORD}"
    # "collar number is 1234", "badge was 4455", "shoulder number's 4567"
    r")(?:'s|[ \t]+(?i:is|was))?[ \t]*(?:[:#=][ \t]*)?)"
    rf"(?P<id>[A-Za-z]{{0,3}}\d{{1,8}}[A-Za-z]?)(?!\w){_UNITS}"
)

# "PC 1234", "PS123": a rank immediately followed by digits is a collar number. Abbreviated
# ranks are case-sensitive ("pc" is as likely to be a computer); spelled-out ranks need three
# digits so that "a sergeant 20 years ago" style slips are not mistaken for collar numbers.
_ID_SHORT_RANKS = r"PCSO|TDC|DCI|DSgt|Sgt|SGT|Insp|INSP|PC|PS|DC|DS|DI"
_ID_LONG_RANKS = r"(?i:constable|sergeant|inspector|officer)"
_EMERGENCY = r"(?!(?:101|999|111|112)(?!\d))"
_ID_RANK_RE = re.compile(
    r"(?<![\w'’])(?P<pre>"
    rf"(?:{_ID_SHORT_RANKS})\.?[ \t]*(?:(?i:no)\.?[ \t]*)?(?=\d{{2,7}}(?!\w))"
    rf"|{_ID_LONG_RANKS}[ \t]+(?:(?i:no)\.?[ \t]*)?(?=\d{{3,7}}(?!\w))"
    rf"){_EMERGENCY}(?P<id>\d+)(?!\d){_UNITS}"
)

# --------------------------------------------------------------------------------------------
# UK postcodes, full form only. The letter classes follow the Royal Mail rules (no Q, V, X in
# the first position, no C, I, K, M, O, V in the inward code), which keeps ordinary tokens such
# as "a4 3pm" from looking like postcodes.

_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:[A-PR-UWYZ]\d[A-HJKPS-UW\d]?|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY\d]?)"
    r"[ \t]?(?-i:(?!1st|2nd|3rd|\dth))\d[ABD-HJLNP-UW-Z]{2}"
    r"|GIR[ \t]?0AA"
    r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------
# UK telephone numbers: a trunk "0" or "+44"/"0044" prefix and 9 or 10 further digits in
# groups. Short numbers (101, 999, 111) never have enough digits to match.

_PHONE_RE = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<prefix>(?:\+|00)44[ \t-]?(?:\(0\)[ \t-]?)?|\(0|0)"
    r"(?P<body>[1-9]\d*(?:(?:\)[ \t]*|[ \t]*[-.][ \t]*|[ \t]+)\d+){0,3})"
)
_PHONE_GROUP_RE = re.compile(r"\d+")
_PHONE_DIGITS = (9, 10)

# --------------------------------------------------------------------------------------------
# Names after titles and ranks.

# Abbreviated titles and ranks are matched with their usual capitalisation only: "ms" or "di"
# in lower case are far more often something else.
_SHORT_TITLES = [
    r"Ch\.?[ \t]+Supt",
    r"Ch\.?[ \t]+Insp",
    r"CH\.?[ \t]+SUPT",
    r"CH\.?[ \t]+INSP",
    "DSupt",
    "DSUPT",
    "PCSO",
    "DSgt",
    "Supt",
    "SUPT",
    "Insp",
    "INSP",
    "Prof",
    "Mrs",
    "MRS",
    "Sgt",
    "SGT",
    "DCI",
    "DCS",
    "DSI",
    "ACC",
    "DCC",
    "TDC",
    "Mr",
    "MR",
    "Ms",
    "Dr",
    "PC",
    "DC",
    "PS",
    "DS",
    "DI",
    "CC",
]
_UNDOTTED_TITLES = ["Miss", "Sir", "Dame"]
# Spelled-out ranks are matched in any case. They take no trailing dot: "Inspector." ends a
# sentence rather than abbreviating anything.
_LONG_TITLES = [
    r"chief[ \t]+superintendent",
    r"chief[ \t]+inspector",
    r"chief[ \t]+constable",
    "superintendent",
    "commissioner",
    "inspector",
    "constable",
    "commander",
    "sergeant",
    "officer",
]
_TITLE = (
    "(?:"
    + "|".join(
        [rf"(?:{'|'.join(_SHORT_TITLES)})\.?", "|".join(_UNDOTTED_TITLES)]
        + [f"(?i:{t})" for t in _LONG_TITLES]
    )
    + ")"
)

# Capitalised words that follow a rank without being a name: sentence starters, function
# words, organisational nouns ("Sergeant Exam", "Officer Safety Training") and the acronyms
# police staff use most. Words that are also common first names or surnames (Will, May, Mark,
# Grant, Good, Best, Young) are deliberately absent: redacting those errs on the safe side.
_COMMON_TEXT = """
    about above absolutely across acting actually additionally after again against agreed
    all along already also although always am among an and another any anybody anyone
    anything apparently are area as asked assistant association at
    bad basically be because been before behind being below between beyond board both
    branch britain british bureau but by
    can cannot cant can't certainly centre chief city clearly collaboration collaborative
    college come comment comments command commander commanders commissioner commissioners
    communications completely constable constables constabulary control corporate could
    couldnt couldn't council counter county crime custody cyber
    dear definitely degree department dept deputy desk despite detective detectives
    development did didnt didn't digital division do does doesnt doesn't doing domestic done
    dont don't during duty
    each east eastern either england entry especially estates etc even ever every everybody
    everyone everything exam exams excellent
    february feedback few finance firearms first five fleet following for force forces
    forensic forensics fortunately four friday from frankly furthermore
    gave generally get gets got grade group
    had hadnt hadn't has hasnt hasn't have havent haven't having he headquarters hello help
    hence her here hers hi him his home honestly hopefully hope how however hub
    i ie if in including instead intelligence inspector inspectors into investigation
    investigations is isnt isn't it its it's
    january joint july just
    last least leadership less let lets let's level like local lots
    made main mainly major make makes management many march maybe me meanwhile meeting
    metropolitan midlands might mine monday more moreover most mostly much must my
    national neighbourhood neighbourhoods neither never new next no nobody none nor north
    northern not note nothing november now
    october of off office officer officers often ok okay old on once one only onto
    operations ops or order organised other others otherwise our ours out over overall
    partly partnership particularly pay perhaps personally please policing police poor
    probably process professional programme program promotion protection public
    quite
    rank ranks rather re really recently regarding region regional response review role
    roles room rota route
    sadly safeguarding safety said same saturday say says second section september serious
    sergeant sergeants service services shall she shift should shouldnt shouldn't since so
    some somebody someone something sometimes sorry south southern special specialist
    specials staff standards still such sunday superintendent superintendents support
    survey
    tactical team teams than thank thanks that the their theirs them then there therefore
    these they this those though three through throughout thursday thus to today told too
    totally training tuesday two
    uk ultimately under unfortunately union unison unit unless unlike until upon us usually
    very via
    wales was wasnt wasn't we wednesday welfare wellbeing were west western what whatever
    when where whereas whether which while whilst who whoever whom whose why with within
    without wont won't would wouldnt wouldn't
    yes yesterday yet you your yours
    teams outlook excel windows microsoft zoom skype word
    mr mrs ms miss dr prof sir dame pc dc ps ds di dci dcs dsi sgt insp supt dsupt acc dcc
    cc pcso tdc dsgt ch det
    hq hr it ict cid sio ppe npcc acpo iopc ipcc hmic hmicfrs pace rtc asb pnc pnd psd psu
    arv afo tsg soco csi cso nca cps moj mod nhs pcc opcc opfcc rocu ripa gdpr slt smt cpd
    pdr pip ipldp peqf dhep pcda dbs npt snt cctv anpr bwv usa eu id nb faq ceo cfo coo
    oic tbc tba asap pm covid
    """
_COMMON_WORDS = frozenset(_COMMON_TEXT.split())
_COMMON_RE = (
    "(?i:(?:"
    + "|".join(
        re.escape(w).replace("'", "['’]") for w in sorted(_COMMON_WORDS, key=len, reverse=True)
    )
    + r")(?![\w'’-]))"
)

_CAP_WORD = rf"(?:[{_UP}][{_APOS}])?(?:[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?|[{_UP}]{{2,}})"
_NAME_WORD = (
    "(?:"
    rf"[{_UP}]\."  # initial with a dot: "J."
    rf"|(?!{_COMMON_RE})"
    "(?:"
    rf"[{_UP}](?![\w{_APOS}.-])(?=[ \t]+[{_UP}])"  # bare initial, only before another word
    rf"|{_CAP_WORD}(?:-{_CAP_WORD})*(?!\w)"  # Smith, O'Neill, McDonald, Smith-Jones, SMITH
    "))"
)
_NAME = rf"{_NAME_WORD}(?:(?:(?<=\.)[ \t]*|[ \t]+){_NAME_WORD}){{0,2}}"

_NAME_RE = re.compile(
    rf"(?<![\w{_APOS}])(?P<pre>{_TITLE}(?:[ \t]*\[ID NUMBER\])?[ \t]+)(?P<name>{_NAME})"
)

# --------------------------------------------------------------------------------------------


def _phone(match: re.Match[str]) -> str | None:
    """Keep the longest run of digit groups that is a valid UK number length.

    The pattern takes up to four groups greedily, so a trailing small number ("07700 900123 5
    times") would otherwise be swallowed or make the whole match invalid.
    """
    body = match.group("body")
    total = 0
    best_end: int | None = None
    for group in _PHONE_GROUP_RE.finditer(body):
        total += len(group.group())
        if total in _PHONE_DIGITS:
            best_end = group.end()
    if best_end is None:
        return None
    return TOKENS["phone"] + body[best_end:]


def _email(match: re.Match[str]) -> str | None:
    local = match.group("local")
    word = local.lstrip(_EMAIL_LEAD)
    if not word:
        return None
    return local[: len(local) - len(word)] + TOKENS["email"]


def _rule(pattern: re.Pattern[str], kind: str) -> Callable[[re.Match[str]], str | None]:
    """Build a replacement that keeps the ``pre`` group (a title, rank or keyword) if present."""
    token = TOKENS[kind]
    keeps_prefix = "pre" in pattern.groupindex

    def replace(match: re.Match[str]) -> str:
        return (match.group("pre") if keeps_prefix else "") + token

    return replace


_RULES: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str | None]]] = [
    ("email", _EMAIL_RE, _email),
    # phone numbers before ids, so that "Officer 07700 900123" is not cut into an id and a rest
    ("phone", _PHONE_RE, _phone),
    # full postcodes before rank + number, so "DS12 3AB" is not read as a sergeant's number
    ("postcode", _POSTCODE_RE, _rule(_POSTCODE_RE, "postcode")),
    ("id_number", _ID_KEYWORD_RE, _rule(_ID_KEYWORD_RE, "id_number")),
    ("id_number", _ID_RANK_RE, _rule(_ID_RANK_RE, "id_number")),
    ("name", _NAME_RE, _rule(_NAME_RE, "name")),
]


def _apply(
    text: str,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str | None],
) -> tuple[str, int]:
    count = 0

    def wrapped(match: re.Match[str]) -> str:
        nonlocal count
        result = replace(match)
        if result is None:
            return match.group()
        count += 1
        return result

    return pattern.sub(wrapped, text), count


# Cheap tests that rule a pattern out before its full (costly) search runs: most answers
# contain no "@", no digit and no title, and a survey import redacts hundreds of thousands.
_HAS_DIGIT = re.compile(r"\d")
_HAS_TITLE = re.compile(rf"(?<![\w{_APOS}]){_TITLE}[ \t]")
_NEEDS: dict[str, Callable[[str], bool]] = {
    "email": lambda t: "@" in t,
    "phone": lambda t: _HAS_DIGIT.search(t) is not None,
    "id_number": lambda t: _HAS_DIGIT.search(t) is not None,
    "postcode": lambda t: _HAS_DIGIT.search(t) is not None,
    "name": lambda t: _HAS_TITLE.search(t) is not None,
}


def redact_with_counts(text: str) -> tuple[str, dict[str, int]]:
    """Redact ``text`` and report how many items of each kind were replaced.

    The counts let the importer record that an answer was redacted, and how heavily, without
    keeping anything of what was removed. Only kinds that occurred appear in the dict.
    """
    counts: dict[str, int] = {}
    for _ in range(_MAX_PASSES):
        before = text
        for kind, pattern, replace in _RULES:
            if not _NEEDS[kind](text):
                continue
            text, n = _apply(text, pattern, replace)
            if n:
                counts[kind] = counts.get(kind, 0) + n
        if text == before:
            break
    return text, counts


def redact(text: str) -> str:
    """Redact personal data so that the answer can be stored.

    Applying it twice gives the same result as applying it once, so re-importing already
    redacted answers is harmless.
    """
    return redact_with_counts(text)[0]


PARALLEL_MIN = 20_000  # below this, starting worker processes costs more than it saves


def redact_many(texts: list[str], workers: int | None = None) -> list[str]:
    """Redact a batch, spread over the machine's cores when the batch is large.

    Redaction is pure-Python regex work and the slowest part of importing a large survey;
    it parallelises perfectly because each answer is independent.
    """
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(texts) < PARALLEL_MIN:
        return [redact(t) for t in texts]
    chunk = max(1000, len(texts) // (workers * 4))
    # spawn, not fork: the caller may hold open database connections that a forked
    # child would share.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(redact, texts, chunksize=chunk))
