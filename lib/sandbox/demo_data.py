"""Demo data for the `demo` org, so a fresh console has something real-looking to show.

Twelve badges cover every status (UPCOMING, LIVE, EXPIRED, plus a deactivated one), both earn types,
every constraint type and every expiry type; two groups and two custom fields; 20,000 customers with
email, mobile, external id and card number; and twelve months of enrolments and earns whose volume
follows a weekly rhythm (weekend peaks) and a year-end season. Badges are created through the same
backend calls as the API (so they obey the same rules); the history is bulk-inserted, with expiries
from `lib.domain.compute_expiry` and the fixed-window and fixed-value limits respected. Everything
is drawn from one seeded random generator and laid out on whole days around the sandbox clock, so
the same day gives the same data.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from lib.domain import (
    CountAxis,
    ExpiryRule,
    ExpiryType,
    FixedValueLimit,
    FixedWindowLimit,
    compute_expiry,
    count_window,
)
from lib.sandbox.badge_rules import rules_of
from lib.sandbox.common import epoch
from lib.sandbox.store import DATA_TABLES
from lib.sandbox.views import load_badge

DEMO_ORG_ID = 50001
SEED = 20240917
CUSTOMERS = 20_000
FIRST_CUSTOMER_ID = 100_001
DAY = 86_400
LOYALTY_PROGRAM = "program-1001"

FIRST_NAMES = [
    "Asha",
    "Ben",
    "Chen",
    "Dara",
    "Elif",
    "Farid",
    "Grace",
    "Hugo",
    "Isha",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
]
LAST_NAMES = ["Adams", "Bose", "Costa", "Dubois", "Eze", "Fischer", "Gupta", "Hansen", "Ito", "Jensen", "Khan",
              "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi", "Singh", "Tanaka", "Varga"]  # fmt: skip


def _expiry(kind: str, **extra: Any) -> dict[str, Any]:
    if kind == "NEVER":
        return {"expiryType": "NEVER"}
    if kind in ("DAYS", "WEEKS", "MONTHS"):
        return {"expiryType": "RELATIVE", "relativeExpirytype": kind, "value": extra["value"]}
    if kind == "WITH_BADGE_META":
        return {
            "expiryType": "ABSOLUTE",
            "type": "WITH_BADGE_META",
            "expireWithBadgeMeta": True,
            "expiresOn": None,
        }
    return {
        "expiryType": "ABSOLUTE",
        "type": "FIXED_DATE",
        "expiresOn": extra["at"],
        "expireWithBadgeMeta": False,
    }


def _badges(today: float, groups: dict[str, str]) -> list[dict[str, Any]]:
    """The twelve demo badges; dates are whole days around `today` (00:00 UTC)."""

    def d(n: int) -> float:
        return today + n * DAY

    def fw(level: str, unit: str, limit: int, **extra: Any) -> dict[str, Any]:
        return {
            "constraintType": f"{level}_FIXED_WINDOW",
            "durationType": unit,
            "maxEarnLimit": limit,
            **extra,
        }

    return [
        dict(name="Weekend Warrior", description="Shop on a weekend, once a week", startOn=d(-365), expiresOn=d(180),
             earnType="EARN", earnedBadgeExpiry=_expiry("WEEKS", value=4), badgeGroupId=groups["Engagement"], badgeRank=1,
             customerConstraints=[fw("CUSTOMER_BADGE", "WEEKS", 1, startDayOfTheWeek="MONDAY")]),
        dict(name="Daily Streak", description="Check in every few days", startOn=d(-300), expiresOn=d(365),
             earnType="EARN", earnedBadgeExpiry=_expiry("DAYS", value=30), badgeGroupId=groups["Engagement"], badgeRank=2,
             customerConstraints=[fw("CUSTOMER_BADGE", "DAYS", 1, refreshRate=3)],
             badgeConstraints=[fw("BADGE", "MONTHS", 6000)]),
        dict(name="Big Spender", description="Enrolled customers who spend over 500", startOn=d(-365), expiresOn=d(365),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("MONTHS", value=2), earnedBadgeExpiry=_expiry("NEVER"),
             badgeGroupId=groups["Spend"], badgeRank=1,
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 3}],
             badgeConstraints=[{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 20000}]),
        dict(name="Holiday Shopper", description="Year-end season campaign", startOn=d(-330), expiresOn=d(60),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("WITH_BADGE_META"),
             earnedBadgeExpiry=_expiry("FIXED_DATE", at=d(90)), badgeGroupId=groups["Spend"], badgeRank=2,
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 1,
                                   "maxEarnForWeeks": 3, "rollForWeeks": 1}],
             badgeConstraints=[{"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "DAYS", "rollValue": 7,
                                "maxEarnLimit": 3000}]),
        dict(name="Review Writer", description="Write a product review", startOn=d(-200), expiresOn=d(400),
             earnType="EARN", earnedBadgeExpiry=_expiry("MONTHS", value=6),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_NO_LIMIT"}],
             badgeConstraints=[{"constraintType": "BADGE_NO_LIMIT"}]),
        dict(name="Summer Explorer", description="Last summer's explorer trail", startOn=d(-300), expiresOn=d(-200),
             earnType="EARN", earnedBadgeExpiry=_expiry("MONTHS", value=3),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}]),
        dict(name="Spring Sprint", description="Spring enrolment sprint", startOn=d(-250), expiresOn=d(-150),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("WEEKS", value=2),
             earnedBadgeExpiry=_expiry("WITH_BADGE_META")),
        dict(name="New Year Kickoff", description="Starts soon", startOn=d(20), expiresOn=d(120),
             earnType="EARN", earnedBadgeExpiry=_expiry("DAYS", value=14),
             customerConstraints=[fw("CUSTOMER_BADGE", "MONTHS", 2)]),
        dict(name="Referral Champion", description="Refer friends (opens next week)", startOn=d(7), expiresOn=d(200),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("NEVER"), earnedBadgeExpiry=_expiry("MONTHS", value=12),
             badgeConstraints=[{"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "WEEKS", "rollValue": 2,
                                "maxEarnLimit": 500}]),
        dict(name="Legacy Loyalist", description="Retired programme badge (deactivated)", startOn=d(-365),
             expiresOn=d(300), earnType="EARN", earnedBadgeExpiry=_expiry("MONTHS", value=12),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}]),
        dict(name="App Download", description="Install the mobile app", startOn=d(-240), expiresOn=d(240),
             earnType="EARN", earnedBadgeExpiry=_expiry("NEVER"),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}],
             badgeConstraints=[fw("BADGE", "WEEKS", 2000, startDayOfTheWeek="SUNDAY")]),
        dict(name="Store Visitor", description="Visit a store while enrolled", startOn=d(-365), expiresOn=d(200),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("DAYS", value=30), earnedBadgeExpiry=_expiry("WEEKS", value=8),
             customerConstraints=[fw("CUSTOMER_BADGE", "WEEKS", 2, startDayOfTheWeek="MONDAY")]),
    ]  # fmt: skip


# Relative daily volume per badge (earns per day at the yearly average, before seasonality).
DAILY_VOLUME = {
    "Weekend Warrior": 45, "Daily Streak": 70, "Big Spender": 18, "Holiday Shopper": 30, "Review Writer": 24,
    "Summer Explorer": 40, "Spring Sprint": 28, "Legacy Loyalist": 12, "App Download": 15, "Store Visitor": 35,
}  # fmt: skip
WEEKDAY_FACTOR = (0.75, 0.8, 0.85, 0.95, 1.15, 1.6, 1.45)  # Monday .. Sunday


def season(day: datetime) -> float:
    """Volume multiplier: weekly rhythm times a year-end peak (Black Friday to New Year)."""
    weekly = WEEKDAY_FACTOR[day.weekday()]
    days_to_peak = min(abs(day.timetuple().tm_yday - 355), 365 - abs(day.timetuple().tm_yday - 355))
    year_end = 1.0 + 1.6 * math.exp(-((days_to_peak / 18.0) ** 2))
    return weekly * year_end


def _customers(rng: random.Random) -> list[tuple]:
    rows = []
    for i in range(CUSTOMERS):
        customer_id = FIRST_CUSTOMER_ID + i
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            (
                DEMO_ORG_ID,
                customer_id,
                first,
                last,
                f"{first.lower()}.{last.lower()}{customer_id}@example.com",
                f"9198{customer_id:08d}",
                f"EXT-{customer_id}",
                f"CARD{customer_id * 7919 % 10**10:010d}",
            )
        )
    return rows


class _Ids:
    """ObjectId-like ids from the seeded generator (creation second in the first 8 hex digits)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, at: float) -> str:
        return f"{int(at) & 0xFFFFFFFF:08x}{self.rng.getrandbits(64):016x}"


