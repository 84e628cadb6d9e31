"""Code text segments to a framework's factors, with a polarity and a confidence.

With no labelled data at all, the coder learns from the framework itself: each factor's
definition, sub-themes, indicators, survey items and example sentences, and the
framework's `none_examples`. Every sentence becomes a training example for a logistic
regression over a sentence embedding plus keyword counts. Sentences a person has coded
are added to the same fit with a higher weight, which is how the coder learns from
review. Any framework works: nothing here names a factor. The embeddings of the
framework's own sentences are cached per framework and model (see `cache`), so only
the first coder on a machine pays for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import ThreadpoolController  # installed with scikit-learn

from ..framework import Factor, Framework
from ..vocabulary import NO_FACTOR as NONE
from ..vocabulary import polarity_of_kind
from .cache import framework_embeddings
from .embed import DEFAULT_MODEL, Embedder, get_embedder

OTHER_FACTOR_MIN = 0.25  # probability at which a second factor is reported as also present
KEYWORD_WEIGHT = 0.5
HUMAN_WEIGHT = 3.0

# Generic English cues of something going badly or well; polarity is about the tone in
# which a factor is discussed, whatever the framework.
_NEGATIVE = re.compile(
    r"\b(?:lack(?:s|ed|ing)? of|barriers?|obstacles?|unclear|difficult(?:y|ies)?|hard(?:er)? to|"
    r"problem(?:s|atic)?|challeng(?:e|es|ing)|hinder(?:s|ed)?|imped(?:e|es|ed)|prevent(?:s|ed)?|"
    r"block(?:s|ed|ing|er|ers)?|resist(?:ance|ed|ant)?|fail(?:s|ed|ure|ing)?|concerns?|fears?|"
    r"worr(?:y|ied|ies)|confus(?:ed|ing|ion)|insufficient|poor(?:ly)?|frustrat(?:ed|ing|ion)|"
    r"tensions?|conflict(?:s|ing)?|incompatible|reluctan(?:t|ce)|unwilling(?:ness)?|mistrust|"
    r"distrust|suspicio(?:n|us)|undermin(?:e|ed|es|ing)|collaps(?:e|ed)|delay(?:s|ed)?|"
    r"obstruct\w*|issues?|not|no|never|without|despite|unable|cannot|can't|won't|don't|"
    r"loss of|los(?:e|ing|t)|risk[- ]averse|worse|slow(?:ly|er)?|stuck|"
    r"holds? (?:us |it |them )?back|held (?:us |it |them )?back|nothing changes|"
    r"gets? in the way|struggl\w*|waste\w*)\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"\b(?:help(?:s|ed|ful|ing)?|success(?:es|ful|fully)?|enabl(?:e|ed|es|ing)|"
    r"facilitat(?:e|ed|es|ing)|improv(?:e|ed|es|ing|ement)|benefit(?:s|ed|ted)?|effective(?:ly)?|"
    r"key to|essential|vital|crucial|important|support(?:s|ed|ing|ive)?|positive(?:ly)?|strong|"
    r"buil[dt](?:s|ing)?|work(?:s|ed)? well|made (?:it )?(?:easier|possible)|celebrat\w*|"
    r"paid off|smooth(?:er|ly)?|achiev(?:e|ed|ing|ement)|promot(?:e|ed|es|ing)|good|best|great|"
    r"better|progress|credit|strengths?|easier|working well|works well|well run|valued|"
    r"welcom(?:e|ed|ing)|open to|committed|thriv\w*)\b",
    re.IGNORECASE,
)


@cache
def _threadpools() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread():
    """Run BLAS on one thread: these matrices are small, and several BLAS threads spend
    more time waiting on each other than computing (fitting took 2.7 s instead of 0.2 s
    on a busy 2-core machine)."""
    return _threadpools().limit(limits=1, user_api="blas")


@dataclass(frozen=True)
class Labelled:
    """A sentence with its code: from the framework, a person, or a gold file."""

    text: str
    label: str  # a factor id or "none"
    polarity: str | None = None
    weight: float = 1.0


@dataclass
class Code:
    factor: str  # primary factor id, or "none"
    polarity: str
    confidence: float  # probability of the primary code
    scores: dict[str, float] = field(default_factory=dict)  # probability of every label
    others: list[str] = field(default_factory=list)  # further factors also present
    # Calibrated decisions the coder makes about its own code (see docs/coder.md):
    # `accepted` when the factor is confident enough to count without review (the
    # threshold is set for 90% precision on held-out teaching sentences), and
    # `polarity_sure` when the polarity is confident enough to show; otherwise the
    # report says the polarity is unclear.
    accepted: bool = False
    polarity_confidence: float = 0.0
    polarity_sure: bool = False


def _kind_polarity(factor: Factor, present: bool = True) -> str:
    """The polarity a sentence has when it says a factor is (or is not) at work."""
    return polarity_of_kind(factor.kind, present)


def framework_examples(framework: Framework) -> list[Labelled]:
    """Every sentence the framework offers about its factors, each with a label and polarity."""
    out: list[Labelled] = []
    for f in framework.factors:
        out.append(Labelled(f"{f.name}. {f.definition}", f.id, "neutral"))
        out += [Labelled(f"{f.name}: {t}", f.id, "neutral") for t in f.sub_themes]
        out += [Labelled(t, f.id, _kind_polarity(f, True)) for t in f.indicators.present]
        out += [Labelled(t, f.id, _kind_polarity(f, False)) for t in f.indicators.absent]
        for it in f.items:
            # Items are worded so agreeing is healthy unless reverse-worded.
            healthy = not it.reverse
            pol = "enabler" if healthy else "barrier"
            out.append(Labelled(it.text, f.id, pol))
        out += [Labelled(p, f.id, None) for p in f.prompts]
        for ex in f.examples:
            out.append(Labelled(ex.text, f.id, ex.polarity or _kind_polarity(f, True)))
    out += [Labelled(t, NONE, "neutral") for t in framework.none_examples]
    return out


class Coder:
    """A framework's coder; `fit` once, then `code` any number of segments."""

    def __init__(
        self,
        framework: Framework,
        embedder: Embedder | None = None,
        examples: Sequence[Labelled] = (),
    ) -> None:
        self.framework = framework
        self.embedder = embedder or get_embedder(DEFAULT_MODEL)
        self.factor_ids = [f.id for f in framework.factors]
        self.labels = [*self.factor_ids, NONE]
        self._keywords = [
            re.compile(
                r"\b(?:"
                + "|".join(sorted(map(re.escape, f.keywords), key=len, reverse=True))
                + r")\b",
                re.IGNORECASE,
            )
            if f.keywords
            else None
            for f in framework.factors
        ]
        self.human = list(examples)
        self._fit()

    @property
    def model_name(self) -> str:
        return f"{self.embedder.name}+lr/{len(self.human)}"

    # -- features ---------------------------------------------------------------------

    def _keyword_counts(self, texts: Sequence[str]) -> np.ndarray:
        x = np.zeros((len(texts), len(self._keywords)), dtype=np.float32)
        for j, rx in enumerate(self._keywords):
            if rx is not None:
                x[:, j] = [len(rx.findall(t)) for t in texts]
        return x

    def _cues(self, texts: Sequence[str]) -> np.ndarray:
        return np.array(
            [[len(_NEGATIVE.findall(t)), len(_POSITIVE.findall(t))] for t in texts],
            dtype=np.float32,
        )

    def _features(
        self, texts: Sequence[str], emb: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if emb is None:
            emb = self.embedder.embed(texts)
        kw = KEYWORD_WEIGHT * np.minimum(self._keyword_counts(texts), 2.0)
        cues = KEYWORD_WEIGHT * np.minimum(self._cues(texts), 3.0)
        return np.hstack([emb, kw]), np.hstack([emb, cues])

    # -- training ----------------------------------------------------------------------

    def _fit(self) -> None:
        base = [e for e in framework_examples(self.framework) if e.label in self.labels]
        human = [
            Labelled(h.text, h.label, h.polarity, HUMAN_WEIGHT)
            for h in self.human
            if h.label in self.labels
        ]
        train = base + human
        texts = [e.text for e in train]
        # The framework's sentences come from the cache; people's codes are embedded now.
        emb = framework_embeddings(self.embedder, [e.text for e in base])
        if human:
            emb = np.vstack([emb, self.embedder.embed([h.text for h in human])])
        x_factor, x_pol = self._features(texts, emb)
        y = np.array([e.label for e in train])
        w = np.array([e.weight for e in train])
        has_pol = np.array([e.polarity is not None for e in train])
        pol_y = np.array([e.polarity for e in train], dtype=object)[has_pol]
        self.factor_model = LogisticRegression(C=10.0, max_iter=5000, class_weight="balanced")
        self.polarity_model = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced")
        with _one_blas_thread():
            self.factor_model.fit(x_factor, y, sample_weight=w)
            self.polarity_model.fit(x_pol[has_pol], pol_y.astype(str), sample_weight=w[has_pol])

    # -- coding ----------------------------------------------------------------------------

    def code(self, texts: Sequence[str]) -> list[Code]:
        if not len(texts):
            return []
        x_factor, x_pol = self._features(texts)
        with _one_blas_thread():
            probs = self.factor_model.predict_proba(x_factor)
            pol_probs = self.polarity_model.predict_proba(x_pol)
        classes = [str(c) for c in self.factor_model.classes_]
        pol_classes = [str(c) for c in self.polarity_model.classes_]
        out = []
        for i in range(len(texts)):
            scores = {c: float(p) for c, p in zip(classes, probs[i], strict=True)}
            best = classes[int(np.argmax(probs[i]))]
            others = [
                c for c in self.factor_ids if c != best and scores.get(c, 0.0) >= OTHER_FACTOR_MIN
            ]
            polarity = "neutral" if best == NONE else pol_classes[int(np.argmax(pol_probs[i]))]
            out.append(Code(best, polarity, scores[best], scores, others))
        return out

    def code_stream(self, texts: Iterable[str], chunk: int = 256) -> Iterator[Code]:
        """Code an unbounded stream in fixed chunks, so memory stays flat."""
        buf: list[str] = []
        for t in texts:
            buf.append(t)
            if len(buf) == chunk:
                yield from self.code(buf)
                buf = []
        if buf:
            yield from self.code(buf)
