"""The editor's values <-> the API's JSON body (wire names as documented)."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from lib.console.badge_form import BadgeForm, form_paths, widget_key, widget_values, with_values
from lib.console.form_wire import from_body, to_body

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "update_badge"


def _form(changes: dict | None = None) -> BadgeForm:
    """The form with the values at the given paths changed ("customer.fixed_window.on": True)."""
    base = BadgeForm(name="Pet lover", start=datetime(2027, 1, 1), end=datetime(2027, 12, 31, 23, 59))
    return with_values(base, changes or {})


def test_create_body_uses_wire_names_and_epoch_seconds():
    body = to_body(_form())
    assert "id" not in body
    assert body["startOn"] == 1798761600
    assert body["earnedBadgeExpiry"] == {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 30}
    assert body["issuedBadgeExpiry"] is None
    assert body["ownership"] == {"restrictedToOwners": ["Loyalty"]}
    assert body["customerConstraints"] == [] and body["badgeConstraints"] == []


def test_update_body_carries_the_id():
    assert to_body(_form(), badge_id="661e11563753c37878a8b2c7")["id"] == "661e11563753c37878a8b2c7"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {
                "customer.fixed_window.on": True,
                "customer.fixed_window.unit": "DAYS",
                "customer.fixed_window.refresh_rate": 5,
                "customer.fixed_window.max_earn": 1,
            },
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": 5,
                "maxEarnLimit": 1,
            },
        ),
        (
            {
                "customer.fixed_window.on": True,
                "customer.fixed_window.unit": "WEEKS",
                "customer.fixed_window.week_start": "TUESDAY",
                "customer.fixed_window.max_earn": 2,
            },
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "startDayOfTheWeek": "TUESDAY",
                "maxEarnLimit": 2,
            },
        ),
        (
            {
                "customer.fixed_window.on": True,
                "customer.fixed_window.unit": "MONTHS",
                "customer.fixed_window.max_earn": 3,
            },
            {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "MONTHS", "maxEarnLimit": 3},
        ),
        (
            {
                "customer.rolling.on": True,
                "customer.rolling.days.max_earn": 1,
                "customer.rolling.days.span": 1,
                "customer.rolling.months.max_earn": 10,
                "customer.rolling.months.span": 1,
            },
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 1,
                "rollForDays": 1,
                "maxEarnForMonths": 10,
                "rollForMonths": 1,
            },
        ),
        (
            {"customer.fixed_value.on": True, "customer.fixed_value.max_earn": 100},
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 100},
        ),
        ({"customer.no_limit": True}, {"constraintType": "CUSTOMER_BADGE_NO_LIMIT"}),
    ],
)
def test_customer_limits(changes, expected):
    assert to_body(_form(changes))["customerConstraints"] == [expected]


def test_badge_rolling_window_is_one_object_per_unit():
    body = to_body(
        _form(
            {
                "badge.rolling.on": True,
                "badge.rolling.days.max_earn": 100,
                "badge.rolling.days.span": 1,
                "badge.rolling.weeks.max_earn": 2000,
                "badge.rolling.weeks.span": 1,
            }
        )
    )
    assert body["badgeConstraints"] == [
        {"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "DAYS", "rollValue": 1, "maxEarnLimit": 100},
        {"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "WEEKS", "rollValue": 1, "maxEarnLimit": 2000},
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"earned.type": "ABSOLUTE", "earned.kind": "WITH_BADGE_META"},
            {
                "expiryType": "ABSOLUTE",
                "type": "WITH_BADGE_META",
                "expiresOn": None,
                "expireWithBadgeMeta": True,
            },
        ),
        (
            {
                "earned.type": "ABSOLUTE",
                "earned.kind": "FIXED_DATE",
                "earned.fixed_at": datetime(2027, 12, 31),
            },
            {
                "expiryType": "ABSOLUTE",
                "type": "FIXED_DATE",
                "expiresOn": 1830211200,
                "expireWithBadgeMeta": False,
            },
        ),
        ({"earned.type": "NEVER"}, {"expiryType": "NEVER"}),
        (
            {"earned.type": "RELATIVE", "earned.unit": "WEEKS", "earned.value": 2},
            {"expiryType": "RELATIVE", "relativeExpirytype": "WEEKS", "value": 2},
        ),
    ],
)
def test_earned_expiry(changes, expected):
    assert to_body(_form(changes))["earnedBadgeExpiry"] == expected


def test_issued_expiry_only_for_enrol_type_badges():
    body = to_body(
        _form(
            {"earn_type": "ISSUE_EARN", "issued.type": "RELATIVE", "issued.unit": "WEEKS", "issued.value": 2}
        )
    )
    assert body["issuedBadgeExpiry"] == {"expiryType": "RELATIVE", "relativeExpirytype": "WEEKS", "value": 2}


def test_benefits_tags_custom_fields_from_table_rows():
    body = to_body(
        _form(
            {
                "benefits": [
                    {"benefitType": "COUPON", "seriesId": 6789.0},
                    {
                        "benefitType": "LOYALTY_POINTS",
                        "programId": 626,
                        "promotionId": 80332,
                        "allocationStrategyId": 1489,
                        "expirationStrategyId": 3843,
                        "points": float("nan"),
                    },
                    {"benefitType": None},
                ],
                "tags": [{"name": "season", "value": "winter"}, {"name": " ", "value": "x"}],
                "custom_fields": {"CF2 INTEGER": "1"},
            }
        )
    )
    assert body["benefits"] == [
        {"benefitType": "COUPON", "seriesId": 6789},
        {
            "benefitType": "LOYALTY_POINTS",
            "programId": 626,
            "promotionId": 80332,
            "allocationStrategyId": 1489,
            "expirationStrategyId": 3843,
        },
    ]
    assert body["tags"] == [{"name": "season", "value": "winter"}]
    assert body["customFields"] == {"CF2 INTEGER": "1"}


def _seed_examples() -> list[dict]:
    """The two badges the documentation's update page answers with (copied under tests/fixtures)."""
    paths = sorted(SEEDS.glob("response-seed-*.json"))
    return [json.loads(path.read_text(encoding="utf-8"))["data"] for path in paths]