class _LimitBook:
    """In-memory counts for the fixed-window and fixed-value limits while history is generated.

    Cycles are whole UTC days, so the windows are looked up once per day, not once per earn.
    """

    def __init__(self, rules) -> None:
        self.rules = rules
        self.counts: dict[tuple, int] = {}
        self.windows: list[tuple[int, object, int, datetime | None]] = []

    def start_day(self, day: datetime) -> None:
        self.windows = []
        for i, limit in enumerate(self.rules.limits):
            if not isinstance(limit, FixedWindowLimit | FixedValueLimit):
                continue
            window = count_window(limit, event_time=day, processed_at=day, badge_start=self.rules.start,
                                  badge_end=self.rules.end)  # fmt: skip
            if window is not None:
                start = window.start if window.axis is CountAxis.EVENT else None
                self.windows.append((i, limit.level, limit.max_earn, start))

    def take(self, customer_id: int) -> bool:
        keys = [
            (i, customer_id if level == "CUSTOMER" else None, start) for i, level, _, start in self.windows
        ]
        if any(self.counts.get(key, 0) >= window[2] for key, window in zip(keys, self.windows, strict=True)):
            return False
        for key in keys:
            self.counts[key] = self.counts.get(key, 0) + 1
        return True


class _Expiry:
    """Expiries of one day's enrol/earn calls: a fixed instant, or a fixed offset from processing time."""

    def __init__(self, rule: ExpiryRule, day: datetime, badge_end: datetime) -> None:
        first = compute_expiry(rule, day, badge_end)
        self.fixed = epoch(first) if rule.type is ExpiryType.ABSOLUTE else None
        self.offset = epoch(first) - epoch(day)

    def at(self, seconds: float) -> float:
        return self.fixed if self.fixed is not None else seconds + self.offset


