"""The one place that turns the client's errors into messages for people.

Pages never catch `Exception`: they call the API through `call_api`, which catches the client's
`BadgesError` tree only and shows what Capillary said (code, field, message) in plain words. Anything
else is a bug and is left to Streamlit's error display.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from lib.api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadgesError,
    DuplicateRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
)

T = TypeVar("T")


def _headline(exc: BadgesError) -> str:
    match exc:
        case RequestValidationError():
            return "Not sent: the request is invalid."
        case AuthenticationError():
            return "Capillary refused the credentials (401). Check the username and password or OAuth key."
        case PermissionDeniedError():
            return "These credentials may not use this API (403)."
        case NotFoundError():
            return "Not found (404)."
        case DuplicateRequestError():
            return "Capillary rejected a reused requestId (809); nothing was replayed."
        case RateLimitError(retry_after=wait):
            later = f" Try again in {wait:.0f} s." if wait else ""
            return f"Too many requests (429).{later}"
        case APIStatusError(status_code=status) if status >= 500:
            return f"Capillary failed (HTTP {status}); a change may or may not have been applied."
        case APIStatusError(status_code=status):
            return f"Capillary refused the request (HTTP {status})."
        case APITimeoutError():
            return "Capillary did not answer in time."
        case APIConnectionError(sent=False):
            return "Could not connect to the backend; nothing was sent."
        case APIConnectionError():
            return "The connection broke during the call; a change may or may not have been applied."
        case ResponseValidationError():
            return "Capillary answered in an unexpected shape."
    return "The call failed."


def describe_error(exc: BadgesError) -> list[str]:
    """Lines of text for one error: a headline, then each Capillary error as `code (field): message`."""
    lines = [_headline(exc)]
    if isinstance(exc, APIStatusError):
        details = exc.errors or ()
        lines += [str(detail) for detail in details]
        if not details and exc.message:
            lines.append(exc.message)
    elif isinstance(exc, RequestValidationError | ResponseValidationError):
        lines += [str(problem) for problem in exc.problems] or [exc.message]
    elif isinstance(exc, APIConnectionError):
        lines.append(exc.message)
    return lines


def show_error(exc: BadgesError, *, action: str) -> None:
    """Draw one error as an `st.error` box headed by what the user was doing."""
    headline, *details = describe_error(exc)
    body = f"**{action} failed.** {headline}"
    if details:
        body += "\n\n" + "\n".join(f"- {line}" for line in details)
    st.error(body, icon=":material/error:")


def call_api(action: str, call: Callable[[], T]) -> T | None:
    """Run one client call; on a `BadgesError` show it and return None."""
    try:
        return call()
    except BadgesError as exc:
        show_error(exc, action=action)
        return None
