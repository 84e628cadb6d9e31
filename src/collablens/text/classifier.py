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

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from scipy import sparse
from threadpoolctl import ThreadpoolController  # installed with scikit-learn

from ..framework import Factor, Framework
from ..vocabulary import NO_FACTOR as NONE
from ..vocabulary import polarity_of_kind
from .cache import (
    calibration_key,
    framework_embeddings,
    read_calibration,
    read_models,
    write_calibration,
    write_models,
)
from .embed import DEFAULT_MODEL, Cascade, Embedder, get_embedder
from .linear import Linear, hashed

OTHER_FACTOR_MIN = 0.25  # probability at which a second factor is reported as also present
KEYWORD_WEIGHT = 0.5
# Hashed words and word pairs, for the factor and the polarity alike (chosen by held-out
# register kappa on the corpus: 1 and 3 tie there, docs/coder.md says how the tie was broken).
WORD_PAIR_WEIGHT = 3.0
CORPUS_WEIGHT = 0.3  # chosen by held-out-register kappa on the corpus (bench_corpus.py)
# A reviewed sentence of the user's own text is worth many written in advance (issue 9's
# learning curve: 88 real sentences moved agreement more than any model change).
HUMAN_WEIGHT = 10.0
OWN_MODEL_MIN = 60  # reviewed codes from which the workspace gets a classifier of its own
OWN_MODEL_HALF = 200  # reviewed codes at which it counts as much as the shipped one
ACCEPT_PRECISION = 0.9  # codes accepted without review are right 9 times in 10
# Polarity is harder (about 0.67 right on held-out registers): a polarity is shown where
# held-out polarities that confident were right 8 times in 10; below, the report says
# "unclear" (docs/coder.md).
POLARITY_SHOWN_PRECISION = 0.8
CALIBRATION_FOLDS = 5
FEATURES = 6  # part of the calibration cache key: bump when features or settings change
# Regularisation, class weights and the corpus weight were chosen by kappa (factor) and
# accuracy (polarity) on corpus sentences of one register with the model fitted on the
# other two, never on the development set (benchmarks/bench_corpus.py prints both).
FACTOR_C = 10.0
# Natural class frequencies, not balanced ones: in real comments `none` is common, and
# weighting the rarer factors up pushes those comments into a factor (issue 9: two thirds
# of the errors were at the `none` boundary).
FACTOR_CLASS_WEIGHT: str | None = None
POLARITY_C = 10.0

_WORD = re.compile(r"\w+")
_HASHED = 2**14  # hashed word and word-pair features


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
    group: str = ""  # a teaching sentence's register: calibration holds out one at a time


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
        # A definition or a sub-theme names a concept; it says nothing of how the factor
        # fares, so it teaches the factor, not a polarity.
        out.append(Labelled(f"{f.name}. {f.definition}", f.id, None))
        out += [Labelled(f"{f.name}: {t}", f.id, None) for t in f.sub_themes]
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


def corpus_examples(framework: Framework) -> list[Labelled]:
    """The framework's teaching corpus (see `framework.corpus`), if it has one."""
    from ..framework.corpus import load_corpus

    return [
        Labelled(c.text, c.label, c.polarity, CORPUS_WEIGHT, c.register)
        for c in load_corpus(framework)
    ]


@dataclass
class _Fit:
    """A factor model and a polarity model, with their calibration."""

    factor: Linear
    polarity: Linear | None
    factor_temperature: float = 1.0
    polarity_temperature: float = 1.0
    accept_at: float = 1.01  # calibrated factor confidence from which a code is accepted
    polarity_at: float = 1.01  # calibrated polarity confidence from which it is shown


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _logits(model: Linear, x: Any) -> np.ndarray:
    """Log-odds for every class, also when a model saw only two classes."""
    d = model.decision_function(x)
    if d.ndim == 1:
        d = np.stack([-d / 2, d / 2], axis=1)
    return np.asarray(d)


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the log-loss of held-out predictions (Guo et al., 2017)."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        p = _softmax(logits, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[rows, truth], 1e-12, None)).mean())

    best = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(best.x))