def _history(service, rng: random.Random, ids: _Ids, view, now: datetime, claim: tuple[str, str]):
    """Enrolments and earns of one badge from its start (at most a year back) up to now."""
    rules = rules_of(view.doc, view.fixed_windows)
    name = view.doc["name"]
    volume = DAILY_VOLUME.get(name, 0)
    start = max(rules.start, now - timedelta(days=365))
    end = min(
        rules.end, datetime(now.year, now.month, now.day, tzinfo=UTC)
    )  # whole days: same day, same data
    issues, earns = [], []
    book = _LimitBook(rules)
    enrolled: dict[int, tuple[str, float, float]] = {}  # customer -> (issue id, event, expiry)
    pool: list[int] = []  # enrolled customers, to draw earners from
    day = datetime(start.year, start.month, start.day, tzinfo=UTC)
    start_s, end_s = epoch(rules.start), epoch(end)
    never = ExpiryRule(ExpiryType.NEVER)
    while day < end:
        factor = season(day)
        book.start_day(day)
        issue_expiry = _Expiry(rules.issued_expiry or never, day, rules.end)
        earn_expiry = _Expiry(rules.earned_expiry or never, day, rules.end)
        day_s = epoch(day)
        if rules.earn_type == "ISSUE_EARN":
            for _ in range(int(rng.gauss(volume * 1.4 * factor, volume * 0.2) or 0)):
                at = day_s + rng.randrange(DAY)
                if not (start_s <= at <= end_s):
                    continue
                customer_id = FIRST_CUSTOMER_ID + rng.randrange(CUSTOMERS)
                held = enrolled.get(customer_id)
                if held and held[2] > at:
                    continue
                expires = issue_expiry.at(at)
                issue_id = ids(at)
                enrolled[customer_id] = (issue_id, at, expires)
                pool.append(customer_id)
                issues.append((issue_id, DEMO_ORG_ID, view.id, customer_id, at, at, expires, None,
                               claim[0], claim[1], None))  # fmt: skip
        for _ in range(max(0, int(rng.gauss(volume * factor, volume * 0.15)))):
            at = day_s + rng.randrange(DAY)
            if not (start_s <= at <= end_s):
                continue
            issue_id = None
            if rules.earn_type == "ISSUE_EARN":
                if not pool:
                    break
                customer_id = pool[rng.randrange(max(0, len(pool) - 3000), len(pool))]  # recent enrolments
                issue_id, issued_at, issue_expires = enrolled[customer_id]
                if not (issued_at <= at <= issue_expires):
                    continue
            else:
                customer_id = FIRST_CUSTOMER_ID + int(rng.paretovariate(1.2) * 97) % CUSTOMERS
            if not book.take(customer_id):
                continue
            revoked = at + DAY if rng.random() < 0.01 else None
            earns.append((ids(at), DEMO_ORG_ID, view.id, customer_id, at, at, earn_expiry.at(at), revoked,
                          issue_id, claim[0], claim[1], None, 0))  # fmt: skip
        day += timedelta(days=1)
    return issues, earns


