"""The adaptive limiter and the circuit breaker, on an injected clock: the arithmetic, without waiting."""

from __future__ import annotations

import pytest

from lib.bulk.limiter import (
    AdaptiveLimiter,
    BreakerSettings,
    BreakerState,
    CircuitBreaker,
    LimiterSettings,
    Signal,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def full_round(limiter: AdaptiveLimiter, clock: Clock, latency: float, signal: Signal = Signal.OK) -> None:
    """Start as many requests as the limit allows, then answer them all after `latency`."""
    started = 0
    while limiter.view().in_flight < limiter.view().limit and started < 100:
        assert limiter.acquire()
        started += 1
    clock.tick(latency)
    for _ in range(started):
        limiter.release(signal, latency)


def test_a_used_limit_grows_about_one_per_round_trip_up_to_the_ceiling():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=2, ceiling=6), clock=clock)
    limits = []
    for _ in range(12):
        full_round(limiter, clock, 0.15)
        limits.append(limiter.view().limit)
    assert limits[:3] == [2, 3, 4]
    assert max(limits) == 6 and limits[-1] == 6


def test_jitter_does_not_read_as_queueing_but_doubled_latency_does():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=4, ceiling=16), clock=clock)
    for latency in [0.1, 0.2, 0.15, 0.1, 0.2, 0.12, 0.18] * 3:
        full_round(limiter, clock, latency)
    grown = limiter.view().limit
    assert grown >= 10
    for _ in range(10):
        full_round(limiter, clock, 0.6)  # the server queues: four times the usual round trip
    assert limiter.view().limit < grown / 2


def test_a_burst_of_failures_in_one_round_trip_shrinks_the_limit_once():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=10, ceiling=16, backoff=0.8), clock=clock)
    full_round(limiter, clock, 0.15)
    before = limiter.view().limit
    for _ in range(5):
        assert limiter.acquire()
    for _ in range(5):
        limiter.release(Signal.OVERLOADED, 0.15)
    assert limiter.view().limit == int(before * 0.8) or limiter.view().limit == int(before * 0.8) + 1
    assert limiter.view().overloaded == 5


def test_the_first_429_paces_below_the_rate_the_server_accepted():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=16, ceiling=16, rate_margin=0.85), clock=clock)
    for _ in range(20):  # 16 per 0.5 s = 32 requests/s accepted
        full_round(limiter, clock, 0.5)
    assert limiter.view().rate is None
    assert limiter.acquire()
    limiter.release(Signal.THROTTLED, 0.5, retry_after=1.0)
    assert limiter.view().rate == pytest.approx(32 * 0.85, rel=0.1)
    clock.tick(1 / limiter.view().rate)
    assert limiter.acquire()  # a 1 s Retry-After delays only the refused request, not the others


def test_past_four_in_flight_the_limit_grows_one_per_two_round_trips():
    """A rate-limited gateway shows no latency rise before its first 429: a gentler climb leaves
    fewer requests in flight to be refused when it comes."""
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=4, ceiling=16), clock=clock)
    limits = []
    for _ in range(8):
        full_round(limiter, clock, 0.15)
        limits.append(limiter.view().limit)
    assert limits[-1] in (7, 8)  # about 4 + 8 / 2, not 4 + 8


def test_a_server_nearby_doubles_the_limit_per_round_trip_until_the_first_sign_of_load():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=2, ceiling=32), clock=clock)
    limits = []
    for _ in range(3):
        full_round(limiter, clock, 0.002)
        limits.append(limiter.view().limit)
    assert limits == [4, 8, 16]
    assert limiter.acquire()
    limiter.release(Signal.OVERLOADED, 0.002)  # a 5xx: additive growth from here on
    before = limiter.view().limit
    full_round(limiter, clock, 0.002)
    assert limiter.view().limit <= before + 1


def test_after_the_first_429_the_pace_creeps_instead_of_regaining_the_burst():
    """The first estimate includes the gateway's burst allowance: the pace must not climb back to it."""
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=16, ceiling=16), clock=clock)
    for _ in range(20):
        full_round(limiter, clock, 0.5)
    limiter.acquire()
    limiter.release(Signal.THROTTLED, 0.5, retry_after=1.0)
    paced = limiter.view().rate
    assert paced == pytest.approx(32 * 0.7, rel=0.1)
    for _ in range(10):  # ten clean seconds
        clock.tick(1.0)
        limiter.acquire()
        limiter.release(Signal.OK, 0.5)
    assert paced * 1.05 < limiter.view().rate < paced * 1.15  # about 1% a second


