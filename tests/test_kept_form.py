"""The plain-data form of kept views (`analysis.kept_form`): every kept class comes back
equal to what was kept, whatever its fields hold, and anything that is not a kept view of
the kind asked for (bad JSON, values of the wrong type, a class it does not know, a pickle)
is refused without running anything.

What a view shows when read back from the workspace is checked end to end in
test_edition_views.py; here each class is made with random values for every field, from
the types it declares, so a field added later is covered too."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import pickle
import types
import typing
import zlib
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collablens.analysis import kept_form
from collablens.framework import Framework, load_framework
from collablens.reporting.view import _KEPT_CHARTS

FRAMEWORK = load_framework()
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- random values of a declared type ---------------------------------------------------

plain = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
scalars = (
    st.floats(width=64).map(np.float64)
    | st.integers(-(2**63), 2**63 - 1).map(np.int64)
    | st.booleans().map(np.bool_)
)
whens = st.dates() | st.datetimes() | st.datetimes().map(pd.Timestamp)
keys = st.none() | st.integers() | st.text(max_size=8) | st.tuples(st.text(max_size=4))
anything = st.recursive(
    plain | scalars | whens,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.frozensets(st.text(max_size=4), max_size=3)
        | st.dictionaries(keys, inner, max_size=3)
    ),
    max_leaves=8,
)


def _index(n: int) -> st.SearchStrategy[pd.Index]:
    names = st.none() | st.text(max_size=6)
    return st.one_of(
        st.builds(lambda s, name: pd.RangeIndex(s, s + n, name=name), st.integers(-5, 5), names),
        st.builds(
            lambda v, name: pd.Index(v, dtype="int64", name=name),
            st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n),
            names,
        ),
        st.builds(
            lambda v, name: pd.Index(v, dtype="str", name=name),
            st.lists(st.text(max_size=6), min_size=n, max_size=n, unique=True),
            names,
        ),
    )


def _column(n: int) -> st.SearchStrategy[Any]:
    """A column of one of the dtypes findings' frames have."""

    def of(values: st.SearchStrategy, dtype: str) -> st.SearchStrategy:
        return st.lists(values, min_size=n, max_size=n).map(lambda v: pd.array(v, dtype=dtype))

    stamps = st.integers(-(2**62), 2**62).map(lambda i: np.datetime64(i, "ns"))
    return st.one_of(
        of(st.floats(), "float64"),
        of(st.integers(-(2**63), 2**63 - 1), "int64"),
        of(st.booleans(), "bool"),
        of(st.none() | st.text(max_size=8), "str"),
        of(st.none() | st.text(max_size=8) | st.floats() | st.integers(), "object"),
        st.lists(stamps | st.just(np.datetime64("NaT", "ns")), min_size=n, max_size=n).map(
            lambda v: np.array(v, dtype="datetime64[ns]")
        ),
    )


@st.composite
def frames(draw) -> pd.DataFrame:
    n, width = draw(st.integers(0, 5)), draw(st.integers(0, 4))
    index = draw(_index(n))
    columns = draw(
        st.lists(st.text(max_size=6), min_size=width, max_size=width)
        | st.lists(st.integers(0, 9), min_size=width, max_size=width)
    )
    data = [draw(_column(n)) for _ in range(width)]
    frame = pd.DataFrame(
        {i: pd.Series(a, index=index, copy=True) for i, a in enumerate(data)}, index=index
    )
    frame.columns = pd.Index(columns, name=draw(st.none() | st.text(max_size=4)))
    return frame


def strategy(hint: Any) -> st.SearchStrategy:
    """Random values of the type a kept record's field declares."""
    if hint is Any:
        return anything
    if hint is None or hint is type(None):
        return st.none()
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy(a) for a in args))
    if hint is str:
        return st.text(max_size=12)
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers()
    if hint is float:
        return st.floats()
    if hint is pd.DataFrame:
        return frames()
    if hint is Framework:
        return st.just(FRAMEWORK)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return records(hint)
    if origin is list:
        return st.lists(strategy(args[0]) if args else anything, max_size=3)
    if origin is frozenset:
        return st.frozensets(strategy(args[0]), max_size=3)
    if origin is dict:
        k, v = args if args else (keys, anything)
        return st.dictionaries(strategy(k) if args else k, strategy(v) if args else v, max_size=3)
    if hint is dict:
        return st.dictionaries(keys, anything, max_size=3)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy(args[0]), max_size=3).map(tuple)
        return st.tuples(*(strategy(a) for a in args))
    raise AssertionError(f"no strategy for {hint}: add one, and make sure kept_form holds it")


def records(cls: type) -> st.SearchStrategy:
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    if cls.__name__ == "_View":  # where a view is kept is set on reading, never kept
        return st.builds(
            cls, **{f.name: st.deferred(lambda h=hints[f.name]: strategy(h)) for f in fields[:3]}
        )
    skip = {"kept"}  # Findings.kept: the same
    return st.builds(
        cls,
        **{
            f.name: st.deferred(lambda h=hints[f.name]: strategy(h))
            for f in fields
            if f.name not in skip
        },
    )


# -- equal, exactly ---------------------------------------------------------------------


def same(a: Any, b: Any, where: str = "value") -> None:
    """`a` and `b` are equal and of the same types all the way down (NaN equal to NaN)."""
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert [type(c) for c in a.columns] == [type(c) for c in b.columns], where
        return
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (float, np.floating)) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, (where, a, b)