def seed_demo_org(service) -> dict[str, int]:
    """Replace the `demo` org's data with the demo set; returns what was created."""
    rng = random.Random(SEED)
    ids = _Ids(rng)
    now = service.clock.now()
    today = epoch(datetime(now.year, now.month, now.day, tzinfo=UTC))
    with service.store.write() as conn:
        for table in DATA_TABLES:
            others = conn.execute(
                f"SELECT 1 FROM {table} WHERE org_id != ? LIMIT 1", (DEMO_ORG_ID,)
            ).fetchone()  # noqa: S608
            if others:
                conn.execute(f"DELETE FROM {table} WHERE org_id = ?", (DEMO_ORG_ID,))  # noqa: S608 - constant names
            else:  # only the demo org's rows: an unfiltered DELETE empties the table at once
                conn.execute(f"DELETE FROM {table}")  # noqa: S608
        conn.execute("UPDATE orgs SET next_badge_number = 1 WHERE org_id = ?", (DEMO_ORG_ID,))
        conn.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?)", _customers(rng))
    catalog, badges = service.catalog, service.badges
    groups = {
        name: catalog.create_group(DEMO_ORG_ID, {"name": name, "rank": rank})["id"]
        for name, rank in (("Engagement", 1), ("Spend", 2))
    }
    catalog.create_custom_field(DEMO_ORG_ID, {"name": "Campaign code", "dataType": "STRING", "isMandatory": True,
                                              "defaultValue": "ALWAYS-ON"})  # fmt: skip
    catalog.create_custom_field(
        DEMO_ORG_ID, {"name": "Points value", "dataType": "INTEGER", "defaultValue": "0"}
    )
    catalog.create_org_meta(DEMO_ORG_ID, {"tags": [{"key": "region", "dataType": "STRING",
                                                    "description": "Sales region", "mandatory": False}]})  # fmt: skip
    claim = ("Loyalty", LOYALTY_PROGRAM)
    all_issues, all_earns = [], []
    for body in _badges(today, groups):
        body = {**body, "ownership": {"restrictedToOwners": ["Loyalty", "Journeys"]}, "active": True}
        body.setdefault("customFields", {"Points value": str(rng.choice([10, 25, 50, 100]))})
        created = badges.create_badge(DEMO_ORG_ID, body, migration=True)
        badges.claim(DEMO_ORG_ID, created["id"], {"ownerType": claim[0], "referenceId": claim[1]})
        with service.store.read() as conn:
            view = load_badge(conn, DEMO_ORG_ID, created["id"])
        issues, earns = _history(service, rng, ids, view, now, claim)
        all_issues += issues
        all_earns += earns
        if body["name"] == "Legacy Loyalist":
            badges.set_activation(DEMO_ORG_ID, created["id"], active=False)
    all_issues.sort()  # ids lead with the creation second: key order makes the inserts cheap
    all_earns.sort()
    with service.store.write() as conn:
        conn.executemany(
            "INSERT INTO issues (id, org_id, badge_id, customer_id, issued_on, event_date, expires_on, revoked_on,"
            " owner_type, owner_reference_id, request_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            all_issues,
        )
        conn.executemany(
            "INSERT INTO earns (id, org_id, badge_id, customer_id, earned_on, event_date, expires_on, revoked_on,"
            " issue_id, owner_type, owner_reference_id, request_id, imported) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            all_earns,
        )
    return {"badges": 12, "customers": CUSTOMERS, "enrolments": len(all_issues), "earns": len(all_earns)}
