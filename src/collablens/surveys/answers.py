"""What the words in an answer cell mean.

A cell may hold the scale point as a number ("4", "4.0"), as the instrument's label
("Agree", "4 - Agree"), as a survey tool's default label for the same point (Qualtrics
writes "Somewhat agree"), or a non-answer ("Don't know"). Which of the tools' label
sets apply is decided once per file, from all the answers in it together, so a
seven-point scale is never quietly read as a five-point one: such a file is refused with
the fix, a scale map (``--scale-map FILE``) that says what each answer means.

An answer is never changed without a word: a number off the scale (``-1``, ``6``, ``99``)
is an error naming its cell unless it is declared a missing-value code
(``--missing-code 99``); digits of other scripts (full-width ``４``, Arabic-Indic ``٤``)
are read as the digits they are; and a cell that holds something other than words and
digits (``★★★★``) is an error, never "not answered".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ..csvcells import read_rows
from ..framework import Framework
from .readers import InputError, norm

#: Answers that are not a point on the scale, normalised: stored as "not answered".
NON_ANSWERS = frozenset(
    {
        "",
        "na",
        "n a",
        "nan",
        "none",
        "null",
        "don t know",
        "dont know",
        "do not know",
        "prefer not to say",
        "not applicable",
        "not answered",
        "no answer",
        "no opinion",
        "can t say",
        "cant say",
    }
)


def is_non_answer(key: str) -> bool:
    """An answer key that means "not answered": a non-answer's words, with or without the
    point number a tool gives every option ("6 - Don't know" where Don't know is the sixth
    option). "Don't know" is offered beside every statement (`instrument.DONT_KNOW`)."""
    if key in NON_ANSWERS:
        return True
    bare = _bare(key)
    return bool(bare) and bare != key and bare in NON_ANSWERS


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_SIGNED = re.compile(r"[+-]\s*\d")
_MINUS = str.maketrans(dict.fromkeys("\u2212\u2012\u2013\u2014", "-"))


def _fold(text: str) -> str:
    """NFKC, then every decimal digit of any script as its ASCII digit ("٤" -> "4")."""
    s = unicodedata.normalize("NFKC", text)
    if s.isascii():
        return s
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in s
    )


def answer_key(cell: object) -> str:
    """How an answer cell is looked up: `norm` of it, except where that would change it.

    Numbers keep their sign ("-1" stays "-1"; `norm` would make it "1") and are written
    plainly ("4.0" -> "4"); digits of other scripts become ASCII. A cell whose meaning
    `norm` would lose (only symbols such as "★★★★", letters outside ASCII, a sign before
    a number in a label) is kept as written, lower-cased, so that it matches nothing but
    a scale map's entry for exactly it, and is otherwise reported, never read as blank.
    """
    s = " ".join(_fold(str(cell)).translate(_MINUS).split())
    if not s:
        return ""
    if _NUMBER.fullmatch(s):
        number = float(s)
        return str(int(number)) if number.is_integer() else s.lstrip("+")
    key = norm(s)
    if (
        not key
        or _SIGNED.match(s)
        or any((ch.isalpha() and not ch.isascii()) or not ch.isprintable() for ch in s)
    ):
        return s.casefold()
    return key


def is_number(key: str) -> bool:
    """An answer key that is a number (on the scale or not)."""
    return _NUMBER.fullmatch(key) is not None


_NUMBERED = re.compile(r"^(?:\d+ )?(.*?)(?: \d+)?$")


def likert_lookup(framework: Framework) -> dict[str, int]:
    """Every spelling of the instrument's own scale points that exports use, normalised."""
    sc = framework.scale
    table: dict[str, int] = {}
    for v in range(sc.min, sc.max + 1):
        table[norm(v)] = v
        table[norm(f"{v}.0")] = v
    for v, label in sc.labels.items():
        lab = norm(label)
        for form in (lab, f"{v} {lab}", f"{lab} {v}"):
            table[form] = v
    if sc.min == 1 and sc.max == 5:
        table.update({"neutral": 3, "neither": 3, "neither agree or disagree": 3})
    return table


