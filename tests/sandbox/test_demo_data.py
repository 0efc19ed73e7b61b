"""The demo org's history is one the API could have produced, and it makes the overview worth a look.

The history is bulk-inserted rather than sent through the earn endpoints, so these tests recount it:
every fixed-window cycle, fixed value and rolling window of every badge stays within its maximum,
every earn carries an active claim and (enrol & issue) lies inside an enrolment. Revoked earns are
counted too, which is stricter than the server (it stops counting an earn once revoked).
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from lib.console.overview import badge_table, cycle_series, owners_series
from lib.domain import (
    CountAxis,
    Earn,
    EarnType,
    ExpiryRule,
    ExpiryType,
    FixedValueLimit,
    FixedWindowLimit,
    RollingWindowLimit,
    compute_expiry,
    count_window,
    simulate,
)
from lib.sandbox.badge_rules import rules_of
from lib.sandbox.common import from_epoch
from lib.sandbox.demo_data import DEMO_ORG_ID
from lib.sandbox.service import SandboxService

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
"""The data depends on the day it is seeded; a fixed day keeps these tests deterministic."""
NEW_YEAR = datetime(2027, 1, 2, 9, 30, tzinfo=UTC)
"""A second day, just past the year-end peak, where cycles are cut at the history's edges."""
OWNERS = {"Loyalty", "Milestones", "Referral_Campaigns", "Rewards_Catalog", "Goodwill_Module",
          "Audience_Campaigns", "Journeys"}  # fmt: skip


class Seeded:
    """The demo org seeded on a private sandbox store at a frozen instant, read back per badge."""

    def __init__(self, service: SandboxService, now: datetime) -> None:
        service.clock.set(now)
        self.summary = service.seed()
        self.now = now
        with service.store.read() as conn:
            self.views = service.repo.badges.all_of(DEMO_ORG_ID)
            earns = conn.execute(
                "SELECT badge_id, customer_id, earned_on, event_date, expires_on, revoked_on, issue_id,"
                " owner_type, owner_reference_id, imported FROM earns WHERE org_id = ?",
                (DEMO_ORG_ID,),
            ).fetchall()
            issues = conn.execute(
                "SELECT id, badge_id, customer_id, issued_on, event_date, expires_on, revoked_on, owner_type,"
                " owner_reference_id FROM issues WHERE org_id = ?",
                (DEMO_ORG_ID,),
            ).fetchall()
        self.earns: dict[str, list] = defaultdict(list)
        for row in earns:
            self.earns[row["badge_id"]].append(row)
        self.issues = {row["id"]: row for row in issues}
        self.rules = {view.id: rules_of(view.doc, view.fixed_windows) for view in self.views}

    def named(self, name: str):
        return next(view for view in self.views if view.doc["name"] == name)


# Each dataset (two of them) is seeded in full and recounted: about ten seconds apiece.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=[NOW, NEW_YEAR], ids=["november", "new-year"])
def seeded(request, tmp_path_factory) -> Seeded:
    service = SandboxService(tmp_path_factory.mktemp("demo") / "demo.db")
    try:
        yield Seeded(service, request.param)
    finally:
        service.close()