def round_trip(value: Any, kind: Any) -> Any:
    back = kept_form.loads(kept_form.dumps(value), kind)
    same(value, back)
    return back


# -- every kept class -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(kept_form.kept_classes()))
def test_every_kept_class_comes_back_equal(name):
    cls = kept_form.kept_classes()[name]
    if cls is Framework:
        assert round_trip(FRAMEWORK, Framework) == FRAMEWORK
        return

    @SETTINGS
    @given(records(cls))
    def check(value):
        round_trip(value, cls)

    check()


@SETTINGS
@given(frames())
def test_frames_come_back_with_their_index_columns_and_dtypes(frame):
    back = round_trip(frame, pd.DataFrame)
    assert list(back.dtypes) == list(frame.dtypes)


@SETTINGS
@given(st.dictionaries(st.text(max_size=8), st.text(max_size=40), max_size=4))
def test_charts_are_kept_as_their_svg_text(drawn):
    back = round_trip((drawn, dict(drawn)), _KEPT_CHARTS)
    assert json.loads(zlib.decompress(kept_form.dumps(back)))  # plain JSON, nothing else


def test_what_it_does_not_hold_is_not_kept():
    with pytest.raises(TypeError):
        kept_form.dumps(object())
    with pytest.raises(TypeError):
        kept_form.dumps({"when": dt.time(1, 2)})
    with pytest.raises(TypeError):
        kept_form.dumps(pd.DataFrame({"a": pd.Categorical(["x"])}))


# -- refused ----------------------------------------------------------------------------


def _payload(data: Any, binary: bytes = b"") -> bytes:
    return zlib.compress(json.dumps(data).encode() + b"\n" + binary)


def _record(cls: str, **fields: Any) -> dict:
    return {"$": cls, "fields": fields}


def _frame(dtype: str, data: Any, rows: int = 1, binary: bytes = b"") -> bytes:
    """A kept frame of one column named "a" (its code, 0, is the payload's first 4 bytes)."""
    return _payload(
        {
            "$": "frame",
            "columns": {
                "$": "index",
                "dtype": "str",
                "values": {"levels": ["a"], "codes": [0, 4]},
                "name": None,
            },
            "index": {"$": "range", "start": 0, "stop": rows, "step": 1, "name": None},
            "dtypes": [dtype],
            "data": [data],
        },
        np.int32(0).tobytes() + binary,
    )


GOOD_QUOTE = {"text": "x", "force": "Durham", "polarity": None}
REFUSED = {
    "not compressed": b"not a kept view",
    "bad JSON": zlib.compress(b'{"$": "Quote", "fields": {'),
    "a pickle naming os.system": zlib.compress(b"\x80\x04cos\nsystem\n(Vtouch x\ntR."),
    "a class it does not know": _payload({"$": "os.system", "fields": {"command": "x"}}),
    "a dotted name": _payload({"$": "collablens.analysis.quotes.Quote", "fields": GOOD_QUOTE}),
    "a builtin": _payload({"$": "eval", "v": "1"}),
    "another field": _payload(_record("Quote", **GOOD_QUOTE, extra=1)),
    "a field missing": _payload(_record("Quote", text="x", force="Durham")),
    "text of the wrong type": _payload(_record("Quote", **{**GOOD_QUOTE, "text": 5})),
    "a list for text": _payload(_record("Quote", **{**GOOD_QUOTE, "force": ["a"]})),
    "fields not a mapping": _payload({"$": "Quote", "fields": [1, 2]}),
    "a number column of text": _frame("float64", ["abc"]),
    "text codes beyond its values": _frame(  # row 1 is value 5 of 1
        "str", {"levels": ["x"], "codes": [4, 8]}, binary=np.int32(5).tobytes()
    ),
    "a frame of the wrong length": _frame(  # one number where the index has three
        "float64", [4, 12], rows=3, binary=np.float64(1.0).tobytes()
    ),
    "bytes beyond the payload": _frame("float64", [4, 4000]),
    "bytes that are not whole numbers": _frame("float64", [4, 9], binary=bytes(8)),
    "a dtype it does not read": _payload(
        {"$": "np", "dtype": "object", "v": {"$": "eval", "v": "1"}}
    ),
    "a framework that does not validate": _payload({"$": "Framework", "json": {"id": 1}}),
    "deep nesting": zlib.compress(b"[" * 100_000 + b"]" * 100_000),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_anything_else_is_refused(case):
    with pytest.raises(kept_form.Refused):
        kept_form.loads(REFUSED[case], Any)


def test_a_good_frame_payload_is_read():
    """The hand-made payloads above are refused for what is wrong in them, not their form."""
    frame = kept_form.loads(_frame("float64", [4, 12], binary=np.float64(1.5).tobytes()), Any)
    assert frame.to_dict("list") == {"a": [1.5]}


def test_a_quote_read_as_what_it_is_not_is_refused():
    payload = kept_form.dumps(
        kept_form.kept_classes()["Quote"](text="x", force="Durham", polarity=None)
    )
    assert kept_form.loads(payload, Any).force == "Durham"  # the test can fail
    with pytest.raises(kept_form.Refused):
        kept_form.loads(payload, _KEPT_CHARTS)
    with pytest.raises(kept_form.Refused):
        kept_form.loads(pickle.dumps("x"), Any)


def test_any_text_is_kept_even_what_is_not_valid_unicode():
    quote = kept_form.kept_classes()["Quote"](
        text="a\ud800b é 🚓", force="Dyfed-Powys", polarity=None
    )
    assert round_trip(quote, Any).text == "a\ud800b é 🚓"
