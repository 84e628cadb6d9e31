"""The plain-data form a published edition's views are kept in: JSON, never pickle.

A kept view lives in the workspace's database (`publishing.KeptView`), which people other
than the server can write to (a PostgreSQL role given to analysts, a backup restored).
Pickle calls whatever its payload names, so reading one would let them run code on the
server. This form names nothing callable: it is JSON of plain values, frames written column
by column with their dtypes, and records tagged with one of the few class names in
`kept_classes`, each made from its fields alone and checked against its declared types.
A payload that is not valid JSON, names any other class, has other fields or values of
the wrong type is refused (`Refused`), and its view is computed again. Numbers in a frame's
columns are kept as their bytes after the JSON, and text as its distinct values (see
`_enc_values`): bytes that numpy reads as numbers of the column's declared dtype, nothing it
could run.

Reading back what was kept gives a value equal to the one kept (frames with the same
columns, index, dtypes and values; records of the same class; numpy scalars as numpy
scalars): `tests/test_kept_form.py` round-trips every kept class.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import types
import typing
import zlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

#: Bumped whenever what a payload looks like changes: `publishing.KEPT_FORMAT` has it, so
#: views kept in another form are never read, only computed again.
VERSION = 2

_TAG = "$"
_PLAIN_DTYPES = re.compile(r"^(?:bool|u?int(?:8|16|32|64)|float(?:16|32|64)|"
                           r"(?:datetime|timedelta)64\[(?:s|ms|us|ns)\])$")  # fmt: skip


class Refused(ValueError):
    """A kept payload that is not a kept view of the kind asked for."""


def _classes() -> dict[str, type]:
    """Every class a kept view may be made of, by the name its payload gives it: records
    that hold values and do nothing when made (dataclasses, and pydantic models made by
    validating plain JSON)."""
    from ..framework import Framework
    from .findings import Findings
    from .interviews import InterviewFactor, InterviewFindings
    from .publishing import _View
    from .quotes import FactorComments, Quote
    from .scoring import Scores

    found: list[type] = [
        _View,
        Findings,
        Scores,
        FactorComments,
        Quote,
        InterviewFindings,
        InterviewFactor,
        Framework,
    ]
    return {cls.__name__: cls for cls in found}


_KEPT: dict[str, type] = {}


def kept_classes() -> dict[str, type]:
    """`_classes`, made once (its imports would be circular at module level)."""
    if not _KEPT:
        _KEPT.update(_classes())
    return _KEPT


# ---------------------------------------------------------------------------------------
# Writing


def dumps(value: Any) -> bytes:
    """`value` as compressed JSON, then a newline and the bytes of its frames' number
    columns (JSON of thousands of numbers, or their base64, took 3 to 15 times as long to
    read back as a pickle). Raises TypeError for anything this form cannot hold (a class
    not in `kept_classes`, a frame of a dtype it does not write)."""
    buffers: list[bytes] = []
    token = _WRITING.set(buffers)
    try:
        header = json.dumps(_enc(value), separators=(",", ":"))  # ASCII: no raw newline
    finally:
        _WRITING.reset(token)
    return zlib.compress(b"".join([header.encode(), b"\n", *buffers]), 1)


#: The number columns written so far by `dumps` / the bytes after the header in `loads`.
_WRITING: ContextVar[list[bytes]] = ContextVar("kept_form_writing")
_READING: ContextVar[memoryview] = ContextVar("kept_form_reading")


def _enc(v: Any) -> Any:
    if v is None or type(v) in (bool, int, str):
        return v
    if type(v) is float:
        return v if np.isfinite(v) else {_TAG: "float", "v": repr(v)}
    if isinstance(v, np.generic):
        return _enc_scalar(v)
    if type(v) is list:
        return [_enc(x) for x in v]
    if type(v) is tuple:
        return {_TAG: "tuple", "items": [_enc(x) for x in v]}
    if type(v) in (set, frozenset):
        return {_TAG: type(v).__name__, "items": [_enc(x) for x in v]}
    if type(v) is dict:
        return {_TAG: "dict", "items": [[_enc(k), _enc(x)] for k, x in v.items()]}
    if type(v) is pd.DataFrame:
        return _enc_frame(v)
    if type(v) in (dt.date, dt.datetime):
        return {_TAG: type(v).__name__, "v": v.isoformat()}
    if type(v) is pd.Timestamp:
        return {_TAG: "Timestamp", "v": v.isoformat()}
    cls = type(v)
    if kept_classes().get(cls.__name__) is not cls:
        raise TypeError(f"a kept view does not hold {cls.__module__}.{cls.__qualname__}")
    if isinstance(v, BaseModel):
        return {_TAG: cls.__name__, "json": v.model_dump(mode="json")}
    return {
        _TAG: cls.__name__,
        "fields": {f.name: _enc(getattr(v, f.name)) for f in dataclasses.fields(v)},
    }


def _enc_scalar(v: np.generic) -> Any:
    dtype = str(v.dtype)
    if not _PLAIN_DTYPES.match(dtype):
        raise TypeError(f"a kept view does not hold numpy {dtype}")
    if v.dtype.kind in "mM":
        return {_TAG: "np", "dtype": dtype, "v": int(v.view("int64"))}
    return {_TAG: "np", "dtype": dtype, "v": _enc(v.item())}


def _enc_index(ix: pd.Index) -> Any:
    if type(ix) is pd.RangeIndex:
        return {_TAG: "range", "start": ix.start, "stop": ix.stop, "step": ix.step,
                "name": _enc(ix.name)}  # fmt: skip
    if type(ix) is not pd.Index:
        raise TypeError(f"a kept view does not hold a {type(ix).__name__}")
    dtype, values = _enc_values(ix.dtype, ix)
    return {_TAG: "index", "dtype": dtype, "values": values, "name": _enc(ix.name)}


def _enc_values(dtype: Any, values: Any) -> tuple[str, Any]:
    """A column's dtype, by name, and its values: numbers and times as their little-endian
    bytes after the header (`dumps`; a national view's gaps are 45,000 rows: as JSON numbers
    they took 0.8 s to read, 15 times a pickle); text as its distinct values and each row's
    number among them (-1: missing); anything else as a JSON list."""
    name = str(dtype)
    if name == "object":
        return name, [_enc(x) for x in values]
    if name == "str":
        codes, levels = pd.factorize(pd.Series(values, dtype=dtype, copy=False))
        return name, {"levels": [str(x) for x in levels], "codes": _bytes(codes, "<i4")}
    if not _PLAIN_DTYPES.match(name):
        raise TypeError(f"a kept view does not hold a column of {name}")
    arr = np.asarray(values)
    return name, _bytes(arr, arr.dtype.newbyteorder("<"))


def _bytes(arr: Any, dtype: Any) -> list[int]:
    """Where the column's bytes are among those after the header: [start, end]."""
    buffers = _WRITING.get()
    start = sum(len(b) for b in buffers)
    buffers.append(np.ascontiguousarray(arr, dtype=dtype).tobytes())
    return [start, start + len(buffers[-1])]


