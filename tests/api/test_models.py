"""Wire models: tolerant reading of every documented spelling, and one documented way of writing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from lib.api.models import (
    ActivationResult,
    ApiErrorItem,
    Badge,
    BadgeCreate,
    BadgeFixedValue,
    BadgeFixedWindow,
    BadgeNoLimit,
    BadgeRollingWindow,
    BadgeUpdate,
    Claim,
    ClaimRequest,
    CouponBenefit,
    CustomerFixedValue,
    CustomerFixedWindow,
    CustomerNoLimit,
    CustomerRollingWindow,
    EarnBulkRequest,
    EarnBulkResult,
    EarnRequest,
    Envelope,
    ExpiryConfig,
    ImportEarnedBadge,
    IssueBulkResult,
    LoyaltyPointsBenefit,
    OAuthTokenRequest,
    RevokeEarnRequest,
    RevokeIssueRequest,
    epoch_seconds,
    parse_instant,
)
from lib.api.models.wire import ANSWER_CONTEXT, MAX_INSTANT
from lib.domain import (
    AbsoluteExpiryKind,
    BadgeStatus,
    ConstraintLevel,
    DurationUnit,
    EarnType,
    ExpiryType,
    Weekday,
)

T0 = datetime(2024, 4, 23, 5, 38, 8, 811401, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30))


def minimal_create(**overrides):
    body = {
        "name": "Furry Friend",
        "startOn": 1716803487,
        "expiresOn": 1726804000,
        "earnType": "EARN",
        "earnedBadgeExpiry": {"expiryType": "NEVER"},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
    }
    body.update(overrides)
    return body


# ---- timestamps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1713850688, datetime(2024, 4, 23, 5, 38, 8, tzinfo=UTC)),
        (1713850688.811401000, T0),
        (1713850688.811, datetime(2024, 4, 23, 5, 38, 8, 811000, tzinfo=UTC)),
        ("1713850688.811401000", T0),
        ("1713850688", datetime(2024, 4, 23, 5, 38, 8, tzinfo=UTC)),
        ("2024-04-23T05:38:08Z", datetime(2024, 4, 23, 5, 38, 8, tzinfo=UTC)),
        ("2024-04-23T05:38:08.811401Z", T0),
        ("2025-11-03T21:51:00.192Z", datetime(2025, 11, 3, 21, 51, 0, 192000, tzinfo=UTC)),
        ("2024-09-20T10:47:19+05:30", datetime(2024, 9, 20, 5, 17, 19, tzinfo=UTC)),
        (datetime(2024, 9, 20, 10, 47, 19, tzinfo=IST), datetime(2024, 9, 20, 5, 17, 19, tzinfo=UTC)),
    ],
)
def test_instants_read_in_every_documented_form(raw, expected):
    parsed = parse_instant(raw)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2024-04-23T05:38:08", "has no zone"),
        (datetime(2024, 4, 23), "timezone-aware"),
        (True, "boolean"),
        ("next tuesday", "not an epoch-seconds number nor an ISO 8601 timestamp"),
        (1765178896000, "milliseconds"),
        ("+57906-04-18T07:06:40Z", "beyond year 9999"),
        ([1], "expected epoch seconds"),
        (float("nan"), "expected epoch seconds"),
        (float("inf"), "expected epoch seconds"),
    ],
)
def test_instants_that_cannot_be_read_say_why(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_instant(raw)


@pytest.mark.parametrize(
    ("instant", "wire"),
    [
        (datetime(2024, 4, 23, 5, 38, 8, tzinfo=UTC), 1713850688),
        (T0, 1713850688.811401),
        (datetime(2024, 9, 20, 10, 47, 19, tzinfo=IST), 1726809439),
        (datetime(1970, 1, 1, tzinfo=UTC), 0),
    ],
)
def test_instants_are_written_as_epoch_seconds_int_when_whole(instant, wire):
    written = epoch_seconds(instant)
    assert written == wire
    assert type(written) is type(wire)


def test_answers_hold_millisecond_sized_instants_as_the_largest_instant():
    body = {
        "data": {
            "id": "693696bdcebb9648d89735b3",
            "startOn": 1765178896000.0,
            "startOnISO": "+57906-04-18T07:06:40Z",
        }
    }
    envelope = Envelope[Badge].model_validate(body, context=ANSWER_CONTEXT)
    assert envelope.data.start_on == MAX_INSTANT
    assert envelope.data.start_on_iso == MAX_INSTANT
    with pytest.raises(ValidationError, match="milliseconds"):
        Envelope[Badge].model_validate(body)


def test_requests_never_accept_millisecond_timestamps():
    with pytest.raises(ValidationError) as info:
        BadgeCreate.model_validate(minimal_create(expiresOn=1796215795000))
    assert info.value.errors()[0]["loc"] == ("expiresOn",)
    assert "milliseconds" in str(info.value)


# ---- identifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [23423, "23423", " 23423 ", 23423.0, "0000023423"])
def test_customer_ids_read_as_numbers_or_numeric_strings(raw):
    request = EarnRequest.model_validate(
        {
            "badgeMetaId": "b",
            "customerId": raw,
            "requestId": 23432,
            "triggeredBy": {"ownerType": "Loyalty", "referenceId": "123"},
        }
    )
    assert request.customer_id == 23423
    assert request.request_id == "23432"
    assert request.to_wire()["customerId"] == 23423
    assert request.to_wire()["requestId"] == "23432"


@pytest.mark.parametrize(
    "raw",
    [True, "23a", "", 1.5, None, 0, -5, "-5", "１２３", "²", 2**63, 10**30, "1" * 40, "9" * 4400, 1e300],
)
def test_customer_ids_that_are_not_positive_64_bit_whole_numbers_are_refused(raw):
    with pytest.raises(ValidationError, match="customerId"):
        EarnRequest.model_validate(
            {
                "badgeMetaId": "b",
                "customerId": raw,
                "requestId": "r",
                "triggeredBy": {"ownerType": "Loyalty", "referenceId": "1"},
            }
        )


def test_revoke_earn_keeps_an_identifier_value_when_the_header_says_so():
    request = RevokeEarnRequest.model_validate(
        {"badgeMetaId": "b", "customerId": "tom.sawyer@capillarytech.com", "earnedBadgeId": "e"}
    )
    assert request.customer_id == "tom.sawyer@capillarytech.com"
    assert (
        RevokeEarnRequest.model_validate({**request.to_wire(), "customerId": "62090013"}).customer_id
        == 62090013
    )


# ---- enum spellings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("DAYS", DurationUnit.DAYS),
        ("DAILY", DurationUnit.DAYS),
        ("WEEKLY", DurationUnit.WEEKS),
        ("MONTHLY", DurationUnit.MONTHS),
        ("weeks", DurationUnit.WEEKS),
    ],
)
def test_duration_units_accept_the_reference_texts_spellings(raw, unit):
    window = CustomerFixedWindow.model_validate(
        {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": raw, "maxEarnLimit": 1}
    )
    assert window.duration_type is unit
    assert window.to_wire()["durationType"] == unit.value


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        (0, Weekday.MONDAY),
        (1, Weekday.TUESDAY),
        (6, Weekday.SUNDAY),
        ("1", Weekday.TUESDAY),
        ("TUESDAY", Weekday.TUESDAY),
        ("sunday", Weekday.SUNDAY),
    ],
)
def test_start_day_of_the_week_reads_names_and_numbers_and_writes_names(raw, day):
    window = BadgeFixedWindow.model_validate(
        {
            "constraintType": "BADGE_FIXED_WINDOW",
            "durationType": "WEEKS",
            "maxEarnLimit": 2,
            "startDayOfTheWeek": raw,
        }
    )
    assert window.start_day_of_the_week is day
    assert window.to_wire()["startDayOfTheWeek"] == day.value


@pytest.mark.parametrize("raw", [7, -1, "FUNDAY", True])
def test_impossible_weekdays_are_refused_with_the_field_name(raw):
    with pytest.raises(ValidationError, match="startDayOfTheWeek"):
        BadgeFixedWindow.model_validate(
            {
                "constraintType": "BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "maxEarnLimit": 2,
                "startDayOfTheWeek": raw,
            }
        )


@pytest.mark.parametrize(
    ("raw", "earn_type"),
    [
        ("EARN", EarnType.EARN),
        ("ISSUE_EARN", EarnType.ISSUE_EARN),
        ("ISSUE EARN", EarnType.ISSUE_EARN),
        ("issue_earn", EarnType.ISSUE_EARN),
    ],
)
def test_earn_type_spellings(raw, earn_type):
    badge = BadgeCreate.model_validate(minimal_create(earnType=raw))
    assert badge.earn_type is earn_type
    assert badge.to_wire()["earnType"] == earn_type.value


@pytest.mark.parametrize("key", ["relativeExpiryType", "relativeExpirytype", "relative_expiry_type"])
def test_relative_expiry_unit_reads_both_key_spellings_and_writes_the_examples_one(key):
    config = ExpiryConfig.model_validate({"expiryType": "RELATIVE", key: "WEEKS", "value": 2})
    assert config.relative_expiry_type is DurationUnit.WEEKS
    assert config.to_wire(omit_none=True) == {
        "expiryType": "RELATIVE",
        "relativeExpirytype": "WEEKS",
        "value": 2,
    }


def test_expiry_config_writes_the_absolute_kind_under_type():
    config = ExpiryConfig(expiry_type=ExpiryType.ABSOLUTE, kind=AbsoluteExpiryKind.FIXED_DATE, expires_on=T0)
    assert config.to_wire(omit_none=True) == {
        "expiryType": "ABSOLUTE",
        "type": "FIXED_DATE",
        "expiresOn": 1713850688.811401,
    }
    assert ExpiryConfig.model_validate({"expiryType": "absolute", "type": "WITH_BADGE_META"}).kind is (
        AbsoluteExpiryKind.WITH_BADGE_META
    )


@pytest.mark.parametrize("key", ["active", "isActive"])
def test_active_flag_reads_both_keys_and_writes_active(key):
    badge = BadgeCreate.model_validate(minimal_create(**{key: False}))
    assert badge.active is False
    wire = badge.to_wire()
    assert wire["active"] is False and "isActive" not in wire


def test_create_defaults_to_an_active_badge_as_the_server_does():
    assert BadgeCreate.model_validate(minimal_create()).to_wire()["active"] is True


def test_status_and_activation_spellings():
    badge = Badge.model_validate({"id": "1", "status": "ENDED"})
    assert badge.status is BadgeStatus.EXPIRED
    assert ActivationResult.model_validate({"id": "1", "active": True}).is_active is True


# ---- envelope -----------------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, []])
def test_errors_and_warnings_may_be_null_or_empty(empty):
    envelope = Envelope[ActivationResult].model_validate(
        {"data": {"id": "x", "isActive": True}, "errors": empty, "warnings": empty}
    )
    assert envelope.ok
    assert envelope.error_items == [] and envelope.warning_items == []


def test_failure_envelopes_keep_every_error_with_its_reference():
    envelope = Envelope[Badge].model_validate(
        {
            "data": None,
            "errors": [
                {
                    "code": 728,
                    "message": "Atleast one owner is required",
                    "reference": "ownership.restrictedToOwners",
                },
                {"code": 725, "message": "Badge name cannot be duplicate", "reference": None},
            ],
            "warnings": None,
        }
    )
    assert not envelope.ok
    assert [e.code for e in envelope.error_items] == [728, 725]
    assert envelope.error_items[0].reference == "ownership.restrictedToOwners"


def test_a_bare_error_object_reads_as_a_failure_envelope():
    envelope = Envelope[Badge].model_validate({"code": 404, "message": "Passed badge is not found"})
    assert envelope.data is None
    assert envelope.error_items == [ApiErrorItem(code=404, message="Passed badge is not found")]


def test_a_bare_data_object_is_not_mistaken_for_an_envelope():
    with pytest.raises(ValidationError, match="not a {data, errors, warnings} envelope"):
        Envelope[Badge].model_validate({"id": "6581281e8f68666070de15c5", "name": "GROUP_RANK_58"})


def test_unknown_fields_are_kept_on_read_and_not_echoed_on_write():
    badge = BadgeUpdate.model_validate(
        {
            "id": "8",
            "orgId": 100606,
            "status": "UPCOMING",
            "issuedCount": 0,
            "name": "EARN-TYPE",
            "earnedBadgeExpiry": {"expiryType": "NEVER", "futureField": 1},
        }
    )
    assert badge.model_extra == {"orgId": 100606, "status": "UPCOMING", "issuedCount": 0}
    assert badge.earned_badge_expiry.model_extra == {"futureField": 1}
    assert badge.to_wire() == {"id": "8", "name": "EARN-TYPE", "earnedBadgeExpiry": {"expiryType": "NEVER"}}


# ---- constraints and benefits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "cls", "level"),
    [
        (
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": 3,
                "maxEarnLimit": 1,
            },
            CustomerFixedWindow,
            ConstraintLevel.CUSTOMER,
        ),
        (
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 100},
            CustomerFixedValue,
            ConstraintLevel.CUSTOMER,
        ),
        (
            {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 1},
            CustomerRollingWindow,
            ConstraintLevel.CUSTOMER,
        ),
        ({"constraintType": "CUSTOMER_BADGE_NO_LIMIT"}, CustomerNoLimit, ConstraintLevel.CUSTOMER),
        (
            {"constraintType": "BADGE_FIXED_WINDOW", "durationType": "MONTHS", "maxEarnLimit": 5},
            BadgeFixedWindow,
            ConstraintLevel.BADGE,
        ),
        (
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 1000},
            BadgeFixedValue,
            ConstraintLevel.BADGE,
        ),
        (
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 100,
            },
            BadgeRollingWindow,
            ConstraintLevel.BADGE,
        ),
        ({"constraintType": "BADGE_NO_LIMIT"}, BadgeNoLimit, ConstraintLevel.BADGE),
    ],
)
def test_constraints_are_told_apart_by_their_type(body, cls, level):
    badge = BadgeCreate.model_validate(minimal_create(customerConstraints=[body]))
    (constraint,) = badge.customer_constraints
    assert type(constraint) is cls
    assert constraint.level is level
    assert badge.to_wire()["customerConstraints"] == [body]


def test_no_limit_ignores_the_stray_fields_the_historical_example_sends():
    badge = BadgeCreate.model_validate(
        minimal_create(
            badgeConstraints=[
                {"constraintType": "BADGE_NO_LIMIT", "rollType": "DAYS", "rollValue": 0, "maxEarnLimit": 0}
            ]
        )
    )
    (constraint,) = badge.badge_constraints
    assert constraint.model_extra in (None, {})
    assert badge.to_wire()["badgeConstraints"] == [{"constraintType": "BADGE_NO_LIMIT"}]


def test_a_customer_fixed_window_sent_among_badge_constraints_keeps_its_customer_level():
    badge = BadgeCreate.model_validate(
        minimal_create(
            badgeConstraints=[
                {
                    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                    "durationType": "DAYS",
                    "refreshRate": 3,
                    "maxEarnLimit": 2,
                }
            ]
        )
    )
    assert [c.level for c in badge.constraints] == [ConstraintLevel.CUSTOMER]


@pytest.mark.parametrize(
    ("constraint", "field"),
    [
        ({"constraintType": "CUSTOMER_BADGE_WEEKLY"}, "customerConstraints.0"),
        ({"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "maxEarnLimit": 1}, "durationType"),
        (
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "YEARS",
                "rollValue": 1,
                "maxEarnLimit": 1,
            },
            "rollType",
        ),
        ({"durationType": "DAYS"}, "constraintType"),
    ],
)
def test_constraint_errors_name_the_field(constraint, field):
    with pytest.raises(ValidationError, match=field):
        BadgeCreate.model_validate(minimal_create(customerConstraints=[constraint]))


def test_benefits_are_told_apart_by_benefit_type():
    badge = BadgeCreate.model_validate(
        minimal_create(
            benefits=[
                {"benefitType": "COUPON", "seriesId": 13686},
                {
                    "benefitType": "LOYALTY_POINTS",
                    "points": 100,
                    "programId": 626,
                    "promotionId": 80332,
                    "allocationStrategyId": 1489,
                    "expirationStrategyId": 3843,
                },
            ]
        )
    )
    assert [type(b) for b in badge.benefits] == [CouponBenefit, LoyaltyPointsBenefit]
    with pytest.raises(ValidationError, match="seriesId"):
        BadgeCreate.model_validate(minimal_create(benefits=[{"benefitType": "COUPON"}]))


# ---- writing ------------------------------------------------------------------------------------


def test_create_writes_exactly_the_documented_body():
    badge = BadgeCreate(
        name="Furry Friend Badge",
        start_on=datetime(2024, 5, 27, 9, 51, 27, tzinfo=UTC),
        expires_on=datetime(2024, 9, 20, 9, 21, 40, tzinfo=IST),
        earn_type=EarnType.ISSUE_EARN,
        earned_badge_expiry=ExpiryConfig(
            expiry_type=ExpiryType.RELATIVE, relative_expiry_type=DurationUnit.WEEKS, value=2
        ),
        issued_badge_expiry=ExpiryConfig(
            expiry_type=ExpiryType.ABSOLUTE,
            kind=AbsoluteExpiryKind.FIXED_DATE,
            expires_on=datetime(2031, 1, 15, 9, 32, 37, tzinfo=UTC),
        ),
        ownership={"restricted_to_owners": ["Loyalty", "Audience_Campaigns"]},
        customer_constraints=[
            CustomerFixedWindow(
                constraint_type="CUSTOMER_BADGE_FIXED_WINDOW",
                duration_type="WEEKLY",
                start_day_of_the_week=1,
                max_earn_limit=2,
            )
        ],
        badge_rank=3,
    )
    wire = badge.to_wire()
    assert wire == {
        "name": "Furry Friend Badge",
        "startOn": 1716803487,
        "expiresOn": 1726804300,
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "WEEKS", "value": 2},
        "issuedBadgeExpiry": {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": 1926235957},
        "ownership": {"restrictedToOwners": ["Loyalty", "Audience_Campaigns"]},
        "customerConstraints": [
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "maxEarnLimit": 2,
                "startDayOfTheWeek": "TUESDAY",
            }
        ],
        "earnType": "ISSUE_EARN",
        "badgeRank": 3,
        "active": True,
    }
    assert json.loads(json.dumps(wire)) == wire


def test_create_needs_its_dates_in_one_form_or_the_other():
    body = minimal_create()
    del body["startOn"]
    with pytest.raises(ValidationError, match="startOn required"):
        BadgeCreate.model_validate(body)
    iso = BadgeCreate.model_validate({**body, "startOnISO": "2025-12-16T14:30:45+05:30"})
    assert iso.starts == datetime(2025, 12, 16, 9, 0, 45, tzinfo=UTC)
    assert iso.to_wire()["startOnISO"] == "2025-12-16T09:00:45Z"


def test_the_iso_twin_wins_over_the_epoch_field():
    badge = BadgeCreate.model_validate(minimal_create(startOnISO="2024-05-28T00:00:00Z"))
    assert badge.starts == datetime(2024, 5, 28, tzinfo=UTC)


def test_earn_bulk_reads_both_list_key_spellings_and_writes_customer_ids():
    for body in (
        {"badgeMetaId": "b", "customerIds": [1, "2"]},
        {"badgeMetaId": "b", "customerId": [1, 2]},
    ):
        request = EarnBulkRequest.model_validate(body)
        assert request.customer_ids == [1, 2]
        assert request.to_wire() == {"badgeMetaId": "b", "customerIds": [1, 2]}
    assert EarnBulkRequest.model_validate({"badgeMetaId": "b", "customerId": 7}).customer_ids == [7]
    misspelt = EarnBulkRequest.model_validate(
        {"badgeMetaId": "b", "customerIds": [1], "earnEvenrDate": 1713860055}
    )
    assert misspelt.to_wire()["earnEventDate"] == 1713860055


def test_revoke_issue_takes_at_most_twenty_entries():
    RevokeIssueRequest.model_validate({"badgeMetaId": "b", "customers": list(range(1, 21))})
    with pytest.raises(ValidationError, match="at most 20 items"):
        RevokeIssueRequest.model_validate({"badgeMetaId": "b", "customers": list(range(1, 22))})


def test_import_items_need_an_expiry():
    with pytest.raises(ValidationError, match="earnExpiresOn required"):
        ImportEarnedBadge.model_validate({"badgeMetaId": "b", "customerId": 1, "earnEventDate": 1674292011})
    item = ImportEarnedBadge.model_validate(
        {
            "badgeMetaId": "b",
            "customerId": "1",
            "earnEventDate": "2024-10-07T15:51:00.192Z",
            "earnExpiresOn": 1705828011,
        }
    )
    assert item.to_wire() == {
        "badgeMetaId": "b",
        "customerId": 1,
        "earnEventDate": 1728316260.192,
        "earnExpiresOn": 1705828011,
    }


def test_the_oauth_secret_stays_out_of_reprs_but_is_sent():
    request = OAuthTokenRequest(key="k", secret="s3cret")
    assert "s3cret" not in repr(request)
    assert request.to_wire() == {"key": "k", "secret": "s3cret"}


def test_claim_owner_types_are_case_sensitive():
    with pytest.raises(ValidationError, match="ownerType"):
        ClaimRequest.model_validate({"ownerType": "LOYALTY", "referenceId": "123"})
    assert ClaimRequest.model_validate({"ownerType": "Loyalty", "referenceId": 123}).to_wire() == {
        "ownerType": "Loyalty",
        "referenceId": "123",
    }


# ---- answers with several documented shapes -----------------------------------------------------


def test_claim_answers_of_both_generations():
    old = Claim.model_validate(
        {"badgeMetaId": "653df084b3cda7078c7c68f1", "ownerType": "Loyalty", "referenceId": "123"}
    )
    new = Claim.model_validate({"ownerType": "Loyalty", "referenceId": "123", "isActive": True})
    assert (old.owner_type, old.reference_id, old.is_active) == ("Loyalty", "123", None)
    assert (new.owner_type, new.reference_id, new.is_active) == ("Loyalty", "123", True)


EARN_BULK_SHAPES = {
    "2026": {
        "badgeMetaId": "b",
        "earnedBadgesList": [{"customerId": 74672, "earnedBadgeId": "e1"}],
        "totalCount": 2,
        "earnedCount": 1,
        "failedCount": 1,
        "failedEarnBadgeErrorList": [
            {"customerId": 87654, "code": 1040, "message": "An active issue for the badge already exists."}
        ],
    },
    "issueBulk-like": {
        "badgeMetaId": "b",
        "issuedBadges": [
            {"customerId": 74672, "issuedId": "e1", "status": "LIVE"},
            {
                "customerId": 87654,
                "issuedId": "e0",
                "status": "EXPIRED",
                "error": {
                    "code": 1040,
                    "message": "An active issue for the badge already exists.",
                    "reference": None,
                },
            },
        ],
    },
    "single-earn": {
        "badgeMetaId": "b",
        "customerId": 74672,
        "earnedBadgeId": "e1",
        "issuedId": None,
        "expiresOnISO": "2024-09-20T10:47:19+05:30",
    },
}


@pytest.mark.parametrize("shape", sorted(EARN_BULK_SHAPES))
def test_earn_bulk_answers_of_every_documented_shape_list_the_earned_customers(shape):
    result = EarnBulkResult.model_validate(EARN_BULK_SHAPES[shape])
    assert [(e.customer_id, e.earned_badge_id) for e in result.earned()] == [(74672, "e1")]
    failures = result.failures()
    if shape == "single-earn":
        assert failures == []
    else:
        assert [f.customer_id for f in failures] == [87654]
        assert 1040 in {f.code for f in failures} | {f.error.code for f in failures if f.error}


def test_bulk_item_errors_stay_on_the_items_of_a_successful_answer():
    envelope = Envelope[IssueBulkResult].model_validate(
        {
            "data": {
                "badgeMetaId": "b",
                "issuedBadges": [
                    {
                        "customerId": 62090013,
                        "issuedId": "i1",
                        "error": {
                            "code": 1040,
                            "message": "An active issue for the badge already exists.",
                            "reference": None,
                        },
                        "status": "ACTIVE",
                    },
                    {"customerId": 123, "issuedId": "i2", "error": None},
                ],
            },
            "errors": [],
            "warnings": [],
        }
    )
    assert envelope.ok
    first, second = envelope.data.issued_badges
    assert first.error.code == 1040 and first.issued_id == "i1"
    assert second.error is None
