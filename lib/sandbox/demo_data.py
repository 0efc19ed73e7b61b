"""Demo data for the `demo` org, so a fresh console has something real-looking to show.

Twelve badges cover every status (UPCOMING, LIVE, EXPIRED, plus a deactivated one), both earn types,
every constraint type and every expiry type; they are owned by seven different modules (one to three
owners each) and claimed by the modules that award them. Seven have a badge-level fixed window (daily,
weekly and monthly cycles, capped well above their volume), so the overview's earns-per-cycle chart has
a series for each. Two groups and two custom fields; 20,000 customers with email, mobile, external id
and card number; and twelve months of enrolments and earns whose volume follows a weekly rhythm
(weekend peaks) and a year-end season.

Badges, groups, custom fields and the org meta are created through the same request models and
backend calls as the API (so they obey the same rules). The history is bulk-inserted, but every earn is one the API would have accepted: it carries
the `triggeredBy` of an active claim, an enrol & issue earn lies inside the customer's enrolment, and
the attempts of each badge are decided by `lib.domain.simulate` (the engine the sandbox enforces
limits with), so no fixed-window, rolling-window or fixed-value limit is ever exceeded. Expiries come
from `lib.domain.compute_expiry`. Everything is drawn from one seeded numpy generator and laid out
on whole days around the sandbox clock, so the same day gives the same data. The history itself is
drawn in bulk (`lib.sandbox.demo_history`): the seed is on the path to a new console's first page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from lib.api.models import BadgeCreate, BadgeGroupRequest, ClaimRequest, CustomFieldRequest, OrgMetaRequest
from lib.sandbox.badge_rules import rules_of
from lib.sandbox.common import epoch
from lib.sandbox.demo_history import CUSTOMERS, DAY, FIRST_CUSTOMER_ID, Traffic, history, rows
from lib.sandbox.views import load_badge

DEMO_ORG_ID = 50001
SEED = 20240917
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


def _owners(*owners: str) -> dict[str, Any]:
    return {"restrictedToOwners": list(owners)}


def _badges(today: float, groups: dict[str, str]) -> list[dict[str, Any]]:
    """The twelve demo badges; dates are whole days around `today` (00:00 UTC).

    Limits are listed in the order the console's editor writes them (fixed window, rolling, fixed
    value, no limit), so a demo badge opened and saved unchanged shows no difference.
    """

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
             ownership=_owners("Journeys", "Audience_Campaigns"),
             customerConstraints=[fw("CUSTOMER_BADGE", "WEEKS", 1, startDayOfTheWeek="MONDAY")],
             badgeConstraints=[fw("BADGE", "WEEKS", 2500, startDayOfTheWeek="MONDAY")]),
        dict(name="Daily Streak", description="Check in every few days", startOn=d(-300), expiresOn=d(365),
             earnType="EARN", earnedBadgeExpiry=_expiry("DAYS", value=30), badgeGroupId=groups["Engagement"], badgeRank=2,
             ownership=_owners("Milestones"),
             customerConstraints=[fw("CUSTOMER_BADGE", "DAYS", 1, refreshRate=3)],
             badgeConstraints=[fw("BADGE", "DAYS", 600, refreshRate=1)]),
        dict(name="Big Spender", description="Enrolled customers who spend over 500", startOn=d(-365), expiresOn=d(365),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("MONTHS", value=2), earnedBadgeExpiry=_expiry("NEVER"),
             badgeGroupId=groups["Spend"], badgeRank=1, ownership=_owners("Loyalty", "Rewards_Catalog"),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 3}],
             badgeConstraints=[fw("BADGE", "MONTHS", 5000),
                               {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 20000}]),
        dict(name="Holiday Shopper", description="Year-end season campaign", startOn=d(-330), expiresOn=d(60),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("WITH_BADGE_META"),
             earnedBadgeExpiry=_expiry("FIXED_DATE", at=d(90)), badgeGroupId=groups["Spend"], badgeRank=2,
             ownership=_owners("Audience_Campaigns", "Journeys", "Loyalty"),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 1,
                                   "maxEarnForWeeks": 3, "rollForWeeks": 1}],
             badgeConstraints=[{"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "DAYS", "rollValue": 7,
                                "maxEarnLimit": 3000}]),
        dict(name="Review Writer", description="Write a product review", startOn=d(-200), expiresOn=d(400),
             earnType="EARN", earnedBadgeExpiry=_expiry("MONTHS", value=6),
             ownership=_owners("Goodwill_Module", "Rewards_Catalog"),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_NO_LIMIT"}],
             badgeConstraints=[{"constraintType": "BADGE_NO_LIMIT"}]),
        dict(name="Summer Explorer", description="Last summer's explorer trail", startOn=d(-300), expiresOn=d(-200),
             earnType="EARN", earnedBadgeExpiry=_expiry("MONTHS", value=3), ownership=_owners("Journeys", "Milestones"),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}],
             badgeConstraints=[fw("BADGE", "WEEKS", 2000, startDayOfTheWeek="SATURDAY")]),
        dict(name="Spring Sprint", description="Spring enrolment sprint", startOn=d(-250), expiresOn=d(-150),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("WEEKS", value=2),
             earnedBadgeExpiry=_expiry("WITH_BADGE_META"), ownership=_owners("Referral_Campaigns", "Audience_Campaigns"),
             badgeConstraints=[fw("BADGE", "WEEKS", 1000, startDayOfTheWeek="WEDNESDAY")]),
        dict(name="New Year Kickoff", description="Starts soon", startOn=d(20), expiresOn=d(120),
             earnType="EARN", earnedBadgeExpiry=_expiry("DAYS", value=14), ownership=_owners("Audience_Campaigns", "Journeys"),
             customerConstraints=[fw("CUSTOMER_BADGE", "MONTHS", 2)]),
        dict(name="Referral Champion", description="Refer friends (opens next week)", startOn=d(7), expiresOn=d(200),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("NEVER"), earnedBadgeExpiry=_expiry("MONTHS", value=12),
             ownership=_owners("Referral_Campaigns"),
             badgeConstraints=[{"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "WEEKS", "rollValue": 2,
                                "maxEarnLimit": 500}]),
        dict(name="Legacy Loyalist", description="Retired programme badge (deactivated)", startOn=d(-365),
             expiresOn=d(300), earnType="EARN", earnedBadgeExpiry=_expiry("MONTHS", value=12), ownership=_owners("Loyalty"),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}]),
        dict(name="App Download", description="Install the mobile app", startOn=d(-240), expiresOn=d(240),
             earnType="EARN", earnedBadgeExpiry=_expiry("NEVER"), ownership=_owners("Journeys", "Milestones", "Rewards_Catalog"),
             customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}],
             badgeConstraints=[fw("BADGE", "WEEKS", 2000, startDayOfTheWeek="SUNDAY")]),
        dict(name="Store Visitor", description="Visit a store while enrolled", startOn=d(-365), expiresOn=d(200),
             earnType="ISSUE_EARN", issuedBadgeExpiry=_expiry("DAYS", value=30), earnedBadgeExpiry=_expiry("WEEKS", value=8),
             ownership=_owners("Loyalty", "Goodwill_Module", "Audience_Campaigns"),
             customerConstraints=[fw("CUSTOMER_BADGE", "WEEKS", 2, startDayOfTheWeek="MONDAY")],
             badgeConstraints=[fw("BADGE", "MONTHS", 10000)]),
    ]  # fmt: skip


TRAFFIC = {
    "Weekend Warrior": Traffic(32, (("Journeys", "journey-weekend-rewards", 0.7),
                                    ("Audience_Campaigns", "campaign-3107", 0.3))),
    "Daily Streak": Traffic(50, (("Milestones", "milestone-checkin-streak", 1.0),)),
    "Big Spender": Traffic(18, (("Loyalty", LOYALTY_PROGRAM, 0.6), ("Loyalty", "program-1002", 0.25),
                                ("Rewards_Catalog", "catalog-premium", 0.15))),
    "Holiday Shopper": Traffic(30, (("Audience_Campaigns", "campaign-4520", 0.5),
                                    ("Journeys", "journey-holiday-season", 0.3), ("Loyalty", LOYALTY_PROGRAM, 0.2))),
    "Review Writer": Traffic(24, (("Goodwill_Module", "goodwill-reviews", 1.0),)),
    "Summer Explorer": Traffic(40, (("Journeys", "journey-summer-trail", 0.8),
                                    ("Milestones", "milestone-explorer", 0.2)), skew=1.0),
    "Spring Sprint": Traffic(28, (("Referral_Campaigns", "referral-spring", 0.55),
                                  ("Audience_Campaigns", "campaign-2811", 0.45))),
    "New Year Kickoff": Traffic(0),
    "Referral Champion": Traffic(0, (("Referral_Campaigns", "referral-friends", 1.0),)),
    "Legacy Loyalist": Traffic(12, (("Loyalty", "program-0901", 1.0),), skew=1.0),
    "App Download": Traffic(15, (("Journeys", "journey-app-onboarding", 0.75),
                                 ("Milestones", "milestone-first-install", 0.25)), skew=1.0),
    "Store Visitor": Traffic(35, (("Loyalty", LOYALTY_PROGRAM, 0.5), ("Audience_Campaigns", "campaign-5150", 0.3),
                                  ("Goodwill_Module", "goodwill-store", 0.2))),
}  # fmt: skip


def _customers(gen: np.random.Generator) -> list[tuple]:
    """`CustomerRow`-shaped tuples: a drawn first and last name, every identifier derived from the id."""
    firsts = np.array(FIRST_NAMES, dtype=object)[gen.integers(0, len(FIRST_NAMES), CUSTOMERS)].tolist()
    lasts = np.array(LAST_NAMES, dtype=object)[gen.integers(0, len(LAST_NAMES), CUSTOMERS)].tolist()
    return [
        (DEMO_ORG_ID, customer_id, first, last, f"{first.lower()}.{last.lower()}{customer_id}@example.com",
         f"9198{customer_id:08d}", f"EXT-{customer_id}", f"CARD{customer_id * 7919 % 10**10:010d}")
        for customer_id, first, last in zip(range(FIRST_CUSTOMER_ID, FIRST_CUSTOMER_ID + CUSTOMERS), firsts, lasts,
                                            strict=True)
    ]  # fmt: skip


def seed_demo_org(service) -> dict[str, int]:
    """Replace the `demo` org's data with the demo set; returns what was created."""
    gen = np.random.default_rng(SEED)
    now = service.clock.now()
    today = epoch(datetime(now.year, now.month, now.day, tzinfo=UTC))
    repo = service.repo
    with repo.unit_of_work():
        repo.forget_org(DEMO_ORG_ID)
        with repo.bulk_load(("customers",)):
            repo.customers.put_many(_customers(gen))
    catalog, badges = service.catalog, service.badges
    groups = {
        name: catalog.create_group(DEMO_ORG_ID, BadgeGroupRequest(name=name, rank=rank))["id"]
        for name, rank in (("Engagement", 1), ("Spend", 2))
    }
    for field in (
        {"name": "Campaign code", "dataType": "STRING", "isMandatory": True, "defaultValue": "ALWAYS-ON"},
        {"name": "Points value", "dataType": "INTEGER", "defaultValue": "0"},
    ):
        catalog.create_custom_field(DEMO_ORG_ID, CustomFieldRequest.model_validate(field))
    catalog.create_org_meta(DEMO_ORG_ID, OrgMetaRequest.model_validate(
        {"tags": [{"key": "region", "dataType": "STRING", "description": "Sales region", "mandatory": False}]}
    ))  # fmt: skip
    histories = []
    for body in _badges(today, groups):
        body = {**body, "active": True}
        body.setdefault("customFields", {"Points value": str((10, 25, 50, 100)[gen.integers(0, 4)])})
        traffic = TRAFFIC[body["name"]]
        created = badges.create_badge(DEMO_ORG_ID, BadgeCreate.model_validate(body), migration=True)
        for owner, reference, _ in traffic.claims:
            claim = ClaimRequest.model_validate({"ownerType": owner, "referenceId": reference})
            badges.claim(DEMO_ORG_ID, created["id"], claim)
        with repo.snapshot():
            view = load_badge(repo, DEMO_ORG_ID, created["id"])
        histories.append(
            (view.id, traffic, *history(gen, rules_of(view.doc, view.fixed_windows), now, traffic))
        )
        if body["name"] == "Legacy Loyalist":
            badges.set_activation(DEMO_ORG_ID, created["id"], active=False)
    all_issues, all_earns = rows(histories)  # in id order: the inserts append to the key
    with repo.unit_of_work(), repo.bulk_load(("issues", "earns")):
        repo.issues.add_history(DEMO_ORG_ID, all_issues)
        repo.earns.add_history(DEMO_ORG_ID, all_earns)
    return {"badges": 12, "customers": CUSTOMERS, "enrolments": len(all_issues), "earns": len(all_earns)}
