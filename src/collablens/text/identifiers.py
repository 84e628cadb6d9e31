"""Rules for the identifiers staff type without a title or keyword in front of them.

Issue 23's blind corpus (comments written by someone who had not read our rules, see
docs/redaction.md) showed the forms the first rules missed: e-mail addresses with spaced or
bracketed at-signs ("p . gordon @ live . co . uk", "y.stjohn[@]nyorks.police.uk"), extensions
after phone numbers ("x659", "(ext. 14693)"), NI numbers with dots or hyphens, dates of birth a
few words after their keyword ("my date of birth as 1st June 1977"), registrations in lower
case or spaced ("oj 09 oha", "ww19suw", "HIW 7538" after "car"), warrant numbers with their
letters ("WC 462885", "E47252", "pc2079"), street addresses, social media handles and initials.

Each rule here is a compiled pattern and a replacement that may decline a match (returns
None) after looking at its context; `redact` runs them with its own rules, in the order its
rule list gives. Nothing here imports spaCy or Presidio: these are plain regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from collablens.text.gazetteer import (
    is_acronym,
    is_function_word,
    is_given_name,
    is_place,
    is_surname,
    is_word,
)

Replace = Callable[[re.Match[str]], str | None]


class Rule(Protocol):
    """What `redact` needs of a rule's pattern: a compiled pattern, or a scanner like one."""

    def sub(self, repl: Callable[[re.Match[str]], str], string: str) -> str: ...


# --------------------------------------------------------------------------------------------
# E-mail addresses with the at-sign or dots spaced out or bracketed.

# "@", its full-width and small forms (which no plain address pattern sees), bracketed "at"
_AT = r"(?:[ \t]*(?:[@＠﹫]|[(\[{][ \t]*(?:[@＠﹫]|(?i:at))[ \t]*[)\]}])[ \t]*)"
_SDOT = r"(?:[ \t]*\.[ \t]*)"
_PART = r"[\w%+'’-]+"
_TLD = r"(?i:uk|com|org|net|gov|nhs|police|ac|co|io|info|edu|eu|ie|scot|wales|me|biz|mail)"
SPACED_EMAIL_RE = re.compile(
    rf"(?<![\w.%+'’-]){_PART}(?:{_SDOT}{_PART})*{_AT}"
    rf"[A-Za-z0-9][\w-]*(?:{_SDOT}[A-Za-z0-9][\w-]*)*{_SDOT}{_TLD}(?![\w-])"
)
"""Only where a plain address cannot match: a space or bracket around the at-sign or a dot."""


def spaced_email(match: re.Match[str]) -> str | None:
    text = match.group()
    if "@" in text and " " not in text and "[" not in text and "(" not in text:
        return None  # a plain address: the ordinary rule has it
    return "[EMAIL]"


# --------------------------------------------------------------------------------------------
# Social media handles: "@the_real_ngozi", "@ioana.iqbal". Run after the e-mail rules, so an
# at-sign still standing is not part of an address.

_PLATFORM = r"(?i:snapchat|snap|insta(?:gram)?|tiktok|twitter|facebook|fb|linkedin|threads|x)"
HANDLE_RE = re.compile(
    r"(?<![\w@.+%'’-])[@＠](?=[\w.]*[A-Za-z])[A-Za-z0-9_]{2,30}(?:\.[A-Za-z0-9_]+)*(?![\w@])"
    # a profile's address: "facebook.com/john.mcloughlin.77", "linkedin.com/in/aisha-rahman"
    r"|(?i:(?:https?://)?(?:www\.|m\.)?(?:facebook|fb|instagram|twitter|x|tiktok|linkedin"
    r"|snapchat|threads)\.com/(?:in/|@)?)[\w.\-]+[\w]"
    # after the platform's name: "snapchat: kelly_rx7", "my insta is jay.kapoor.99", "@ pc.dan"
    rf"|(?P<pre>\b{_PLATFORM}(?:[ \t]*:|[ \t]+(?:is|as|-|=))[ \t]*)@?[ \t]?"
    r"(?=[\w.]*[_.\d])[A-Za-z][\w.]{2,29}[\w]"
    r"|(?<![\w@.+%'’-])@[ \t](?=[\w.]*[_.\d])[A-Za-z][\w.]{2,29}[\w]"
)


