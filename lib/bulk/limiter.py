"""How hard a bulk job may push the server: an adaptive limit on requests in flight and on their rate.

A real Capillary cluster is 100-300 ms away and rate-limits each org; the local sandbox answers in a
millisecond. No fixed setting suits both, so the job finds the server's sustainable pace by itself:

- **Requests in flight** follow AIMD with a latency gradient (the idea of Netflix's concurrency-limits
  and TCP Vegas): while answers come back about as fast as the fastest seen, the limit grows by about
  one per round trip (on a distant server, one per two past 4 in flight: a rate-limited gateway gives
  no latency signal before its first 429, and every request in flight then is refused; on a server
  nearby, round trips under 50 ms, it doubles per round trip until the first sign of load); when latency doubles (the server queues), or on 5xx and lost answers, it shrinks
  multiplicatively, at most once per round trip (a few percent of flaky answers must not starve it).
  It never exceeds the job's ceiling.
- **Request rate**: none until the server first answers 429. The rate the server was accepting until
  then is an upper bound on its limit (it includes the gateway's burst allowance); the job paces at
  70% of it and climbs 1% a second. A further 429 cuts the pace by 8% (once per round trip); it
  regains about 3% a second back to just under the lowest pace refused, then creeps (0.3% a second)
  to follow a limit that rises. A refused request waits its `Retry-After` (the
  policy schedules it); a long `Retry-After` holds every new request until it has passed.

All decisions are made under one lock from the outcome of each call; `acquire` blocks a worker until
its request may start. Time is injectable so the arithmetic is tested without waiting.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Signal(StrEnum):
    """What one call said about the server's load."""

    OK = "ok"  # answered (any 2xx or a 4xx about the request itself)
    THROTTLED = "throttled"  # 429, or 503 with Retry-After: over the rate, nothing applied
    OVERLOADED = "overloaded"  # other 5xx, timeout, lost answer
    UNREACHABLE = "unreachable"  # the connection could not be made


@dataclass(frozen=True)
class LimiterSettings:
    initial: float = 2.0
    ceiling: int = 16
    minimum: float = 1.0
    backoff: float = 0.8  # multiplicative decrease of the in-flight limit on a 5xx or a lost answer
    latency_tolerance: float = 2.0  # latency above this multiple of the best seen counts as queueing
    # Pace at this share of the rate the server accepted before it first throttled. That rate includes
    # the gateway's burst allowance (a token bucket's depth, spent once), so it overstates the steady
    # limit: 10 burst tokens over the ~1.5 s a job takes to reach a 20/s limit read as 28/s.
    rate_margin: float = 0.7
    first_estimate_growth_per_second: float = 0.01  # from the first 429's pace until a second 429
    # Past this many in flight on a distant server (round trips of 50 ms or more), grow by one per
    # two round trips: a rate-limited gateway gives no latency signal before its first 429, and each
    # request then in flight is refused and waits its Retry-After. Round trips to a server nearby are
    # too short for that overshoot to matter, and it must reach its pace in a fraction of a second.
    gentle_above: float = 4.0
    gentle_latency: float = 0.05
    rate_backoff: float = 0.92  # further 429s cut the pace by this factor (once per round trip)
    rate_growth_per_second: float = 0.03  # regain a cut pace; a tenth of it past the last throttled pace
    min_rate_sample: int = 4  # answers within 3 s needed before a 429 sets the pace from them
    pace_floor: float = 0.2  # requests/s: the slowest pace a 429 may set (tests raise it to skip pacing)
    hold_after: float = 5.0  # a Retry-After this long holds every new request, not only the refused one
    max_retry_after: float = 60.0


@dataclass(frozen=True)
class LimiterView:
    """The limiter as the progress UI and the CLI bar show it."""

    limit: int
    in_flight: int
    rate: float | None  # paced requests per second, None while unpaced
    sent_per_second: float  # requests started over the last few seconds
    throttled: int
    overloaded: int

    def describe(self) -> str:
        """'in flight 3/4, 19.8 req/s (paced at 19.0)': for the CLI bar and the progress panel."""
        paced = f" (paced at {self.rate:.1f})" if self.rate is not None else ""
        return f"in flight {self.in_flight}/{self.limit}, {self.sent_per_second:.1f} req/s{paced}"


