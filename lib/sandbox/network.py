"""A network profile for the sandbox: a remote cluster's round trip, its per-org rate limit, its bad minutes.

Real Capillary clusters are 100-300 ms away, answer 429 when one org sends too fast, and now and
then fail a call or lose an answer. A profile puts those conditions between the clients and the
sandbox, so the bulk engine and the console can be shown and tested under field conditions without
a cluster. It is off by default, and then costs one attribute read per request.

- **Latency**: each request's round trip is drawn from a lognormal with the profile's mean and
  standard deviation (always > 0, with the long right tail real networks have). Half is spent
  before the sandbox reads the request and half before the answer leaves, with `asyncio.sleep`,
  so the event loop is never blocked and concurrent requests overlap as they would on a wire.
- **Rate limit**: a token bucket per org (`rate_per_s` refill, `burst` deep), keyed by the org the
  credentials authenticate; requests without valid credentials share one bucket. An empty bucket
  answers 429 with `Retry-After` in whole seconds, as a gateway does.
- **Faults**: a 503 before anything is applied, and an answer lost after the work is applied (the
  connection drops). They are `FaultRule`s run by a `FaultInjector`, so they take effect through the
  same code as the rules of `PUT /_sandbox/faults` (`routes._answer`).

Only the Badges API goes through the profile (`routes._serve`); the control plane, `/docs` and
`/openapi.json` are never delayed, limited or faulted. With a `seed`, a sequential client sees the
same latencies and faults on every run (concurrent clients draw in arrival order).
"""

from __future__ import annotations

import math
import random
import threading
import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lib.sandbox import errors as E
from lib.sandbox.faults import FaultInjector, FaultKind, FaultRule

MAX_LATENCY_MS = 60_000.0
"""No single simulated round trip is longer than this, whatever the spread."""
MAX_SEED = 2**63 - 1

ProfileName = Literal["off", "remote", "flaky", "slow"]
Millis = Annotated[float, Field(ge=0, le=MAX_LATENCY_MS)]
Share = Annotated[float, Field(ge=0, le=1)]
Rate = Annotated[float, Field(ge=0, le=1_000_000)]
Burst = Annotated[int, Field(ge=1, le=1_000_000)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]