# Mentions of a group in Teams, Slack or Outlook, which name nobody.
_GROUP_MENTIONS = frozenset(["everyone", "here", "channel", "all", "team", "group"])


def handle(match: re.Match[str]) -> str | None:
    if match.group().lstrip("@＠ \t").lower() in _GROUP_MENTIONS:
        return None
    return (match.group("pre") or "") + "[HANDLE]"


# --------------------------------------------------------------------------------------------
# Phone extensions left after a redacted number: "[PHONE] x659", "[PHONE] (ext. 14693)".

_EXT = r"(?i:ext(?:ension|n)?\.?|x)"
PHONE_EXT_RE = re.compile(
    rf"\[PHONE\](?:[ \t]*\([ \t]*{_EXT}[ \t]*\d{{2,6}}[ \t]*\)|,?[ \t]*{_EXT}[ \t]*\d{{2,6}})(?!\w)"
    # an extension given on its own: "on ext 4417", "extension 23456"
    r"|(?<![\w\]])(?P<ext>(?i:ext(?:ension|n)?\.?)[ \t]*)\d{3,6}(?![\w/])"
)


def phone_ext(match: re.Match[str]) -> str | None:
    return (match.group("ext") or "") + "[PHONE]"


# --------------------------------------------------------------------------------------------
# National Insurance numbers: two letters, six digits in pairs, a final A-D, with spaces, dots
# or hyphens between the groups (people type them every way).

_NI_SEP = r"[ \t./\-]?"
NINO_RE = re.compile(
    rf"(?<![\w.-])(?:[A-Z]{{2}}|[a-z]{{2}})(?:{_NI_SEP}\d){{6}}"
    rf"{_NI_SEP}[A-Da-d](?![\w])(?!\.\w)"
)


# --------------------------------------------------------------------------------------------
# Dates of birth: a date within a few words after a birth keyword, in any common form.

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?i:st|nd|rd|th)?"
DATE = (
    r"(?:\d{1,2}[ \t]*[/.\-][ \t]*\d{1,2}[ \t]*[/.\-][ \t]*(?:\d{4}|\d{2})"
    r"|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}"
    rf"|\d{{1,2}}{_ORD}[ \t]+(?:(?i:of)[ \t]+)?{_MONTH},?[ \t]+(?:(?:19|20)\d{{2}}|'?\d{{2}})"
    rf"|{_MONTH}[ \t]+\d{{1,2}}{_ORD},?[ \t]+(?:19|20)\d{{2}})(?![\w/])"
)
DOB_RE = re.compile(
    r"(?P<pre>(?<![\w])(?i:dobs?|d[ \t]*\.[ \t]*o[ \t]*\.[ \t]*b\.?s?|dates?[ \t]+of[ \t]+b[a-z]*"
    r"|birth[ \t]*dates?|born|birthdays?|b'?day)"
    r"(?![\w])[^.!?\n\d]{0,60}?)"
    rf"(?P<date>{DATE}(?:[ \t]*(?:,|(?i:and|or|&))[ \t]*{DATE})*)"
)


_DATE_RE = re.compile(DATE)


def dob(match: re.Match[str]) -> str | None:
    """Each date of a list after the keyword goes ("3 DOBs: 11-03-1983, 11-03-1988 and ...")."""
    return match.group("pre") + _DATE_RE.sub("[DATE]", match.group("date"))


# --------------------------------------------------------------------------------------------
# Vehicle registrations. The current format (two letters, a valid age identifier, three
# letters) is taken anywhere when written as one word ("ww19suw", "NP23JRA") or in capitals;
# spaced lower-case forms and the older and dateless formats ("HIW 7538", "7380 ST",
# "v675 poa") only after a word about a vehicle earlier in the same sentence.