class AdaptiveLimiter:
    def __init__(
        self, settings: LimiterSettings | None = None, *, clock: Callable[[], float] = time.monotonic
    ):
        self.settings = settings or LimiterSettings()
        self._clock = clock
        self._cond = threading.Condition()
        self._limit = min(float(self.settings.ceiling), max(self.settings.minimum, self.settings.initial))
        self._in_flight = 0
        self._rate: float | None = None
        self._next_start = 0.0
        self._hold_until = 0.0
        self._smoothed: float | None = None
        self._accepted: collections.deque[float] = collections.deque()
        self._throttled_at: float | None = None
        self._first_estimate = False  # paced from the first 429 only, no second one yet
        self._unloaded = True  # no 429, 5xx, lost answer or queueing seen yet
        self._last_rate_cut = float("-inf")
        self._baseline: float | None = None
        self._last_decrease = float("-inf")
        self._full_at = float("-inf")
        self._first_accept = float("-inf")
        self._rate_updated = 0.0
        self._starts: collections.deque[float] = collections.deque()
        self._throttled = 0
        self._overloaded = 0

    # ---- the two calls of a worker ----------------------------------------------------------------

    def acquire(self, stop: Callable[[], bool] = lambda: False) -> bool:
        """Wait until a request may start; False when `stop()` says the job is halting."""
        with self._cond:
            while True:
                if stop():
                    return False
                now = self._clock()
                wait = self._wait_for(now)
                if wait <= 0:
                    self._in_flight += 1
                    if self._in_flight >= int(self._limit):
                        self._full_at = now
                    if self._rate is not None:
                        self._next_start = max(now, self._next_start) + 1.0 / self._rate
                    self._starts.append(now)
                    return True
                self._cond.wait(min(wait, 0.25))

    def release(self, signal: Signal, latency: float, retry_after: float | None = None) -> None:
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            now = self._clock()
            if signal is Signal.OK:
                self._on_ok(latency, now)
            elif signal is Signal.THROTTLED:
                self._on_throttled(now, retry_after)
            elif signal is Signal.OVERLOADED:
                self._overloaded += 1
                self._decrease(now, self.settings.backoff)
            self._cond.notify_all()

    # ---- reading ---------------------------------------------------------------------------------

    def view(self) -> LimiterView:
        with self._cond:
            now = self._clock()
            self._forget_starts(now)
            window = min(5.0, max(now - self._starts[0], 1.0)) if self._starts else 1.0
            return LimiterView(
                limit=int(self._limit),
                in_flight=self._in_flight,
                rate=self._rate,
                sent_per_second=len(self._starts) / window,
                throttled=self._throttled,
                overloaded=self._overloaded,
            )

    # ---- the arithmetic --------------------------------------------------------------------------

    def _wait_for(self, now: float) -> float:
        if now < self._hold_until:
            return self._hold_until - now
        if self._in_flight >= int(self._limit):
            return 0.25  # woken by a release
        if self._rate is not None and now < self._next_start:
            return self._next_start - now
        return 0.0

    def _on_ok(self, latency: float, now: float) -> None:
        if latency > 0:
            # A smoothed latency against the lowest smoothed latency seen: jitter of a remote network
            # (150 +- 50 ms) averages out, a server that queues (latency doubling) does not.
            short = self._smoothed = (
                latency if self._smoothed is None else self._smoothed * 0.75 + latency * 0.25
            )
            base = self._baseline
            self._baseline = short if base is None or short < base else base + (short - base) * 0.002
        queueing = (
            self._smoothed is not None
            and self._baseline is not None
            and self._smoothed > self._baseline * self.settings.latency_tolerance
        )
        if queueing:
            self._decrease(now, 0.9)
        elif now - self._full_at <= 2 * max(self._smoothed or 0.0, 0.05):
            # Only grow a limit that is being used (full within the last round trips): about +1 per
            # round trip, as each of the window's answers adds 1/limit.
            distant = (self._baseline or 0.0) >= self.settings.gentle_latency
            if not distant and self._unloaded:
                step = self._limit  # slow start: double per round trip until the first sign of load
            else:
                step = 0.5 if distant and self._limit >= self.settings.gentle_above else 1.0
            self._limit = min(float(self.settings.ceiling), self._limit + step / self._limit)
        if not self._accepted and self._first_accept == float("-inf"):
            self._first_accept = now
        self._accepted.append(now)
        while self._accepted and self._accepted[0] < now - 5.0:
            self._accepted.popleft()
        if self._rate is not None:
            elapsed = now - self._rate_updated
            if elapsed > 0:
                # Back quickly to just under the pace that was last throttled, then creep past it.
                near = self._throttled_at is not None and self._rate >= 0.95 * self._throttled_at
                growth = self.settings.rate_growth_per_second * (0.1 if near else 1.0)
                if self._first_estimate:
                    growth = self.settings.first_estimate_growth_per_second
                self._rate *= (1.0 + growth) ** min(elapsed, 5.0)
                self._rate_updated = now

    def _decrease(self, now: float, factor: float) -> None:
        """Shrink the in-flight limit at most once per round trip: one bad moment is one signal."""
        self._unloaded = False
        window = max(self._smoothed or 0.0, 0.05)
        if now - self._last_decrease >= window:
            self._limit = max(self.settings.minimum, self._limit * factor)
            self._last_decrease = now

    def _on_throttled(self, now: float, retry_after: float | None) -> None:
        self._throttled += 1
        self._unloaded = False
        if retry_after and retry_after >= self.settings.hold_after:
            # A long Retry-After is the server asking for a pause: nothing new starts until it passes.
            self._hold_until = max(self._hold_until, now + min(retry_after, self.settings.max_retry_after))
        if now - self._last_rate_cut < max(self._smoothed or 0.0, 0.5):
            return  # the same burst: one cut per round trip
        self._last_rate_cut = now
        if self._rate is None:
            # The rate the server accepted just now is its ceiling (plus its burst allowance).
            self._forget_starts(now)
            accepted = [t for t in self._accepted if t > now - 3.0]
            if len(accepted) < self.settings.min_rate_sample:
                # Refused before a handful of answers (another job is using the org's limit): no rate
                # can be read from that; fewer in flight and the Retry-After are the safe answer.
                self._limit = max(self.settings.minimum, self._limit * 0.5)
                return
            window = min(3.0, max(now - self._first_accept, 0.5))
            self._rate = max(
                max(len(accepted) / window, 0.5) * self.settings.rate_margin, self.settings.pace_floor
            )
            # An estimate, not a bound: from here the pace climbs 1% a second until the next 429 (a
            # 3% regain would walk straight back into the limit the burst allowance hid).
            self._first_estimate = True
        else:
            self._first_estimate = False
            # The lowest pace the server has refused is the best bound on its limit.
            self._throttled_at = (
                self._rate if self._throttled_at is None else min(self._throttled_at, self._rate)
            )
            self._rate = max(self.settings.pace_floor, self._rate * self.settings.rate_backoff)
        self._rate_updated = now
        self._next_start = max(self._next_start, now + 1.0 / self._rate)

    def _forget_starts(self, now: float) -> None:
        while self._starts and self._starts[0] < now - 5.0:
            self._starts.popleft()


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True)
class BreakerSettings:
    window: int = 20  # the last calls judged
    min_calls: int = 10
    failure_share: float = 0.8  # most calls failing: a sustained outage, not a few-percent flake
    cool_down: float = 2.0  # first wait before a probe; doubles while probes fail
    max_cool_down: float = 30.0
    give_up_after: float = 600.0  # open this long without a successful probe: pause the job


