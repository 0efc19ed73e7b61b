"""A year of enrolments and earns of one demo badge, drawn in bulk with numpy.

The seed of a new console sits on the path to its first page, so nothing here loops per event in
Python except what is sequential by nature (a customer cannot enrol again while enrolled). Per
badge, the day counts come from one normal draw per day (weekly rhythm and year-end season as
the mean), then every event's second, customer and claim are drawn at once; every draw is made
before any test, so a bound that moves with the clock keeps or drops an event without shifting the
draws after it. Earn attempts are decided by `lib.domain.simulator.allowed_attempts` (the engine
the sandbox enforces limits with); expiries come from `lib.domain.compute_expiry`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from lib.domain import ExpiryRule, ExpiryType, compute_expiry
from lib.domain.badge import BadgeRules
from lib.domain.simulator import allowed_attempts
from lib.sandbox.common import epoch

DAY = 86_400
CUSTOMERS = 20_000
FIRST_CUSTOMER_ID = 100_001
RECENT_ENROLMENT_DAYS = 60
"""Enrol & issue earns are drawn from the enrolments of the last 60 days (or of the enrolment
lifetime, when shorter), so their volume follows the season instead of the enrolment backlog."""
REVOKED_SHARE = 0.01
"""Earns revoked a day later (when still unexpired by then and before today)."""
WEEKDAY_FACTOR = (0.75, 0.8, 0.85, 0.95, 1.15, 1.6, 1.45)  # Monday .. Sunday
_NEVER = ExpiryRule(ExpiryType.NEVER)


@dataclass(frozen=True)
class Traffic:
    """How a badge is used in the history.

    `volume`: earn attempts on an average day, before seasonality. `skew`: how concentrated direct
    earners are (1 = every customer alike; 2 = a loyal core earns far more often than the tail).
    `claims`: the modules that claimed the badge (ownerType, referenceId) with their share of the
    awards; a listed owner without a claim exists but has not awarded the badge yet.
    """

    volume: int
    claims: tuple[tuple[str, str, float], ...] = ()
    skew: float = 2.0


def season(day: datetime) -> float:
    """Volume multiplier: weekly rhythm times a year-end peak (Black Friday to New Year)."""
    weekly = WEEKDAY_FACTOR[day.weekday()]
    days_to_peak = min(abs(day.timetuple().tm_yday - 355), 365 - abs(day.timetuple().tm_yday - 355))
    year_end = 1.0 + 1.6 * math.exp(-((days_to_peak / 18.0) ** 2))
    return weekly * year_end


@dataclass
class Awards:
    """Rows of one kind (enrolments or earns) as columns, one entry per row.

    `stamp` and `salt` make the ObjectId-like id (creation second, 64 random bits): sorting by
    them is sorting by id. `claim` indexes the badge's claims; `issue` (earns of an enrol & issue
    badge) indexes that badge's enrolments. `revoked` is NaN when not revoked.
    """

    at: np.ndarray
    customer: np.ndarray
    expires: np.ndarray
    claim: np.ndarray
    salt: np.ndarray
    revoked: np.ndarray
    issue: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.at)


class _Days:
    """The history's whole days of one badge: start seconds, volume factor and expiries per day."""

    def __init__(self, rules: BadgeRules, now: datetime, *, used: bool) -> None:
        start = max(rules.start, now - timedelta(days=365))
        self.today = datetime(now.year, now.month, now.day, tzinfo=UTC)  # whole days: same day, same data
        end = min(rules.end, self.today) if rules.end is not None else self.today
        self.bounds = (epoch(rules.start), epoch(end))
        days = []
        day = datetime(start.year, start.month, start.day, tzinfo=UTC)
        while used and day < end:
            days.append(day)
            day += timedelta(days=1)
        self.days = days
        self.seconds = np.array([epoch(d) for d in days], dtype=np.float64)
        self.factor = np.array([season(d) for d in days], dtype=np.float64)
        self.rules = rules

    def expiry(self, rule: ExpiryRule | None) -> tuple[float | None, np.ndarray]:
        """(fixed instant, None when relative) and the offset from processing time per day."""
        rule = rule or _NEVER
        firsts = [epoch(compute_expiry(rule, d, self.rules.end)) for d in self.days]
        fixed = firsts[0] if rule.type is ExpiryType.ABSOLUTE and firsts else None
        return fixed, np.array(firsts, dtype=np.float64) - self.seconds

    def counts(self, gen: np.random.Generator, mean: float, spread: float) -> np.ndarray:
        """Events per day: a normal draw around `mean` times the day's factor, never negative."""
        drawn = gen.normal(mean * self.factor, spread) if len(self.days) else np.zeros(0)
        return np.maximum(drawn, 0).astype(np.int64)

    def inside(self, at: np.ndarray) -> np.ndarray:
        return (at >= self.bounds[0]) & (at <= self.bounds[1])


