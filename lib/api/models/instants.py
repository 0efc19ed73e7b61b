"""Every reading and writing of an instant, written once: client models, sandbox, bulk CLI, editor form.

The choices, each made here and nowhere else:

- **Epoch seconds** are an int, a float or numeric text (``"1718000000"``, ``"1718000000.5"``, up to 9
  fraction digits), read through the decimal text so ``x.123456`` is exactly 123456 microseconds.
  Exponents, underscores and ``inf``/``nan`` are not epoch seconds.
- **ISO 8601** text carries a zone (``Z`` or ``+05:30``). A *naive* value (a datetime without a zone, ISO
  text without one, a bare date) is read by the policy the caller names: ``Naive.REFUSE`` (the default:
  its zone would be a guess; client models, the domain, the editor) or ``Naive.AS_UTC`` (what the
  server does with a naive twin, so the sandbox; dates a person types for the bulk CLI).
- **Twins** (``startOn`` / ``startOnISO``): in a *request* the ISO twin wins and the epoch field is used
  only when the twin is absent (reference §2, "When both are given the ISO one wins"); in an *answer*
  the epoch field wins, because the twin is the same instant written to the second
  (``"startOn": 1795242819.946771`` beside ``"startOnISO": "...T06:33:39Z"``) and sending it back would
  move a start (723). ``None`` and ``""`` count as absent.
- **Writing**: epoch seconds (an int when whole, ``epoch_seconds``), the server's float seconds
  (``epoch_float``), whole seconds rounded (``whole_seconds``, to compare dates a server echoes), ISO
  ``...Z`` (``iso_utc``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, overload

from lib.api.models.shown import shown
from lib.domain.timeutil import as_utc

__all__ = [
    "MAX_INSTANT",
    "MIN_INSTANT",
    "InstantOutOfRange",
    "Naive",
    "TwinWins",
    "epoch_float",
    "epoch_seconds",
    "from_epoch",
    "is_epoch_text",
    "iso_utc",
    "parse_instant",
    "read_twin",
    "twin_candidates",
    "whole_seconds",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMERIC = re.compile(r"^[+-]?\d+(\.\d+)?$")
_FAST_LIMIT = 2**32
_FAR_YEAR = re.compile(r"^([+-]?)\d{5,}-")

MAX_INSTANT = datetime.max.replace(tzinfo=UTC)
MIN_INSTANT = datetime.min.replace(tzinfo=UTC)


class Naive(StrEnum):
    """How a value without a zone is read."""

    REFUSE = "refuse"
    AS_UTC = "utc"


class TwinWins(StrEnum):
    """Which of an epoch field and its ``...ISO`` twin holds the instant when both are present."""

    ISO = "iso"  # requests: as the reference documents
    EPOCH = "epoch"  # answers: the twin is cut to the second


class InstantOutOfRange(ValueError):
    """An instant a Python datetime cannot hold (beyond year 9999)."""

    def __init__(self, message: str, *, future: bool) -> None:
        super().__init__(message)
        self.future = future


def parse_instant(value: Any, *, naive: Naive = Naive.REFUSE) -> datetime:
    """An aware UTC datetime from epoch seconds or ISO 8601 text (see the module's choices).

    Raises ValueError for anything else, and InstantOutOfRange (a ValueError) for instants past year
    9999 (epoch milliseconds sent where seconds belong).
    """
    if isinstance(value, datetime):
        if naive is Naive.AS_UTC and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return as_utc(value, "datetime")
    if isinstance(value, bool):
        raise ValueError("expected epoch seconds or an ISO 8601 timestamp, got a boolean")
    if isinstance(value, int | float | Decimal):
        return from_epoch(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMERIC.match(text):
            return _from_decimal(Decimal(text))
        return _from_iso(text, naive)
    raise ValueError(f"expected epoch seconds or an ISO 8601 timestamp, got {type(value).__name__}")


def is_epoch_text(value: Any) -> bool:
    """Whether `value` is text that `parse_instant` reads as epoch seconds (rather than ISO)."""
    return isinstance(value, str) and bool(_NUMERIC.match(value.strip()))


def from_epoch(seconds: int | float | Decimal) -> datetime:
    """Epoch seconds as an aware UTC datetime, to the microsecond."""
    if isinstance(seconds, int):
        if abs(seconds) < _FAST_LIMIT:
            return _EPOCH + timedelta(seconds=seconds)
        return _from_decimal(Decimal(seconds))
    if isinstance(seconds, float):
        if not math.isfinite(seconds):
            raise ValueError(f"expected epoch seconds, got {seconds!r}")
        if abs(seconds) < _FAST_LIMIT:
            # Below 2**32 s (year 2106) scaling a double to microseconds and rounding is exact.
            return _EPOCH + timedelta(microseconds=round(seconds * 1_000_000))
        return _from_decimal(Decimal(repr(seconds)))
    if not seconds.is_finite():
        raise ValueError(f"expected epoch seconds, got {seconds}")
    return _from_decimal(seconds)


def _from_decimal(seconds: Decimal) -> datetime:
    try:
        micros = int((seconds * 1_000_000).to_integral_value(ROUND_HALF_EVEN))
        return _EPOCH + timedelta(microseconds=micros)
    except (OverflowError, InvalidOperation):
        pass
    hint = " (looks like epoch milliseconds; the API takes seconds)" if abs(seconds) > 10**11 else ""
    raise InstantOutOfRange(
        f"epoch seconds {shown(str(seconds))} are outside the representable range{hint}", future=seconds > 0
    )


def _from_iso(text: str, naive: Naive) -> datetime:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    far = _FAR_YEAR.match(candidate)
    if far:
        raise InstantOutOfRange(
            f"ISO timestamp {shown(text)} is beyond year 9999 (epoch milliseconds stored as seconds?)",
            future=far.group(1) != "-",
        )
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        raise ValueError(f"not an epoch-seconds number nor an ISO 8601 timestamp: {shown(text)}") from None
    if parsed.tzinfo is None:
        if naive is Naive.AS_UTC:
            return parsed.replace(tzinfo=UTC)
        raise ValueError(f"ISO timestamp {shown(text)} has no zone (add Z or an offset such as +05:30)")
    return parsed.astimezone(UTC)


# ---- twins ------------------------------------------------------------------------------------


def twin_candidates(body: Mapping[str, Any] | None, key: str, wins: TwinWins) -> list[tuple[str, Any]]:
    """The present fields (name, raw value) that may hold instant `key`, the winning one first."""
    if not body:
        return []
    names = (f"{key}ISO", key) if wins is TwinWins.ISO else (key, f"{key}ISO")
    return [(name, body[name]) for name in names if body.get(name) is not None and body.get(name) != ""]


def read_twin(
    body: Mapping[str, Any] | None, key: str, wins: TwinWins, *, naive: Naive = Naive.REFUSE
) -> datetime | None:
    """Instant `key` of `body` from the winning present field; None when neither is present.

    Raises ValueError when the winning field cannot be read (the other one is not tried: the
    server reads only the winner).
    """
    candidates = twin_candidates(body, key, wins)
    return parse_instant(candidates[0][1], naive=naive) if candidates else None


# ---- writing ----------------------------------------------------------------------------------


def epoch_seconds(value: datetime) -> int | float:
    """Seconds since the epoch: an int when whole, else a float with microsecond precision."""
    delta = value.astimezone(UTC) - _EPOCH
    whole = delta.days * 86_400 + delta.seconds
    if delta.microseconds == 0:
        return whole
    if whole < 0:
        return float(Decimal(whole) + Decimal(delta.microseconds) / 1_000_000)
    # Through the decimal text, so the float is the one nearest to the exact instant.
    return float(f"{whole}.{delta.microseconds:06d}")


def epoch_float(value: datetime) -> float:
    """Float seconds, as the server writes every timestamp (``1718000000.0``); `value` is aware."""
    return value.timestamp()


@overload
def whole_seconds(value: datetime | float | int) -> int: ...
@overload
def whole_seconds(value: None) -> None: ...
def whole_seconds(value: datetime | float | int | None) -> int | None:
    """Whole epoch seconds, rounded: how dates we sent as whole seconds are compared with the server's
    echo of them (``1718000000.0``, or a datetime read from it)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return int(round(value.timestamp()))
    return int(round(float(value)))


def iso_utc(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (with a fraction only when there is one), as the EU cluster writes it."""
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"
