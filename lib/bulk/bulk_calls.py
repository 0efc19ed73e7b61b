"""The bulk writes on the wire (issueBulk and import, and their undo: revokeIssue and revokeEarn), sent
and read back for the job runner.

A 100k-row job makes a thousand of these calls while the server shares the machine, so they go
through the client's ``send_raw`` (same error mapping, request log and credentials) with the
documented wire body built directly, and only the fields the journal needs are read back. Anything
that does not look like the documented answer is a ``ResponseValidationError``, which the policy
treats as "maybe applied": the rows are settled, never assumed. ``load_signal`` says what a failed
call means for the limiter and the breaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.api.endpoints import ENDPOINTS_BY_NAME
from lib.api.errors import (
    APIConnectionError,
    APIStatusError,
    BadgesError,
    RateLimitError,
    ResponseValidationError,
    make_status_error,
)
from lib.api.models.wire import whole_number
from lib.bulk.journal import Batch, OpenItem
from lib.bulk.limiter import Signal
from lib.bulk.policy import retry_after_of

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


def send_issue_bulk(
    client, badge_id: str, items: list[OpenItem], batch: Batch, *, request_id: str | None = None
) -> dict[int, Answer]:
    """#9 with the batch's requestId (planned, or fresh per attempt once one may have been applied)."""
    body: dict = {
        "badgeMetaId": badge_id,
        "customers": [i.customer_id for i in items],
        "requestId": request_id or batch.request_id,
    }
    if batch.issue_event_date is not None:
        body["issueEventDate"] = batch.issue_event_date
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


def send_import(client, badge_id: str, items: list[OpenItem]) -> list[Answer]:
    """#14: one envelope per element, in order."""
    body = []
    for item in items:
        element: dict = {"badgeMetaId": badge_id, "customerId": item.customer_id}
        if item.earn_event_date is not None:
            element["earnEventDate"] = item.earn_event_date
        if item.earn_expires_on is not None:
            element["earnExpiresOn"] = item.earn_expires_on
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


def send_revoke_issue(client, badge_id: str, items: list[OpenItem]) -> dict[str, Answer]:
    """#10 with ``revokeIssuals`` (exactly these enrolments; at most 20): issuedId -> what the server
    said about it (``result_id`` is the issuedId; a per-item error such as 404 "Customer doesn't have
    issue instance" in ``code``/``message``)."""
    body = {
        "badgeMetaId": badge_id,
        "revokeIssuals": [{"customerId": i.customer_id, "issueId": i.target_id} for i in items],
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


def send_revoke_earn(client, badge_id: str, item: OpenItem) -> Answer:
    """#13 for one earned badge. 814 (no active earn instance: revoked, expired or never there) is an
    answer about this row, not a failure of the call, so it comes back as the row's error."""
    body = {"badgeMetaId": badge_id, "customerId": item.customer_id, "earnedBadgeId": item.target_id}
    path = REVOKE_EARN.path()
    try:
        raw = client.send_raw(REVOKE_EARN.method, path, json=body)
    except APIStatusError as exc:  # documented as 409; any refusal that names 814 says the same
        if exc.code != NO_ACTIVE_EARN_CODE or exc.status_code >= 500:
            raise
        return Answer(item.target_id, exc.code, exc.message)
    data = _data(raw, REVOKE_EARN.method, path)
    if not isinstance(data, dict) or _text(data.get("earnedBadgeId")) not in (None, item.target_id):
        raise ResponseValidationError(
            "revokeEarn answer is about another earned badge", method=REVOKE_EARN.method, path=path
        )
    return Answer(item.target_id)


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


def load_signal(error: BadgesError) -> Signal:
    """What a failed call says about the server's load, for the limiter and the breaker."""
    if isinstance(error, RateLimitError) or (
        isinstance(error, APIStatusError) and error.status_code == 503 and retry_after_of(error) is not None
    ):
        return Signal.THROTTLED
    if isinstance(error, APIStatusError):
        return Signal.OVERLOADED if error.status_code >= 500 or error.status_code == 408 else Signal.OK
    if isinstance(error, APIConnectionError):
        return Signal.OVERLOADED if error.sent else Signal.UNREACHABLE
    return Signal.OK