_AGE = r"(?:0[2-9]|[1-2]\d|5[1-9]|[6-7]\d)"
_L, _S, _END = r"[A-Za-z]", r"[ \t\-]?", r"(?![\w'’-])"
# The forms, most specific first; each is tried at every word start, and when the context
# rules one out the next is tried, so "car 7380 ST" finds "7380 ST" after declining "car 7380".
_VEHICLE_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("compact", re.compile(rf"{_L}{{2}}{_AGE}{_L}{{3}}{_END}")),
    ("current", re.compile(rf"{_L}{{2}}{_S}{_AGE}{_S}{_L}{{3}}{_END}")),
    ("prefix", re.compile(rf"{_L}{_S}\d{{1,3}}{_S}{_L}{{3}}{_END}")),
    ("suffix", re.compile(rf"{_L}{{3}}{_S}\d{{1,3}}{_S}{_L}{_END}")),
    ("dateless", re.compile(rf"{_L}{{1,3}}{_S}\d{{1,4}}{_END}")),
    ("dateless", re.compile(rf"\d{{1,4}}{_S}{_L}{{1,3}}{_END}")),
]
_WORD_START = re.compile(r"(?<![\w'’-])[A-Za-z0-9]")
_VEHICLE_WORDS = re.compile(
    r"(?i:\b(?:cars?|vans?|vehicles?|reg|regs|registration|registered|plates?|number[ \t]+plate"
    r"|vrm|vrn|index|lease|leased|motor|motorbike|bike|fleet|pool[ \t]+car|hire[ \t]+car"
    r"|minibus|truck|lorry|4x4|jeep|estate|saloon|hatchback|stopped|pulled|driver|driving"
    r"|drove|driven|pursuit|anpr|pnc|tracked|parked|clamped|towed)\b)"
)
_SENTENCE_END = re.compile(r"[.!?\n][ \t\n]")


def _vehicle_context(text: str, start: int, end: int) -> bool:
    """A vehicle word in the same sentence, before the item or just after it."""
    before = text[max(0, start - 60) : start]
    cut = list(_SENTENCE_END.finditer(before))
    if cut:
        before = before[cut[-1].end() :]
    after = text[end : end + 40]
    stop = _SENTENCE_END.search(after)
    if stop:
        after = after[: stop.start()]
    return bool(_VEHICLE_WORDS.search(before) or _VEHICLE_WORDS.search(after))


def _ordinary_letters(letters: str) -> bool:
    """A letter group that reads as a word ("on", "may", "car") unless written in capitals."""
    if letters.isupper() and (len(letters) > 1 or letters not in "AI"):
        return False
    if len(letters) == 1:
        return letters in "aI"  # "car a 123" is no registration; "van A123 BCD" is
    low = letters.lower()
    return is_function_word(low) or (len(low) >= 3 and is_word(low))


_ROAD = re.compile(r"[ABMabm]\d{1,4}")
_AMOUNT_UNITS_TEXT = """
    k m bn km kg mph ml st nd rd th am pm gb mb tb hr hrs yr yrs
    """
_AMOUNT_UNITS = frozenset(_AMOUNT_UNITS_TEXT.split())


def _is_vehicle(text: str, form: str, start: int, end: int) -> bool:
    item = text[start:end]
    if text[max(0, start - 1) : start] in ("£", "$", "€", "#"):
        return False  # an amount ("£800k") or a reference
    if form == "dateless" and _ROAD.fullmatch(item):
        return False  # a road: "the A19", "M62", "B1234"
    if form == "dateless" and item[0].isdigit():
        unit = item.lstrip("0123456789 \t")
        if unit.lower() in _AMOUNT_UNITS and not unit.isupper():
            return False
    if form == "compact":
        return item.islower() or item.isupper()
    if form in ("current", "prefix", "suffix") and item.isupper() and not _mostly_capitals(text):
        return True  # "A123 BCD", "S72 KLM" in ordinary text: no word looks like that
    if not _vehicle_context(text, start, end):
        return False
    letters = re.findall(r"[A-Za-z]+", item)
    return not any(_ordinary_letters(g) for g in letters)


class VehicleScanner:
    """Finds registrations with `_VEHICLE_FORMS`; shaped like a compiled pattern's ``sub``
    so that it takes its place in `redact`'s rule list."""

    pattern = "vehicle registrations"

    def sub(self, repl: Callable[[re.Match[str]], str], string: str) -> str:
        text = string
        out: list[str] = []
        pos = 0
        for start_match in _WORD_START.finditer(text):
            start = start_match.start()
            if start < pos:
                continue
            for form, pattern in _VEHICLE_FORMS:
                m = pattern.match(text, start)
                if m and _is_vehicle(text, form, start, m.end()):
                    out.append(text[pos:start])
                    out.append(repl(m))
                    pos = m.end()
                    break
        out.append(text[pos:])
        return "".join(out)


