"""Small things every backend module needs: ids, time on the wire, paging, compact JSON.

Query parameters are read once, by the endpoint's query model in `lib.api.models.queries`; the
backends take that validated model, so nothing here parses query text."""

from __future__ import annotations

import itertools
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from lib.api.models.instants import (
    Naive,
    TwinWins,
    epoch_float,
    from_epoch,
    is_epoch_text,
    twin_candidates,
)
from lib.api.models.instants import parse_instant as read_instant
from lib.api.models.wire import INT64_MAX, wire_alias
from lib.sandbox.errors import InvalidRequest

_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
_counter_lock = threading.Lock()
_PROCESS_TAG = os.urandom(5).hex()
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, tzinfo=UTC)


def object_id(at: datetime) -> str:
    """A 24-hex MongoDB-style id whose first 8 hex digits are the creation epoch seconds."""
    with _counter_lock:
        n = next(_counter) & 0xFFFFFF
    return f"{int(at.timestamp()) & 0xFFFFFFFF:08x}{_PROCESS_TAG}{n:06x}"


def object_ids(at: datetime, count: int) -> list[str]:
    head = f"{int(at.timestamp()) & 0xFFFFFFFF:08x}{_PROCESS_TAG}"
    with _counter_lock:
        start = next(_counter)
        for _ in range(count - 1):
            next(_counter)
    return [f"{head}{(start + i) & 0xFFFFFF:06x}" for i in range(count)]


epoch = epoch_float
"""Float seconds, as the server writes (and the store keeps) every timestamp."""


def iso(seconds: float | None) -> str | None:
    """The `...ISO` twin of a timestamp, `YYYY-MM-DDTHH:MM:SSZ` in UTC as on the EU cluster."""
    if seconds is None:
        return None
    return from_epoch(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_iso(out: dict[str, Any], key: str, seconds: float | None) -> None:
    out[key] = seconds
    out[key + "ISO"] = iso(seconds)


def parse_instant(value: Any, field: str) -> datetime | None:
    """A request date read as `lib.api.models.instants` reads it, naive ISO taken as UTC (as the
    server does); an unreadable date, or one outside the years 1..9999, is the caller's 400."""
    if value is None or value == "":
        return None
    try:
        instant = read_instant(value, naive=Naive.AS_UTC)
    except ValueError:
        if isinstance(value, str) and not is_epoch_text(value):
            raise InvalidRequest(
                f"Invalid date '{value}' for the field: '{field}'", reference=field
            ) from None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidRequest(f"Invalid date for the field: '{field}'", reference=field) from None
        raise _out_of_range(field) from None
    if not _EARLIEST <= instant <= _LATEST:
        raise _out_of_range(field)
    return instant


def _out_of_range(field: str) -> InvalidRequest:
    return InvalidRequest(
        f"Invalid date for the field: '{field}': epoch seconds outside the years 1 to 9999", reference=field
    )


def pick_instant(body: dict[str, Any], field: str) -> datetime | None:
    """A request instant: the `<field>ISO` twin wins over the epoch `<field>` (`TwinWins.ISO`, as the
    API documents); errors name the field that was read."""
    candidates = twin_candidates(body, field, TwinWins.ISO)
    return parse_instant(candidates[0][1], candidates[0][0]) if candidates else None


def canonical(model: BaseModel) -> Any:
    """A validated request (or part of one) as canonical wire JSON: the fields sent, written the one
    documented way (what a stored badge document is made of, and what an answer echoes)."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True, context={"wire": True})


def request_instant(request: BaseModel, field: str) -> datetime | None:
    """Instant `field` of a validated request: its `<field>_iso` twin wins (`TwinWins.ISO`, as
    `pick_instant`); an instant outside the years 1..9999 is a 400 naming the field that was read."""
    for name in (f"{field}_iso", field):
        instant = getattr(request, name, None)
        if instant is not None:
            if not _EARLIEST <= instant <= _LATEST:
                raise _out_of_range(wire_alias(name))
            return instant
    return None


def query_instant(query: BaseModel, field: str) -> datetime | None:
    """Instant filter `field` of a validated query model (its own field, never an extra parameter),
    within the years 1..9999 the sandbox can reckon with (else a 400 naming the parameter)."""
    instant: datetime | None = getattr(query, field)
    if instant is not None and not _EARLIEST <= instant <= _LATEST:
        raise _out_of_range(wire_alias(field))
    return instant


@dataclass(frozen=True)
class Page:
    page: int
    size: int

    def pagination(self, total: int) -> dict[str, int]:
        pages = (total + self.size - 1) // self.size if self.size else 0
        return {"page": self.page, "size": self.size, "total": total, "totalPages": pages}

    @property
    def offset(self) -> int:
        """Rows to skip; capped at SQLite's largest integer (a page that far out is empty anyway)."""
        return min(self.page * self.size, INT64_MAX)


def page_of(page: int | None, size: int | None, *, default_size: int = 10) -> Page:
    """The page a validated query asks for (0-based `page`, `size` items, at most 1,000 a page); the
    query model has already refused anything that is not a whole number in range."""
    return Page(page=page or 0, size=min(size or default_size, 1000))


def dumps(value: Any) -> str:
    """Compact JSON, as the store keeps documents."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
