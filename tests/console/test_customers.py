"""A customer's badge history as tables (#17): one row per enrolment or earn, statuses by API name."""

from datetime import UTC, datetime
from types import SimpleNamespace

from lib.console.customers import earns, enrolments
from lib.domain import OwnerType

ON = datetime(2026, 3, 1, tzinfo=UTC)


def test_enrolments_and_earns_have_one_row_per_item_in_their_own_columns():
    issual = SimpleNamespace(
        issue_id="i1",
        issued_status="ACTIVE",
        issued_on=ON,
        issue_event_date=ON,
        issue_expires_on=None,
        revoked_on=None,
        owner_type=OwnerType("Loyalty"),
        owner_reference_id="r1",
    )
    earn = SimpleNamespace(
        earned_badge_id="e1",
        earned_status="REVOKED",
        earned_on=ON,
        earn_event_date=ON,
        earn_expires_on=ON,
        revoked_on=ON,
        owner_type=None,
        owner_reference_id=None,
    )
    detail = SimpleNamespace(
        issual_details=SimpleNamespace(issuals=[issual]), earn_details=SimpleNamespace(earns=[earn])
    )
    enrolled = enrolments(detail)
    assert list(enrolled.columns)[:3] == ["issue_id", "status", "enrolled"]
    assert enrolled.to_dict("records")[0] == {
        "issue_id": "i1",
        "status": "ACTIVE",
        "enrolled": ON,
        "event date": ON,
        "expires": None,
        "revoked": None,
        "owner": "Loyalty",
        "owner ref": "r1",
    }
    earned = earns(detail).to_dict("records")
    assert [(row["earned_badge_id"], row["status"], row["owner"]) for row in earned] == [
        ("e1", "REVOKED", "")
    ]


def test_a_badge_without_history_gives_empty_tables_with_their_columns():
    detail = SimpleNamespace(issual_details=None, earn_details=None)
    assert enrolments(detail).empty and list(enrolments(detail).columns)[0] == "issue_id"
    assert earns(detail).empty and list(earns(detail).columns)[0] == "earned_badge_id"
