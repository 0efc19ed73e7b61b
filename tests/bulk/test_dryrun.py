"""The dry run: badge checks, claim check, 816/1040 predictions, sampling, and that it never writes."""

from datetime import UTC, datetime

import httpx
import pandas as pd
import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient
from lib.bulk.dryrun import CheckStatus, Trigger, dry_run
from lib.bulk.mapping import ColumnMapping
from lib.bulk.model import CUSTOMER_ID, EARN_EVENT_DATE, EARN_EXPIRES_ON, ISSUE_EVENT_DATE, Operation
from lib.bulk.validate import validate

BASE = "https://eu.api.capillarytech.com"
BADGE_ID = "696e2234eba5957293853195"
START = 1735689600  # 2025-01-01
END = 1798761600  # 2027-01-01
NOW = datetime(2026, 3, 1, tzinfo=UTC)
NOW_S = int(NOW.timestamp())

ENROL = ColumnMapping(Operation.ENROL, {CUSTOMER_ID: "customerId", ISSUE_EVENT_DATE: "issueEventDate"})
IMPORT = ColumnMapping(
    Operation.IMPORT,
    {CUSTOMER_ID: "customerId", EARN_EVENT_DATE: "earnEventDate", EARN_EXPIRES_ON: "earnExpiresOn"},
)


def badge(**overrides):
    body = {
        "id": BADGE_ID,
        "name": "Coffee lover",
        "startOn": START,
        "expiresOn": END,
        "earnType": "ISSUE_EARN",
        "active": True,
        "earnedBadgeExpiry": {"expiryType": "NEVER"},
        "ownership": {
            "restrictedToOwners": ["Loyalty"],
            "claims": [
                {"ownerType": "Loyalty", "referenceId": "77", "isActive": True},
                {"ownerType": "Journeys", "referenceId": "5", "isActive": False},
            ],
        },
    }
    body.update(overrides)
    return body


class Server:
    """A Badges backend with one badge, some enrolled customers and some unknown ones."""

    def __init__(self, badge_body=None, *, missing=False, enrolled=(), unknown=(), earns=None):
        self.badge_body = None if missing else (badge_body or badge())
        self.enrolled = set(enrolled)
        self.unknown = set(unknown)
        self.earns = earns or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == f"/api_gateway/v1/badges/badgeMeta/{BADGE_ID}":
            if self.badge_body is None:
                return error(404, 404, "Passed badge is not found")
            return ok(self.badge_body)
        if path.startswith("/api_gateway/v1/badges/management/") and path.endswith(f"/badge/{BADGE_ID}"):
            customer = int(path.split("/")[5])
            if customer in self.unknown:
                return error(404, 1026, "Customer with the specified ID is not found.")
            issuals = []
            if customer in self.enrolled:
                issuals.append(
                    {
                        "issueId": "i1",
                        "issuedStatus": "ACTIVE",
                        "issueExpiresOn": NOW_S + 86400,
                        "issuedOn": START,
                    }
                )
            issuals.append({"issueId": "i0", "issuedStatus": "EXPIRED", "issueExpiresOn": START + 10})
            earns = [{"earnedBadgeId": "e", "earnEventDate": d} for d in self.earns.get(customer, [])]
            return ok(
                {
                    "id": BADGE_ID,
                    "issualDetails": {"issuedCount": len(issuals), "issuals": issuals},
                    "earnDetails": {"earnCount": len(earns), "earns": earns},
                }
            )
        return error(500, 999999, f"unexpected {request.method} {path}")

    @property
    def writes(self):
        return [r for r in self.requests if r.method != "GET"]


def ok(data):
    return httpx.Response(200, json={"data": data, "errors": [], "warnings": []})


def error(status, code, message):
    return httpx.Response(status, json={"data": None, "errors": [{"code": code, "message": message}]})


def client_for(server) -> BadgesClient:
    return BadgesClient(BASE, BasicAuth("u", "p"), transport=httpx.MockTransport(server), max_retries=0)


def enrol_input(ids, dates=None, **options):
    dates = dates or [""] * len(ids)
    frame = pd.DataFrame(
        {
            "customerId": pd.Series([str(i) for i in ids], dtype="str"),
            "issueEventDate": pd.Series(dates, dtype="str"),
        }
    )
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    return validate(frame, ENROL, **options)


def run(server, validated, **kwargs):
    with client_for(server) as client:
        return dry_run(client, validated, badge_id=BADGE_ID, now=NOW, **kwargs)


def statuses(report):
    return {c.name: c.status for c in report.checks}


def test_clean_enrolment_passes_every_check_and_writes_nothing():
    server = Server()
    report = run(server, enrol_input([1, 2, 3]), trigger=Trigger("Loyalty", "77"))
    assert statuses(report) == {
        "badge": CheckStatus.PASS,
        "active": CheckStatus.PASS,
        "status": CheckStatus.PASS,
        "earn type": CheckStatus.PASS,
        "claim": CheckStatus.PASS,
    }
    assert report.can_run
    assert (report.rows_to_send, report.predicted_success, report.customers_checked) == (3, 3, 3)
    assert not report.sampled
    assert server.writes == []


def test_missing_badge_fails_alone():
    report = run(Server(missing=True), enrol_input([1]))
    assert [(c.name, c.status, c.code) for c in report.checks] == [("badge", CheckStatus.FAIL, 404)]
    assert not report.can_run