VEHICLE_RE = VehicleScanner()


# --------------------------------------------------------------------------------------------
# Warrant, staff and similar numbers written with their letters and no keyword.

REF_RE = re.compile(
    r"(?<![\w/\-.'’])(?:"
    r"(?P<long>[A-Za-z]{1,2}[ \t]?\d{5,7})"
    r"|(?P<short>[A-Z]\d{4})"
    r"|(?P<rank>(?i:pcso|pc|ps|dc|ds|sgt|tdc)\d{3,6})"
    r"|(?P<slash>[A-Z]{1,2}/\d{4,7})"
    r"|(?P<keyed>[A-Z]{1,3}[ \t]?\d{3,4})"
    r")(?![\w/\-]|\.\d)"
)
_ID_WORDS = re.compile(
    r"(?i:\b(?:warrant|collar|shoulder|badge|staff|payroll|employee|personnel|service)"
    r"[ \t]*(?:card[ \t]*)?(?:numbers?|nos?\b|num\b|id\b|ref\b)?)"
)


def reference(match: re.Match[str]) -> str | None:
    if match.group("keyed"):
        # "FA 1093", "NB 4410": only with an identifier word earlier in the sentence
        before = match.string[max(0, match.start() - 80) : match.start()]
        cut = list(_SENTENCE_END.finditer(before))
        if cut:
            before = before[cut[-1].end() :]
        if not _ID_WORDS.search(before):
            return None
    return "[ID NUMBER]"


# A rank and number standing as one identifier after a name: "DC [NAME] (DC 5267)",
# "[NAME], DC 5865," (the rank rule has already taken the number).
# An initial left beside a name found later: "A. [NAME]", "[NAME] C." ("Yasmin C.").
INITIAL_BEFORE_NAME_RE = re.compile(
    r"(?<![\w.])[A-Z]\.[ \t]*\[NAME\]|\[NAME\][ \t]+[A-Z]\.(?=[ \t,;:)]|$)"
)


RANKED_ID_AFTER_NAME_RE = re.compile(
    r"(?P<pre>\[NAME\][ \t]*(?:\(|,)[ \t]*)(?:PCSO|TDC|DCI|Sgt|SGT|PC|PS|DC|DS|DI)\.?[ \t]*"
    r"\[ID NUMBER\]"
)


# --------------------------------------------------------------------------------------------
# Street addresses: a house number or a house name, a street, and the town after a comma.

_STREET_TYPES = (
    "road|rd|street|st|lane|ln|avenue|ave|av|close|cl|crescent|cres|drive|dr|grove|gr|gardens"
    "|gdns|terrace|terr|tce|place|pl|way|view|court|ct|walk|square|sq|row|mews|rise|parade"
    "|vale|green|wynd|gate|chase|croft|meadows|park|hill|bank|boulevard|circus|fold|garth"
    "|villas|cottages|estate|side"
)
_HOUSE_TYPES = "house|cottage|farm|lodge|barn|hall|mill|manor|villa|bungalow|farmhouse"
_SWORD = r"[A-Za-z][A-Za-z'’\-]*"
_FLAT = r"(?:(?i:flat|apartment|apt|unit)\.?[ \t]*\d{1,4}[A-Za-z]?[ \t]*,?[ \t]*)"
# Abbreviated types take a dot ("Priory St."); a full word's dot ends the sentence.
_STREET_ABBREVIATIONS = "rd|st|ln|ave|av|cl|cres|dr|gr|gdns|terr|tce|pl|ct|sq"
_STREET = (
    rf"(?:(?i:the)[ \t]+)?(?:{_SWORD}[ \t]+){{1,3}}?"
    rf"(?:(?i:{_STREET_ABBREVIATIONS})\.?|(?i:{_STREET_TYPES}))"
)
ADDRESS_RE = re.compile(
    r"(?<![\w'’-])(?P<addr>(?:"
    # "14 Larkspur Close", "Flat 3, 2 Priory St", "7 The Paddock"
    rf"{_FLAT}?\d{{1,4}}[A-Za-z]?,?[ \t]+(?P<street1>{_STREET})"
    # "Rose Cottage, Priory Avenue", "Flat 12, Ashgrove House"
    rf"|(?P<flat2>{_FLAT})?(?P<house>{_SWORD}[ \t]+(?i:{_HOUSE_TYPES}))"
    rf"(?:,[ \t]*(?P<street2>{_STREET}))?"
    # "Unit 7, Tanfield Industrial Estate"
    rf"|{_FLAT}(?P<street3>{_STREET})"
    # "6 Mount Pleasant, Stanhope": a number and capitalised words, then a known place
    r"|\d{1,4}[A-Za-z]?[ \t]+(?P<named>(?:[A-Z][a-z'’\-]+[ \t]+){0,2}[A-Z][a-z'’\-]+)(?=,)"
    r"))(?![\w'’-])"
    r"(?P<town>,?[ \t]*(?:[A-Za-z][A-Za-z'’\-]*(?:[ \t]+[A-Za-z][A-Za-z'’\-]*){0,3}))?"
    r"(?P<postcode>[ \t]*,?[ \t]*\[POSTCODE\])?"
)


