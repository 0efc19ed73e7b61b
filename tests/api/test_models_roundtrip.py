"""Property: a request model written to the wire and read back is the same model, and its wire form is
plain JSON in the documented spelling (epoch-second numbers, canonical enum names, no nulls)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.api.models import (
    BadgeCreate,
    BadgeUpdate,
    ClaimRequest,
    EarnBulkRequest,
    EarnRequest,
    ImportEarnedBadge,
    IssueBulkRequest,
    RevokeIssueRequest,
)
from lib.domain import DurationUnit, EarnType, OwnerType, Weekday

# Float seconds keep microseconds exactly until about year 2240; badges live well before that.
instants = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
)
ids = st.text("0123456789abcdef", min_size=24, max_size=24)
customer_ids = st.integers(min_value=1, max_value=2**53)
request_ids = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=30)
owners = st.sampled_from(list(OwnerType))
counts = st.integers(min_value=0, max_value=10**6)

triggered_by = st.fixed_dictionaries({"ownerType": owners, "referenceId": request_ids})

expiries = st.one_of(
    st.fixed_dictionaries(
        {
            "expiryType": st.just("RELATIVE"),
            "relativeExpirytype": st.sampled_from(["DAYS", "WEEKS", "MONTHS", "DAILY"]),
            "value": counts,
        }
    ),
    st.fixed_dictionaries(
        {"expiryType": st.just("ABSOLUTE"), "type": st.just("FIXED_DATE"), "expiresOn": instants},
        optional={"expireWithBadgeMeta": st.just(False)},
    ),
    st.fixed_dictionaries(
        {
            "expiryType": st.just("ABSOLUTE"),
            "type": st.just("WITH_BADGE_META"),
            "expireWithBadgeMeta": st.just(True),
        }
    ),
    st.fixed_dictionaries({"expiryType": st.just("NEVER")}),
)

fixed_windows = st.fixed_dictionaries(
    {
        "constraintType": st.sampled_from(["CUSTOMER_BADGE_FIXED_WINDOW", "BADGE_FIXED_WINDOW"]),
        "durationType": st.sampled_from(["DAYS", "WEEKS", "MONTHS", "DAILY", "WEEKLY", "MONTHLY"]),
        "maxEarnLimit": counts,
    },
    optional={
        "refreshRate": st.integers(min_value=1, max_value=365),
        "startDayOfTheWeek": st.one_of(st.integers(0, 6), st.sampled_from(list(Weekday))),
    },
)
rolling_windows = st.one_of(
    st.fixed_dictionaries(
        {"constraintType": st.just("CUSTOMER_BADGE_ROLLING_WINDOW")},
        optional={
            "maxEarnForDays": counts,
            "rollForDays": counts,
            "maxEarnForWeeks": counts,
            "rollForWeeks": counts,
            "maxEarnForMonths": counts,
            "rollForMonths": counts,
        },
    ),
    st.fixed_dictionaries(
        {
            "constraintType": st.just("BADGE_ROLLING_WINDOW"),
            "rollType": st.sampled_from(list(DurationUnit)),
            "rollValue": counts,
            "maxEarnLimit": counts,
        }
    ),
)
other_limits = st.one_of(
    st.fixed_dictionaries(
        {
            "constraintType": st.sampled_from(["CUSTOMER_BADGE_FIXED_VALUE", "BADGE_FIXED_VALUE"]),
            "maxEarnLimit": counts,
        }
    ),
    st.fixed_dictionaries({"constraintType": st.sampled_from(["CUSTOMER_BADGE_NO_LIMIT", "BADGE_NO_LIMIT"])}),
)
constraints = st.lists(st.one_of(fixed_windows, rolling_windows, other_limits), max_size=4)
benefits = st.lists(
    st.one_of(
        st.fixed_dictionaries({"benefitType": st.just("COUPON"), "seriesId": counts}),
        st.fixed_dictionaries(
            {
                "benefitType": st.just("LOYALTY_POINTS"),
                "programId": counts,
                "promotionId": counts,
                "allocationStrategyId": counts,
                "expirationStrategyId": counts,
            },
            optional={"points": counts},
        ),
    ),
    max_size=3,
)


def wire_models(model, required, optional=None):
    """Models built the way the API receives them: from a wire-shaped body."""
    return st.fixed_dictionaries(required, optional=optional or {}).map(model.model_validate)


badge_creates = wire_models(
    BadgeCreate,
    {
        "name": st.text(min_size=1, max_size=40),
        "startOn": instants,
        "expiresOn": instants,
        "earnType": st.sampled_from([*EarnType, "ISSUE EARN"]),
        "earnedBadgeExpiry": expiries,
        "ownership": st.fixed_dictionaries({"restrictedToOwners": st.lists(owners, max_size=3)}),
    },
    {
        "description": st.text(max_size=80),
        "issuedBadgeExpiry": expiries,
        "customerConstraints": constraints,
        "badgeConstraints": constraints,
        "benefits": benefits,
        "tags": st.lists(
            st.fixed_dictionaries({"name": st.text(max_size=10), "value": st.text(max_size=10)})
        ),
        "customFields": st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=10), max_size=3),
        "badgeGroupId": ids,
        "badgeRank": counts,
        "isActive": st.booleans(),
    },
)


def assert_round_trip(model):
    wire = model.to_wire()
    assert json.loads(json.dumps(wire)) == wire
    assert None not in _leaves(wire)
    again = type(model).model_validate(wire)
    assert again == model
    assert again.to_wire() == wire


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@settings(max_examples=60, deadline=None)
@given(badge_creates)
def test_badge_create_round_trips(badge):
    assert_round_trip(badge)
    wire = badge.to_wire()
    for constraint in wire.get("customerConstraints", []) + wire.get("badgeConstraints", []):
        assert constraint.get("durationType", "DAYS") in {"DAYS", "WEEKS", "MONTHS"}
        assert isinstance(constraint.get("startDayOfTheWeek", "MONDAY"), str)


@settings(max_examples=30, deadline=None)
@given(badge_creates, ids)
def test_badge_update_round_trips(badge, badge_id):
    assert_round_trip(BadgeUpdate.model_validate({**badge.to_wire(), "id": badge_id}))


@settings(max_examples=60, deadline=None)
@given(
    wire_models(
        EarnRequest,
        {
            "badgeMetaId": ids,
            "customerId": customer_ids | customer_ids.map(str),
            "requestId": request_ids,
            "triggeredBy": triggered_by,
        },
        {"earnEventDate": instants, "earnEventDateISO": instants.map(lambda t: t.isoformat())},
    )
)
def test_earn_request_round_trips(request):
    assert_round_trip(request)


@settings(max_examples=60, deadline=None)
@given(
    wire_models(
        IssueBulkRequest,
        {"badgeMetaId": ids, "customers": st.lists(customer_ids, min_size=1, max_size=20)},
        {
            "requestId": request_ids,
            "issueEventDate": instants,
            "issueEventDateISO": instants,
            "triggeredBy": triggered_by,
        },
    )
)
def test_issue_bulk_request_round_trips(request):
    assert_round_trip(request)


@settings(max_examples=60, deadline=None)
@given(
    wire_models(
        EarnBulkRequest,
        {"badgeMetaId": ids, "customerIds": st.lists(customer_ids, min_size=1, max_size=20)},
        {
            "requestId": request_ids,
            "triggeredBy": triggered_by,
            "earnEventDate": instants,
            "earnEventDateISO": instants,
        },
    )
)
def test_earn_bulk_request_round_trips(request):
    assert_round_trip(request)


@settings(max_examples=40, deadline=None)
@given(
    wire_models(
        RevokeIssueRequest,
        {"badgeMetaId": ids},
        {
            "customers": st.lists(customer_ids, max_size=20),
            "revokeIssuals": st.lists(
                st.fixed_dictionaries({"customerId": customer_ids, "issueId": ids}), max_size=20
            ),
        },
    )
)
def test_revoke_issue_request_round_trips(request):
    assert_round_trip(request)


@settings(max_examples=40, deadline=None)
@given(
    wire_models(
        ImportEarnedBadge,
        {"badgeMetaId": ids, "customerId": customer_ids, "earnExpiresOn": instants},
        {"earnEventDate": instants | instants.map(lambda t: t.isoformat())},
    )
)
def test_import_item_round_trips(item):
    assert_round_trip(item)


@settings(max_examples=30, deadline=None)
@given(wire_models(ClaimRequest, {"ownerType": owners, "referenceId": request_ids}))
def test_claim_request_round_trips(request):
    assert_round_trip(request)
