"""A cache of the embeddings of a framework's own sentences, on disk and in memory.

Every coder learns from the same few hundred framework sentences, and embedding them
is most of the time it takes to build one. Their embeddings are kept in a ``.npy`` file
named by the sha256 of the model name and the exact list of sentences, so editing the
framework or choosing another model simply misses and embeds afresh; and in memory, so
every coder in one process shares one copy. Only framework sentences are embedded into the
cache, never the sentences people code (they change with every review). The cache also holds
each coder's calibration (four numbers) and fitted models (coefficients only, the newest
`MODELS_KEPT`), keyed by digests of what they learnt from.

The folder is ``$COLLABLENS_CACHE`` when set, else the user's cache folder
(``$XDG_CACHE_HOME/collablens``, by default ``~/.cache/collablens``, on Linux). A file
that cannot be read, or holds the wrong shape, is ignored and written again; files are
written to a temporary name and renamed, so a reader never sees half of one. Deleting
the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .embed import Embedder
from .linear import Linear

#: Part of every key: bump it when the way embeddings are computed changes.
CACHE_VERSION = 1
MEMO_SIZE = 8  # framework x model pairs kept in memory (about 1 MB each)
MODELS_KEPT = 32  # fitted models kept on disk (see `write_models`)

_memo: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where cached files go: $COLLABLENS_CACHE, else the platform's user cache folder."""
    env = os.environ.get("COLLABLENS_CACHE")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "collablens" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "collablens"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "collablens"