def _counts_per_window(rules, limit, earns) -> Counter:
    """Earns per (customer or whole badge, window) of a fixed-window or fixed-value limit."""
    per_day: dict[int, object] = {}  # fixed-window cycles are whole days: one look-up per event day
    counts: Counter = Counter()
    for earn in earns:
        day = int(earn["event_date"] // 86_400)
        if day not in per_day:
            at = from_epoch(day * 86_400)
            window = count_window(limit, event_time=at, processed_at=at, badge_start=rules.start,
                                  badge_end=rules.end)  # fmt: skip
            per_day[day] = None if window is None else (window.start, window.axis)
        if per_day[day] is None:
            continue
        who = earn["customer_id"] if limit.level == "CUSTOMER" else None
        counts[who, per_day[day]] += 1
    return counts


def test_no_fixed_window_or_fixed_value_limit_is_exceeded(seeded):
    checked = Counter()
    for view in seeded.views:
        rules, earns = seeded.rules[view.id], seeded.earns[view.id]
        for limit in rules.limits:
            if not isinstance(limit, FixedWindowLimit | FixedValueLimit):
                continue
            counts = _counts_per_window(rules, limit, earns)
            worst = max(counts.values(), default=0)
            assert worst <= limit.max_earn, (view.doc["name"], limit.describe(), worst)
            checked[type(limit).__name__, str(limit.level)] += bool(earns)
    assert checked["FixedWindowLimit", "BADGE"] >= 6 and checked["FixedWindowLimit", "CUSTOMER"] >= 3
    assert checked["FixedValueLimit", "CUSTOMER"] >= 3 and checked["FixedValueLimit", "BADGE"] >= 1


def test_no_rolling_window_is_exceeded(seeded):
    checked = 0
    for view in seeded.views:
        rules, earns = seeded.rules[view.id], seeded.earns[view.id]
        for limit in (x for x in rules.limits if isinstance(x, RollingWindowLimit)):
            times: dict[int | None, list[float]] = defaultdict(list)
            for earn in sorted(earns, key=lambda e: e["earned_on"]):
                times[earn["customer_id"] if limit.level == "CUSTOMER" else None].append(earn["earned_on"])
            for key, processed in times.items():
                for i, at in enumerate(processed):
                    window = count_window(limit, event_time=from_epoch(at), processed_at=from_epoch(at),
                                          badge_start=rules.start, badge_end=rules.end)  # fmt: skip
                    assert window.axis is CountAxis.PROCESSING
                    inside = i + 1 - bisect_right(processed, window.start.timestamp(), hi=i + 1)
                    assert inside <= limit.max_earn, (view.doc["name"], limit.describe(), key, at)
            checked += bool(earns)
    assert checked >= 3  # the customer's daily and weekly windows and the badge's 7-day window


def test_the_domain_engine_allows_every_seeded_earn(seeded):
    for view in seeded.views:
        earns = seeded.earns[view.id]
        attempts = [
            Earn(e["customer_id"], from_epoch(e["event_date"]), from_epoch(e["earned_on"])) for e in earns
        ]
        result = simulate(seeded.rules[view.id], attempts)
        assert result.allowed == len(earns), (view.doc["name"], result.blocked_by)


def test_every_earn_has_an_active_claim_an_enrolment_and_its_expiry(seeded):
    never = ExpiryRule(ExpiryType.NEVER)
    now = seeded.now.timestamp()
    for view in seeded.views:
        claims = {
            (c["ownerType"], c["referenceId"]) for c in view.doc["ownership"]["claims"] if c["isActive"]
        }
        assert {owner for owner, _ in claims} <= set(view.doc["ownership"]["restrictedToOwners"])
        rules = seeded.rules[view.id]
        for earn in seeded.earns[view.id]:
            assert (earn["owner_type"], earn["owner_reference_id"]) in claims, view.doc["name"]
            assert earn["imported"] == 0 and earn["earned_on"] == earn["event_date"] < now
            assert rules.start.timestamp() <= earn["event_date"] <= rules.end.timestamp()
            expected = compute_expiry(rules.earned_expiry or never, from_epoch(earn["earned_on"]), rules.end)
            assert earn["expires_on"] == pytest.approx(expected.timestamp(), abs=1), view.doc["name"]
            if earn["revoked_on"] is not None:
                assert (
                    earn["earned_on"] < earn["revoked_on"] <= now and earn["revoked_on"] < earn["expires_on"]
                )
            if rules.earn_type is EarnType.ISSUE_EARN:
                issue = seeded.issues[earn["issue_id"]]
                assert issue["badge_id"] == view.id and issue["customer_id"] == earn["customer_id"]
                assert issue["issued_on"] <= earn["earned_on"] < issue["expires_on"]
                assert issue["event_date"] <= earn["event_date"] <= issue["expires_on"]
            else:
                assert earn["issue_id"] is None
    for issue in seeded.issues.values():
        view = next(v for v in seeded.views if v.id == issue["badge_id"])
        active = {
            (c["ownerType"], c["referenceId"]) for c in view.doc["ownership"]["claims"] if c["isActive"]
        }
        assert (issue["owner_type"], issue["owner_reference_id"]) in active


def test_a_customer_is_never_enrolled_twice_at_once(seeded):
    spans: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
    for issue in seeded.issues.values():
        spans[issue["badge_id"], issue["customer_id"]].append((issue["issued_on"], issue["expires_on"]))
    for span in spans.values():
        span.sort()
        assert all(later[0] >= earlier[1] for earlier, later in zip(span, span[1:], strict=False))


def test_owners_vary_and_claims_follow_them(seeded):
    owners = Counter(o for v in seeded.views for o in v.doc["ownership"]["restrictedToOwners"])
    assert set(owners) == OWNERS
    assert len(set(owners.values())) >= 3  # not the same bar for every owner
    sizes = Counter(len(v.doc["ownership"]["restrictedToOwners"]) for v in seeded.views)
    assert sizes[1] >= 2 and sizes[2] >= 2 and sizes[3] >= 2
    for view in seeded.views:
        if seeded.earns[view.id]:
            assert any(c["isActive"] for c in view.doc["ownership"]["claims"]), view.doc["name"]


def _badge_windows(seeded):
    for view in seeded.views:
        limit = next((x for x in seeded.rules[view.id].badge_limits if isinstance(x, FixedWindowLimit)), None)
        if limit is not None:
            yield view, limit


def test_badge_level_fixed_windows_give_an_uncapped_series_of_every_kind(seeded):
    windows = list(_badge_windows(seeded))
    assert len(windows) >= 6
    assert {view.doc["earnType"] for view, _ in windows} == {"EARN", "ISSUE_EARN"}
    assert {view.status(seeded.now) for view, _ in windows} >= {"LIVE", "EXPIRED"}
    assert {str(limit.rule.unit) for _, limit in windows} == {"DAYS", "WEEKS", "MONTHS"}
    for view, limit in windows:
        rules, earns = seeded.rules[view.id], seeded.earns[view.id]
        counts = _counts_per_window(rules, limit, earns)
        assert len(counts) >= 4, view.doc["name"]
        assert max(counts.values()) < limit.max_earn / 2, view.doc["name"]  # the cap never shapes the series


def test_the_cycles_show_the_weekly_rhythm_and_the_year_end_peak(seeded):
    view = seeded.named("Daily Streak")
    daily = next(limit for v, limit in _badge_windows(seeded) if v.id == view.id)
    assert daily.rule.refresh_rate == 1
    per_weekday: dict[int, list[int]] = defaultdict(list)
    for (_, (start, _)), count in _counts_per_window(
        seeded.rules[view.id], daily, seeded.earns[view.id]
    ).items():
        per_weekday[start.weekday()].append(count)
    weekend = statistics.mean(per_weekday[5] + per_weekday[6])
    assert weekend > 1.4 * statistics.mean(per_weekday[0] + per_weekday[1])

    view = seeded.named("Weekend Warrior")
    weekly = next(limit for v, limit in _badge_windows(seeded) if v.id == view.id)
    counts = _counts_per_window(seeded.rules[view.id], weekly, seeded.earns[view.id])
    first = seeded.now.replace(hour=0, minute=0) - timedelta(days=364)  # the history's first whole day
    full = {start: n for (_, (start, _)), n in counts.items()
            if start >= first and start + timedelta(days=7) <= seeded.now}  # fmt: skip
    peak = [
        n
        for start, n in full.items()
        if (start.month, start.day) >= (12, 8) or (start.month, start.day) <= (1, 1)
    ]
    assert peak and max(peak) > 1.8 * statistics.median(full.values())


def test_the_api_shows_varied_owners_and_the_seeded_cycle_counts(sandbox, client):
    sandbox.set_clock(NOW)
    try:
        sandbox.seed()
        table = badge_table(client.iter_badges(page_size=50))
        per_owner = owners_series(table).value_counts()
        assert set(per_owner.index) == OWNERS and per_owner.nunique() >= 3
        with sandbox.service.store.read() as conn:
            stored = {
                (row[0], row[1]): row[2]
                for row in conn.execute(
                    "SELECT badge_id, CAST(event_date / 86400 AS INTEGER), COUNT(*) FROM earns"
                    " WHERE org_id = ? AND revoked_on IS NULL GROUP BY 1, 2",
                    (DEMO_ORG_ID,),
                )
            }
        with_series = 0
        for badge in table.itertuples():
            full = client.get_badge(badge_id=badge.id)
            if not any(c.constraint_type == "BADGE_FIXED_WINDOW" for c in full.badge_constraints or []):
                continue
            cycles = list(client.iter_fixed_window_cycles(badge_id=badge.id, constraint_type="BADGE",
                                                          include_earn_count=True, page_size=100))  # fmt: skip
            series = cycle_series(badge.name, cycles)
            for row in series.itertuples():
                days = range(int(row.start.timestamp() // 86_400), int(row.end.timestamp() // 86_400))
                assert row.earns == sum(stored.get((badge.id, day), 0) for day in days), (
                    badge.name,
                    row.start,
                )
            with_series += int(series["earns"].sum() > 0)
        assert with_series >= 6
    finally:
        sandbox.set_clock(None)
