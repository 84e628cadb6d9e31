"""The framework: factors, survey items, bands and actions, loaded from a YAML file.

The framework is data so that a collaboration can bring its own codebook. Everything
downstream (instrument, import, scores, report) reads only what is defined here, so a
second framework of a different size works the same as the built-in one.
"""

from __future__ import annotations

import math
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import CollablensError
from ..vocabulary import ATTRIBUTES as KNOWN_ATTRIBUTES
from ..vocabulary import MAX_FRAMEWORK_ID, Polarity, normalise_polarity

BUILTIN_ID = "lhoiry_french_2017"
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_ID = MAX_FRAMEWORK_ID


class FrameworkError(CollablensError, ValueError):
    """A framework file is unreadable or invalid; the message names the key and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str) -> str:
    if len(value) > MAX_ID:
        raise ValueError(f"{value[:20]!r}... is longer than {MAX_ID} characters")
    if not _ID_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lower-case letters, digits and underscores, "
            "starting with a letter"
        )
    return value


class Item(_Strict):
    id: str
    text: str = Field(min_length=3)
    reverse: bool = False

    _v_id = field_validator("id")(_check_id)


class Example(_Strict):
    """A sentence of the kind a factor codes: a study quote (with source) or a written example."""

    text: str
    source: str = ""
    polarity: Polarity | None = None

    @field_validator("polarity", mode="before")
    @classmethod
    def _polarity(cls, value: object) -> object:
        # Older files (and other tools) say inhibitor/facilitator for a code's polarity.
        return None if value is None else normalise_polarity(str(value))


class Indicators(_Strict):
    present: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)


class Factor(_Strict):
    id: str
    kind: Literal["inhibitor", "facilitator"]
    name: str
    definition: str
    sub_themes: list[str] = Field(default_factory=list)
    indicators: Indicators = Field(default_factory=Indicators)
    examples: list[Example] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    items: list[Item] = Field(min_length=1)
    prompts: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)

    _v_id = field_validator("id")(_check_id)


_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
#: Colours of bands that set none, by position: the top band green, through amber, to red.
#: Each carries white words at 4.5:1 or more (WCAG 2.2 AA): 5.0, 4.7 and 5.4 to 1.
DEFAULT_BAND_COLOURS = ("#1b7f4b", "#a86400", "#c0392b")
HIDDEN_COLOUR = "#6b7580"  # a score hidden for anonymity has no band; white on it 4.7:1
#: The contrast that words need against what is behind them (WCAG 2.2 AA, 1.4.3).
TEXT_CONTRAST = 4.5


def luminance(colour: str) -> float:
    """The relative luminance of a "#rrggbb" (or "#rgb") colour, as WCAG defines it (0
    black, 1 white)."""
    if len(colour) == 4:
        colour = "#" + "".join(c * 2 for c in colour[1:])
    total = 0.0
    for weight, i in ((0.2126, 1), (0.7152, 3), (0.0722, 5)):
        c = int(colour[i : i + 2], 16) / 255
        total += weight * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return total


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two "#rrggbb" colours, from 1 (the same) to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(colour: str, words: str = "#ffffff", ratio: float = TEXT_CONTRAST) -> str:
    """`colour`, darkened towards black with its hue kept, until `words` on it (white: a
    band's chip) read at `ratio`; a colour dark enough already comes back as it is."""
    if len(colour) == 4:
        colour = "#" + "".join(c * 2 for c in colour[1:])
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for step in range(101):
        shade = "#" + "".join(f"{round(c * (1 - step / 100)):02x}" for c in rgb)
        if contrast(shade, words) >= ratio:
            return shade
    return "#000000"


def _check_colour(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _HEX_RE.match(value.strip()):
        raise ValueError(
            f'{value!r} is not a hex colour: write it like "#1b7f4b", in quotes '
            "(unquoted, YAML reads # as the start of a comment)"
        )
    value = value.strip().lower()
    if len(value) == 4:  # "#abc" -> "#aabbcc"
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def default_band_colour(position: int, count: int) -> str:
    """The colour of the band at `position` (0 = top) of `count` bands that set none.

    Spread evenly from green through amber to red, so any number of bands reads from
    healthy to unhealthy; three bands get exactly DEFAULT_BAND_COLOURS.
    """
    t = position / (count - 1) if count > 1 else 0.0
    t = min(max(t, 0.0), 1.0) * (len(DEFAULT_BAND_COLOURS) - 1)
    i = min(int(t), len(DEFAULT_BAND_COLOURS) - 2)
    a, b = ([int(c[k : k + 2], 16) for k in (1, 3, 5)] for c in DEFAULT_BAND_COLOURS[i : i + 2])
    f = t - i
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


class Band(_Strict):
    id: str
    label: str
    min: float
    #: A hex colour such as "#1b7f4b"; a band without one gets `default_band_colour`.
    colour: str | None = None

    _v_colour = field_validator("colour", mode="before")(_check_colour)


class Scale(_Strict):
    # Non-negative and at most 255 points: answers are stored one byte each, and survey
    # tools export scale points as plain numbers, which a minus sign would not survive.
    min: int = Field(default=1, ge=0)
    max: int = Field(default=5, le=254)
    labels: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _range(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if not self.labels:
            return self  # answers are plain numbers
        span = f"{self.min}..{self.max}"
        for value in sorted(self.labels):
            if not self.min <= value <= self.max:
                raise ValueError(
                    f"label for {value} lies outside the scale {span}; labels must name "
                    f"exactly the points {span}"
                )
        missing = [v for v in range(self.min, self.max + 1) if v not in self.labels]
        if missing:
            raise ValueError(
                f"labels do not match the scale {span}: no label for "
                f"{', '.join(map(str, missing))}; label every point {span}, or none"
            )
        seen: dict[str, int] = {}
        for value, label in sorted(self.labels.items()):
            key = " ".join(label.casefold().split())
            if not key:
                raise ValueError(f"label for {value} is empty")
            if key in seen:
                raise ValueError(
                    f"labels for {seen[key]} and {value} are both {label!r}; an answer "
                    "must name one point"
                )
            seen[key] = value
        return self


class Attribute(_Strict):
    id: str
    label: str
    options: list[str] = Field(default_factory=list)

    _v_id = field_validator("id")(_check_id)


class Framework(_Strict):
    id: str
    name: str
    version: int | str = 1
    citation: str = ""
    scale: Scale = Field(default_factory=Scale)
    bands: list[Band] = Field(min_length=1)
    attributes: list[Attribute] = Field(default_factory=list)
    discussion_questions: list[str] = Field(default_factory=list)
    factors: list[Factor] = Field(min_length=1)
    none_examples: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        seen: dict[str, str] = {}
        for i, factor in enumerate(self.factors):
            if factor.id in seen:
                raise ValueError(f"factors[{i}].id: {factor.id!r} is used twice")
            seen[factor.id] = "factor"
        for i, factor in enumerate(self.factors):
            for j, item in enumerate(factor.items):
                if item.id in seen:
                    raise ValueError(
                        f"factors[{i}].items[{j}].id: {item.id!r} is already used as the id of "
                        f"{'an item' if seen[item.id] == 'item' else 'a factor'}"
                    )
                seen[item.id] = "item"
        for i, factor in enumerate(self.factors):
            for n in range(1, len(factor.prompts) + 1):
                qid = f"{factor.id}_text_{n}" if n > 1 else f"{factor.id}_text"
                if qid in seen:
                    raise ValueError(
                        f"factors[{i}].prompts: free-text question id {qid!r} is already used; "
                        "rename that item or factor"
                    )
        wordings: dict[str, str] = {}
        for factor in self.factors:
            for item in factor.items:
                key = " ".join(re.findall(r"[a-z0-9]+", item.text.lower()))
                if key in wordings:
                    raise ValueError(
                        f"items {wordings[key]!r} and {item.id!r} have the same wording; "
                        "imports match columns by wording, so each must differ"
                    )
                wordings[key] = item.id
        for i, attr in enumerate(self.attributes):
            if attr.id not in KNOWN_ATTRIBUTES:
                raise ValueError(
                    f"attributes[{i}].id: {attr.id!r} is not supported; use "
                    f"{', '.join(KNOWN_ATTRIBUTES)}"
                )
        mins = [b.min for b in self.bands]
        if mins != sorted(mins, reverse=True):
            raise ValueError("bands: list bands from the highest min to the lowest")
        attr_ids = [a.id for a in self.attributes]
        if len(set(attr_ids)) != len(attr_ids):
            raise ValueError("attributes: an attribute id is used twice")
        return self

    # -- lookups used downstream -------------------------------------------------

    @cached_property
    def items(self) -> list[tuple[Factor, Item]]:
        return [(f, it) for f in self.factors for it in f.items]

    @cached_property
    def item_index(self) -> dict[str, tuple[Factor, Item]]:
        return {it.id: (f, it) for f, it in self.items}

    def factor(self, factor_id: str) -> Factor:
        for f in self.factors:
            if f.id == factor_id:
                return f
        raise KeyError(factor_id)

    @cached_property
    def free_text_questions(self) -> list[tuple[str, Factor, str]]:
        """(question id, factor, prompt) for every free-text prompt."""
        out = []
        for f in self.factors:
            for n, prompt in enumerate(f.prompts, start=1):
                out.append((f"{f.id}_text_{n}" if n > 1 else f"{f.id}_text", f, prompt))
        return out

    @cached_property
    def band_colours(self) -> dict[str, str]:
        """Band id -> hex colour: the band's own, else the default for its position; a
        colour too light to carry the white words of a band's label (a chip, a deck's cell)
        is drawn a darker shade of itself, so a framework cannot make a report unreadable."""
        n = len(self.bands)
        return {
            b.id: readable(b.colour or default_band_colour(i, n)) for i, b in enumerate(self.bands)
        }

    def band_colour(self, band_id: str | None) -> str:
        """The colour of a band by id; grey for no band (a score hidden for anonymity)."""
        if band_id is None:
            return HIDDEN_COLOUR
        return self.band_colours.get(band_id, HIDDEN_COLOUR)

    def band(self, score: float | None) -> Band | None:
        """The band a factor score falls in; the last band catches everything below."""
        if score is None or (isinstance(score, float) and math.isnan(score)):
            return None
        for b in self.bands:
            if score >= b.min:
                return b
        return self.bands[-1]

    def reverse(self, value: float) -> float:
        return self.scale.min + self.scale.max - value


def _format_validation_error(err: ValidationError, origin: str) -> str:
    lines = [f"{origin}: the framework is not valid:"]
    for e in err.errors():
        loc = ""
        for part in e["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling)"
        lines.append(f"  - {loc or '(top level)'}: {msg}")
    return "\n".join(lines)


#: libyaml's loader when PyYAML was built with it: ten times faster on the built-in file.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_error(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: where, and what."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"not valid YAML{where}: {' '.join(str(problem).split())}"


def parse_framework(text: str, origin: str = "<framework>") -> Framework:
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{origin}: {_yaml_error(exc)}") from exc
    if not isinstance(data, dict):
        raise FrameworkError(
            f"{origin}: the top level must be a mapping of keys such as id, factors"
        )
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(_format_validation_error(exc, origin)) from exc


def load_framework(path: str | Path | None = None) -> Framework:
    """Load a framework file, or the built-in one when no path is given."""
    return parse_framework(*framework_source(path))


def framework_source(path: str | Path | None = None) -> tuple[str, str]:
    """The YAML text of a framework and where it came from."""
    if path is None or str(path) in ("", BUILTIN_ID, f"builtin:{BUILTIN_ID}"):
        res = resources.files("collablens.framework") / "builtin" / f"{BUILTIN_ID}.yaml"
        return res.read_text(encoding="utf-8"), f"builtin:{BUILTIN_ID}"
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FrameworkError(f"{p}: cannot read the framework file: {exc.strerror}") from exc
    if raw.startswith(b"PK\x03\x04"):
        raise FrameworkError(
            f"{p}: this is a ZIP file such as an Excel workbook, not a framework; "
            "a framework is a YAML text file (see `collablens framework show`)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FrameworkError(
            f"{p}: not a text file (not UTF-8); a framework is a YAML text file, saved as UTF-8"
        ) from None
    if "\x00" in text:
        raise FrameworkError(f"{p}: not a text file; a framework is a YAML text file")
    return text, str(p)
