"""The retry policy as tables: which failures are retried, and how long to wait."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.api.retry import backoff_delay, parse_retry_after, retry_delay, should_retry

NOW = datetime(2026, 1, 19, 12, 0, 0, tzinfo=UTC)


class FixedUniform:
    """Returns the top of the jitter range, so the ceiling of the backoff is visible."""

    def __init__(self, fraction: float = 1.0) -> None:
        self.fraction = fraction
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append((a, b))
        return a + (b - a) * self.fraction


@pytest.mark.parametrize(
    ("method", "status", "sent", "has_request_id", "expected"),
    [
        # Reads: anything transient.
        ("GET", None, False, False, True),  # connect error / DNS / refused / connect timeout
        ("GET", None, True, False, True),  # read timeout, connection dropped
        ("GET", 429, True, False, True),
        ("GET", 500, True, False, True),
        ("GET", 502, True, False, True),
        ("GET", 503, True, False, True),
        ("GET", 504, True, False, True),
        ("GET", 408, True, False, True),
        ("GET", 400, True, False, False),
        ("GET", 401, True, False, False),
        ("GET", 403, True, False, False),
        ("GET", 404, True, False, False),
        ("GET", 409, True, False, False),
        # Writes without requestId: only when nothing left the machine.
        ("POST", None, False, False, True),
        ("POST", None, True, False, False),
        ("POST", 429, True, False, False),
        ("POST", 500, True, False, False),
        ("POST", 503, True, False, False),
        ("PUT", None, False, False, True),  # import (#14): not sent yet, so not a resend
        ("PUT", None, True, False, False),  # import after a read timeout: never resent
        ("PUT", 502, True, False, False),
        # Writes with requestId: transient failures, same requestId and body.
        ("POST", None, True, True, True),
        ("POST", 429, True, True, True),
        ("POST", 500, True, True, True),
        ("POST", 503, True, True, True),
        ("POST", 400, True, True, False),  # includes 809: a rejection, never retried
        ("POST", 409, True, True, False),
    ],
)
def test_retry_decisions(method, status, sent, has_request_id, expected):
    decision = should_retry(
        method, status=status, sent=sent, has_request_id=has_request_id, attempt=0, max_retries=2
    )
    assert decision is expected


@pytest.mark.parametrize(("attempt", "expected"), [(0, True), (1, True), (2, False), (5, False)])
def test_retries_stop_at_the_budget(attempt, expected):
    assert (
        should_retry("GET", status=503, sent=True, has_request_id=False, attempt=attempt, max_retries=2)
        is expected
    )


def test_no_retries_when_disabled():
    assert not should_retry("GET", status=None, sent=False, has_request_id=False, attempt=0, max_retries=0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-1", None),
        ("nan", None),
        ("soon", None),
        ("Mon, 19 Jan 2026 12:00:30 GMT", 30.0),
        ("Mon, 19 Jan 2026 11:59:00 GMT", 0.0),  # in the past: go now
        ("Mon, 19 Jan 2026 13:00:00 GMT", 3600.0),
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header, now=NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "header", "fraction", "expected"),
    [
        (0, None, 1.0, 0.5),  # initial 0.5 s
        (1, None, 1.0, 1.0),
        (2, None, 1.0, 2.0),
        (3, None, 1.0, 4.0),
        (4, None, 1.0, 8.0),
        (10, None, 1.0, 8.0),  # capped
        (2, None, 0.0, 0.0),  # full jitter reaches zero
        (2, None, 0.5, 1.0),
        (0, "3", 1.0, 3.0),  # server wait is a floor
        (4, "3", 1.0, 8.0),  # backoff larger than the server's wait
        (0, "Mon, 19 Jan 2026 12:00:20 GMT", 0.0, 20.0),
        (0, "garbage", 1.0, 0.5),
    ],
)
def test_retry_delay_table(attempt, header, fraction, expected):
    assert retry_delay(attempt, header, now=NOW, rng=FixedUniform(fraction)) == pytest.approx(expected)


def test_backoff_draws_from_zero_to_the_capped_ceiling():
    rng = FixedUniform()
    backoff_delay(3, rng=rng, initial=0.5, cap=20.0)
    backoff_delay(100, rng=rng, initial=0.5, cap=20.0)
    assert rng.calls == [(0.0, 4.0), (0.0, 20.0)]


@settings(max_examples=200, deadline=None)
@given(
    attempt=st.integers(min_value=0, max_value=1000),
    server=st.one_of(st.none(), st.floats(min_value=0, max_value=10_000)),
    fraction=st.floats(min_value=0, max_value=1),
)
def test_delay_never_undercuts_the_server_nor_exceeds_the_cap_on_its_own(attempt, server, fraction):
    header = None if server is None else repr(server)
    delay = retry_delay(attempt, header, now=NOW, rng=FixedUniform(fraction), initial=0.5, cap=8.0)
    assert delay >= 0
    if server is None:
        assert delay <= 8.0
    else:
        assert delay >= server
        assert delay <= max(server, 8.0)