def _expires(at: np.ndarray, day: np.ndarray, expiry: tuple[float | None, np.ndarray]) -> np.ndarray:
    fixed, offset = expiry
    return np.full(len(at), fixed) if fixed is not None else at + offset[day]


def _claims(gen: np.random.Generator, traffic: Traffic, n: int) -> np.ndarray:
    """Which claim triggers each of `n` awards, by each claim's share."""
    if not traffic.claims:  # a badge nobody claimed has no traffic either
        return np.zeros(n, dtype=np.int64)
    cumulative = np.cumsum([share for _, _, share in traffic.claims])
    picks = np.searchsorted(cumulative, gen.random(n) * cumulative[-1], side="right")
    return np.minimum(picks, len(cumulative) - 1)


def _salts(gen: np.random.Generator, n: int) -> np.ndarray:
    return np.frombuffer(gen.bytes(8 * n), dtype=">u8").astype(np.uint64)


def _draw(gen: np.random.Generator, days: _Days, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(day index, second) of every event of `counts` (events per day)."""
    day = np.repeat(np.arange(len(counts)), counts)
    return day, days.seconds[day] + gen.integers(0, DAY, len(day))


def _enrolments(gen: np.random.Generator, days: _Days, traffic: Traffic) -> tuple[Awards, np.ndarray]:
    """Enrol calls in time order, keeping those of customers not enrolled at that moment (the API
    answers "already active" to the others and keeps the old enrolment); also each one's day index."""
    volume = traffic.volume
    day, at = _draw(gen, days, days.counts(gen, volume * 1.4, volume * 0.2))
    customer = FIRST_CUSTOMER_ID + gen.integers(0, CUSTOMERS, len(at))
    claim = _claims(gen, traffic, len(at))
    expires = _expires(at, day, days.expiry(days.rules.issued_expiry))
    order = np.flatnonzero(days.inside(at))
    order = order[np.argsort(at[order], kind="stable")]
    until: dict[int, float] = {}
    kept = []
    for k, when, who, ends in zip(
        order.tolist(), at[order].tolist(), customer[order].tolist(), expires[order].tolist(), strict=True
    ):
        if until.get(who, -math.inf) > when:
            continue
        until[who] = ends
        kept.append(k)
    kept_at = np.array(kept, dtype=np.int64)
    nan = np.full(len(kept), np.nan)
    issues = Awards(
        at[kept_at], customer[kept_at], expires[kept_at], claim[kept_at], _salts(gen, len(kept)), nan
    )
    return issues, day[kept_at]


def _enrolled_attempts(
    gen: np.random.Generator, days: _Days, traffic: Traffic, issues: Awards, issue_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Enrol & issue earn attempts: (day index, second, enrolment index), each inside the enrolment it
    draws from the recent ones (so the API would not answer 811)."""
    volume = traffic.volume
    day, at = _draw(gen, days, days.counts(gen, volume, volume * 0.15))
    pick = gen.random(len(at))
    fixed, offset = days.expiry(days.rules.issued_expiry)
    lifetime = (fixed - days.seconds) if fixed is not None else offset
    recent_since = days.seconds - np.minimum(lifetime, RECENT_ENROLMENT_DAYS * DAY)
    lo = np.searchsorted(issues.at, recent_since[day], side="left")
    hi = np.searchsorted(issues.at, days.seconds[day] + DAY, side="left")  # enrolments up to that day's end
    issue = np.minimum(lo + (pick * (hi - lo)).astype(np.int64), max(len(issues) - 1, 0))
    ok = days.inside(at) & (hi > lo)
    if len(issues):
        ok &= (issues.at[issue] <= at) & (at < issues.expires[issue])
    else:
        ok[:] = False
    return day[ok], at[ok], issue[ok]


def history(
    gen: np.random.Generator, rules: BadgeRules, now: datetime, traffic: Traffic
) -> tuple[Awards, Awards]:
    """Enrolments and earns of one badge from its start (at most a year back) up to today 00:00.

    Only the attempts the badge's limits allow become earns; enrolments are not limited.
    """
    days = _Days(rules, now, used=bool(traffic.volume))
    if rules.earn_type == "ISSUE_EARN":
        issues, issue_day = _enrolments(gen, days, traffic)
        day, at, issue = _enrolled_attempts(gen, days, traffic, issues, issue_day)
        customer, claim = issues.customer[issue], issues.claim[issue]
    else:
        empty = np.zeros(0)
        issues = Awards(
            empty, empty.astype(np.int64), empty, empty.astype(np.int64), empty.astype(np.uint64), empty
        )
        volume = traffic.volume
        day, at = _draw(gen, days, days.counts(gen, volume, volume * 0.15))
        pick = gen.random(len(at))
        customer = FIRST_CUSTOMER_ID + (CUSTOMERS * pick**traffic.skew).astype(np.int64)
        claim = _claims(gen, traffic, len(at))
        inside = days.inside(at)
        day, at, customer, claim, issue = day[inside], at[inside], customer[inside], claim[inside], None
    seconds = at.astype(np.int64).tolist()
    allowed = np.array(allowed_attempts(rules, customer.tolist(), seconds, seconds), dtype=bool)
    day, at, customer, claim = day[allowed], at[allowed], customer[allowed], claim[allowed]
    expires = _expires(at, day, days.expiry(rules.earned_expiry))
    draw = gen.random(len(at))
    revoke = (at + DAY < np.minimum(expires, epoch(days.today))) & (draw < REVOKED_SHARE)
    revoked = np.where(revoke, at + DAY, np.nan)
    earns = Awards(
        at, customer, expires, claim, _salts(gen, len(at)), revoked, None if issue is None else issue[allowed]
    )
    return issues, earns


def _ids(at: np.ndarray, salt: np.ndarray) -> np.ndarray:
    """ObjectId-like ids: the creation second in the first 8 hex digits, then the 64-bit salt."""
    n = len(at)
    raw = np.empty((n, 12), dtype=np.uint8)
    raw[:, :4] = (at.astype(np.int64) & 0xFFFFFFFF).astype(">u4").view(np.uint8).reshape(n, 4)
    raw[:, 4:] = salt.astype(">u8").view(np.uint8).reshape(n, 8)
    text = raw.tobytes().hex()
    return np.array([text[i : i + 24] for i in range(0, 24 * n, 24)], dtype=object)


class _Table:
    """One kind of award of every badge, concatenated; `order` sorts it by id (cheap inserts)."""

    def __init__(self, parts: list[Awards], badge_ids: np.ndarray, claim_base: list[int]) -> None:
        self.at = np.concatenate([a.at for a in parts])
        salt = np.concatenate([a.salt for a in parts])
        self.ids = _ids(self.at, salt)
        self.order = np.lexsort((salt, self.at))
        self.badge = np.repeat(badge_ids, [len(a) for a in parts])
        self.claim = np.concatenate([a.claim + base for a, base in zip(parts, claim_base, strict=True)])
        self.parts = parts

    def column(self, field: str) -> list:
        return np.concatenate([getattr(a, field) for a in self.parts])[self.order].tolist()


def rows(badges: list[tuple[str, Traffic, Awards, Awards]]) -> tuple[list[tuple], list[tuple]]:
    """Enrolment and earn rows of every badge (id, traffic, enrolments, earns) in id order, in the
    column order of `Issues.add_history` and `Earns.add_history`."""
    claims = [claim for _, traffic, _, _ in badges for claim in traffic.claims]
    owners = np.array([owner for owner, _, _ in claims] + [None], dtype=object)
    references = np.array([reference for _, reference, _ in claims] + [None], dtype=object)
    sizes = [len(traffic.claims) for _, traffic, _, _ in badges]
    claim_base = np.cumsum([0, *sizes[:-1]]).tolist()
    badge_ids = np.array([badge_id for badge_id, _, _, _ in badges], dtype=object)
    issues = _Table([b[2] for b in badges], badge_ids, claim_base)
    earns = _Table([b[3] for b in badges], badge_ids, claim_base)
    claim = issues.claim[issues.order]
    issue_rows = list(zip(
        issues.ids[issues.order].tolist(), issues.badge[issues.order].tolist(), issues.column("customer"),
        issues.at[issues.order].tolist(), issues.column("expires"), owners[claim].tolist(),
        references[claim].tolist(), strict=True,
    ))  # fmt: skip
    issue_base = np.cumsum([0, *(len(b[2]) for b in badges[:-1])])
    issue_of = np.concatenate([
        np.full(len(b[3]), -1) if b[3].issue is None else b[3].issue + base
        for b, base in zip(badges, issue_base, strict=True)
    ])[earns.order]  # fmt: skip
    issue_ids = np.append(issues.ids, None)[issue_of].tolist()  # -1: the None of a direct earn
    revoked = [None if math.isnan(r) else r for r in earns.column("revoked")]
    claim = earns.claim[earns.order]
    earn_rows = list(zip(
        earns.ids[earns.order].tolist(), earns.badge[earns.order].tolist(), earns.column("customer"),
        earns.at[earns.order].tolist(), earns.column("expires"), revoked, issue_ids, owners[claim].tolist(),
        references[claim].tolist(), strict=True,
    ))  # fmt: skip
    return issue_rows, earn_rows
