"""Redaction of personal data from free-text answers.

The examples pin down the cases that matter in police staff answers; the property tests check
that generated personal items never survive, that ordinary text is never touched and that
redaction can safely be applied twice.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from collablens.text.redact import _COMMON_WORDS, TOKENS, redact, redact_with_counts

# --------------------------------------------------------------------------------------------
# Examples

REDACTED = [
    # names after titles and ranks; the title or rank is kept
    ("Sgt Jane Smith said", "Sgt [NAME] said"),
    ("DI O'Neill", "DI [NAME]"),
    ("DI O’Neill was great", "DI [NAME] was great"),
    ("Mrs Smith-Jones", "Mrs [NAME]"),
    ("Mr. J. Smith agreed", "Mr. [NAME] agreed"),
    ("Dr Jane Smith", "Dr [NAME]"),
    ("Prof McDonald", "Prof [NAME]"),
    ("Sir Robert Peel", "Sir [NAME]"),
    ("Dame Cressida Dick", "Dame [NAME]"),
    ("Miss Patel", "Miss [NAME]"),
    ("Ms Kaur", "Ms [NAME]"),
    ("Mrs A Jones", "Mrs [NAME]"),
    ("Sgt J R Hartley", "Sgt [NAME]"),
    ("Sgt. Brown", "Sgt. [NAME]"),
    ("ask Sergeant Davies", "ask Sergeant [NAME]"),
    ("Detective Sergeant MacLeod", "Detective Sergeant [NAME]"),
    ("Insp Patel", "Insp [NAME]"),
    ("Inspector Morse", "Inspector [NAME]"),
    ("DCI Tennison", "DCI [NAME]"),
    ("Ch Insp Ahmed", "Ch Insp [NAME]"),
    ("Chief Inspector Mary Ann Jones left", "Chief Inspector [NAME] left"),
    ("Supt. O'Brien", "Supt. [NAME]"),
    ("Superintendent Hastings", "Superintendent [NAME]"),
    ("DSupt Wright", "DSupt [NAME]"),
    ("Ch Supt Evans", "Ch Supt [NAME]"),
    ("Chief Superintendent Evans", "Chief Superintendent [NAME]"),
    ("ACC Smith and DCC Jones", "ACC [NAME] and DCC [NAME]"),
    ("CC Hughes", "CC [NAME]"),
    ("the Chief Constable Simon Byrne said", "the Chief Constable [NAME] said"),
    ("chief constable Hughes", "chief constable [NAME]"),
    ("Special Constable Smith's car", "Special Constable [NAME]'s car"),
    ("Commander Rowley", "Commander [NAME]"),
    ("Commissioner Rowley", "Commissioner [NAME]"),
    ("PCSO Kaur", "PCSO [NAME]"),
    ("PC Bloggs and DC Jones", "PC [NAME] and DC [NAME]"),
    ("PS Walker", "PS [NAME]"),
    ("DS Anne-Marie Lewis", "DS [NAME]"),
    ("Officer Jones helped", "Officer [NAME] helped"),
    ("the welfare officer Sarah", "the welfare officer [NAME]"),
    ("Mr Smith And Inspector Jones", "Mr [NAME] And Inspector [NAME]"),
    ("SGT SMITH IS A BULLY", "SGT [NAME] IS A BULLY"),
    ("Mr Ó Sé", "Mr [NAME]"),
    # collar, warrant, staff and similar numbers: only the number goes
    ("collar number 1234", "collar number [ID NUMBER]"),
    ("My collar number is 1234.", "My collar number is [ID NUMBER]."),
    ("my warrant number was 123456", "my warrant number was [ID NUMBER]"),
    ("my shoulder number's 4567", "my shoulder number's [ID NUMBER]"),
    ("my badge is 4455", "my badge is [ID NUMBER]"),
    ("collar no. 1234", "collar no. [ID NUMBER]"),
    ("Collar No 1234", "Collar No [ID NUMBER]"),
    ("warrant no 123456", "warrant no [ID NUMBER]"),
    ("warrant card number 123456", "warrant card number [ID NUMBER]"),
    ("staff number AB1234", "staff number [ID NUMBER]"),
    ("my staff id 12345", "my staff id [ID NUMBER]"),
    ("shoulder number 567", "shoulder number [ID NUMBER]"),
    ("payroll number: 998877", "payroll number: [ID NUMBER]"),
    ("badge 4521", "badge [ID NUMBER]"),
    ("PC 1234", "PC [ID NUMBER]"),
    ("PC1234", "PC[ID NUMBER]"),
    ("PS 123", "PS [ID NUMBER]"),
    ("PCSO 7890 was there", "PCSO [ID NUMBER] was there"),
    ("Sergeant 1234", "Sergeant [ID NUMBER]"),
    ("PC 1234 SMITH attended", "PC [ID NUMBER] [NAME] attended"),
    ("PC 1234 Smith", "PC [ID NUMBER] [NAME]"),
    # email addresses
    ("mail jane.smith@westyorkshire.pnn.police.uk today", "mail [EMAIL] today"),
    ("email me at jo@example.com.", "email me at [EMAIL]."),
    ("<o'neill@met.police.uk>", "<[EMAIL]>"),
    ("J_Smith+survey@force.gov.uk", "[EMAIL]"),
    # phone numbers
    ("ring 07700 900123", "ring [PHONE]"),
    ("ring 07700900123", "ring [PHONE]"),
    ("ring 07700 900 123", "ring [PHONE]"),
    ("ring +44 7700 900123", "ring [PHONE]"),
    ("ring +447700900123", "ring [PHONE]"),
    ("ring +44 (0)7700 900123", "ring [PHONE]"),
    ("ring 0044 7700 900123", "ring [PHONE]"),
    ("ring 0113 496 0000", "ring [PHONE]"),
    ("ring 0113-496-0000", "ring [PHONE]"),
    ("ring (0113) 496 0000", "ring [PHONE]"),
    ("ring (01632) 960000", "ring [PHONE]"),
    ("ring 020 7946 0000", "ring [PHONE]"),
    ("ring +44 (0)20 7946 0000", "ring [PHONE]"),
    ("ring 0800 123 4567", "ring [PHONE]"),
    ("ring 0800 123 456", "ring [PHONE]"),
    ("ring 07700 900123 5 times", "ring [PHONE] 5 times"),
    ("tel:07700900123", "tel:[PHONE]"),
    # postcodes
    ("based at LS1 4AP now", "based at [POSTCODE] now"),
    ("SW1A 1AA", "[POSTCODE]"),
    ("YO31 7PZ", "[POSTCODE]"),
    ("yo31 7pz", "[POSTCODE]"),
    ("LS14AP", "[POSTCODE]"),
    ("sw1a1aa", "[POSTCODE]"),
    ("M1 1AE", "[POSTCODE]"),
    ("B33 8TH", "[POSTCODE]"),
    ("EC1A 1BB", "[POSTCODE]"),
    ("W1A 0AX", "[POSTCODE]"),
    ("LS1 2ND", "[POSTCODE]"),
    ("GIR 0AA", "[POSTCODE]"),
    # glued together: each later pass sees what the earlier one separated
    ("Mr Smith07700900123", "Mr [NAME][PHONE]"),
    (
        "DS Jones (collar 1234, jo@x.pnn.police.uk, 07700 900123, LS1 4AP)",
        "DS [NAME] (collar [ID NUMBER], [EMAIL], [PHONE], [POSTCODE])",
    ),
]

UNCHANGED = [
    "the Chief Constable said",
    "a PC on patrol",
    "our Sergeant and Inspector ranks",
    "Chief Constables",
    "the Chief Constables' Council agreed",
    "Chief Constables’ Council",
    "the Inspector said no",
    "I spoke to the Inspector. Then he left",
    "Sergeant Exam results",
    "Officer Safety Training",
    "Police Constable Degree Apprenticeship",
    "Gold Commander Training",
    "the Police and Crime Commissioner's office",
    "PS Thanks for asking",
    "PS I forgot",
    "the officer I spoke to",
    "We use MS Teams and Ms Teams",
    "the DI SIO role",
    "THE INSPECTOR DIDNT CARE",
    "call 101 or 999 or 111",
    "officer 101 call",
    "since 2017",
    "from 2017-2019",
    "up 15% on last year",
    "at 10:30 or 3pm",
    "cost £1,250.00",
    "a PC 20 years ago",
    "a sergeant 250 miles away",
    "our staff number 40 officers",
    "scores of 1 2 3 4 5",
    "scores 05 10 15 20 25",
    "ratio 0.0123456789",
    "date 07.11.2023 and 01/02/2020",
    "version 2.1.3",
    "the M62 corridor",
    "in Q3 2023",
    "24/7",
    "a4 3pm",
    "b2 3rd wave",
    "he was 1st in line",
    "3 of 5 sergeants",
    "",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_redacts(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def test_counts_per_kind() -> None:
    text = "Sgt Jane Smith (jane@x.pnn.police.uk or js@example.com), collar 123, PC 456 Jones"
    redacted, counts = redact_with_counts(text)
    assert redacted == (
        "Sgt [NAME] ([EMAIL] or [EMAIL]), collar [ID NUMBER], PC [ID NUMBER] [NAME]"
    )
    assert counts == {"name": 2, "email": 2, "id_number": 2}


def test_counts_empty_when_nothing_found() -> None:
    assert redact_with_counts("nothing personal here") == ("nothing personal here", {})


def test_counts_all_kinds_and_tokens() -> None:
    text = "Mr Smith, a@b.uk, 07700 900123, badge 4521, LS1 4AP"
    redacted, counts = redact_with_counts(text)
    assert counts == {kind: 1 for kind in TOKENS}
    assert all(token in redacted for token in TOKENS.values())


@pytest.mark.parametrize("text", ["a" * 20000, "1" * 20000, "Smith-" * 4000, "a'" * 10000])
def test_long_runs_stay_linear(text: str) -> None:
    # answers are pasted from anywhere; a pattern that rescans a long run from every position
    # would take seconds here rather than milliseconds
    start = time.perf_counter()
    assert redact(text) == text
    assert time.perf_counter() - start < 0.5


# --------------------------------------------------------------------------------------------
# Properties

# Lower-case words (rank words included, in the lower case that is never a title) and small
# numbers: text made of these contains no personal data.
SAFE_WORDS = [
    "the", "a", "and", "of", "to", "was", "we", "our", "team", "force", "forces", "shared",
    "regional", "unit", "training", "budget", "meeting", "helped", "said", "since", "years",
    "officer", "officers", "sergeant", "inspector", "constable", "chief", "staff", "patrol",
    "collaboration", "good", "poor", "call", "hours", "people", "on", "at", "with", "not",
]  # fmt: skip
safe_word = st.sampled_from(SAFE_WORDS)
safe_token = st.one_of(safe_word, st.integers(0, 99).map(str))
filler = st.lists(safe_word, min_size=1, max_size=6).map(" ".join)
safe_text = st.tuples(
    st.lists(safe_token, max_size=25),
    st.sampled_from([" ", ", ", ". ", "\n", " - "]),
).map(lambda t: t[1].join(t[0]))

DIGIT = "0123456789"
LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
email = st.builds(
    "{}{}@{}.{}".format,
    st.sampled_from(LOWER_ALNUM),
    st.text(LOWER_ALNUM + "._-", max_size=10).map(lambda t: t + "x" if t else t),
    st.text(LOWER_ALNUM + "-", max_size=8).map(lambda t: "d" + t + "0"),
    st.sampled_from(["uk", "com", "org", "police.uk", "pnn.police.uk", "gov.uk", "nhs.net"]),
)


@st.composite
def uk_mobile(draw: st.DrawFn) -> str:
    n = "7" + "".join(draw(st.lists(st.sampled_from(DIGIT), min_size=9, max_size=9)))
    layout = draw(
        st.sampled_from(
            [
                "0{n}",
                "0{a} {b}",
                "0{a} {c} {d}",
                "0{a}-{c}-{d}",
                "+44 {a} {b}",
                "+44{n}",
                "+44 (0){a} {b}",
                "0044 {a} {b}",
            ]
        )
    )
    return layout.format(n=n, a=n[:4], b=n[4:], c=n[4:7], d=n[7:])


FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"
THIRD = "ABCDEFGHJKPSTUW"
FOURTH = "ABEHMNPRVWXY"
INWARD = "ABDEFGHJLNPQRSTUWXYZ"


@st.composite
def postcode(draw: st.DrawFn) -> str:
    def pick(chars: str) -> str:
        return draw(st.sampled_from(chars))

    shape = draw(st.sampled_from(["A9", "A99", "AA9", "AA99", "A9A", "AA9A"]))
    classes = {
        "A9": [FIRST, DIGIT],
        "A99": [FIRST, DIGIT, DIGIT],
        "AA9": [FIRST, SECOND, DIGIT],
        "AA99": [FIRST, SECOND, DIGIT, DIGIT],
        "A9A": [FIRST, DIGIT, THIRD],
        "AA9A": [FIRST, SECOND, DIGIT, FOURTH],
    }[shape]
    outward = "".join(pick(c) for c in classes)
    inward = pick(DIGIT) + pick(INWARD) + pick(INWARD)
    code = outward + draw(st.sampled_from([" ", ""])) + inward
    if draw(st.booleans()):
        code = code.lower()
        # "b2 3rd" is an ordinal in lower case, so the rules deliberately leave it alone
        assume(not re.fullmatch(r"1st|2nd|3rd|\dth", inward.lower()))
    return code


RANKS = [
    "Mr", "Mr.", "Mrs", "Ms", "Miss", "Dr", "Dr.", "Prof", "Sir", "Dame", "PC", "DC", "PS",
    "DS", "Sgt", "Sgt.", "Sergeant", "sergeant", "Insp", "Insp.", "Inspector", "DI", "DCI",
    "Ch Insp", "Chief Inspector", "Supt", "Superintendent", "DSupt", "Ch Supt",
    "Chief Superintendent", "ACC", "DCC", "CC", "Chief Constable", "chief constable",
    "Constable", "Commander", "Commissioner", "PCSO", "Officer", "officer",
]  # fmt: skip

plain_name = st.builds(
    "{}{}".format,
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9),
).filter(lambda w: w.lower() not in _COMMON_WORDS)
name_part = st.one_of(
    plain_name,
    st.builds("{}-{}".format, plain_name, plain_name),
    st.builds("{}'{}".format, st.sampled_from("ODL"), plain_name),
    st.sampled_from("ABCDEFGHJKLMNPRSTW").map("{}.".format),
)


@st.composite
def person(draw: st.DrawFn) -> tuple[str, str]:
    """A rank and a name of one to three words, sometimes in capitals as in police records."""
    name = " ".join(draw(st.lists(name_part, min_size=1, max_size=3)))
    if draw(st.booleans()):
        name = name.upper()
    return draw(st.sampled_from(RANKS)), name


def _absent(item: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(item)}(?!\w)", text) is None


@settings(max_examples=100, deadline=None)
@given(filler, email, filler)
def test_generated_emails_are_removed(before: str, item: str, after: str) -> None:
    assert redact(f"{before} {item} {after}") == f"{before} [EMAIL] {after}"


@settings(max_examples=100, deadline=None)
@given(filler, uk_mobile(), st.one_of(filler, st.integers(0, 99).map(str)))
def test_generated_mobiles_are_removed(before: str, item: str, after: str) -> None:
    assert redact(f"{before} {item} {after}") == f"{before} [PHONE] {after}"


@settings(max_examples=100, deadline=None)
@given(filler, postcode(), filler)
def test_generated_postcodes_are_removed(before: str, item: str, after: str) -> None:
    assert redact(f"{before} {item} {after}") == f"{before} [POSTCODE] {after}"


@settings(max_examples=150, deadline=None)
@given(filler, person(), filler)
def test_generated_names_after_ranks_are_removed(
    before: str, rank_and_name: tuple[str, str], after: str
) -> None:
    rank, name = rank_and_name
    out = redact(f"{before} {rank} {name} {after}")
    assert out == f"{before} {rank} [NAME] {after}"
    assert _absent(name, out)


# (what is written, what must not survive): for a rank and name only the name is secret
personal_item = st.one_of(
    email.map(lambda e: (e, e)),
    uk_mobile().map(lambda p: (p, p)),
    postcode().map(lambda p: (p, p)),
    person().map(lambda rn: (f"{rn[0]} {rn[1]}", rn[1])),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(personal_item, filler.map(lambda f: (f, None))), max_size=8))
def test_mixed_answers_lose_every_personal_item(parts: list[tuple[str, str | None]]) -> None:
    out = redact(" ".join(written for written, _ in parts))
    for written, secret in parts:
        if secret is None:
            assert written in out
        else:
            assert _absent(secret, out)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            personal_item.map(lambda item: item[0]),
            filler,
            st.sampled_from(RANKS + ["collar no", "staff number", "badge", "[NAME]", "@"]),
            st.integers(0, 10**12).map(str),
            st.text(max_size=8),
        ),
        max_size=10,
    ),
    st.sampled_from(["", " ", ", ", "\n"]),
)
def test_idempotent(parts: list[str], sep: str) -> None:
    once = redact(sep.join(parts))
    assert redact(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_idempotent_on_arbitrary_text(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@settings(max_examples=200, deadline=None)
@given(safe_text)
def test_safe_text_is_unchanged(text: str) -> None:
    assert redact_with_counts(text) == (text, {})
