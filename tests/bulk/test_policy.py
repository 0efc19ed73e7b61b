"""The retry policy as a table: every failure kind -> what the job does next, for both operations."""

from __future__ import annotations

import random

import pytest

from lib.api.errors import (
    APIConnectionError,
    APITimeoutError,
    RequestValidationError,
    ResponseValidationError,
    make_status_error,
)
from lib.bulk.model import Operation
from lib.bulk.policy import Action, RetryConfig, backoff, decide

CONFIG = RetryConfig()
ENROL, IMPORT = Operation.ENROL, Operation.IMPORT


class Top:
    """A jitter source that always answers the top of the range."""

    def uniform(self, a: float, b: float) -> float:
        return b


def status(code: int, body: dict | None = None, retry_after: str | None = None, **kw):
    headers = {"Retry-After": retry_after} if retry_after is not None else None
    return make_status_error(
        code, body or {"data": None, "errors": [{"code": code, "message": "x"}]}, headers, **kw
    )


def act(error, operation=ENROL, attempts=1, config=CONFIG):
    return decide(error, operation=operation, attempts=attempts, config=config, rng=Top())


@pytest.mark.parametrize(
    ("error", "enrol", "imp"),
    [
        (APIConnectionError("refused", sent=False), Action.RETRY, Action.RETRY),
        (APITimeoutError("connect timeout", sent=False), Action.RETRY, Action.RETRY),
        (APITimeoutError("read timeout", sent=True), Action.UNKNOWN, Action.RECONCILE),
        (APIConnectionError("reset", sent=True), Action.UNKNOWN, Action.RECONCILE),
        (status(500), Action.UNKNOWN, Action.RECONCILE),
        (status(502), Action.UNKNOWN, Action.RECONCILE),
        (status(503), Action.UNKNOWN, Action.RECONCILE),
        (status(503, retry_after="2"), Action.RETRY, Action.RETRY),
        (status(429, retry_after="2"), Action.RETRY, Action.RETRY),
        (status(429), Action.RETRY, Action.RETRY),
        (status(400, {"errors": [{"code": 809, "message": "dup"}]}), Action.RECONCILE, Action.RECONCILE),
        (status(400, {"errors": [{"code": 816, "message": "date"}]}), Action.FAIL_ROWS, Action.FAIL_ROWS),
        (status(404), Action.FAIL_ROWS, Action.FAIL_ROWS),
        (status(409), Action.FAIL_ROWS, Action.FAIL_ROWS),
        (status(413), Action.FAIL_ROWS, Action.FAIL_ROWS),
        (status(401), Action.STOP, Action.STOP),
        (status(403), Action.STOP, Action.STOP),
        (RequestValidationError("bad"), Action.FAIL_ROWS, Action.FAIL_ROWS),
        (ResponseValidationError("garbled"), Action.RECONCILE, Action.RECONCILE),
    ],
)
def test_every_failure_has_one_next_step(error, enrol, imp):
    assert act(error, ENROL).action is enrol
    assert act(error, IMPORT).action is imp


def test_an_import_that_may_have_arrived_is_never_resent():
    for error in (status(500), APITimeoutError("read", sent=True), APIConnectionError("reset", sent=True)):
        decision = act(error, IMPORT)
        assert decision.action is Action.RECONCILE and decision.ambiguous


def test_enrol_stops_resending_after_max_attempts_and_reconciles():
    assert act(status(500), attempts=CONFIG.max_attempts - 1).action is Action.UNKNOWN
    assert act(status(500), attempts=CONFIG.max_attempts).action is Action.RECONCILE


def test_retry_after_is_a_floor_and_a_long_one_pauses_the_job():
    decision = act(status(429, retry_after="7"))
    assert decision.action is Action.RETRY and decision.delay >= 7
    paused = act(status(429, retry_after=str(int(CONFIG.retry_after_cap) + 1)))
    assert paused.action is Action.PAUSE and paused.reason == "rate-limited"
    assert paused.delay == CONFIG.retry_after_cap + 1


def test_retry_after_as_an_http_date():
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=30), usegmt=True)
    error = make_status_error(429, b"", {"Retry-After": when}, now=now)
    decision = act(error)
    assert decision.action is Action.RETRY and 30 <= decision.delay <= CONFIG.retry_after_cap


def test_connection_refused_is_always_retried_the_breaker_decides_when_to_pause():
    decision = act(APIConnectionError("refused", sent=False), attempts=CONFIG.max_attempts + 3)
    assert decision.action is Action.RETRY and decision.reason == "not-sent"


def test_a_refusal_after_an_unclear_attempt_is_reconciled_not_failed():
    error = status(400, {"errors": [{"code": 816, "message": "date"}]}, after_ambiguous_attempt=True)
    assert act(error).action is Action.RECONCILE


def test_codes_and_messages_are_kept_for_the_rows():
    decision = act(status(400, {"errors": [{"code": 816, "message": "Event date is not in duration"}]}))
    assert (decision.code, decision.message) == (816, "Event date is not in duration")


def test_full_jitter_stays_within_the_capped_exponential():
    rng = random.Random(3)
    config = RetryConfig(backoff_base=0.5, backoff_cap=4.0)
    for attempt in range(12):
        delay = backoff(attempt, config, rng)
        assert 0 <= delay <= min(4.0, 0.5 * 2**attempt)
    assert backoff(10, config, Top()) == 4.0


def test_not_a_badges_error_is_a_programming_error():
    with pytest.raises(TypeError):
        act(ValueError("boom"))