def _street_words_ok(words: str) -> bool:
    """Street-name words are not function words: "20 years on the road" is no address."""
    words = re.sub(r"^(?i:the)[ \t]+", "", words.strip())
    return not any(is_function_word(word.lower()) for word in words.split())


def _town_words(words: list[str]) -> int:
    """How many of the words after an address are its town: the longest run that is a known
    place ("Newcastle upon Tyne"), else the words that are no ordinary word ("Blyth")."""
    for n in range(len(words), 0, -1):
        if is_place(" ".join(words[:n])):
            return n
    keep = 0
    for word in words:
        low = word.lower()
        if is_function_word(low) or (is_word(low) and not is_place(word)):
            break
        keep += 1
    return min(keep, 2)


def address(match: re.Match[str]) -> str | None:
    town = match.group("town") or ""
    postcode = match.group("postcode") or ""
    street = match.group("street1") or match.group("street2") or match.group("street3")
    if street is not None and not _street_words_ok(street):
        return None
    if match.group("street1") is not None and _QUANTITY_RE.match(match.group("addr")):
        return None
    words = list(re.finditer(r"[^ \t,]+", town))
    keep = _town_words([w.group() for w in words]) if words else 0
    if match.group("house") is not None and not (match.group("flat2") or match.group("street2")):
        return None  # "Ivy House" alone may be a pub or a station: a flat or a street says home
    # no street type ("6 Mount Pleasant, Stanhope"): an address only when a known place follows
    if match.group("named") is not None and not (
        keep and is_place(" ".join(w.group() for w in words[:keep]))
    ):
        return None
    rest = town
    if keep and (town.lstrip(" \t").startswith(",") or postcode):
        rest = town[words[keep - 1].end() :]
    return "[ADDRESS]" + rest + postcode


_QUANTITY_RE = re.compile(
    r"(?i)\d+[ \t]+(?:years?|yrs?|months?|weeks?|days?|hours?|hrs?|mins?|minutes?|times?"
    r"|miles?|people|officers?|staff)\b"
)


# --------------------------------------------------------------------------------------------
# Initials: "R.H", "B. L.", "G.S.K."; and, in text that is not all capitals, two or three
# capitals standing alone that are neither a known abbreviation nor a word ("signed off by
# TM", "LHU witnessed it").

# a surname's initial may keep its prefix: "C.O'B.", "L.McD.", "J. P-S"
_INITIAL = r"(?:O['’][A-Z]|Ma?c[A-Z]|[A-Z](?:-[A-Z])?)"
DOTTED_INITIALS_RE = re.compile(
    rf"(?<![\w.])(?P<ini>[A-Z]\.(?:[ \t]?{_INITIAL}\.){{0,2}}[ \t]?{_INITIAL}"
    r"(?:\.|(?!\w|['’][a-z])))(?!\w)"
    # "DMc", "JMcK": initials with a Mc
    r"|(?<![\w.])(?P<mc>[A-Z]Ma?c[A-Z]?)(?![\w'’])"
)
# Capitals standing alone; an opening quote may come before them ("signs everything 'WJ'").
BARE_INITIALS_RE = re.compile(
    r"(?:(?<![\w.&/'’\-\[])|(?<=\s['‘\"“])|(?<=^['‘\"“]))(?P<ini>[A-Z]{2,3})"
    r"(?![\w&/\-\]]|['’]\w\w|\.\w)(?![^\[\]\n]*\])"
)