class CircuitBreaker:
    """Opens only on a sustained outage (most recent calls failing, or the host unreachable), then
    lets one probe through after a cool-down; a probe that is answered closes it again."""

    def __init__(
        self, settings: BreakerSettings | None = None, *, clock: Callable[[], float] = time.monotonic
    ):
        self.settings = settings or BreakerSettings()
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: collections.deque[bool] = collections.deque(maxlen=self.settings.window)
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._retry_at = 0.0
        self._cool_down = self.settings.cool_down
        self._probing = False

    @property
    def state(self) -> BreakerState:
        return self._state

    def allow(self) -> float:
        """0 when a call may go now, else seconds to wait (a probe slot is taken when it is 0)."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return 0.0
            now = self._clock()
            if now < self._retry_at or self._probing:
                return max(self._retry_at - now, 0.05)
            self._state, self._probing = BreakerState.HALF_OPEN, True
            return 0.0

    def record(self, failed: bool) -> None:
        with self._lock:
            now = self._clock()
            if self._state is not BreakerState.CLOSED:
                self._probing = False
                if failed:
                    self._cool_down = min(self._cool_down * 2, self.settings.max_cool_down)
                    self._state, self._retry_at = BreakerState.OPEN, now + self._cool_down
                else:
                    self._state, self._cool_down = BreakerState.CLOSED, self.settings.cool_down
                    self._recent.clear()
                return
            self._recent.append(failed)
            failures = sum(self._recent)
            if len(self._recent) >= self.settings.min_calls and failures >= self.settings.failure_share * len(
                self._recent
            ):
                self._state, self._opened_at = BreakerState.OPEN, now
                self._retry_at = now + self._cool_down

    def abandon(self) -> None:
        """A call allowed by `allow` was not made after all: free its probe slot."""
        with self._lock:
            self._probing = False

    def given_up(self) -> bool:
        """Open for longer than `give_up_after`: the job pauses and says so."""
        with self._lock:
            return (
                self._state is not BreakerState.CLOSED
                and self._clock() - self._opened_at > self.settings.give_up_after
            )