def cache_key(model: str, texts: Sequence[str]) -> str:
    """sha256 of the model name and the exact sentences, in order."""
    payload = json.dumps([CACHE_VERSION, model, list(texts)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def cache_path(model: str, texts: Sequence[str]) -> Path:
    return cache_dir() / "embeddings" / f"{cache_key(model, texts)}.npy"


def clear_memo() -> None:
    """Forget the in-memory copies (the files stay)."""
    with _lock:
        _memo.clear()


def _read(path: Path, rows: int) -> np.ndarray | None:
    try:
        with path.open("rb") as fh:
            arr = np.load(fh, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None  # missing, unreadable or corrupt: embed afresh
    if not (
        isinstance(arr, np.ndarray)
        and arr.dtype == np.float32
        and arr.ndim == 2
        and arr.shape[0] == rows
        and arr.shape[1] > 0
        and np.isfinite(arr).all()
    ):
        return None
    return arr


def _write(path: Path, arr: np.ndarray) -> None:
    _atomic_write(path, lambda fh: np.save(fh, arr, allow_pickle=False))


def _atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write to a temporary name, then rename, so a reader never sees half a file; a
    cache that cannot be written is only a slower start."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def framework_embeddings(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """The embeddings of `texts` (a framework's sentences) by `embedder`, cached.

    The array returned is shared and read-only.
    """
    texts = list(texts)
    key = cache_key(embedder.name, texts)
    with _lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    path = cache_dir() / "embeddings" / f"{key}.npy"
    arr = _read(path, len(texts))
    if arr is None:
        arr = np.ascontiguousarray(embedder.embed(texts), dtype=np.float32)
        _write(path, arr)
    arr.flags.writeable = False
    with _lock:
        _memo[key] = arr
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return arr


# -- calibration ------------------------------------------------------------------------
# A coder's calibration (two temperatures and two thresholds) costs several extra fits;
# it depends only on the training sentences and the model, so it is cached beside the
# embeddings, as four numbers in a small JSON file.


def calibration_key(model: str, rows: Sequence[tuple[Any, ...]]) -> str:
    """sha256 of the model name and every training sentence with its label and polarity."""
    payload = json.dumps([CACHE_VERSION, "calibration", model, list(rows)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_calibration(key: str) -> tuple[float, float, float, float] | None:
    """The cached (factor temperature, polarity temperature, accept-at, polarity-at), or
    None when missing or not plausible: a damaged file must never accept codes silently."""
    path = cache_dir() / "calibration" / f"{key}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, list) or len(raw) != 4:
            return None
        values = tuple(float(v) for v in raw)
    except (OSError, ValueError, TypeError, OverflowError):
        return None
    ft, pt, accept, shown = values
    if not all(np.isfinite(values)) or not (0 < ft < 100 and 0 < pt < 100):
        return None
    if not (0.05 <= accept <= 1.01 and 0.05 <= shown <= 1.01):
        return None
    return (ft, pt, accept, shown)


def write_calibration(key: str, values: tuple[float, float, float, float]) -> None:
    path = cache_dir() / "calibration" / f"{key}.json"
    _atomic_write(path, lambda fh: fh.write(json.dumps(list(values)).encode("utf-8")))


# -- fitted models ----------------------------------------------------------------------
# A coder's two linear models, stored as their arrays (never pickled, so a file in the
# cache holds numbers and labels only), keyed like the calibration by the model and every
# training sentence with its label, polarity and weight.


def _model_arrays(prefix: str, model: Linear) -> dict[str, np.ndarray]:
    return {
        f"{prefix}_coef": model.coef,
        f"{prefix}_intercept": model.intercept,
        f"{prefix}_classes": np.asarray([str(c) for c in model.classes_], dtype=np.str_),
    }


def _restore(arrays: Any, prefix: str, features: int) -> Linear:
    coef = arrays[f"{prefix}_coef"]
    intercept = arrays[f"{prefix}_intercept"]
    classes = arrays[f"{prefix}_classes"]
    rows = 1 if len(classes) == 2 else len(classes)
    if (
        coef.ndim != 2
        or coef.shape != (rows, features)
        or intercept.shape != (rows,)
        or len(classes) < 2
        or len(set(classes.tolist())) != len(classes)
        or not (np.isfinite(coef).all() and np.isfinite(intercept).all())
    ):
        raise ValueError("not a model this coder can use")
    return Linear(coef, intercept, np.asarray(classes.tolist(), dtype=object))


def read_models(key: str, widths: dict[str, int]) -> dict[str, Linear] | None:
    """The cached models by name (those of `widths` the file holds, each checked against
    its width), or None when missing, unreadable, not plausible or without "factor"."""
    path = cache_dir() / "models" / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as arrays:
            models = {
                name: _restore(arrays, name, width)
                for name, width in widths.items()
                if f"{name}_coef" in arrays.files
            }
    except (OSError, ValueError, KeyError, EOFError):
        return None  # missing, unreadable or not plausible: fit afresh
    return models if "factor" in models else None


def write_models(key: str, models: dict[str, Linear]) -> None:
    """Store a coder's fitted models, keeping only the `MODELS_KEPT` newest files: every
    review changes the key, so without a bound the folder would grow by a file (about
    2 MB) per review session."""
    arrays: dict[str, np.ndarray] = {}
    for name, model in models.items():
        arrays |= _model_arrays(name, model)
    folder = cache_dir() / "models"
    _atomic_write(folder / f"{key}.npz", lambda fh: np.savez(fh, **arrays))  # type: ignore[arg-type]
    try:
        kept = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[MODELS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned first, or the folder is read-only: only space is lost


# -- small decisions ------------------------------------------------------------------
# What cross-validation on a workspace's reviews chose (`classifier.ReviewMix`): a few
# numbers in a JSON file, keyed like the models, so a coder that has learnt nothing new
# does not repeat the folds.


def read_decision(key: str) -> dict[str, Any] | None:
    """A cached decision, or None when missing or unreadable (then it is made again)."""
    path = cache_dir() / "decisions" / f"{key}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None


def write_decision(key: str, values: dict[str, Any]) -> None:
    path = cache_dir() / "decisions" / f"{key}.json"
    _atomic_write(path, lambda fh: fh.write(json.dumps(values).encode("utf-8")))
