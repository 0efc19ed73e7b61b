"""What a bulk job does after a failed call: retry, wait, reconcile, fail the rows, pause or stop.

Pure decisions (no sleeping, no I/O), so the whole policy reads and tests as a table:

| failure                                   | enrol (issueBulk, has requestId)      | import (no requestId)          |
| ----------------------------------------- | ------------------------------------- | ------------------------------ |
| refused before sending (bad input)        | rows FAILED                           | rows FAILED                    |
| connection failed before sending          | retry, same requestId, backoff        | retry, backoff                 |
| 429, or 503 with Retry-After              | wait Retry-After (pause if > cap)     | same                           |
| other 5xx, 408                            | retry same requestId, backoff         | UNKNOWN -> reconcile           |
| timeout / lost answer after sending       | retry same requestId, backoff         | UNKNOWN -> reconcile           |
| 809 (requestId already used)              | reconcile (never success)             | (cannot happen)                |
| unreadable 2xx answer                     | reconcile                             | reconcile                      |
| 401, 403                                  | stop the job                          | stop the job                   |
| any other 4xx                             | rows FAILED with code and message     | same                           |

An import is never sent again after it may have arrived: it is reconciled first and only the rows
that are missing are sent in a new batch. An undo (revokeIssue, revokeEarn) is the opposite case:
revoking an id twice revokes it once, so every unclear attempt (5xx, lost or unreadable answer) is
simply sent again, however often, and nothing is ever read back; its refusals fail the rows as above.
How fast and how many requests go is the job's adaptive limiter's business, and a sustained outage
is its circuit breaker's (`lib.bulk.limiter`): a few percent of failures never pause a job.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lib.api.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadgesError,
    DuplicateRequestError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
)
from lib.api.retry import UniformSource, backoff_delay
from lib.bulk.model import Operation


@dataclass(frozen=True)
class RetryConfig:
    """Knobs of the retry policy; tests shrink the waits, never the logic."""

    max_attempts: int = 5  # sends per batch before it is reconciled instead
    backoff_base: float = 0.5  # seconds; full jitter over base * 2**attempt
    backoff_cap: float = 20.0
    retry_after_cap: float = 60.0  # a longer Retry-After pauses the job and shows when to resume
    settle_delay: float = 1.0  # wait before the second look at a customer that seemed absent


class Action(StrEnum):
    RETRY = "retry"  # send the same batch again (same requestId, identical body) after `delay`
    UNKNOWN = "unknown"  # the outcome is unclear: park the batch as UNKNOWN (enrol resends it later)
    RECONCILE = "reconcile"  # read the customers' badges before anything else is sent
    FAIL_ROWS = "fail_rows"  # the server refused the batch: every row FAILED with this code
    STOP = "stop"  # credentials or permissions: no batch can succeed, stop the job
    PAUSE = "pause"  # come back later (long Retry-After, server unreachable)


@dataclass(frozen=True)
class Decision:
    action: Action
    delay: float = 0.0
    ambiguous: bool = False  # the failed attempt may have been applied
    reason: str = ""
    code: int | None = None
    message: str = ""


def backoff(attempt: int, config: RetryConfig, rng: UniformSource) -> float:
    """The client's full-jitter backoff (`lib.api.retry.backoff_delay`) with the job's base and cap."""
    return backoff_delay(attempt, rng=rng, initial=config.backoff_base, cap=config.backoff_cap)


def retry_after_of(error: BaseException) -> float | None:
    """The server's Retry-After in seconds (429 always carries the attribute; a 503 may)."""
    value = getattr(error, "retry_after", None)
    return float(value) if isinstance(value, int | float) and value >= 0 else None


def describe(error: BaseException) -> tuple[int | None, str]:
    """(code, message) to record on a row: Capillary's code when it gave one, else the HTTP status."""
    if isinstance(error, APIStatusError):
        return (error.code if error.code is not None else error.status_code), error.message
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return None, message


