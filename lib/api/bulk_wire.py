"""The lean read path of the bulk writes: issueBulk (#9), import (#14), revokeIssue (#10), revokeEarn (#13).

A 100k-row job makes a thousand of these calls while the server shares the machine, so the bulk engine
sends through ``send_raw`` (the same error mapping, request log and credentials as every call) with the
documented wire body built here, and reads back only the fields its journal needs. Measured on 1,000
issueBulk answers of 100 customers: this reading, JSON decoding and body building included, 130 ms;
validating the same answers into `lib.api.models.awards.IssueBulkResult` alone, 227 ms. This module is
that reading, beside the models, so the API keeps one place per reading rule; anything that does not
look like the documented answer is a ``ResponseValidationError`` (the bulk policy treats it as "maybe
applied").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lib.api.endpoints import ENDPOINTS_BY_NAME
from lib.api.errors import APIStatusError, ResponseValidationError, make_status_error
from lib.api.models.wire import whole_number

ISSUE_BULK = ENDPOINTS_BY_NAME["issue_bulk"]
IMPORT = ENDPOINTS_BY_NAME["import_customer_badges"]
REVOKE_ISSUE = ENDPOINTS_BY_NAME["revoke_issue"]
REVOKE_EARN = ENDPOINTS_BY_NAME["revoke_earn"]
NO_ACTIVE_EARN_CODE = 814  # revokeEarn: "Active earn instance is not present." (HTTP 409)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the server said about one row: its new id, or its per-row error."""

    result_id: str | None
    code: int | None = None
    message: str | None = None
    request_id: str | None = None


def issue_bulk(
    client, badge_id: str, customers: Sequence[int], *, request_id: str, issue_event_date: int | None = None
) -> dict[int, Answer]:
    """#9: customer id -> its issuedId, or its per-customer error (1040 with the existing issuedId)."""
    body: dict = {"badgeMetaId": badge_id, "customers": list(customers), "requestId": request_id}
    if issue_event_date is not None:
        body["issueEventDate"] = issue_event_date
    path = ISSUE_BULK.path()
    data = _data(client.send_raw("POST", path, json=body), "POST", path)
    issued = data.get("issuedBadges") if isinstance(data, dict) else None
    if not isinstance(issued, list):
        raise ResponseValidationError("issueBulk answer without issuedBadges", method="POST", path=path)
    answers: dict[int, Answer] = {}
    for entry in issued:
        customer = whole_number(entry.get("customerId")) if isinstance(entry, dict) else None
        if customer is None:
            raise ResponseValidationError(
                "issueBulk answer item without a customerId", method="POST", path=path
            )
        code, message = _item_error(entry.get("error"))
        answers[customer] = Answer(_text(entry.get("issuedId")), code, message)
    return answers


def import_earned(client, badge_id: str, rows: Sequence[tuple[int, int | None, int | None]]) -> list[Answer]:
    """#14 for (customer id, earnEventDate, earnExpiresOn) rows: one answer per row, in order."""
    body = []
    for customer_id, event_date, expires_on in rows:
        element: dict = {"badgeMetaId": badge_id, "customerId": customer_id}
        if event_date is not None:
            element["earnEventDate"] = event_date
        if expires_on is not None:
            element["earnExpiresOn"] = expires_on
        body.append(element)
    path = IMPORT.path()
    raw = client.send_raw(IMPORT.method, path, json=body)
    parsed = _json(raw, IMPORT.method, path)
    if not isinstance(parsed, list):
        _data(raw, IMPORT.method, path)  # raises the envelope's error when there is one
        raise ResponseValidationError("import answer is not a list", method=IMPORT.method, path=path)
    answers = []
    for envelope in parsed:
        if not isinstance(envelope, dict):
            raise ResponseValidationError(
                "import answer item is not an envelope", method=IMPORT.method, path=path
            )
        data = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
        errors = envelope.get("errors") or []
        code, message = _item_error(errors[0] if errors else None)
        if not errors and not data.get("earnedBadgeId"):
            code, message = None, "the import answer has no earnedBadgeId"
        answers.append(Answer(_text(data.get("earnedBadgeId")), code, message, _text(data.get("requestId"))))
    return answers