@pytest.mark.parametrize(
    ("overrides", "check", "message"),
    [
        (
            {"earnType": "EARN"},
            "earn type",
            "The badge's earn type is EARN; enrolment (issueBulk) needs an ISSUE_EARN",
        ),
        ({"active": False}, "active", "The badge is deactivated; activate it before enrolling."),
        (
            {"startOn": END - 10, "expiresOn": END},
            "status",
            "The badge is UPCOMING; customers can only be enrolled",
        ),
        (
            {"startOn": START, "expiresOn": START + 10},
            "status",
            "The badge is EXPIRED; customers can only be enrolled",
        ),
    ],
)
def test_badge_that_cannot_take_enrolments_blocks_the_job(overrides, check, message):
    report = run(Server(badge(**overrides)), enrol_input([1]))
    (failed,) = [c for c in report.blocking if c.name == check]
    assert failed.message.startswith(message)
    assert not report.can_run


def test_trigger_without_an_active_claim_fails_with_810():
    report = run(Server(), enrol_input([1]), trigger=Trigger("Journeys", "5"))
    (failed,) = report.blocking
    assert failed.code == 810
    assert failed.message == (
        "Journeys/5 has no active claim on this badge (active claims: Loyalty/77); "
        "claim the badge first or leave triggeredBy empty."
    )


def test_predicts_1040_for_customers_already_enrolled_and_flags_unknown_customers():
    server = Server(enrolled={2, 3}, unknown={4})
    report = run(server, enrol_input([1, 2, 3, 4]))
    lookups = [r for r in server.requests if "/management/" in r.url.path]
    # the enrolment history (issualDetails) only comes with the statistics
    assert [r.url.params.get("includeStatistics") for r in lookups] == ["true"] * 4
    assert report.predicted_1040 == 2
    assert report.examples_1040 == (2, 3)
    assert report.unknown_customers == 1
    assert report.predicted_success == 1
    warned = {c.name: c for c in report.checks if c.status is CheckStatus.WARN}
    assert warned["enrolments"].message == (
        "2 of 4 customers looked up already hold an active enrolment; "
        "the API answers 1040 for them and keeps the existing one."
    )
    assert warned["customers"].code == 1026
    assert report.can_run  # warnings do not block


def test_predicts_816_for_event_dates_outside_the_badge_period():
    report = run(Server(), enrol_input([1, 2, 3], ["2024-06-01", "2026-02-01", ""]))
    assert report.predicted_816 == 1
    (warning,) = [c for c in report.checks if c.code == 816]
    assert warning.message.startswith(
        "1 row has an event date (or, when empty, today) outside the badge period"
    )


def test_big_files_are_sampled_and_the_count_scaled_up():
    ids = list(range(1, 1001))
    server = Server(enrolled=set(range(1, 1001, 2)))  # every other customer
    report = run(server, enrol_input(ids), full_check_limit=100, sample_size=50, seed=3)
    assert report.sampled and report.customers_checked == 50
    lookups = [r for r in server.requests if "/management/" in r.url.path]
    assert len(lookups) == 50
    assert 300 <= report.predicted_1040 <= 700  # half of 1000, from a sample of 50
    assert report.predicted_1040 % 20 == 0  # each sampled customer stands for 20 rows


def test_import_warns_about_earns_that_already_exist():
    frame = pd.DataFrame(
        {
            "customerId": pd.Series(["1", "2"], dtype="str"),
            "earnEventDate": pd.Series(["1740787200", "1740787200"], dtype="str"),
            "earnExpiresOn": pd.Series(["1772323200", "1772323200"], dtype="str"),
        }
    )
    frame.index = pd.RangeIndex(2, 4, name="row")
    server = Server(badge(earnType="EARN", expiresOn=START + 10), earns={2: [1740787200]})
    report = run(server, validate(frame, IMPORT))
    assert statuses(report)["status"] is CheckStatus.WARN  # an expired badge can still take history
    assert statuses(report)["earn type"] is CheckStatus.PASS
    assert "claim" not in statuses(report)
    assert report.predicted_reimports == 1
    assert report.can_run
    assert server.writes == []


def test_nothing_valid_to_send_blocks():
    report = run(Server(), enrol_input(["x"]))
    assert [c.name for c in report.blocking] == ["rows"]


def test_a_file_an_earlier_job_already_enrolled_is_information_not_a_failure():
    report = run(Server(), enrol_input([1, 2], already_done={1, 2}))
    assert report.blocking == () and not report.can_run  # nothing to fix, and nothing to send
    (rows,) = [c for c in report.checks if c.name == "rows"]
    assert rows.status is CheckStatus.INFO
    assert rows.message == (
        "All 2 valid customers in this file were already enrolled by an earlier job on this badge; "
        "nothing to send."
    )


def test_summary_lines_for_the_card():
    report = run(Server(enrolled={1}), enrol_input([1, 2]))
    lines = dict(report.summary())
    assert lines["Rows to send"] == "2"
    assert lines["Predicted 'already enrolled' (1040)"] == "1 — 2 customers looked up"
    assert lines["Predicted to succeed"] == "1"


def test_default_event_date_replaces_now_for_rows_without_one():
    validated = enrol_input([1, 2], ["", "2026-02-01"])
    assert run(Server(), validated).predicted_816 == 0  # now is inside the badge period
    outside = run(Server(), validated, default_event_date=START - 86_400)
    assert outside.predicted_816 == 1
    (warning,) = [c for c in outside.checks if c.code == 816]
    assert warning.message.startswith("1 row has an event date (or, when empty, the default date) outside")