def dotted_initials(match: re.Match[str]) -> str | None:
    if match.group("mc"):
        return "[NAME]"
    letters = re.sub(r"[^A-Z]", "", match.group("ini"))
    if is_acronym(letters):
        return None
    return "[NAME]"


# Words before an abbreviation that make it a thing, not a person: "the DWP", "a DP", "our TL",
# "the force's CPU"; and nouns after one that it qualifies: "the OSU sergeant", "FB page".
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "our",
        "their",
        "my",
        "your",
        "his",
        "her",
        "its",
        "this",
        "that",
        "these",
        "those",
        "each",
        "every",
        "any",
        "no",
        "some",
        "which",
        "whose",
        "joint",
        "regional",
        "local",
        "new",
        "old",
        "other",
        "another",
        "same",
    ]
)
_QUALIFIED_NOUNS = frozenset(
    [
        "team",
        "teams",
        "unit",
        "units",
        "page",
        "account",
        "accounts",
        "liaison",
        "sergeant",
        "sergeants",
        "officer",
        "officers",
        "technician",
        "technicians",
        "lead",
        "leads",
        "desk",
        "system",
        "systems",
        "office",
        "offices",
        "staff",
        "manager",
        "managers",
        "supervisor",
        "inspector",
        "analyst",
        "analysts",
        "department",
        "dept",
        "hub",
        "portal",
        "database",
        "claim",
        "claims",
        "referral",
        "referrals",
        "form",
        "forms",
        "report",
        "reports",
        "process",
        "policy",
        "role",
        "roles",
        "post",
        "posts",
        "group",
        "groups",
        "board",
        "meeting",
        "meetings",
        "course",
        "courses",
        "training",
        "van",
        "vans",
        "car",
        "cars",
        "kit",
        "store",
        "stores",
        "suite",
        "suites",
        "room",
        "rooms",
        "line",
        "lines",
        "number",
        "numbers",
        "code",
        "codes",
    ]
)


def bare_initials(match: re.Match[str]) -> str | None:
    text = match.string
    letters = match.group("ini")
    if is_acronym(letters) or is_word(letters.lower()):
        return None
    if _mostly_capitals(text):
        return None
    before = text[max(0, match.start() - 40) : match.start()].split()
    if before and (before[-1].lower() in _DETERMINERS or re.search(r"['’]s$", before[-1])):
        return None
    after = text[match.end() : match.end() + 30].split()
    if after and after[0].strip(".,;:!?").lower() in _QUALIFIED_NOUNS:
        return None
    return "[NAME]"


def _mostly_capitals(text: str) -> bool:
    upper = sum(c.isupper() for c in text)
    lower = sum(c.islower() for c in text)
    return upper > lower


# --------------------------------------------------------------------------------------------
# Names from the given-name and surname lists, in any case: "lowri kowalski", "YUSUF
# MCGUINNESS", "Folake", "det donnelly", "[NAME] ashworth". The title rules and the
# named-entity model find names by their shape and context; this finds the names those miss
# because they are written in lower case or capitals, or are not in the model's experience.

_NAME_TOKEN = re.compile(r"(?<![\w\[@'’.-])[^\W\d_]+(?:['’-][^\W\d_]+)*(?![\w@])")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
# Irish, Scottish and other particles that begin a surname: "Ní Bhriain", "Mac Giolla
# Phádraig", "ó dónaill", "van der Berg", "bin Rashid".
_PARTICLES_TEXT = """
    ni ní nic ó o ua uí mac mhic giolla van von der den de da du la le del della di dos das
    ter ten bin ibn al el ap
    """
_PARTICLES = frozenset(_PARTICLES_TEXT.split())
# Ranks and forms of address that come before a surname in lower case: "det donnelly",
# "ds mackenzie", "sarge wójcik".
_LOWER_RANKS_TEXT = """
    det con dc ds pc ps di dci sgt sarge insp supt pcso mr mrs ms miss dr gov guv
    sergeant constable inspector superintendent detective
    """
_LOWER_RANKS = frozenset(_LOWER_RANKS_TEXT.split())


