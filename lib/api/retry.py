"""When to try a request again, and how long to wait first.

Pure functions, so the policy can be read and tested as a table. The client is the only caller
that sleeps; bulk jobs call the same functions with their own budget.

Reads (GET) are retried on anything transient: a connection that failed, a timeout, 429 and 5xx.

Writes are never retried blindly. A write is retried only when

- the connection failed *before* the request left this machine (connect error, DNS failure, refused
  connection, connect timeout): nothing reached Capillary, so sending again cannot duplicate; or
- the write carries a ``requestId`` (issueBulk #9, earn #11, earnBulk #12). Then every attempt reuses
  the same requestId and the identical body, and Capillary rejects a second copy with 809.

809 is a rejection, not a replay of the first answer. After an attempt whose outcome is unknown
(read timeout, dropped connection, 5xx), an 809 on the retry means "the first copy may have been
applied: go and check the customer's badges" - never "success". The client raises
``DuplicateRequestError`` in that case and says so on the exception.

Import (#14) has no requestId, so once it may have been sent it is never sent again; the user
reconciles first and imports only the missing rows.
"""

from __future__ import annotations

import email.utils
import math
from datetime import UTC, datetime
from typing import Protocol

from lib.api._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

RETRYABLE_STATUSES = frozenset({408, 429})
"""Besides every status >= 500: answers that mean "not processed, try later"."""


class UniformSource(Protocol):
    """The part of ``random.Random`` the backoff needs (tests pass a seeded or fixed one)."""

    def uniform(self, a: float, b: float) -> float: ...


def is_write(method: str) -> bool:
    """Everything but GET/HEAD/OPTIONS changes state on Capillary (import is a PUT, claim a POST)."""
    return method.upper() not in {"GET", "HEAD", "OPTIONS"}


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def should_retry(
    method: str,
    *,
    status: int | None,
    sent: bool,
    has_request_id: bool,
    attempt: int,
    max_retries: int,
) -> bool:
    """Decide whether to send again after a failed attempt.

    ``status`` is the HTTP status of the answer, or None when there was no answer (connection error or
    timeout); then ``sent`` says whether the request may have reached the server. ``attempt`` counts the
    attempts already made minus one (0 after the first failure).
    """
    if attempt >= max_retries:
        return False
    if status is None and not sent:
        return True
    if status is not None and not is_retryable_status(status):
        return False
    return not is_write(method) or has_request_id


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header (delta-seconds or HTTP-date), or None.

    A date in the past means "now" (0). Unparseable or negative values are ignored.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    attempt: int,
    *,
    rng: UniformSource,
    initial: float = INITIAL_RETRY_DELAY,
    cap: float = MAX_RETRY_DELAY,
) -> float:
    """Capped exponential backoff with full jitter: uniform(0, min(cap, initial * 2**attempt)).

    Full jitter spreads retries of many clients hit by the same outage instead of synchronising them.
    """
    ceiling = min(cap, initial * (2 ** min(attempt, 32)))
    return rng.uniform(0.0, ceiling)


def retry_delay(
    attempt: int,
    retry_after_header: str | None,
    *,
    now: datetime,
    rng: UniformSource,
    initial: float = INITIAL_RETRY_DELAY,
    cap: float = MAX_RETRY_DELAY,
) -> float:
    """Seconds to wait before retry number ``attempt + 1``.

    The server's ``Retry-After`` is a floor, never shortened; our jittered backoff applies on top of it
    when it is larger. Whether a very long Retry-After is worth waiting for is the caller's decision
    (see ``MAX_RETRY_AFTER``).
    """
    jittered = backoff_delay(attempt, rng=rng, initial=initial, cap=cap)
    server = parse_retry_after(retry_after_header, now=now)
    return jittered if server is None else max(server, jittered)
