"""Mapping HTTP answers to the error taxonomy."""

import json
from datetime import UTC, datetime

import pytest

from lib.api.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadgesError,
    BadRequestError,
    ConflictError,
    DuplicateRequestError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
    make_status_error,
)


def envelope(*errors):
    return json.dumps({"data": None, "errors": list(errors), "warnings": None}).encode()


def item(code, message, reference=None):
    return {"code": code, "message": message, "reference": reference}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, PayloadTooLargeError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_picks_the_class(status, cls):
    error = make_status_error(status, b"", {})
    assert type(error) is cls
    assert error.status_code == status
    assert isinstance(error, APIError)


def test_first_error_is_lifted_and_all_are_kept():
    body = envelope(
        item(728, "Atleast one owner is required", "ownership.restrictedToOwners"),
        item(725, "Badge name cannot be duplicate"),
        item(722, "Start Date cannot be past date"),
    )
    error = make_status_error(400, body, {}, method="POST", path="/api_gateway/v1/badges/badgeMeta")
    assert isinstance(error, BadRequestError)
    assert (error.code, error.message, error.reference) == (
        728,
        "Atleast one owner is required",
        "ownership.restrictedToOwners",
    )
    assert error.codes == (728, 725, 722)
    assert str(error.errors[0]) == "728: Atleast one owner is required (ownership.restrictedToOwners)"
    assert error.body["errors"][1]["code"] == 725
    assert "POST /api_gateway/v1/badges/badgeMeta" in repr(error)
    assert "status_code=400" in repr(error)


def test_809_is_a_duplicate_request_even_inside_a_400_with_other_errors():
    body = envelope(
        item(816, "Event date is not in duration"), item(809, "Request with same requestId is not allowed")
    )
    error = make_status_error(400, body, {})
    assert isinstance(error, DuplicateRequestError)
    assert isinstance(error, BadRequestError)
    assert error.code == 809
    assert not error.ambiguous


def test_809_after_an_ambiguous_attempt_asks_for_a_check():
    error = make_status_error(400, envelope(item(809, "dup")), {}, after_ambiguous_attempt=True)
    assert isinstance(error, DuplicateRequestError)
    assert error.ambiguous


def test_404_409_and_826_codes():
    not_found = make_status_error(404, envelope(item(404, "Passed badge is not found")), {})
    assert isinstance(not_found, NotFoundError) and not_found.code == 404
    conflict = make_status_error(409, envelope(item(811, "Badge issue is mandatory before earn")), {})
    assert isinstance(conflict, ConflictError) and conflict.code == 811
    window = make_status_error(400, envelope(item(826, "Change from rolling window ... not allowed.")), {})
    assert isinstance(window, BadRequestError) and window.code == 826


def test_bare_error_object_without_envelope():
    error = make_status_error(404, b'{"code": 404, "message": "Passed badge is not found"}', {})
    assert error.code == 404
    assert error.message == "Passed badge is not found"


def test_non_json_error_keeps_the_text():
    error = make_status_error(502, b"<html><body>Bad gateway</body></html>", {})
    assert isinstance(error, InternalServerError)
    assert error.code is None
    assert error.body.startswith("<html>")
    assert "Bad gateway" in error.message
    assert error.ambiguous


def test_rate_limit_reads_retry_after_in_both_forms():
    now = datetime(2026, 1, 19, 12, 0, tzinfo=UTC)
    seconds = make_status_error(429, b"", {"Retry-After": "7"}, now=now)
    date = make_status_error(429, b"", {"retry-after": "Mon, 19 Jan 2026 12:01:00 GMT"}, now=now)
    assert isinstance(seconds, RateLimitError) and seconds.retry_after == 7.0
    assert isinstance(date, RateLimitError) and date.retry_after == 60.0
    assert make_status_error(429, b"", {}).retry_after is None
    unavailable = make_status_error(503, b"", {"Retry-After": "2"}, now=now)
    assert isinstance(unavailable, InternalServerError) and unavailable.retry_after == 2.0


def test_sent_and_ambiguous_flags():
    assert RequestValidationError("bad").sent is False
    assert not RequestValidationError("bad").ambiguous
    refused = APIConnectionError("refused", sent=False)
    dropped = APIConnectionError("reset", sent=True)
    assert (refused.sent, refused.ambiguous) == (False, False)
    assert (dropped.sent, dropped.ambiguous) == (True, True)
    assert APITimeoutError("read", sent=True).ambiguous
    assert make_status_error(400, b"", {}).sent and not make_status_error(400, b"", {}).ambiguous
    assert ResponseValidationError("odd", body="x").ambiguous


def test_request_validation_error_is_a_value_error_and_reads_pydantic_errors():
    from pydantic import BaseModel, ValidationError

    class Sample(BaseModel):
        name: str
        rank: int

    with pytest.raises(ValidationError) as info:
        Sample.model_validate({"rank": "x"})
    error = RequestValidationError.from_pydantic(info.value)
    assert isinstance(error, ValueError) and isinstance(error, BadgesError)
    assert {p.field for p in error.problems} == {"name", "rank"}
    assert "problems=2" in repr(error)


def test_response_validation_error_keeps_the_raw_body():
    error = ResponseValidationError("not JSON", body=b"<oops>", status_code=200, method="GET", path="/x")
    assert error.body == "<oops>"
    assert "body_chars=6" in repr(error)
    assert "GET /x" in repr(error)


def test_timeouts_are_connection_errors():
    assert issubclass(APITimeoutError, APIConnectionError)
    assert repr(APITimeoutError("no answer", sent=True, method="GET", path="/p")) == (
        "APITimeoutError('no answer', sent=True, request='GET /p')"
    )
