"""Respondent attributes: matched to declared lists, never stored as free text.

A force, role, rank band or length of service is a group that the report names. What a
respondent typed there is not trusted to be a group's name: a role typed as "Sgt John
Smith collar 4521" would otherwise be printed in the report as a hidden group. So each
value is matched to a declared list, after normalising the ways one name is written
(case, Unicode compatibility forms, non-breaking and zero-width spaces):

- forces, to the forces the collaboration declares (``collablens forces``); a
  collaboration's first import declares the forces its file holds, once they pass the
  checks of `name_problem` and no two of them look like one name spelt two ways
  (`spelt_two_ways`: a slip within a word, or spacing, but never "North" for "South");
- role, rank band and length of service, to the options the framework gives for them
  (an attribute with no options is checked as a first import's forces are).

A value not on its list is refused with its row, column and value, or counted as "Other"
when the user asks (``--unknown-as-other``). Values are stored in their declared spelling.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import DECLARE_FORCE, UNKNOWN_AS_OTHER, CollablensError, Fix
from ..text.redact import redact_with_counts
from ..vocabulary import ATTRIBUTE_LABELS

if TYPE_CHECKING:
    from ..store import Store

#: The group of values that are on no declared list, when the user asks for it.
OTHER = "Other"
#: The longest name a force or option may have; longer is free text.
MAX_NAME = 60
#: Words that tell two places apart however alike they look: "North" and "South"
#: Yorkshire are two forces, never one misspelt (see `spelt_two_ways`).
COMPASS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western"}
    | {"mid", "central"}
)
#: Words left out when names are compared: "Devon & Cornwall" is "Devon and Cornwall".
FILLER = frozenset({"and", "of", "the"})
#: The most distinct values an undeclared attribute may hold before it is taken for free text.
MAX_GROUPS = 100

# "Other (please specify)" and the like, as tools write the choice that opens a text box.
_OTHER_CHOICE = re.compile(r"^other\b[\s,:;.(-]*(?:please\s+)?(?:specify|state|say)?\W*$")


def clean(value: object) -> str:
    """A value as it should be shown: NFKC, no zero-width or format characters, one space.

    Non-breaking and other Unicode spaces become ordinary spaces (NFKC and `str.split`);
    zero-width spaces, joiners and direction marks (Unicode format characters) go.
    """
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def key(value: object) -> str:
    """What two spellings of one name share: `clean`, case-folded; "Other (please specify)"
    is "other"."""
    k = clean(value).casefold()
    return "other" if _OTHER_CHOICE.match(k) else k


def name_problem(name: str, *, digits: bool = False) -> str | None:
    """Why a value cannot be the name of a group (None when it can).

    Group names are printed in reports: a value that looks like free text or personal
    data (a number, an email address, a name the redactor would remove) is refused.
    `digits` allows short numbers, as in "2 to 5 years"; a run of three digits or more
    (a collar, staff or phone number) is refused all the same.
    """
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "it contains control characters"
    if len(name) > MAX_NAME:
        return f"it is {len(name)} characters long, over {MAX_NAME} (free text?)"
    if "@" in name:
        return "it contains @ (an email address?)"
    if re.search(r"https?:|www\.|://", name, re.IGNORECASE):
        return "it contains a web address"
    if re.search(r"\d{3}" if digits else r"\d", name):
        return "it contains digits (a collar, staff or phone number?)"
    redacted, counts = redact_with_counts(name)
    if redacted != name:
        # The redactor's named-entity model takes many place names for people's
        # ("Harbourwick Police" becomes "[NAME] Police"), so a name it finds with nothing
        # before it is let through; a name after a title, a rank or other words ("Sgt
        # Hargreaves", "Northmoor Police Jane Doe"), and any number or address, is not.
        titled = re.search(r"\S\s*\[NAME\]", redacted) is not None
        if set(counts) - {"name"} or titled or not counts:
            kinds = ", ".join(sorted(counts)) or "personal data"
            return f"it looks like personal data (the redactor would remove: {kinds})"
    return None


_FILLER_SUBSETS = [
    frozenset(c) for n in range(len(FILLER) + 1) for c in itertools.combinations(sorted(FILLER), n)
]


def _spaced_key(value: object) -> str:
    """`key` with format characters (zero-width spaces, joiners) read as spaces, not removed."""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(" " if unicodedata.category(ch) == "Cf" else ch for ch in text)
    return " ".join(text.split()).casefold()


def _words(k: str, *, filler: bool = False) -> tuple[str, ...]:
    """A key's words, without punctuation ("&", "-", ".") nor, unless asked, `FILLER`."""
    return tuple(w for w in re.findall(r"[^\W_]+", k) if filler or w not in FILLER)


