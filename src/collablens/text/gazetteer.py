"""Word lists the redactor consults, shipped as data in ``collablens/text/data``.

Why lists: a rule cannot tell "lowri kowalski" from "lower kitchen", "Blaydon" from a surname,
or "TM" from "HR" by its shape alone. Each list is built from a public source named in
``data/SOURCES.md`` (given names, surnames, ordinary English words, UK places, police forces,
units and systems) or written for this project (``acronyms.txt``), and is loaded once, on first
use, so importing this module costs nothing.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

_FILES = {
    "given_names": "given_names.txt",
    "surnames": "surnames.txt",
    "english_words": "english_words.txt",
    "places": "places.txt",
    "police_terms": "police_terms.txt",
    "acronyms": "acronyms.txt",
}


@cache
def entries(name: str) -> frozenset[str]:
    """The entries of one list (comment lines dropped); an absent list is an empty set.

    A list can be absent only in a checkout where the data was not built; the tests check
    that every list ships.
    """
    path = resources.files("collablens.text").joinpath("data", _FILES[name])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


# Closed-class words: articles, pronouns, prepositions, conjunctions, auxiliaries and the
# like. A street name or a town never consists of these.
FUNCTION_WORDS_TEXT = """
    a an the this that these those my your his her its our their me him us them i you he she
    it we they of in on at by for from to with without into onto over under about after
    before between through during since until upon via and or but nor so yet if as than then
    because while whilst though although is are was were be been being am has have had do
    does did will would can could should may might must shall not no yes all any some each
    every both few more most many much very just also only even still too here there where
    when why how what which who whom whose years year months month weeks week days day hours
    hour times
    """
FUNCTION_WORDS = frozenset(FUNCTION_WORDS_TEXT.split())


# Words the dictionary lists only with a capital (so they are not in english_words.txt) that
# staff write all the time and that the name lists also hold: months, days, festivals, and
# abbreviations typed as words.
CALENDAR_AND_SUCH_TEXT = """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter xmas reg ref
    info admin sarge gov guv
    sig insta fb tues weds thurs mon fri sat sun jan feb mar apr jun jul aug sept oct nov dec
    fyi asap misper civvy skipper gaffer boss
    """
CALENDAR_AND_SUCH = frozenset(CALENDAR_AND_SUCH_TEXT.split())


def is_function_word(word: str) -> bool:
    return word in FUNCTION_WORDS or word in CALENDAR_AND_SUCH


def is_word(word: str) -> bool:
    """An ordinary English word (lower case), so a name that is also one is told apart."""
    return word in entries("english_words")


def is_given_name(word: str) -> bool:
    return word.lower() in entries("given_names")


def is_surname(word: str) -> bool:
    return word.lower() in entries("surnames")


@lru_cache(maxsize=1)
def _places_lower() -> frozenset[str]:
    return frozenset(p.lower() for p in entries("places") | entries("police_terms"))


def is_place(phrase: str) -> bool:
    """A UK place, force, unit or police system, in any case ("Whitley Bay", "GENESYS")."""
    return phrase.lower() in _places_lower()


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Every word of every place and police term, lower case, for the name model's veto."""
    out: set[str] = set()
    for phrase in _places_lower():
        out.update(phrase.split())
    return frozenset(out)


def is_acronym(letters: str) -> bool:
    return letters in entries("acronyms")