def test_documented_badges_round_trip_through_the_form():
    examples = _seed_examples()
    assert len(examples) == 2
    for badge in examples:
        body = to_body(from_body(badge), badge_id=badge["id"])
        for key in ("name", "description", "earnedBadgeExpiry", "earnType", "badgeRank", "active"):
            assert body[key] == badge[key], key
        assert body["ownership"]["restrictedToOwners"] == badge["ownership"]["restrictedToOwners"]
        assert body["startOn"] == badge["startOn"] and body["expiresOn"] == badge["expiresOn"]
        assert sorted(map(json.dumps, body["badgeConstraints"])) == sorted(
            map(json.dumps, badge["badgeConstraints"])
        )
        assert [b["benefitType"] for b in body["benefits"]] == [b["benefitType"] for b in badge["benefits"]]


def test_widget_values_cover_every_simple_field():
    values = widget_values(_form())
    assert sorted(values) == sorted(widget_key(path) for path in form_paths())
    assert widget_key("customer.fixed_window.max_earn") == "ed_customer_fixed_window_max_earn"
    by_path = {path: values[widget_key(path)] for path in form_paths()}
    assert with_values(BadgeForm(start=None, end=None), by_path) == _form()


LIVE_STARTS = [
    pytest.param(1795242819.946771, "2026-11-21T06:33:39Z", id="fractional-seconds"),
    pytest.param(1795242819, "2026-11-21T06:33:39Z", id="whole-seconds"),
]


@pytest.mark.parametrize(("start_on", "start_iso"), LIVE_STARTS)
def test_untouched_instants_are_sent_back_exactly(start_on, start_iso):
    saved = {
        "id": "x",
        "name": "Live",
        "startOn": start_on,
        "startOnISO": start_iso,
        "expiresOn": 1797921219.5,
        "earnedBadgeExpiry": {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": 1798000007.25},
    }
    form = from_body(saved)
    assert form.start == datetime(2026, 11, 21, 6, 33), "the widget shows the minute"
    body = to_body(form, badge_id="x")
    assert body["startOn"] == start_on and body["expiresOn"] == 1797921219.5
    assert body["earnedBadgeExpiry"]["expiresOn"] == 1798000007.25
    # A widget value in the saved minute, with or without its seconds, is the untouched start.
    form.start = datetime(2026, 11, 21, 6, 33, 39)
    assert to_body(form, badge_id="x")["startOn"] == start_on


def test_a_changed_instant_is_sent_as_the_widget_shows_it():
    form = from_body({"name": "Live", "startOn": 1795242819.946771, "expiresOn": 1797921219})
    form.start = datetime(2026, 11, 21, 6, 34)
    assert to_body(form)["startOn"] == 1795242840
