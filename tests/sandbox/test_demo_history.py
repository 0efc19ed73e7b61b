"""The demo history drawn in bulk (`lib.sandbox.demo_history`), one badge at a time, without a database.

The seeded database is recounted in `test_demo_data.py` (slow); these check the properties the bulk
drawing itself must keep: the same day gives the same history, the weekly rhythm shows, the
engine's decisions are exactly `simulate`'s, and enrol & issue earns stay inside their enrolment.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from lib.domain import (
    BadgeRules,
    ConstraintLevel,
    DurationUnit,
    Earn,
    EarnType,
    ExpiryRule,
    ExpiryType,
    FixedValueLimit,
    FixedWindowLimit,
    FixedWindowRule,
    RollingWindowLimit,
    simulate,
)
from lib.domain.simulator import allowed_attempts
from lib.sandbox.common import from_epoch
from lib.sandbox.demo_history import Traffic, history

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
START = datetime(2025, 11, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)
CLAIMS = (("Loyalty", "program-1001", 0.7), ("Journeys", "journey-1", 0.3))
CUSTOMER, BADGE = ConstraintLevel.CUSTOMER, ConstraintLevel.BADGE
DAYS_2 = 2 * 86_400


def _direct(*limits) -> BadgeRules:
    return BadgeRules(START, END, EarnType.EARN, customer_limits=limits,
                      earned_expiry=ExpiryRule(ExpiryType.RELATIVE, DurationUnit.DAYS, 30))  # fmt: skip


def test_the_same_day_gives_the_same_history_and_a_later_hour_too():
    rules = _direct(FixedWindowLimit(CUSTOMER, 1, FixedWindowRule(DurationUnit.WEEKS)))
    first = history(np.random.default_rng(7), rules, NOW, Traffic(40, CLAIMS))[1]
    again = history(np.random.default_rng(7), rules, NOW + timedelta(hours=5), Traffic(40, CLAIMS))[1]
    assert len(first) > 10_000
    for field in ("at", "customer", "expires", "claim", "salt", "revoked"):
        assert np.array_equal(getattr(first, field), getattr(again, field), equal_nan=True), field


def test_saturdays_are_busier_than_mondays_and_every_claim_is_used():
    earns = history(np.random.default_rng(1), _direct(), NOW, Traffic(50, CLAIMS))[1]
    weekdays = Counter(from_epoch(at).weekday() for at in earns.at.tolist())
    assert weekdays[5] > 1.6 * weekdays[0]
    shares = np.bincount(earns.claim, minlength=2) / len(earns)
    assert abs(shares[0] - 0.7) < 0.02 and abs(shares[1] - 0.3) < 0.02
    assert (earns.at < NOW.replace(hour=0, minute=30).timestamp()).all()  # up to today 00:00


def test_the_engine_decides_bulk_attempts_exactly_as_simulate():
    rules = BadgeRules(START, END, customer_limits=(RollingWindowLimit(CUSTOMER, 2, DurationUnit.WEEKS, 1),),
                       badge_limits=(FixedWindowLimit(BADGE, 40, FixedWindowRule(DurationUnit.DAYS)),
                                     FixedValueLimit(BADGE, 6_000)))  # fmt: skip
    gen = np.random.default_rng(3)
    events = (START.timestamp() + gen.integers(-DAYS_2, 400 * 86_400, 12_000)).astype(np.int64).tolist()
    processed = [e + int(d) for e, d in zip(events, gen.integers(0, 3 * 86_400, len(events)), strict=True)]
    customers = gen.integers(1, 300, len(events)).tolist()
    attempts = [
        Earn(c, from_epoch(e), from_epoch(p)) for c, e, p in zip(customers, events, processed, strict=True)
    ]
    expected = [outcome.allowed for outcome in simulate(rules, attempts).outcomes]
    assert allowed_attempts(rules, customers, events, processed) == expected
    assert 0 < sum(expected) < len(expected)


def test_enrol_and_issue_earns_lie_inside_one_enrolment_per_customer_at_a_time():
    rules = BadgeRules(START, END, EarnType.ISSUE_EARN,
                       customer_limits=(FixedValueLimit(CUSTOMER, 3),),
                       issued_expiry=ExpiryRule(ExpiryType.RELATIVE, DurationUnit.MONTHS, 2),
                       earned_expiry=ExpiryRule(ExpiryType.NEVER))  # fmt: skip
    issues, earns = history(np.random.default_rng(5), rules, NOW, Traffic(30, CLAIMS))
    assert len(issues) > 5_000 and len(earns) > 3_000 and earns.issue is not None
    assert (np.diff(issues.at) >= 0).all()  # in time order, as the earns draw from them
    assert (issues.at[earns.issue] <= earns.at).all() and (earns.at < issues.expires[earns.issue]).all()
    assert (issues.customer[earns.issue] == earns.customer).all()
    assert (issues.claim[earns.issue] == earns.claim).all()
    spans: dict[int, list[tuple[float, float]]] = {}
    for who, at, ends in zip(
        issues.customer.tolist(), issues.at.tolist(), issues.expires.tolist(), strict=True
    ):
        spans.setdefault(who, []).append((at, ends))
    for span in spans.values():
        assert all(later[0] >= earlier[1] for earlier, later in zip(span, span[1:], strict=False))
    assert max(Counter(earns.customer.tolist()).values()) <= 3  # the fixed value, decided by the engine