class NetworkProfile(BaseModel):
    """The conditions in force. `rate_per_s` 0 means no rate limit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")] = "custom"
    latency_ms: Millis = 0.0
    """Mean round trip."""
    jitter_ms: Millis = 0.0
    """Standard deviation of the round trip (0 = every request takes exactly `latency_ms`)."""
    rate_per_s: Rate = 0.0
    """Requests per second each org may send, on average."""
    burst: Burst = 10
    """Requests an org may send at once after a quiet spell (the bucket's depth)."""
    fail_before_commit: Share = 0.0
    """Share of requests answered 503 with nothing applied."""
    lost_after_commit: Share = 0.0
    """Share of requests whose work is applied and whose answer is then lost (connection dropped)."""
    seed: Seed | None = None

    @property
    def is_off(self) -> bool:
        return (
            self.latency_ms == 0
            and self.rate_per_s == 0
            and self.fail_before_commit == 0
            and self.lost_after_commit == 0
        )

    def summary(self) -> str:
        """One line for people: `150 ± 50 ms round trip · 20 requests/s per org (burst 10) · ...`."""
        if self.is_off:
            return "no simulated network (the sandbox answers at loopback speed)"
        parts = []
        if self.latency_ms:
            spread = f" ± {self.jitter_ms:g}" if self.jitter_ms else ""
            parts.append(f"{self.latency_ms:g}{spread} ms round trip")
        if self.rate_per_s:
            parts.append(f"{self.rate_per_s:g} requests/s per org (burst {self.burst})")
        if self.fail_before_commit:
            parts.append(f"{self.fail_before_commit:.0%} answered 503")
        if self.lost_after_commit:
            parts.append(f"{self.lost_after_commit:.0%} answers lost after the write")
        return " · ".join(parts)


OFF = NetworkProfile(name="off")
REMOTE = NetworkProfile(name="remote", latency_ms=150, jitter_ms=50, rate_per_s=20, burst=10)
PROFILES: dict[str, NetworkProfile] = {
    "off": OFF,
    "remote": REMOTE,
    "flaky": REMOTE.model_copy(
        update={"name": "flaky", "fail_before_commit": 0.05, "lost_after_commit": 0.03}
    ),
    "slow": REMOTE.model_copy(update={"name": "slow", "latency_ms": 300, "jitter_ms": 100}),
}


class NetworkSettings(BaseModel):
    """What a caller asks for: a named profile, and explicit values over it (unset = the profile's).

    Read from `PUT /_sandbox/network`, the command line and `SandboxHandle.set_network`; strict, so
    `true` or `"150"` is refused rather than read as a number.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    profile: ProfileName = "off"
    latency_ms: Millis | None = None
    jitter_ms: Millis | None = None
    rate_per_s: Rate | None = None
    burst: Burst | None = None
    fail_before_commit: Share | None = None
    lost_after_commit: Share | None = None
    seed: Seed | None = None

    def resolve(self) -> NetworkProfile:
        """The named profile with the given values; named `custom` once a value differs from it."""
        base = PROFILES[self.profile]
        values = self.model_dump(exclude={"profile"}, exclude_none=True)
        changed = any(getattr(base, key) != value for key, value in values.items() if key != "seed")
        return NetworkProfile.model_validate(
            {**base.model_dump(), **values, "name": "custom" if changed else base.name}
        )


def resolve_network(
    spec: str | NetworkProfile | NetworkSettings | None = None, **values: Any
) -> NetworkProfile:
    """A profile from a name (`"flaky"`), a profile or settings, with `values` (`latency_ms=50`) over it."""
    if isinstance(spec, NetworkProfile):
        if not values:
            return spec
        return NetworkProfile.model_validate({**spec.model_dump(), **values, "name": "custom"})
    if isinstance(spec, NetworkSettings):
        return NetworkSettings.model_validate({**spec.model_dump(exclude_none=True), **values}).resolve()
    return NetworkSettings.model_validate({"profile": spec or "off", **values}).resolve()


class NetworkCounters(BaseModel):
    """What the profile did since it was set (or the sandbox was reset), for tests and benches."""

    requests: int = 0
    """API requests that went through the profile."""
    delayed: int = 0
    """Requests given a simulated round trip."""
    delay_seconds: float = 0.0
    """Sum of the simulated round trips."""
    answered_429: int = 0
    """Requests refused by the rate limit."""
    injected_503: int = 0
    """Requests answered 503 before anything was applied."""
    answers_lost: int = 0
    """Requests run (their work applied) whose connection was then dropped without an answer."""


class NetworkStatus(BaseModel):
    """`GET /_sandbox/network`: the profile in force, its counters and the named profiles."""

    profile: NetworkProfile
    counters: NetworkCounters
    profiles: list[str] = list(PROFILES)


class _Run:
    """One setting of a profile: its random streams, buckets and counters (replaced as a whole)."""

    def __init__(self, profile: NetworkProfile) -> None:
        self.profile = profile
        self.active = not profile.is_off
        self.random = random.Random(profile.seed)
        self.counters = NetworkCounters()
        self.buckets: dict[int | None, list[float]] = {}  # org id -> [tokens, monotonic stamp]
        mean, spread = profile.latency_ms, profile.jitter_ms
        self.sigma = math.sqrt(math.log1p((spread / mean) ** 2)) if mean and spread else 0.0
        self.mu = math.log(mean) - self.sigma**2 / 2 if mean else 0.0
        self.faults = FaultInjector()
        self.faults.set(_gateway_rules(profile))


def _gateway_rules(profile: NetworkProfile) -> list[FaultRule]:
    """The profile's faults as fault rules. The injector tries them in order, so the second rule's
    probability is taken among the requests the first spared, to give the profile's overall share."""
    seed = profile.seed
    rules = []
    if profile.fail_before_commit:
        rules.append(
            FaultRule(
                status=503, probability=profile.fail_before_commit, seed=None if seed is None else seed + 1
            )
        )
    spared = 1.0 - profile.fail_before_commit
    if profile.lost_after_commit and spared > 0:
        rules.append(
            FaultRule(
                kind=FaultKind.COMMIT_THEN_DROP,
                probability=min(1.0, profile.lost_after_commit / spared),
                seed=None if seed is None else seed + 2,
            )
        )
    return rules


class NetworkSimulator:
    """The profile in force. Set from any thread (the console, a test); used by the event loop."""

    def __init__(self, profile: NetworkProfile = OFF) -> None:
        self._lock = threading.Lock()
        self._run = _Run(profile)

    def set(self, profile: NetworkProfile) -> None:
        """Put `profile` in force with full buckets and zeroed counters."""
        self._run = _Run(profile)

    @property
    def profile(self) -> NetworkProfile:
        return self._run.profile

    @property
    def active(self) -> bool:
        return self._run.active

    def status(self) -> NetworkStatus:
        run = self._run
        with self._lock:
            counters = run.counters.model_copy()
        return NetworkStatus(profile=run.profile, counters=counters)

    def round_trip(self) -> float:
        """Seconds this request spends on the simulated wire, both ways together."""
        run = self._run
        mean = run.profile.latency_ms
        with self._lock:
            run.counters.requests += 1
            if not mean:
                return 0.0
            millis = run.random.lognormvariate(run.mu, run.sigma) if run.sigma else mean
            seconds = min(millis, MAX_LATENCY_MS) / 1000
            run.counters.delayed += 1
            run.counters.delay_seconds += seconds
        return seconds

    def admit(self, org_id: int | None) -> E.RateLimited | None:
        """Take a token from the org's bucket, or the 429 to answer when it is empty."""
        run = self._run
        rate, depth = run.profile.rate_per_s, float(run.profile.burst)
        if not rate:
            return None
        now = time.monotonic()
        with self._lock:
            bucket = run.buckets.setdefault(org_id, [depth, now])
            tokens = min(depth, bucket[0] + (now - bucket[1]) * rate)
            bucket[1] = now
            if tokens >= 1:
                bucket[0] = tokens - 1
                return None
            bucket[0] = tokens
            run.counters.answered_429 += 1
        wait = max(1, math.ceil((1 - tokens) / rate))
        return E.RateLimited(
            f"Too many requests: this org may send {rate:g} requests per second; retry after {wait} s",
            retry_after=wait,
        )

    def pick_fault(self, method: str, path: str) -> FaultRule | None:
        """The gateway fault this request meets, if any (counted here: both kinds always take effect)."""
        run = self._run
        rule = run.faults.pick(method, path)
        if rule is not None:
            with self._lock:
                if rule.kind is FaultKind.STATUS:
                    run.counters.injected_503 += 1
                else:
                    run.counters.answers_lost += 1
        return rule


__all__ = [
    "PROFILES",
    "NetworkCounters",
    "NetworkProfile",
    "NetworkSettings",
    "NetworkSimulator",
    "NetworkStatus",
    "resolve_network",
]