def _enc_frame(frame: pd.DataFrame) -> Any:
    columns = []
    for i in range(frame.shape[1]):
        col = frame.iloc[:, i]
        columns.append(_enc_values(col.dtype, col.to_numpy()))
    return {
        _TAG: "frame",
        "columns": _enc_index(frame.columns),
        "index": _enc_index(frame.index),
        "dtypes": [d for d, _ in columns],
        "data": [v for _, v in columns],
    }


# ---------------------------------------------------------------------------------------
# Reading


def loads(payload: bytes, kind: Any) -> Any:
    """What `dumps` wrote, checked to be of `kind` (a class or a type such as
    `tuple[dict[str, str], dict[str, str]]`). Raises Refused for anything else."""
    try:
        header, _, binary = zlib.decompress(payload).partition(b"\n")
        data = json.loads(header)
        token = _READING.set(memoryview(binary))
        try:
            value = _dec(data)
        finally:
            _READING.reset(token)
    except Refused:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
            OverflowError, zlib.error, ValidationError) as e:  # fmt: skip
        raise Refused(f"not a kept view: {type(e).__name__}") from None
    if not _conforms(value, kind):
        raise Refused(f"not a kept {kind}")
    return value


def _dec(d: Any) -> Any:
    if d is None or type(d) in (bool, int, float, str):
        return d
    if type(d) is list:
        return [_dec(x) for x in d]
    if type(d) is not dict:
        raise Refused("not a kept value")
    tag = d.get(_TAG)
    if type(tag) is not str:
        raise Refused("not a kept value")
    decode = _DECODERS.get(tag)
    if decode is not None:
        return decode(d)
    cls = kept_classes().get(tag)
    if cls is None:
        raise Refused(f"a kept view may not name {tag[:40]!r}")
    if issubclass(cls, BaseModel):
        return cls.model_validate(d["json"])
    return _record(cls, d["fields"])