def precision_threshold(confidence: np.ndarray, right: np.ndarray, target: float) -> float:
    """The lowest confidence above which held-out codes are right at least `target` of the
    time (over at least 30 of them); above 1 when no such point exists."""
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(right[order])
    n = np.arange(1, len(order) + 1)
    ok = (hits / n >= target) & (n >= min(30, len(order)))
    if not ok.any():
        return 1.01
    last = int(np.nonzero(ok)[0].max())
    return float(confidence[order][last])


class Coder:
    """A framework's coder; `fit` once, then `code` any number of segments.

    Trained on three kinds of sentence, weighted by how much they say about the user's own
    text: the framework file's sentences, the framework's teaching corpus, and the
    workspace's reviewed codes (`HUMAN_WEIGHT` times a corpus sentence). Once a workspace
    has `OWN_MODEL_MIN` reviewed codes, a classifier fitted on them alone joins in, so the
    people's way of coding counts for more than anything written in advance.

    Confidences are calibrated by temperature scaling on held-out corpus sentences (one
    register held out at a time), and the thresholds for accepting a code without review and for
    showing a polarity are set on the same held-out predictions for `ACCEPT_PRECISION`.
    """

    def __init__(
        self,
        framework: Framework,
        embedder: Embedder | None = None,
        examples: Sequence[Labelled] = (),
        corpus: Sequence[Labelled] | None = None,
        calibrate: bool = True,
    ) -> None:
        self.framework = framework
        self.embedder = embedder or get_embedder(DEFAULT_MODEL)
        self.factor_ids = [f.id for f in framework.factors]
        self.labels = [*self.factor_ids, NONE]
        # Keywords are found by looking word sequences up in a table (a regular
        # expression of 400 alternatives was most of the time spent outside the model).
        by_words: dict[tuple[str, ...], list[int]] = {}
        for j, f in enumerate(framework.factors):
            for k in f.keywords:
                words = tuple(_WORD.findall(k.casefold()))
                if words:
                    by_words.setdefault(words, []).append(j)
        # keyed by first word, longest keyword first
        self._keywords: dict[str, list[tuple[tuple[str, ...], list[int]]]] = {}
        for words, factors in sorted(by_words.items(), key=lambda kv: -len(kv[0])):
            self._keywords.setdefault(words[0], []).append((words, factors))
        self.human = [h for h in examples if h.label in self.labels]
        self.corpus = list(corpus_examples(framework) if corpus is None else corpus)
        self.calibrated = calibrate
        # A cascade: this coder uses the fast embedder, and a second coder (same teaching,
        # slower embedder) re-codes the share of each batch this one is least sure of.
        self.second: Coder | None = None
        self.second_share = 0.0
        self._name = self.embedder.name
        if isinstance(self.embedder, Cascade):
            cascade = self.embedder
            self.embedder = cascade.first
            self.second = Coder(framework, cascade.second, self.human, self.corpus, calibrate)
            self.second_share = cascade.share
        # Everything besides the training sentences that decides a fit or a calibration,
        # so a cached one is used only where it would come out the same.
        self._setup = json.dumps(
            [
                self.embedder.name,
                FEATURES,
                FACTOR_C,
                POLARITY_C,
                str(FACTOR_CLASS_WEIGHT),
                KEYWORD_WEIGHT,
                WORD_PAIR_WEIGHT,
                _HASHED,
                sorted([list(w), f] for kws in self._keywords.values() for w, f in kws),
            ]
        )
        self._fit()

    @property
    def model_name(self) -> str:
        corpus = "+corpus" if self.corpus else ""
        return f"{self._name}{corpus}+lr/{len(self.human)}"

    # -- features ---------------------------------------------------------------------

    def _keyword_counts(self, texts: Sequence[str]) -> np.ndarray:
        """Per factor, how many of its keywords a text has: longest first, left to right,
        without overlaps ("chief constable" is one keyword, not also "chief")."""
        x = np.zeros((len(texts), len(self.factor_ids)), dtype=np.float32)
        table = self._keywords
        for i, t in enumerate(texts):
            words = _WORD.findall(t.casefold())
            start, end = 0, len(words)
            while start < end:
                step = 1
                for keyword, factors in table.get(words[start], ()):
                    n = len(keyword)
                    if n == 1 or tuple(words[start : start + n]) == keyword:
                        for j in factors:
                            x[i, j] += 1
                        step = n
                        break
                start += step
        return x

    def _text_features(self, texts: Sequence[str]) -> tuple[np.ndarray, Any]:
        """What the text itself gives, apart from the embedding: keyword counts, and
        hashed words and word pairs (shared by both stages of a cascade)."""
        kw = KEYWORD_WEIGHT * np.minimum(self._keyword_counts(texts), 2.0)
        return kw, _hashed_words(texts) * WORD_PAIR_WEIGHT

    def _features(
        self,
        texts: Sequence[str],
        emb: np.ndarray | None = None,
        text_features: tuple[np.ndarray, Any] | None = None,
    ) -> tuple[Any, Any]:
        """Factor features: the embedding and framework keyword counts. Polarity features:
        the embedding and hashed word pairs, which keep negation ("not the", "never been")
        that a mean of word vectors blurs."""
        if emb is None:
            emb = self.embedder.embed(texts)
        kw, words = text_features or self._text_features(texts)
        x_factor = sparse.hstack([sparse.csr_matrix(np.hstack([emb, kw])), words]).tocsr()
        return x_factor, sparse.hstack([sparse.csr_matrix(emb), words]).tocsr()

    # -- training ----------------------------------------------------------------------

    def _train_set(self) -> tuple[list[Labelled], np.ndarray]:
        base = [e for e in framework_examples(self.framework) if e.label in self.labels]
        extra = [e for e in self.corpus if e.label in self.labels]
        human = [Labelled(h.text, h.label, h.polarity, HUMAN_WEIGHT) for h in self.human]
        # Framework and corpus sentences come from the cache; people's codes are embedded now.
        emb = framework_embeddings(self.embedder, [e.text for e in base + extra])
        if human:
            emb = np.vstack([emb, self.embedder.embed([h.text for h in human])])
        return base + extra + human, emb

    @staticmethod
    def _fit_models(
        rows: Sequence[Labelled], x_factor: np.ndarray, x_pol: Any
    ) -> tuple[Linear, Linear | None]:
        from sklearn.linear_model import LogisticRegression  # only to fit: slow to import

        y = np.array([e.label for e in rows])
        w = np.array([e.weight for e in rows])
        # Polarity is learnt from every sentence that has one, `none` sentences too: they
        # are all neutral, and they teach the model what a sentence that only describes
        # looks like, so a factor sentence that takes no side is called neutral more often
        # (development set: polarity 0.568 without them, 0.614 with them; docs/coder.md).
        has_pol = np.array([e.polarity is not None for e in rows])
        pol_y = np.array([str(e.polarity) for e in rows])
        factor = LogisticRegression(C=FACTOR_C, max_iter=3000, class_weight=FACTOR_CLASS_WEIGHT)
        # A framework may teach one polarity only (every item worded the same way, no
        # indicators): then there is no polarity model, and no polarity is ever sure.
        polarity: Linear | None = None
        with _one_blas_thread():
            factor.fit(x_factor, y, sample_weight=w)
            about_factor = has_pol & np.array([e.label != NONE for e in rows])
            if len(set(pol_y[about_factor])) > 1:
                model = LogisticRegression(C=POLARITY_C, max_iter=3000, class_weight=None)
                model.fit(x_pol[has_pol], pol_y[has_pol], sample_weight=w[has_pol])
                polarity = Linear.fitted(model)
        return Linear.fitted(factor), polarity

    def _fit(self) -> None:
        rows, emb = self._train_set()
        texts = [e.text for e in rows]
        built: list[tuple[Any, Any]] = []

        def features() -> tuple[Any, Any]:
            # Only computed when something must be fitted: a coder whose models and
            # calibration are cached starts without featurising its training sentences.
            if not built:
                built.append(self._features(texts, emb))
            return built[0]

        # The fitted models (the workspace's own included) are cached by what they learnt
        # from, so starting a coder that has not learnt anything new costs a file read.
        key = calibration_key(
            f"models/{self._setup}", [(e.text, e.label, e.polarity, e.weight) for e in rows]
        )
        factor_width = emb.shape[1] + len(self.factor_ids) + _HASHED
        polarity_width = emb.shape[1] + _HASHED
        widths = {
            "factor": factor_width,
            "polarity": polarity_width,
            "own": factor_width,
            "own_polarity": polarity_width,
        }
        n = len(rows) - len(self.human)  # rows[n:] are people's codes
        models = read_models(key, widths)
        if models is None:
            models = self._fit_all(rows, n, *features())
            write_models(key, models)
        self.fit = _Fit(models["factor"], models.get("polarity"))
        self.own = models.get("own")
        self.own_polarity = models.get("own_polarity")
        if self.calibrated and self.corpus:
            # Calibrated without people's codes, so that one more review does not cost
            # the extra fits again: the cached calibration of the shipped model stands.
            self._calibrate(rows[:n], lambda: tuple(x[:n] for x in features()))

    def _fit_all(
        self, rows: Sequence[Labelled], n: int, x_factor: Any, x_pol: Any
    ) -> dict[str, Linear]:
        """The shipped models, and the workspace's own classifiers, fitted on people's
        codes (rows[n:]) alone, once there are enough of them and more than one answer."""
        factor, polarity = self._fit_models(rows, x_factor, x_pol)
        models = {"factor": factor} | ({"polarity": polarity} if polarity else {})
        if len(self.human) < OWN_MODEL_MIN:
            return models
        from sklearn.linear_model import LogisticRegression

        own_y = np.array([e.label for e in rows[n:]])
        own_p = np.array([str(e.polarity) for e in rows[n:]])
        about = np.array([e.polarity is not None for e in rows[n:]])
        with _one_blas_thread():
            if len(set(own_y)) > 1:
                own = LogisticRegression(C=FACTOR_C, max_iter=3000)
                models["own"] = Linear.fitted(own.fit(x_factor[n:], own_y))
            if len(set(own_p[about])) > 1:
                own = LogisticRegression(C=POLARITY_C, max_iter=3000)
                models["own_polarity"] = Linear.fitted(own.fit(x_pol[n:][about], own_p[about]))
        return models

    def _calibrate(self, rows: Sequence[Labelled], features: Callable[[], tuple[Any, ...]]) -> None:
        """Fit temperatures and thresholds on corpus sentences each model did not see.

        For each register of the corpus, the models are fitted on the framework's sentences
        and the other registers, and predict it; people's codes are left out. Cached on
        disk per framework, corpus and model, so only the first coder on a machine pays
        for the extra fits.
        """
        key = calibration_key(
            self._setup, [(e.text, e.label, e.polarity, e.weight, e.group) for e in rows]
        )
        cached = read_calibration(key)
        if cached is None:
            x_factor, x_pol = features()
            cached = self._held_out_calibration(rows, x_factor, x_pol)
            write_calibration(key, cached)
        ft, pt, accept, pol_at = cached
        self.fit.factor_temperature, self.fit.polarity_temperature = ft, pt
        self.fit.accept_at, self.fit.polarity_at = accept, pol_at

    def _held_out_calibration(
        self, rows: Sequence[Labelled], x_factor: np.ndarray, x_pol: Any
    ) -> tuple[float, float, float, float]:
        # Hold out one register (survey, interview, report) of the corpus at a time: the
        # coder then meets a voice it has not learnt from, as it will in a user's text, so
        # the confidences are calibrated for text unlike the teaching sentences. A corpus
        # without registers is cut into folds instead, the framework's sentences with it.
        # (A framework without a corpus is not calibrated at all: see `_fit`.)
        taught = [i for i, e in enumerate(rows) if e.group]
        held = np.array(taught or range(len(rows)))
        groups = [rows[i].group for i in held]
        names = sorted(set(groups))
        if len(names) < 2:
            names = [str(k) for k in range(CALIBRATION_FOLDS)]
            groups = [str(i % CALIBRATION_FOLDS) for i in range(len(held))]
        folds = np.array([names.index(g) for g in groups])
        f_logits, f_truth, p_logits, p_truth = [], [], [], []
        for k in range(len(names)):
            test = held[folds == k]
            train = np.setdiff1d(np.arange(len(rows)), test)
            factor, polarity = self._fit_models(
                [rows[i] for i in train], x_factor[train], x_pol[train]
            )
            # A label or polarity the fold's model never saw cannot be scored: skip it.
            classes = list(factor.classes_)
            test = np.array([i for i in test if rows[i].label in classes], dtype=int)
            if not len(test):
                continue
            f_logits.append(_logits(factor, x_factor[test]))
            f_truth.append(np.array([classes.index(rows[i].label) for i in test], dtype=int))
            if polarity is None:
                continue
            pol_classes = list(polarity.classes_)
            about = [
                i for i in test if rows[i].label != NONE and str(rows[i].polarity) in pol_classes
            ]
            if about:
                p_logits.append(_logits(polarity, x_pol[about]))
                p_truth.append(
                    np.array([pol_classes.index(str(rows[i].polarity)) for i in about], dtype=int)
                )
        # Nothing held out could be scored (a tiny or one-sided corpus): no calibration,
        # and nothing is accepted or shown without review.
        f_temp, p_temp, accept, pol_at = 1.0, 1.0, 1.01, 1.01
        if f_logits:
            fl, ft_ = np.vstack(f_logits), np.concatenate(f_truth)
            f_temp = fit_temperature(fl, ft_)
            fp = _softmax(fl, f_temp)
            accept = precision_threshold(fp.max(axis=1), fp.argmax(axis=1) == ft_, ACCEPT_PRECISION)
        if p_logits:
            pl, pt_ = np.vstack(p_logits), np.concatenate(p_truth)
            p_temp = fit_temperature(pl, pt_)
            pp = _softmax(pl, p_temp)
            pol_at = precision_threshold(
                pp.max(axis=1), pp.argmax(axis=1) == pt_, POLARITY_SHOWN_PRECISION
            )
        return f_temp, p_temp, accept, pol_at

    # -- coding ----------------------------------------------------------------------------

    def _probabilities(self, x_factor: np.ndarray, x_pol: Any) -> tuple[np.ndarray, np.ndarray]:
        fit = self.fit
        share = own_share(len(self.human))
        with _one_blas_thread():
            # The workspace's own classifiers join (a weighted product of experts) for
            # the labels they know, counting for more as reviews accumulate.
            f_logits = _logits(fit.factor, x_factor)
            if self.own is not None:
                f_logits = _join(f_logits, list(fit.factor.classes_), self.own, x_factor, share)
            if fit.polarity is None:  # one polarity taught: never sure of it
                return _softmax(f_logits, fit.factor_temperature), np.zeros((x_pol.shape[0], 1))
            p_logits = _logits(fit.polarity, x_pol)
            if self.own_polarity is not None:
                p_logits = _join(
                    p_logits, list(fit.polarity.classes_), self.own_polarity, x_pol, share
                )
        return (
            _softmax(f_logits, fit.factor_temperature),
            _softmax(p_logits, fit.polarity_temperature),
        )

    def code(self, texts: Sequence[str]) -> list[Code]:
        if not len(texts):
            return []
        kw, words = self._text_features(texts)
        codes = self._code(texts, (kw, words))
        if self.second is not None:
            # The least confident share, re-coded by the slower model: its code, confidence
            # and acceptance replace the first model's (both are calibrated on the same
            # held-out sentences, so their confidences mean the same).
            k = int(np.ceil(self.second_share * len(codes)))
            if k:
                order = np.argsort([c.confidence for c in codes], kind="stable")[:k]
                again = self.second._code([texts[int(i)] for i in order], (kw[order], words[order]))
                for i, c in zip(order, again, strict=True):
                    codes[int(i)] = c
        return codes

    def _code(self, texts: Sequence[str], text_features: tuple[np.ndarray, Any]) -> list[Code]:
        x_factor, x_pol = self._features(texts, text_features=text_features)
        probs, pol_probs = self._probabilities(x_factor, x_pol)
        classes = [str(c) for c in self.fit.factor.classes_]
        pol_classes = (
            [str(c) for c in self.fit.polarity.classes_] if self.fit.polarity else ["neutral"]
        )
        out = []
        for i in range(len(texts)):
            scores = {c: float(p) for c, p in zip(classes, probs[i], strict=True)}
            best = classes[int(np.argmax(probs[i]))]
            others = [
                c for c in self.factor_ids if c != best and scores.get(c, 0.0) >= OTHER_FACTOR_MIN
            ]
            if best == NONE:
                polarity, pol_conf = "neutral", 1.0
            else:
                j = int(np.argmax(pol_probs[i]))
                polarity, pol_conf = pol_classes[j], float(pol_probs[i, j])
            conf = scores[best]
            out.append(
                Code(
                    best,
                    polarity,
                    conf,
                    scores,
                    others,
                    accepted=conf >= self.fit.accept_at,
                    polarity_confidence=pol_conf,
                    polarity_sure=pol_conf >= self.fit.polarity_at,
                )
            )
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