def _edits(a: str, b: str) -> int:
    """Letters inserted, deleted, changed or swapped with a neighbour to make `a` into `b`
    (optimal string alignment distance)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def _mistyped(a: str, b: str) -> bool:
    """Whether two words are one word mistyped: one slip in a word of 4 to 7 letters, two
    from 8 letters. Words of three letters or fewer (initials: "MPS", "MDP"), words with
    digits ("Band 2") and two different `COMPASS` words ("West", "East") are never one
    word mistyped: they name different groups."""
    if a == b:
        return True
    if (a in COMPASS and b in COMPASS) or any(ch.isdigit() for ch in a + b):
        return False
    longest = max(len(a), len(b))
    allowed = 0 if longest < 4 else 1 if longest < 8 else 2
    return allowed > 0 and abs(len(a) - len(b)) <= allowed and _edits(a, b) <= allowed


def spelt_two_ways(a: str, b: str) -> bool:
    """Whether two different names look like one name spelt two ways.

    A national survey declares North, South and West Yorkshire Police, Kent and Gwent
    Police, West Mercia and West Midlands Police together, so a likeness of whole names
    (difflib's ratio puts North and South Yorkshire Police at 0.91) cannot be the test.
    Two names are one name spelt two ways when

    - their letters are the same once spaces, punctuation and the words "and", "of" and
      "the" are left out (`Dyfed Powys`/`Dyfed-Powys`, `Devon & Cornwall`/`Devon and
      Cornwall`, `WestMidlands`/`West Midlands`); or
    - they have the same words in the same order, each the same or mistyped (`_mistyped`:
      a slip or two within a word, as in `Northumbira`, `Cleaveland`, `Constabualry`).
      A slip is counted only within one word of the same sequence, never across words,
      so a word added or left out (`Cornwall Police`/`Devon and Cornwall Police`) makes
      another name, and a compass word (`North`/`South`) or a short place word
      (`Kent`/`Gwent`, two slips in five letters) tells two places apart; or
    - both are names of one UK force (`uk_forces.UK_FORCES`: `Met` and `Metropolitan
      Police Service`), so one force is not split in two.
    """
    ka, kb = key(a), key(b)
    if ka == kb:
        return False
    wa, wb = _words(ka), _words(kb)
    # Compared with format characters taken out (as `key` does) and read as spaces, since
    # a zero-width space may join two words ("of<ZWSP>Wight") or split one; "&" is "and";
    # and with each set of the filler words left out, since one may be dropped ("Hampshire
    # Isle of Wight") while another is run into its neighbour ("ofwight").
    for va in (ka, _spaced_key(a)):
        for vb in (kb, _spaced_key(b)):
            aa, ab = va.replace("&", " and "), vb.replace("&", " and ")
            for dropped in _FILLER_SUBSETS:  # a filler word may be left out or run in
                joined_a = "".join(w for w in _words(aa, filler=True) if w not in dropped)
                joined_b = "".join(w for w in _words(ab, filler=True) if w not in dropped)
                if joined_a and joined_a == joined_b:
                    return True
    if len(wa) == len(wb) and wa and all(_mistyped(x, y) for x, y in zip(wa, wb, strict=True)):
        return True
    fa, fb = _uk_force(ka), _uk_force(kb)
    return fa is not None and fa == fb


@functools.cache
def _uk_force_keys() -> dict[str, str]:
    from .uk_forces import UK_FORCES

    return {key(n): f.name for f in UK_FORCES for n in f.names}


def _uk_force(k: str) -> str | None:
    return _uk_force_keys().get(k)


def near_duplicates(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of names that look like one name spelt two ways (`spelt_two_ways`)."""
    keyed = sorted({key(n): n for n in names}.items())
    pairs = []
    for i, (_, a) in enumerate(keyed):
        for _, b in keyed[i + 1 :]:
            if spelt_two_ways(a, b):
                pairs.append((a, b))
    return pairs


def vet(names: Iterable[str], what: str = "force") -> list[str]:
    """Problems with a list of names a user declares (empty when they may be declared)."""
    problems = []
    seen: dict[str, str] = {}
    for raw in names:
        name = clean(raw)
        if not name:
            problems.append(f"a {what} name cannot be blank")
            continue
        why = name_problem(name)
        if why:
            problems.append(f"{name!r} cannot be a {what} name: {why}")
        k = key(name)
        if k in seen:
            problems.append(f"{seen[k]!r} and {name!r} are the same {what}")
        seen[k] = name
    for a, b in near_duplicates(seen.values()):
        problems.append(f"{a!r} and {b!r} look like one {what} spelt two ways; keep one")
    return problems


# -- matching a file's column -------------------------------------------------------------


@dataclass
class Cell:
    """One distinct value of a column: where it first is, and how many rows hold it."""

    value: str
    first_row: int
    rows: int


@dataclass
class Matched:
    """How a column's values were matched: value -> stored name (None: not stated)."""

    names: dict[str, str | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: What to tell the user to do about the problems, for each face.
    fixes: list[Fix] = field(default_factory=list)
    #: Rows counted as Other because their value is on no list (--unknown-as-other).
    other_rows: int = 0
    #: The names this file declares (a collaboration's first import), else None.
    declared: list[str] | None = None


def _others(cells: list[Cell]) -> int:
    return sum(c.rows for c in cells)


def match(
    cells: list[Cell],
    attribute: str,
    declared: list[str] | None,
    *,
    where: str,
    unknown_as_other: bool = False,
    collaboration: str = "",
) -> Matched:
    """Match a column's distinct values to `declared` (None: declare them from the file).

    `where` names the column in messages ("w.csv: column 'Force'", or "--force").
    """
    out = Matched()
    label = ATTRIBUTE_LABELS.get(attribute, attribute).lower()
    present = [c for c in cells if clean(c.value)]
    for c in cells:
        if not clean(c.value):
            out.names[c.value] = None
    if declared is None:
        return _declare(present, attribute, where, out)
    by_key = {key(n): n for n in declared}
    unknown = []
    for c in present:
        name = by_key.get(key(c.value))
        if name is None and unknown_as_other:
            name = OTHER
            out.other_rows += c.rows
        if name is None:
            unknown.append(c)
        else:
            out.names[c.value] = name
    for c in unknown:
        meant = _meant(c.value, declared)
        guess = f"; did you mean {meant!r}?" if meant else ""
        if attribute == "force":
            listed = ", ".join(declared) if len(declared) <= 12 else f"{len(declared)} forces"
            whose = f"of {collaboration!r} " if collaboration else ""
            why = f"is not a declared force {whose}({listed})"
        else:
            why = f"is not one of the framework's options for {label} ({', '.join(declared)})"
        out.problems.append(f"{_at(where, c)}: {shown(c.value)} {why}{guess}{_times(c)}")
    if unknown and attribute == "force":
        name = collaboration or "NAME"
        out.fixes.append(
            Fix(
                cli="Fix: correct the file, declare the force with "
                f'`collablens forces -c "{name}" --add FORCE`, or import again with '
                f'--unknown-as-other to count them as "{OTHER}".',
                web=f"Correct the file and upload it again, add the force to {name} as a "
                f'partner, or import the file again counting these answers as "{OTHER}".',
            )
        )
        # What a web page offers as buttons: each force to add, and importing as Other.
        out.fixes += [Fix(action=DECLARE_FORCE, value=clean(c.value)) for c in unknown]
        out.fixes.append(Fix(action=UNKNOWN_AS_OTHER))
    elif unknown:
        out.fixes.append(
            Fix(
                cli=f"Fix: correct the file, add the option to the framework's {attribute} "
                f'attribute, or import again with --unknown-as-other to count them as "{OTHER}".',
                web=f"Correct the file and upload it again, or import it again counting these "
                f'answers as "{OTHER}".',
            )
        )
        out.fixes.append(Fix(action=UNKNOWN_AS_OTHER))
    return out


def _meant(value: str, declared: list[str]) -> str | None:
    """The declared name a value not on the list was probably meant to be: one it is spelt
    two ways from (`Met` for `Metropolitan Police Service`), else the likest by difflib,
    unless a compass word tells them apart (`East Yorkshire` was not meant to be `West`)."""
    for name in declared:
        if spelt_two_ways(value, name):
            return name
    by_key = {key(n): n for n in declared}
    for close in difflib.get_close_matches(key(value), list(by_key), n=3, cutoff=0.85):
        pairs = zip(_words(key(value)), _words(close), strict=False)
        if not any(a != b and a in COMPASS and b in COMPASS for a, b in pairs):
            return by_key[close]
    return None


def _declare(present: list[Cell], attribute: str, where: str, out: Matched) -> Matched:
    """Names from the file itself: grouped by `key`, the commonest spelling kept, vetted."""
    label = ATTRIBUTE_LABELS.get(attribute, attribute).lower()
    groups: dict[str, list[Cell]] = {}
    for c in present:
        groups.setdefault(key(c.value), []).append(c)
    if len(groups) > MAX_GROUPS:
        out.problems.append(
            f"{where}: {len(groups):,} different values, more than the {MAX_GROUPS} groups a "
            f"{label} column can hold; is this the right column?"
        )
        return out
    names: dict[str, str] = {}
    for k, group in groups.items():
        spellings: Counter[str] = Counter()
        for c in group:
            spellings[clean(c.value)] += c.rows
        # The commonest spelling; on a tie, the first in the file.
        first = min(group, key=lambda c: c.first_row)
        name = max(spellings, key=lambda s: (spellings[s], s == clean(first.value)))
        if k == "other":
            name = OTHER
        why = name_problem(name, digits=attribute != "force")
        if why:
            for c in group:
                out.problems.append(
                    f"{_at(where, c)}: {shown(c.value)} cannot be a {label} name: {why}{_times(c)}"
                )
            continue
        names[k] = name
        for c in group:
            out.names[c.value] = name
    first_row = {k: min(c.first_row for c in groups[k]) for k in names}
    for a, b in near_duplicates(names.values()):
        ra, rb = first_row[key(a)], first_row[key(b)]
        out.problems.append(
            f"{where}: {a!r} (row {ra}) and {b!r} (row {rb}) look like one {label} spelt two ways"
        )
    if out.problems:
        if attribute == "force":
            out.fixes.append(
                Fix(
                    cli="Fix: correct the file, or declare the collaboration's forces first with "
                    '`collablens forces -c NAME --set "FORCE A,FORCE B"`; values are then '
                    "matched to those names.",
                    web="Correct the file and upload it again, or add the collaboration's "
                    "partner forces first on its Survey links page; values are then matched "
                    "to those names.",
                )
            )
        return out
    out.declared = sorted(names.values(), key=str.casefold)
    return out


def _at(where: str, c: Cell) -> str:
    if c.first_row <= 0:
        return where
    if ": column " in where:
        origin, column = where.split(": column ", 1)
        return f"{origin}: row {c.first_row}, column {column}"
    return f"{where}: row {c.first_row}"


def _times(c: Cell) -> str:
    return f" ({c.rows:,} rows)" if c.rows > 1 else ""


def shown(value: str, width: int = 60) -> str:
    text = value.strip()
    return repr(text if len(text) <= width else text[: width - 1] + "\u2026")


# -- declaring a collaboration's forces (`collablens forces`) ------------------------------


class ForceError(CollablensError, ValueError):
    """A change to the declared forces refused (a rename onto another force's name, a
    force added twice, a blank name): nothing was changed. Not an `InputError`, which
    would say "nothing was imported" of a command that imports nothing."""


@dataclass
class ForceList:
    collaboration: str
    declared: list[str]
    #: Respondents per stored force value, all waves (None: not stated; OTHER: grouped).
    respondents: dict[str | None, int]

    def undeclared(self) -> list[str]:
        """Stored force values on no list (imported before forces were declared)."""
        names = set(self.declared) | {OTHER}
        return sorted(f for f in self.respondents if f is not None and f not in names)


def list_forces(store: Store, collaboration: str) -> ForceList:
    from ..errors import NotFound
    from ..store import forces

    with store.connect() as conn:
        if forces.collaboration_id(conn, collaboration) is None:
            raise NotFound(
                f"there is no collaboration {collaboration!r}; declare its forces with "
                f'`collablens forces -c "{collaboration}" --set "FORCE A,FORCE B"`'
            )
        return ForceList(
            collaboration,
            forces.declared_forces(conn, collaboration),
            forces.respondents_by_force(conn, collaboration),
        )


def set_forces(store: Store, collaboration: str, names: list[str]) -> ForceList:
    """Declare exactly `names`; a force already declared may be respelt, none with
    respondents left out (rename it instead)."""
    from ..store import forces

    problems = vet(names)
    if problems:
        raise ForceError(f"nothing was declared: {'; '.join(problems)}")
    wanted = {key(n): clean(n) for n in names}
    with store.begin() as conn:
        declared = forces.declared_forces(conn, collaboration)
        counts = forces.respondents_by_force(conn, collaboration)
        gone = [d for d in declared if key(d) not in wanted]
        busy = [d for d in gone if counts.get(d)]
        if busy:
            kept = "; ".join(f"{d!r} has {counts[d]:,} respondents" for d in busy)
            raise ForceError(
                f"nothing was declared: {kept} and cannot be left out; rename a force with "
                '--rename "OLD=NEW" rather than leaving it out'
            )
        forces.remove_forces(conn, collaboration, gone)
        for d in declared:
            new = wanted.get(key(d))
            if new is not None and new != d:
                forces.rename_force(conn, collaboration, d, new)
        forces.declare_forces(conn, collaboration, list(wanted.values()))
    return list_forces(store, collaboration)


def add_force(store: Store, collaboration: str, name: str) -> ForceList:
    from ..store import forces

    with store.begin() as conn:
        declared = forces.declared_forces(conn, collaboration)
        same = [d for d in declared if key(d) == key(name)]
        if same:
            raise ForceError(
                f"nothing was added: {clean(name)!r} is already a force of {collaboration} "
                f"(as {same[0]!r})"
            )
        problems = vet([*declared, name])
        if problems:
            raise ForceError(f"nothing was added: {'; '.join(problems)}")
        forces.declare_forces(conn, collaboration, [clean(name)])
    return list_forces(store, collaboration)


def rename_force(store: Store, collaboration: str, old: str, new: str) -> tuple[ForceList, int]:
    """Rename a declared force, and its respondents in every wave."""
    from ..store import forces

    with store.begin() as conn:
        declared = forces.declared_forces(conn, collaboration)
        current = next((d for d in declared if key(d) == key(old)), None)
        # Refusals here are about the force list, not a file: a ForceError's one line
        # says nothing was renamed (an InputError would say "nothing was imported").
        if current is None:
            listed = ", ".join(declared) or "none yet"
            raise ForceError(
                f"nothing was renamed: {clean(old)!r} is not a declared force of "
                f"{collaboration} (declared: {listed})"
            )
        others = [d for d in declared if d != current]
        clash = [d for d in others if key(d) == key(new)]
        if clash:
            raise ForceError(
                f"nothing was renamed: {clash[0]!r} is already a force of {collaboration}; "
                "choose a name no other force has"
            )
        problems = vet([*others, new])
        if problems:
            raise ForceError(f"nothing was renamed: {'; '.join(problems)}")
        moved = forces.rename_force(conn, collaboration, current, clean(new))
    return list_forces(store, collaboration), moved