def _record(cls: type, given: Any) -> Any:
    """A dataclass made from its fields alone, each of its declared type."""
    if type(given) is not dict:
        raise Refused(f"{cls.__name__}: not a record")
    declared = [f for f in dataclasses.fields(cls) if f.init]
    if set(given) != {f.name for f in declared}:
        raise Refused(f"{cls.__name__}: other fields than its own")
    hints = _hints(cls)
    values = {}
    for f in declared:
        value = _dec(given[f.name])
        if not _conforms(value, hints[f.name]):
            raise Refused(f"{cls.__name__}.{f.name}: not a {hints[f.name]}")
        values[f.name] = value
    return cls(**values)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _items(d: dict) -> list:
    items = d["items"]
    if type(items) is not list:
        raise Refused("not a kept collection")
    return [_dec(x) for x in items]


def _pairs(d: dict) -> dict:
    out = {}
    for pair in d["items"]:
        if type(pair) is not list or len(pair) != 2:
            raise Refused("not a kept mapping")
        key = _dec(pair[0])
        hash(key)
        out[key] = _dec(pair[1])
    return out


def _float(d: dict) -> float:
    if d["v"] not in ("nan", "inf", "-inf"):
        raise Refused("not a kept number")
    return float(d["v"])


def _dtype(name: Any) -> Any:
    if name == "object":
        return np.dtype(object)
    if name == "str":
        return pd.StringDtype(na_value=np.nan)
    if type(name) is not str or not _PLAIN_DTYPES.match(name):
        raise Refused("not a kept dtype")
    return np.dtype(name)


def _scalar(d: dict) -> np.generic:
    dtype = _dtype(d["dtype"])
    if isinstance(dtype, pd.StringDtype) or dtype.kind == "O":
        raise Refused("not a kept number")
    v = d["v"]
    if dtype.kind in "mM":
        if type(v) is not int:
            raise Refused("not a kept time")
        return np.array([v], dtype="int64").view(dtype)[0]
    v = _dec(v)
    if type(v) not in (bool, int, float):
        raise Refused("not a kept number")
    return dtype.type(v)


def _values(dtype_name: Any, values: Any) -> Any:
    """A column's values, as an array of its dtype."""
    dtype = _dtype(dtype_name)
    if isinstance(dtype, pd.StringDtype):
        if type(values) is not dict or type(values["levels"]) is not list:
            raise Refused("not a kept text column")
        levels = values["levels"]
        if any(type(x) is not str for x in levels):
            raise Refused("not a kept text column")
        codes = _unbytes(values["codes"], np.dtype("<i4"))
        if len(codes) and (codes.min() < -1 or codes.max() >= len(levels)):
            raise Refused("not a kept text column")
        table = np.empty(len(levels) + 1, dtype=object)
        table[: len(levels)] = levels
        table[-1] = None  # code -1
        return pd.array(table[codes], dtype=dtype)
    if dtype.kind == "O":
        if type(values) is not list:
            raise Refused("not a kept column")
        out = np.empty(len(values), dtype=object)
        for i, x in enumerate(values):
            out[i] = _dec(x)
        return out
    arr = _unbytes(values, dtype.newbyteorder("<"))
    if dtype.kind == "b" and arr.view(np.uint8).max(initial=0) > 1:
        raise Refused("not a kept true/false column")
    return arr.astype(dtype)


