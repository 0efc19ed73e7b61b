"""What this client sent and what came back, for the console's request inspector.

Each client owns its own ``RequestLog`` (one user's connection, never shared or global). The log is
bounded (oldest entries drop out) and safe to append to from the bulk runner's worker thread while a
page reads it.

Entries never hold secrets: authentication headers are stored as placeholders (``$CAPILLARY_AUTH``),
so ``to_curl()`` produces a command that works after ``export CAPILLARY_AUTH='Basic ...'`` and can be
pasted into a support ticket as is.
"""

from __future__ import annotations

import json
import re
import shlex
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from lib.api._constants import LOGGED_BODY_CHARS, REQUEST_LOG_SIZE
from lib.api.auth import BASIC_AUTH_PLACEHOLDER, PLACEHOLDERS, SECRET_HEADERS

REDACTED = BASIC_AUTH_PLACEHOLDER
_PLACEHOLDER = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One attempt of one request (a retried call leaves one entry per attempt)."""

    timestamp: datetime
    method: str
    base_url: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    """Request headers as sent, except that secret values are placeholders."""
    request_body: str | None = None
    """JSON text of the body, cut to ``LOGGED_BODY_CHARS`` (``body_truncated`` then True)."""
    body_truncated: bool = False
    status: int | None = None
    """HTTP status, or None when no answer arrived (see ``failure``)."""
    latency_ms: float = 0.0
    error_codes: tuple[int, ...] = ()
    """Capillary error codes from the envelope's ``errors`` (empty on success)."""
    failure: str | None = None
    """Why there was no usable answer (connection error, timeout), else None."""
    attempt: int = 1

    @property
    def request_headers(self) -> dict[str, str]:
        """``headers`` as a mapping (secret values are placeholders)."""
        return dict(self.headers)

    @property
    def url(self) -> str:
        query = f"?{urlencode(self.query)}" if self.query else ""
        return f"{self.base_url}{self.path}{query}"

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_curl(self) -> str:
        """A copy-paste curl command for this request; secrets stay shell variables."""
        command = curl_command(self.method, self.url, self.headers, self.request_body)
        if self.body_truncated:
            command += f"  # body truncated to {LOGGED_BODY_CHARS} characters in the log"
        return command


def curl_command(
    method: str, url: str, headers: Iterable[tuple[str, str]], body: str | None, *, multiline: bool = False
) -> str:
    """The one curl builder: a request sent (the log) or about to be (the editor). Secret headers must
    already be placeholders, which stay shell variables."""
    parts = [f"curl -X {method} {shlex.quote(url)}"]
    parts += [f"-H {shell_quote(f'{name}: {value}')}" for name, value in headers]
    if body is not None:
        parts.append(f"--data-raw {shell_quote(body)}")
    return (" \\\n  " if multiline else " ").join(parts)


def shell_quote(text: str) -> str:
    """Quote for a POSIX shell, leaving our secret placeholders expandable (``'a: '"$CAPILLARY_AUTH"``)."""
    pieces = _PLACEHOLDER.split(text)
    quoted = []
    for i, piece in enumerate(pieces):
        if i % 2:
            quoted.append(f'"{piece}"')
        elif piece:
            quoted.append(shlex.quote(piece))
    return "".join(quoted) or "''"


def redact_headers(
    headers: Mapping[str, str], placeholders: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """Headers safe to keep: secret ones replaced by their placeholder (or a generic one)."""
    by_lower = {k.lower(): v for k, v in placeholders.items()}
    safe = []
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            safe.append((name, by_lower.get(name.lower(), REDACTED)))
        else:
            safe.append((name, value))
    return tuple(safe)


def body_text(body: object) -> tuple[str | None, bool]:
    """The JSON text to log for a request body and whether it was truncated."""
    if body is None:
        return None, False
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"), default=str)
    if len(text) > LOGGED_BODY_CHARS:
        return text[:LOGGED_BODY_CHARS], True
    return text, False


@dataclass
class RequestLog:
    """Bounded, thread-safe list of the latest request attempts of one client."""

    maxlen: int = REQUEST_LOG_SIZE
    _entries: deque[LogEntry] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        self._entries = deque(maxlen=self.maxlen)

    def append(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LogEntry]:
        """A snapshot, oldest first."""
        with self._lock:
            return list(self._entries)

    def latest(self, n: int | None = None) -> Sequence[LogEntry]:
        """The newest ``n`` entries (all when None), newest first."""
        with self._lock:
            items = list(reversed(self._entries))
        return items if n is None else items[:n]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self.entries())

    def __repr__(self) -> str:
        return f"RequestLog(maxlen={self.maxlen}, entries={len(self)})"
