"""The one place API errors become messages: code, field and what to do, never a traceback."""

from streamlit.testing.v1 import AppTest

from lib.api.errors import (
    APIConnectionError,
    DuplicateRequestError,
    FieldProblem,
    RequestValidationError,
    make_status_error,
)
from lib.ui.errors import describe_error


def test_status_error_lists_each_capillary_error_with_code_and_field():
    body = {
        "data": None,
        "errors": [
            {"code": 720, "message": "Start Date should be before End Date", "reference": "startOn"},
            {
                "code": 728,
                "message": "Atleast one owner is required",
                "reference": "ownership.restrictedToOwners",
            },
        ],
    }
    lines = describe_error(make_status_error(400, body))
    assert lines[0] == "Capillary refused the request (HTTP 400)."
    assert "720: Start Date should be before End Date (startOn)" in lines
    assert "728: Atleast one owner is required (ownership.restrictedToOwners)" in lines


def test_duplicate_request_is_not_called_a_success():
    error = make_status_error(
        400, {"errors": [{"code": 809, "message": "Request with same requestId is not allowed"}]}
    )
    assert isinstance(error, DuplicateRequestError)
    assert "809" in describe_error(error)[0]


def test_connection_errors_say_whether_anything_was_sent():
    assert "nothing was sent" in describe_error(APIConnectionError("refused", sent=False))[0]
    assert "may or may not" in describe_error(APIConnectionError("reset", sent=True))[0]


def test_validation_errors_list_the_fields():
    error = RequestValidationError("bad", problems=[FieldProblem("customerId", "must be a number")])
    assert describe_error(error) == ["Not sent: the request is invalid.", "customerId: must be a number"]


def _page_with_error():
    from lib.api.errors import make_status_error
    from lib.ui.errors import call_api

    def fail():
        raise make_status_error(401, "")

    assert call_api("Load badges", fail) is None


def test_call_api_shows_an_error_box_instead_of_a_traceback():
    at = AppTest.from_function(_page_with_error).run()
    assert not at.exception
    assert "Load badges failed" in at.error[0].value and "401" in at.error[0].value