def test_further_429s_cut_the_pace_once_per_round_trip_and_it_recovers():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=4, ceiling=4, rate_backoff=0.9), clock=clock)
    for _ in range(10):
        full_round(limiter, clock, 0.2)
    limiter.acquire()
    limiter.release(Signal.THROTTLED, 0.2)
    paced = limiter.view().rate
    clock.tick(1.0)
    for _ in range(3):  # three 429s of the same moment, a second later
        clock.tick(0.1)
        limiter.acquire()
        limiter.release(Signal.THROTTLED, 0.2)
    assert limiter.view().rate == pytest.approx(paced * 0.9, rel=0.02)
    for _ in range(40):
        clock.tick(1.0)
        limiter.acquire()
        limiter.release(Signal.OK, 0.2)
    assert limiter.view().rate > paced


def test_a_long_retry_after_holds_every_new_request():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(hold_after=5.0), clock=clock)
    limiter.acquire()
    limiter.release(Signal.THROTTLED, 0.1, retry_after=30.0)
    checks = iter([False, True])
    assert limiter.acquire(stop=lambda: next(checks)) is False  # it waited instead of starting
    clock.tick(30.0)
    assert limiter.acquire()


def test_acquire_gives_up_when_the_job_halts():
    limiter = AdaptiveLimiter(LimiterSettings(initial=1, ceiling=1))
    assert limiter.acquire()
    assert limiter.acquire(stop=lambda: True) is False


def test_describe_says_what_the_limiter_does():
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=2, ceiling=8), clock=clock)
    limiter.acquire()
    assert limiter.view().describe().startswith("in flight 1/2, ")


# ---- the circuit breaker --------------------------------------------------------------------------


def test_a_few_percent_of_failures_never_open_the_circuit():
    breaker = CircuitBreaker(BreakerSettings(window=20, min_calls=10, failure_share=0.8))
    for n in range(1000):
        breaker.record(failed=n % 12 == 0)
    assert breaker.state is BreakerState.CLOSED and breaker.allow() == 0


def test_a_sustained_outage_opens_then_a_probe_closes_it():
    clock = Clock()
    breaker = CircuitBreaker(BreakerSettings(window=10, min_calls=10, cool_down=2.0), clock=clock)
    for _ in range(10):
        breaker.record(failed=True)
    assert breaker.state is BreakerState.OPEN
    assert breaker.allow() == pytest.approx(2.0)
    clock.tick(2.0)
    assert breaker.allow() == 0  # one probe
    assert breaker.allow() > 0  # and only one
    breaker.record(failed=True)
    assert breaker.state is BreakerState.OPEN and breaker.allow() == pytest.approx(4.0)  # cool-down doubled
    clock.tick(4.0)
    assert breaker.allow() == 0
    breaker.record(failed=False)
    assert breaker.state is BreakerState.CLOSED and breaker.allow() == 0


def test_an_outage_longer_than_the_patience_gives_up():
    clock = Clock()
    breaker = CircuitBreaker(BreakerSettings(window=10, min_calls=10, give_up_after=60), clock=clock)
    for _ in range(10):
        breaker.record(failed=True)
    clock.tick(30)
    assert not breaker.given_up()
    clock.tick(31)
    assert breaker.given_up()


def test_a_429_before_any_answers_sets_no_pace_only_fewer_in_flight():
    """Another job may be spending the org's limit when this one starts: a refusal before a handful of
    answers says nothing about the rate, so the job is not paced at a guess of a fraction per second."""
    clock = Clock()
    limiter = AdaptiveLimiter(LimiterSettings(initial=4, ceiling=16), clock=clock)
    assert limiter.acquire()
    clock.tick(0.15)
    limiter.release(Signal.THROTTLED, 0.15, retry_after=1.0)
    view = limiter.view()
    assert view.rate is None and view.limit == 2
    full_round(limiter, clock, 0.15)
    full_round(limiter, clock, 0.15)  # with answers to go by, the next 429 reads the pace from them
    clock.tick(1.0)
    assert limiter.acquire()
    limiter.release(Signal.THROTTLED, 0.15, retry_after=1.0)
    assert limiter.view().rate is not None