def _unbytes(where: Any, dtype: np.dtype) -> np.ndarray:
    binary = _READING.get()
    if type(where) is not list or len(where) != 2 or any(type(x) is not int for x in where):
        raise Refused("not a kept column")
    start, end = where
    if not 0 <= start <= end <= len(binary) or (end - start) % dtype.itemsize:
        raise Refused("not a kept column")
    return np.frombuffer(binary[start:end], dtype=dtype)


def _index(d: Any) -> pd.Index:
    if type(d) is not dict:
        raise Refused("not a kept index")
    if d.get(_TAG) == "range":
        if any(type(d[k]) is not int for k in ("start", "stop", "step")):
            raise Refused("not a kept range")
        return pd.RangeIndex(d["start"], d["stop"], d["step"], name=_dec(d["name"]))
    if d.get(_TAG) != "index":
        raise Refused("not a kept index")
    values = _values(d["dtype"], d["values"])
    return pd.Index(values, dtype=values.dtype, name=_dec(d["name"]), copy=False)


def _frame(d: dict) -> pd.DataFrame:
    columns, index = _index(d["columns"]), _index(d["index"])
    dtypes, data = d["dtypes"], d["data"]
    if (
        type(dtypes) is not list
        or type(data) is not list
        or not (len(dtypes) == len(data) == len(columns))
    ):
        raise Refused("not a kept frame")
    arrays = [_values(t, v) for t, v in zip(dtypes, data, strict=True)]
    if any(len(a) != len(index) for a in arrays):
        raise Refused("not a kept frame")
    frame = pd.DataFrame(
        {i: pd.Series(a, index=index, dtype=a.dtype, copy=False) for i, a in enumerate(arrays)},
        index=index,
    )
    frame.columns = columns
    return frame


def _when(cls: Any) -> Callable[[dict], Any]:
    def read(d: dict) -> Any:
        if type(d["v"]) is not str:
            raise Refused("not a kept date")
        return cls.fromisoformat(d["v"])

    return read


_DECODERS: dict[str, Callable[[dict], Any]] = {
    "tuple": lambda d: tuple(_items(d)),
    "set": lambda d: set(_items(d)),
    "frozenset": lambda d: frozenset(_items(d)),
    "dict": _pairs,
    "float": _float,
    "np": _scalar,
    "frame": _frame,
    "date": _when(dt.date),
    "datetime": _when(dt.datetime),
    "Timestamp": _when(pd.Timestamp),
}


# ---------------------------------------------------------------------------------------
# Types


def _conforms(value: Any, hint: Any) -> bool:
    """Whether `value` is of the declared type `hint` (what records' fields declare:
    plain types, their lists, tuples, sets and dicts, unions, records, frames)."""
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if hint is float:
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)
        )
    if hint is int:
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if hint is bool:
        return isinstance(value, (bool, np.bool_))
    if origin is None:
        return isinstance(value, hint) if isinstance(hint, type) else True
    if not isinstance(value, origin):
        return False
    if not args:
        return True
    if origin in (list, set, frozenset):
        return all(_conforms(x, args[0]) for x in value)
    if origin is dict:
        return all(_conforms(k, args[0]) and _conforms(x, args[1]) for k, x in value.items())
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(x, args[0]) for x in value)
        return len(args) == len(value) and all(
            _conforms(x, a) for x, a in zip(value, args, strict=True)
        )
    return True