def _join(logits: np.ndarray, classes: list[str], own: Linear, x: Any, share: float) -> np.ndarray:
    """Mix the shipped model's log-odds with the workspace model's, per class."""
    theirs = _logits(own, x)
    out = logits.copy()
    for j, c in enumerate(own.classes_):
        k = classes.index(c)
        out[:, k] = (1 - share) * logits[:, k] + share * theirs[:, j]
    return out


def own_share(reviewed: int) -> float:
    """How much the workspace's own classifier counts: a quarter at 60 reviewed codes,
    half at `OWN_MODEL_HALF`, growing towards all of it, as the evidence grows."""
    return reviewed / (reviewed + OWN_MODEL_HALF)


# Negation scope, as sentiment analysis has marked it since Pang, Lee & Vaithyanathan (2002):
# words after a negator, up to the end of the clause, become different features, so "it's
# not the IT that holds us back" does not share "holds us back" with a complaint.
_NEGATORS = frozenset(
    ["not", "no", "never", "nobody", "nothing", "none", "neither", "nor", "without", "cannot"]
)
_CLAUSE_WORDS = frozenset(["but", "however", "although", "though"])
_TOKEN = re.compile(r"\w[\w']*|[.,;:!?]+")


def negation_marked(text: str) -> list[str]:
    """Lower-case words, with `NOT_` before each word in a negation's scope."""
    out: list[str] = []
    negated = False
    for tok in _TOKEN.findall(text.lower().replace("\u2019", "'")):
        if tok[0] in ".,;:!?" or tok in _CLAUSE_WORDS:  # a clause ends
            negated = False
        elif tok in _NEGATORS or (
            len(tok) > 3 and tok.endswith("n't") and "'" not in tok[:-3]
        ):  # "didn't", "won't"
            negated = True
            out.append(tok)
        else:
            out.append("NOT_" + tok if negated else tok)
    return out


def _hashed_words(texts: Sequence[str]) -> Any:
    """Stateless word and word-pair features with negation marked (nothing to fit or cache)."""
    return hashed(texts, _words_and_pairs, _HASHED)


def _words_and_pairs(text: str) -> list[str]:
    words = negation_marked(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
