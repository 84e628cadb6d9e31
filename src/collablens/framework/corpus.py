"""A framework's teaching corpus: labelled sentences, in the project's own words.

The coder learns most from sentences of the kind it codes (issue 9's measurements:
labelled sentences moved agreement more than a bigger encoder). The corpus is data, not
code: JSON Lines files beside the framework, one sentence per line::

    {"text": "...", "label": "governance" | ... | "none",
     "polarity": "barrier" | "enabler" | "neutral",
     "register": "survey" | "interview" | "report",
     "negation": false, "contrast": "politics_risk" | null}

`register` says whose voice it is (a staff survey comment, interview speech, report
prose); `negation` marks sentences whose negation carries the meaning ("it's not the IT
that holds us back"); `contrast` names the factor a sentence was written to be told apart
from. Every sentence was written for collablens, never copied or paraphrased from
published text or from the development set (tests/test_corpus.py checks the latter).

The built-in framework's corpus lives in `builtin/corpus/`. A framework without one
works as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from ..vocabulary import NO_FACTOR, POLARITIES
from .model import BUILTIN_ID, Framework, FrameworkError

REGISTERS = ("survey", "interview", "report")
KEYS = {"text", "label", "polarity", "register", "negation", "contrast"}


@dataclass(frozen=True)
class CorpusSentence:
    text: str
    label: str  # a factor id, or NO_FACTOR
    polarity: str
    register: str
    negation: bool
    contrast: str | None


def corpus_files(framework: Framework) -> list[Traversable]:
    """The corpus files that come with a framework (the built-in one's, for now)."""
    if framework.id != BUILTIN_ID:
        return []
    folder = resources.files("collablens.framework") / "builtin" / "corpus"
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".jsonl")), key=lambda f: f.name)


def load_corpus(framework: Framework) -> list[CorpusSentence]:
    """Every sentence of a framework's corpus, checked line by line."""
    labels = {f.id for f in framework.factors} | {NO_FACTOR}
    out: list[CorpusSentence] = []
    for f in corpus_files(framework):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            out.append(_parse(line, f"{f.name}, line {n}", labels, framework))
    return out


def _parse(line: str, where: str, labels: set[str], framework: Framework) -> CorpusSentence:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FrameworkError(f"corpus {where}: not JSON ({exc.msg})") from None
    if not isinstance(row, dict) or set(row) != KEYS:
        raise FrameworkError(f"corpus {where}: keys must be {', '.join(sorted(KEYS))}")
    text, label, polarity = row["text"], row["label"], row["polarity"]
    problems = []
    if not isinstance(text, str) or not text.strip():
        problems.append("text is empty")
    if label not in labels:
        problems.append(f"label {label!r} is not a factor of {framework.id!r} nor {NO_FACTOR!r}")
    if polarity not in POLARITIES or (label == NO_FACTOR and polarity != "neutral"):
        problems.append(f"polarity {polarity!r} is not valid for label {label!r}")
    if row["register"] not in REGISTERS:
        problems.append(f"register {row['register']!r} is not one of {', '.join(REGISTERS)}")
    if not isinstance(row["negation"], bool):
        problems.append("negation must be true or false")
    if row["contrast"] is not None and row["contrast"] not in labels:
        problems.append(f"contrast {row['contrast']!r} is not a factor")
    if problems:
        raise FrameworkError(f"corpus {where}: " + "; ".join(problems))
    return CorpusSentence(
        text.strip(), label, polarity, row["register"], row["negation"], row["contrast"]
    )