# Nouns that make the words before them a place or an organisation: "Albert Road",
# "Framwellgate Bridge", "Durham Constabulary".
PLACE_NOUNS_TEXT = """
    road rd street st lane avenue ave close crescent drive grove gardens terrace place way
    view court walk square row mews rise parade vale green gate park hill bank bridge castle
    bay station airport house hall centre center estate quay wharf moor dale head heads
    police constabulary force forces cops fire ambulance council university college school
    hospital barracks camp office unit team
    """
PLACE_NOUNS = frozenset(PLACE_NOUNS_TEXT.split())


_GAELIC_SURNAME = re.compile(r"(?:O['’]|Ma?c)[A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?")


def _clean(word: str) -> str:
    return _POSSESSIVE.sub("", word).lower()


def _common(word: str) -> bool:
    """A word no name list should claim on its own: a function word, a dictionary word, an
    abbreviation, or a very short word."""
    return is_function_word(word) or is_word(word) or is_acronym(word.upper()) or len(word) < 3


#: Words after which a place's name is a place, not a person's ("officers from Blaydon",
#: "the road to Kenny"), declared once for both the rules here and the check of what the
#: name model found (`redact`, which adds words of its own: see `locative`).
LOCATIVE_WORDS: tuple[str, ...] = (
    "from", "to", "at", "in", "near", "around", "across", "into", "towards", "via",
    "between", "outside", "covering", "past", "through", "round", "leaving", "left",
    "reach", "of", "on", "and",
)  # fmt: skip