def revoke_issuals(client, badge_id: str, issuals: Sequence[tuple[int, str | None]]) -> dict[str, Answer]:
    """#10 with ``revokeIssuals`` (exactly these (customer id, issueId) enrolments; at most 20):
    issuedId -> what the server said about it (a per-item error such as 404 "Customer doesn't have
    issue instance" in ``code``/``message``)."""
    body = {
        "badgeMetaId": badge_id,
        "revokeIssuals": [{"customerId": customer, "issueId": issue} for customer, issue in issuals],
    }
    path = REVOKE_ISSUE.path()
    data = _data(client.send_raw(REVOKE_ISSUE.method, path, json=body), REVOKE_ISSUE.method, path)
    revoked = data.get("revokedIssuedBadges") if isinstance(data, dict) else None
    if not isinstance(revoked, list):
        raise ResponseValidationError(
            "revokeIssue answer without revokedIssuedBadges", method=REVOKE_ISSUE.method, path=path
        )
    answers: dict[str, Answer] = {}
    for entry in revoked:
        if not isinstance(entry, dict):
            raise ResponseValidationError(
                "revokeIssue answer item is not an object", method=REVOKE_ISSUE.method, path=path
            )
        issued = _text(entry.get("issuedId"))
        if issued is None:  # an answer about a customer rather than an enrolment: not ours to read
            continue
        code, message = _item_error(entry.get("error"))
        answers[issued] = Answer(issued, code, message)
    return answers


def revoke_earned(client, badge_id: str, customer_id: int, earned_badge_id: str | None) -> Answer:
    """#13 for one earned badge. 814 (no active earn instance: revoked, expired or never there) is an
    answer about this row, not a failure of the call, so it comes back as the row's error."""
    body = {"badgeMetaId": badge_id, "customerId": customer_id, "earnedBadgeId": earned_badge_id}
    path = REVOKE_EARN.path()
    try:
        raw = client.send_raw(REVOKE_EARN.method, path, json=body)
    except APIStatusError as exc:  # documented as 409; any refusal that names 814 says the same
        if exc.code != NO_ACTIVE_EARN_CODE or exc.status_code >= 500:
            raise
        return Answer(earned_badge_id, exc.code, exc.message)
    data = _data(raw, REVOKE_EARN.method, path)
    if not isinstance(data, dict) or _text(data.get("earnedBadgeId")) not in (None, earned_badge_id):
        raise ResponseValidationError(
            "revokeEarn answer is about another earned badge", method=REVOKE_EARN.method, path=path
        )
    return Answer(earned_badge_id)


def _json(raw, method: str, path: str):
    try:
        return raw.json()
    except ValueError:
        raise ResponseValidationError(
            f"HTTP {raw.status_code} answer is not JSON", body=raw.text, status_code=raw.status_code,
            method=method, path=path,
        ) from None  # fmt: skip


def _data(raw, method: str, path: str):
    parsed = _json(raw, method, path)
    if not isinstance(parsed, dict):
        raise ResponseValidationError("the answer is not an envelope", status_code=raw.status_code,
                                      method=method, path=path)  # fmt: skip
    if parsed.get("data") is None:
        if parsed.get("errors"):
            raise make_status_error(raw.status_code, raw.text, raw.headers, method=method, path=path)
        raise ResponseValidationError("the answer has no data", status_code=raw.status_code,
                                      method=method, path=path)  # fmt: skip
    return parsed["data"]


def _item_error(error) -> tuple[int | None, str | None]:
    if not error:
        return None, None
    if not isinstance(error, dict):
        return None, str(error)
    return whole_number(error.get("code")), str(error.get("message") or "refused without a reason")


def _text(value) -> str | None:
    return None if value is None else str(value)