@lru_cache(maxsize=1)
def known_label_lists() -> tuple[tuple[str, ...], ...]:
    """The tools' default label lists (see answer_labels.yaml), each normalised."""
    text = resources.files(__package__).joinpath("answer_labels.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return tuple(
        tuple(norm(label) for label in labels) for family in data.values() for labels in family
    )


def _bare(answer: str) -> str:
    """An answer without a point number before or after it ("4 agree" -> "agree")."""
    m = _NUMBERED.match(answer)
    return m.group(1) if m else answer


@dataclass
class AnswerReading:
    """How one file's answers are read: normalised answer -> scale point (NaN: no answer)."""

    lookup: dict[str, float]
    #: Answers declared as codes for "no answer" (--missing-code), as answer keys.
    missing: frozenset[str] = frozenset()
    #: Why answers could not all be read, and the fix, when they cannot.
    hint: str | None = None
    #: The scale map given by the user, in its order, for the method note.
    scale_map: list[tuple[str, int | None]] = field(default_factory=list)
    #: The tool's label list that was read as the instrument's scale, if any.
    labels_used: tuple[str, ...] | None = None


def missing_code_keys(framework: Framework, codes: Iterable[str] | None) -> frozenset[str]:
    """The answer keys of the user's missing-value codes; a code on the scale is refused."""
    base = likert_lookup(framework)
    keys = set()
    problems = []
    for code in codes or []:
        key = answer_key(code)
        if not key:
            problems.append("--missing-code: a missing-value code cannot be blank")
        elif key in base:
            problems.append(
                f"--missing-code {code!r}: {code!r} is an answer on the scale "
                f"({describe_scale(framework)}), so it cannot also mean no answer"
            )
        keys.add(key)
    if problems:
        raise InputError(problems)
    return frozenset(keys)


def reading(
    framework: Framework,
    answers: Iterable[str],
    scale_map: list[tuple[str, int | None]] | None = None,
    missing_codes: Iterable[str] | None = None,
) -> AnswerReading:
    """Decide how to read a file's answers, given all the distinct answer keys in its items.

    Why decide per file: a survey uses one scale, so "Agree" next to "Somewhat agree"
    means a seven-point scale however each answer would read alone. `answers` are
    `answer_key`s; `missing_codes` the answers the user declares mean "no answer".
    """
    got = _reading(framework, answers, scale_map)
    got.missing = missing_code_keys(framework, missing_codes)
    return got


def _reading(
    framework: Framework,
    answers: Iterable[str],
    scale_map: list[tuple[str, int | None]] | None,
) -> AnswerReading:
    sc = framework.scale
    base: dict[str, float] = {k: float(v) for k, v in likert_lookup(framework).items()}
    if scale_map:
        lookup = dict(base)
        for answer, value in scale_map:
            lookup[answer_key(answer)] = math.nan if value is None else float(value)
        return AnswerReading(lookup, scale_map=list(scale_map))
    answers = [a for a in answers if not is_number(a)]  # a number is on the scale or not
    words = {_bare(a) for a in answers if not is_non_answer(a) and a not in base}
    if not words:
        return AnswerReading(base)
    own = tuple(norm(sc.labels.get(v, "")) for v in range(sc.min, sc.max + 1))
    points = sc.max - sc.min + 1
    lists = known_label_lists()
    labelled = {a for a in (_bare(a) for a in answers) if a and not a.isdigit()}
    labelled -= NON_ANSWERS
    same = [L for L in lists if len(L) == points and own in lists]
    for L in same:
        if labelled <= set(L):
            lookup = dict(base)
            lookup.update({label: float(sc.min + i) for i, label in enumerate(L)})
            return AnswerReading(lookup, labels_used=L)
    other = [L for L in lists if len(L) != points and labelled <= set(L)]
    if other:
        return AnswerReading(base, hint=_other_scale_hint(framework, other[0]))
    # Unknown answers are reported one by one; the tools' labels that mean the same point
    # in every list of the instrument's length still read.
    lookup = dict(base)
    seen: dict[str, set[int]] = {}
    for L in same:
        for i, label in enumerate(L):
            seen.setdefault(label, set()).add(sc.min + i)
    lookup.update({k: float(next(iter(v))) for k, v in seen.items() if len(v) == 1})
    return AnswerReading(lookup, hint=_default_hint(framework))


