"""Reading a request's JSON the way Capillary's (JVM) gateway does: strictly, before any handler runs.

Python's `json` accepts more than the gateway: `NaN`/`Infinity`, integers of any length (and a bare
ValueError past 4,300 digits), nesting as deep as the C stack allows, escaped lone surrogates
(`"\\ud800"`) that no UTF-8 encoder can write back, and NUL characters. Any of those would reach
SQLite or the response encoder and fail there as a 500. `loads` refuses them here instead, with the
sandbox's 400 naming where in the body the value sits (`customers[0]`), as the gateway's JSON
reader names the field it could not bind.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from lib.api.endpoints import format_loc
from lib.api.models.wire import INT64_MAX, INT64_MIN
from lib.sandbox import errors as E

MAX_DEPTH = 32
"""No Badges API body nests deeper than 6 levels; Jackson's own cap (1,000) assumes a JVM stack."""

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class _OutOfRange:
    """A JSON number no 64-bit field can hold; kept as text until the walk names where it sits."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _int(text: str) -> int | _OutOfRange:
    if len(text.lstrip("-").lstrip("0")) > 19:  # never convert a 4,000-digit literal just to refuse it
        return _OutOfRange(text)
    number = int(text)
    return number if INT64_MIN <= number <= INT64_MAX else _OutOfRange(text)


def _constant(name: str) -> Any:
    raise E.JsonParseError(f"JSON parse error: {name} is not a JSON value")


def loads(raw: bytes) -> Any:
    """The body's JSON (None for an empty body), or a typed 400 saying what could not be read."""
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise E.JsonParseError(f"JSON parse error: the body is not UTF-8 text ({exc.reason})") from None
    try:
        data = _decode(text)
    except json.JSONDecodeError as exc:
        raise E.JsonParseError(
            f"JSON parse error: {exc.msg} at line {exc.lineno} column {exc.colno} (char {exc.pos})"
        ) from None
    except RecursionError:  # the C scanner's own depth guard, far beyond MAX_DEPTH
        raise E.JsonParseError(f"JSON parse error: nested deeper than {MAX_DEPTH} levels") from None
    problem = _problem(data, 0)
    if problem is not None:
        loc, why = problem
        field = format_loc(loc)
        raise E.InvalidRequest(f"Invalid value for the field: '{field or 'body'}': {why}", reference=field)
    return data


def _decode(text: str) -> Any:
    """`json.loads`, but an integer literal past Python's 4,300-digit limit is kept as text to refuse."""
    try:
        return json.loads(text, parse_constant=_constant)
    except json.JSONDecodeError:
        raise
    except ValueError:  # the digit limit: read again with the slower hook that never converts it
        return json.loads(text, parse_constant=_constant, parse_int=_int)


def _problem(value: Any, depth: int) -> tuple[tuple[Any, ...], str] | None:
    """Where the first value the backend could not hold sits, and why (None: the body is fine).

    Recursion is safe: it stops at MAX_DEPTH. Scalars are checked inline, as this runs on every body
    (a 10,000-row import included).
    """
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        why = _scalar_problem(value)
        return ((), why) if why else None
    if depth >= MAX_DEPTH:
        return (), f"nested deeper than {MAX_DEPTH} levels"
    for key, item in items:
        if type(key) is str and _BAD_TEXT.search(key):
            return (), "a field name holds a NUL character or an unpaired UTF-16 surrogate"
        kind = type(item)
        if kind is int:
            if INT64_MIN <= item <= INT64_MAX:
                continue
        elif kind is str:
            if _BAD_TEXT.search(item) is None:
                continue
        elif kind is dict or kind is list:
            found = _problem(item, depth + 1)
            if found is None:
                continue
            return (key, *found[0]), found[1]
        why = _scalar_problem(item)
        if why:
            return (key,), why
    return None


def _scalar_problem(value: Any) -> str | None:
    if isinstance(value, str):
        if _BAD_TEXT.search(value):
            return "text holds a NUL character or an unpaired UTF-16 surrogate"
    elif isinstance(value, _OutOfRange) or (type(value) is int and not INT64_MIN <= value <= INT64_MAX):
        text = value.text if isinstance(value, _OutOfRange) else str(value)
        return f"number {_shown(text)} is outside the 64-bit range the API reads"
    elif isinstance(value, float) and not math.isfinite(value):
        return "number is too large for a 64-bit double"
    return None


def _shown(text: str) -> str:
    return text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"
