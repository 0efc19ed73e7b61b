"""The reading rules written once in lib/api/models: instants, naive times, twins, whole numbers,
field paths, identifier kinds and the meaning of an active enrolment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lib.api.models import CustomerBadgeDetail, CustomerIdentifier
from lib.api.models.instants import (
    InstantOutOfRange,
    Naive,
    TwinWins,
    from_epoch,
    parse_instant,
    read_twin,
    whole_seconds,
)
from lib.api.models.paths import field_path
from lib.api.models.wire import whole_number
from lib.bulk.model import IdentifierType
from lib.domain import invalid_enum_message
from lib.domain.enums import EarnType

NOON = datetime(2025, 1, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        1738324800,
        1738324800.0,
        "1738324800",
        " 1738324800.000 ",
        "2025-01-31T12:00:00Z",
        "2025-01-31T17:30:00+05:30",
    ],
)
def test_an_instant_is_epoch_seconds_or_zoned_iso(value):
    assert parse_instant(value) == NOON


def test_a_naive_instant_is_refused_unless_the_caller_names_utc():
    for naive in ("2025-01-31T12:00:00", datetime(2025, 1, 31, 12)):
        with pytest.raises(ValueError):
            parse_instant(naive)
        assert parse_instant(naive, naive=Naive.AS_UTC) == NOON


@pytest.mark.parametrize("value", ["1e9", "1_000", "nan", float("inf"), True, [1], ""])
def test_what_is_not_an_instant(value):
    with pytest.raises(ValueError):
        parse_instant(value)


def test_epoch_milliseconds_are_out_of_range():
    with pytest.raises(InstantOutOfRange):
        parse_instant(1765178896000 * 10**6)


def test_epoch_text_is_read_to_the_microsecond():
    assert from_epoch(1795242819.946771) == parse_instant("1795242819.946771")
    assert parse_instant("1795242819.946771").microsecond == 946771


def test_the_iso_twin_wins_in_a_request_and_the_epoch_field_in_an_answer():
    body = {"startOn": 1738324800.25, "startOnISO": "2025-01-31T12:00:00Z"}
    assert read_twin(body, "startOn", TwinWins.ISO) == NOON
    assert read_twin(body, "startOn", TwinWins.EPOCH) == NOON + timedelta(microseconds=250_000)
    assert read_twin({"startOnISO": "", "startOn": 1738324800}, "startOn", TwinWins.ISO) == NOON
    assert read_twin({}, "startOn", TwinWins.ISO) is None


def test_whole_seconds_round_the_servers_echo():
    assert whole_seconds(1738324800.0) == whole_seconds(NOON) == 1738324800
    assert whole_seconds(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10, 10), (10.0, 10), ("10", 10), (" +10 ", 10), ("10.0", 10), ("-3", -3), ("007", 7)],
)
def test_a_whole_number_is_read_leniently(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize("value", [10.5, "10.5", "1e3", "²", "１", True, None, "", str(10**20)])
def test_what_is_not_a_whole_number(value):
    assert whole_number(value) is None


def test_field_paths_are_written_the_wire_way():
    loc = ("customerConstraints", 0, "CUSTOMER_BADGE_FIXED_WINDOW", "durationType")
    assert field_path(loc) == "customerConstraints[0].durationType"
    assert field_path(()) is None


def test_the_enum_message_is_the_servers_wording():
    assert invalid_enum_message("X", "earnType", EarnType) == (
        "Invalid enum value: 'X' for the field: 'earnType'. The value must be one of: [EARN, ISSUE_EARN]."
    )
    assert invalid_enum_message("X", "earnType", ["EARN", "ISSUE_EARN"]) == invalid_enum_message(
        "X", "earnType", EarnType
    )


def test_bulk_identifier_kinds_are_the_api_kinds_plus_the_plain_id():
    assert [kind.value for kind in IdentifierType] == ["id", *(kind.value for kind in CustomerIdentifier)]


def issual(**fields):
    detail = CustomerBadgeDetail.model_validate({"id": "b", "issualDetails": {"issuals": [fields]}})
    return detail.issual_details.issuals[0]


def test_an_active_enrolment_is_active_unrevoked_and_not_past_its_expiry():
    later = NOON + timedelta(days=1)
    assert issual(issuedStatus="active", issueExpiresOn=later.timestamp()).is_active(NOON)
    assert not issual(issuedStatus="ACTIVE", issueExpiresOn=NOON.timestamp()).is_active(later)
    assert issual(issuedStatus="ACTIVE", issueExpiresOn=NOON.timestamp()).is_active()  # the server's word
    assert not issual(issuedStatus="ACTIVE", revokedOn=NOON.timestamp()).is_active()
    assert not issual(issuedStatus="EXPIRED").is_active()