def describe_scale(framework: Framework) -> str:
    sc = framework.scale
    return ", ".join(f"{v} = {sc.labels.get(v, v)}" for v in range(sc.min, sc.max + 1))


def _default_hint(framework: Framework) -> str:
    return (
        f"Fix: answers must be the scale's numbers or labels ({describe_scale(framework)}) "
        'or a non-answer such as "Don\'t know"; or say what each answer means in a CSV '
        "with columns answer,value and import again with --scale-map FILE."
    )


def missing_code_hint(numbers: list[str]) -> str:
    """The fix for numbers off the scale that an export may use to mean 'no answer'."""
    codes = " ".join(f"--missing-code={n}" for n in numbers[:3])
    return (
        f"If {', '.join(numbers[:3])} means 'no answer' in this export (as 99 or -99 do in "
        f"some tools), import again with {codes}; the count of such cells is stored with "
        "the import."
    )


def suggested_map(framework: Framework, labels: tuple[str, ...]) -> list[tuple[str, int]]:
    """Points of another scale spread evenly onto the instrument's, to the nearest point."""
    sc = framework.scale
    m = len(labels)
    span = sc.max - sc.min
    return [
        (label, int(math.floor(sc.min + i * span / (m - 1) + 0.5)))
        for i, label in enumerate(labels)
    ]


def _other_scale_hint(framework: Framework, labels: tuple[str, ...]) -> str:
    sc = framework.scale
    points = sc.max - sc.min + 1
    rows = "\n".join(
        f"    {label.capitalize()},{v}" for label, v in suggested_map(framework, labels)
    )
    return (
        f"These answers are on a {len(labels)}-point scale ({labels[0].capitalize()} ... "
        f"{labels[-1].capitalize()}), but the instrument's scale has {points} points "
        f"({describe_scale(framework)}). collablens does not guess how {len(labels)} points "
        f"become {points}. Save what each answer means as a CSV file and import again with "
        f"--scale-map FILE; the report's method note will state the map. For example, "
        f"spreading the points evenly:\n    answer,value\n{rows}"
    )


# -- scale map files -----------------------------------------------------------------------


def read_scale_map(path: str | Path, framework: Framework) -> list[tuple[str, int | None]]:
    """A CSV of answer,value rows: what each answer in an export means on the instrument's scale.

    A blank value (or "missing") reads the answer as not answered.
    """
    p = Path(path)
    sc = framework.scale
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError([f"{p}: cannot read the scale map: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        raise InputError([f"{p}: the scale map is not UTF-8 text"]) from exc
    rows = read_rows(p, text, lambda line: InputError([line]))
    if not rows or [norm(c) for c in rows[0][:2]] != ["answer", "value"]:
        raise InputError(
            [f"{p.name}: row 1: the scale map's header must be answer,value"],
            hint="Fix: write one row per answer, e.g.\n    answer,value\n    Somewhat agree,4",
        )
    problems: list[str] = []
    out: list[tuple[str, int | None]] = []
    seen: dict[str, int | None] = {}
    for r, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        answer = row[0].strip() if row else ""
        raw = row[1].strip() if len(row) > 1 else ""
        if not answer:
            problems.append(f"{p.name}: row {r}, column 'answer': the answer is empty")
            continue
        value: int | None
        if norm(raw) in ("", "missing", "no answer", "not answered"):
            value = None
        else:
            try:
                value = int(raw)
            except ValueError:
                value = -1
            if not sc.min <= value <= sc.max:
                problems.append(
                    f"{p.name}: row {r}, column 'value': {raw!r} is not a whole number from "
                    f"{sc.min} to {sc.max} (leave it blank for no answer)"
                )
                continue
        key = answer_key(answer)
        if key in seen and seen[key] != value:
            problems.append(f"{p.name}: row {r}, column 'answer': {answer!r} is mapped twice")
            continue
        seen[key] = value
        out.append((answer, value))
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError([f"{p.name}: the scale map has no rows"])
    return out