def decide(
    error: BaseException,
    *,
    operation: Operation,
    attempts: int,
    config: RetryConfig,
    rng: UniformSource,
) -> Decision:
    """What to do after attempt number ``attempts`` (1-based) of one batch failed with ``error``."""
    code, message = describe(error)
    info = {"code": code, "message": message}
    may_resend = attempts < config.max_attempts
    wait = backoff(attempts - 1, config, rng)
    decision = _decide(error, operation, may_resend, wait, attempts, config, rng, info)
    if operation in RESENT_WHEN_UNCLEAR and decision.action is Action.RECONCILE:
        if decision.reason in REFUSALS:  # a resend would be refused the same way
            return Decision(Action.FAIL_ROWS, reason="rejected", **info)
        # Nothing to read back: send it again, as often as it takes (the breaker covers an outage).
        return Decision(Action.UNKNOWN, delay=wait, ambiguous=True, reason=decision.reason, **info)
    return decision


# Operations whose call has the same effect however often it is applied: an unclear attempt is resent.
RESENT_WHEN_UNCLEAR = frozenset({Operation.UNDO_ENROL, Operation.UNDO_IMPORT})
REFUSALS = frozenset({"duplicate-request-id", "refused-after-unclear-attempt"})


def _decide(
    error: BaseException,
    operation: Operation,
    may_resend: bool,
    wait: float,
    attempts: int,
    config: RetryConfig,
    rng: UniformSource,
    info: dict,
) -> Decision:
    if isinstance(error, RequestValidationError):
        return Decision(Action.FAIL_ROWS, reason="invalid-request", **info)
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        reason = "unauthorised" if isinstance(error, AuthenticationError) else "forbidden"
        return Decision(Action.STOP, reason=reason, **info)
    if isinstance(error, DuplicateRequestError):
        return Decision(Action.RECONCILE, ambiguous=True, reason="duplicate-request-id", **info)

    if isinstance(error, APIStatusError):
        server_wait = retry_after_of(error)
        rejected = isinstance(error, RateLimitError) or (error.status_code == 503 and server_wait is not None)
        if rejected:
            # Refused before processing: safe to send again, also for an import.
            # Not an attempt that counts: nothing was applied, and the limiter slows the whole job.
            server_wait = server_wait or 0.0
            if server_wait > config.retry_after_cap:
                return Decision(Action.PAUSE, delay=server_wait, reason="rate-limited", **info)
            wait = backoff(min(attempts, 3) - 1, config, rng)
            return Decision(
                Action.RETRY,
                delay=max(server_wait, wait),
                reason="rate-limited",
                **info,
            )
        if error.status_code >= 500 or error.status_code == 408:
            return _ambiguous(operation, may_resend, wait, "server-error", info)
        if error.after_ambiguous_attempt:
            # A refusal after an unclear attempt says nothing about that attempt: look first.
            return Decision(Action.RECONCILE, ambiguous=True, reason="refused-after-unclear-attempt", **info)
        return Decision(Action.FAIL_ROWS, reason="rejected", **info)

    if isinstance(error, ResponseValidationError):
        return Decision(Action.RECONCILE, ambiguous=True, reason="unreadable-answer", **info)
    if isinstance(error, APIConnectionError):
        if not error.sent:
            # Nothing arrived: always safe to send again; a host that stays unreachable opens the
            # job's circuit breaker, which waits and probes, and pauses the job only after long.
            return Decision(Action.RETRY, delay=wait, reason="not-sent", **info)
        return _ambiguous(operation, may_resend, wait, "no-answer", info)
    if isinstance(error, BadgesError):
        return Decision(Action.RECONCILE, ambiguous=True, reason="unexpected-error", **info)
    raise TypeError(f"not a Badges API error: {type(error).__name__}")


def _ambiguous(operation: Operation, may_resend: bool, wait: float, reason: str, info: dict) -> Decision:
    if operation is Operation.ENROL and may_resend:
        # The same requestId makes a resend safe: the server either applies it once or answers 809.
        return Decision(Action.UNKNOWN, delay=wait, ambiguous=True, reason=reason, **info)
    return Decision(Action.RECONCILE, ambiguous=True, reason=reason, **info)