def locative(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A pattern for text that ends in one of `LOCATIVE_WORDS` (or `extra`), and "the",
    searched in the 30 characters before a name."""
    words = "|".join(re.escape(w) for w in (*LOCATIVE_WORDS, *extra))
    return re.compile(rf"(?i:\b(?:{words})[ \t]+(?:the[ \t]+)?$)")


_LOCATIVE = locative()


def _given(text: str, token: re.Match[str], word: str) -> bool:
    """A listed given name, not an ordinary word; a place of the same name ("Kenny" is a
    village too) only when no word such as "from" or "at" comes before it."""
    if not is_given_name(word) or _common(word):
        return False
    before = text[max(0, token.start() - 30) : token.start()]
    return not (is_place(word) and _LOCATIVE.search(before))


def _surname(token: str, text_is_capitals: bool) -> bool:
    """A word that can stand as a surname after a given name: a listed surname (places and
    short ones included: "Charlton", "Ng") or any word that is not ordinary ("Mutasa"),
    but never a function word or an abbreviation, and a surname that is also a word
    ("Storey", "Went") only when written with its capital."""
    word = _clean(token)
    if is_function_word(word) or is_acronym(word.upper()):
        return False
    if is_word(word):
        return (
            is_surname(word) and token[:1].isupper() and (text_is_capitals or not token.isupper())
        )
    if is_surname(word):
        return len(word) >= 2
    return len(word) >= 3


class NameScanner:
    """Finds names from the lists; shaped like a compiled pattern's ``sub``."""

    pattern = "listed names"

    def sub(self, repl: Callable[[re.Match[str]], str], string: str) -> str:
        tokens = list(_NAME_TOKEN.finditer(string))
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(tokens):
            span = self._name_at(string, tokens, i)
            if span is None:
                i += 1
                continue
            first, last = span
            spans.append((tokens[first].start(), self._end(tokens[last])))
            i = last + 1
        if not spans:
            return string
        out: list[str] = []
        pos = 0
        for start, end in spans:
            match = _SPAN.match(string, start, end)
            assert match is not None  # a non-empty span always matches
            out.append(string[pos:start])
            out.append(repl(match))
            pos = end
        out.append(string[pos:])
        return "".join(out)

    @staticmethod
    def _end(token: re.Match[str]) -> int:
        possessive = _POSSESSIVE.search(token.group())
        return token.end() - (len(possessive.group()) if possessive else 0)

    def _name_at(self, text: str, tokens: list[re.Match[str]], i: int) -> tuple[int, int] | None:
        word = _clean(tokens[i].group())
        before = text[: tokens[i].start()]
        after_name = before.rstrip().endswith("[NAME]")
        after_rank = (
            i > 0
            and tokens[i - 1].group().lower().rstrip(".") in _LOWER_RANKS
            and text[tokens[i - 1].end() : tokens[i].start()].strip(". \t") == ""
        )
        if self._in_token(text, tokens[i]):
            return None
        if _given(text, tokens[i], word):
            last = self._surname_run(text, tokens, i + 1) or i
            if self._a_place(text, tokens, i, last):
                return None
            return i, last
        if (
            is_given_name(word)
            and not is_function_word(word)
            and len(word) >= 3
            and tokens[i].group()[:1].isupper()
        ):
            # a given name that is also a word ("Lee", "Will") counts only with a surname
            # after it that is no word ("LEE DUNN")
            pair = self._surname_run(text, tokens, i + 1)
            if pair is not None:
                surname = _clean(tokens[pair].group())
                if (
                    is_surname(surname)
                    and not is_word(surname)
                    and not self._a_place(text, tokens, i, pair)
                ):
                    return i, pair
        token = tokens[i].group()
        if (
            _GAELIC_SURNAME.fullmatch(_POSSESSIVE.sub("", token))
            and is_surname(word)
            and not is_place(token)
        ):
            # "O'Donnell", "McAllister", "MacLeod": the prefix says surname
            last = self._surname_run(text, tokens, i + 1) or i
            return i, last
        if len(word) == 2 and token.istitle() and is_given_name(word) and not is_acronym(token):
            # a short given name ("Mo", "Jo", "Al") only before a capitalised surname
            pair = self._surname_run(text, tokens, i + 1)
            if pair is not None and tokens[pair].group().istitle():
                return i, pair
        if (after_name or after_rank) and is_surname(word) and not _common(word):
            last = self._surname_run(text, tokens, i + 1) or i
            return i, last
        if (after_name or after_rank) and word in _PARTICLES:
            run = self._surname_run(text, tokens, i + 1)
            if run is not None:
                return i, run
        return None

    @staticmethod
    def _a_place(text: str, tokens: list[re.Match[str]], first: int, last: int) -> bool:
        """The words are a place, not a person: a known place ("Seaton Carew"), a given name
        that is also a place with no surname ("Durham"), or words before a place noun
        ("Albert Road", "Teesside Park")."""
        phrase = _POSSESSIVE.sub("", text[tokens[first].start() : tokens[last].end()])
        if is_place(phrase):
            return True
        # part of a longer place, force or system: "Police Scotland's", "Devon and Cornwall"
        before = " ".join(t.group() for t in tokens[max(0, first - 2) : first])
        after = " ".join(_POSSESSIVE.sub("", t.group()) for t in tokens[last + 1 : last + 3])
        for extended in (
            f"{before.split()[-1]} {phrase}" if before else "",
            f"{before} {phrase}" if before else "",
            f"{phrase} {after.split()[0]}" if after else "",
            f"{phrase} {after}" if after else "",
        ):
            if extended and is_place(extended):
                return True
        if last + 1 < len(tokens):
            nxt = tokens[last + 1]
            if text[tokens[last].end() : nxt.start()] in (" ", "\t") and (
                nxt.group().lower() in PLACE_NOUNS
            ):
                return True
        return last > first and _clean(tokens[last].group()) in PLACE_NOUNS

    @staticmethod
    def _in_token(text: str, token: re.Match[str]) -> bool:
        """Inside a redaction token already made ("[VEHICLE REG]")."""
        opening = text.rfind("[", 0, token.start())
        return opening >= 0 and "]" not in text[opening : token.start()]

    def _surname_run(self, text: str, tokens: list[re.Match[str]], j: int) -> int | None:
        """The last token of the surname starting at token j (particles included), if any."""
        last = None
        k = j
        while k < len(tokens) and k <= j + 3:
            gap = text[tokens[k - 1].end() : tokens[k].start()]
            if gap not in (" ", "\t") or _POSSESSIVE.search(tokens[k - 1].group()):
                break
            word = _clean(tokens[k].group())
            if word in _PARTICLES and k + 1 < len(tokens):
                k += 1
                continue
            if not _surname(tokens[k].group(), _mostly_capitals(text)):
                break
            last = k
            break
        return last


_SPAN = re.compile(r".+", re.DOTALL)
NAMES_RE = NameScanner()
