"""Everything that can go wrong talking to the Badges API, as one tree of exceptions.

    BadgesError
     ├── RequestValidationError      bad input, caught before anything was sent
     └── APIError
          ├── APIStatusError          Capillary answered 4xx/5xx (status, code, message, reference, errors)
          │    ├── BadRequestError             400
          │    │    └── DuplicateRequestError  809: requestId already used (rejected, NOT replayed)
          │    ├── AuthenticationError         401
          │    ├── PermissionDeniedError       403
          │    ├── NotFoundError               404
          │    ├── ConflictError               409 (810 claim required, 811 issue required, 814 ...)
          │    ├── PayloadTooLargeError        413
          │    ├── RateLimitError              429
          │    └── InternalServerError         >= 500
          │        (every status error has ``retry_after`` when the server sent Retry-After)
          ├── APIConnectionError      no answer; ``sent`` says whether the request may have arrived
          │    └── APITimeoutError
          └── ResponseValidationError an answer that does not fit the documented shape (raw body kept)

Per-customer failures inside a 200 (e.g. 1040 in ``issuedBadges[].error``) are not exceptions: they stay
on the result items, because the rest of the batch succeeded.

Every error knows two things a bulk job needs: ``sent`` (the request may have reached Capillary) and
``ambiguous`` (the write may or may not have been applied, so the customer's badges must be checked
before anything is sent again).

Messages and reprs never contain credentials or the Authorization header: only method, path, status
and what Capillary said.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lib.api.models.paths import field_path, pydantic_message
from lib.api.models.wire import whole_number
from lib.api.retry import parse_retry_after

DUPLICATE_REQUEST_CODE = 809


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One item of the envelope's ``errors`` list."""

    code: int | None
    message: str
    reference: str | None = None

    def __str__(self) -> str:
        where = f" ({self.reference})" if self.reference else ""
        code = f"{self.code}: " if self.code is not None else ""
        return f"{code}{self.message}{where}"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One reason an input was refused before sending; ``field`` is a dotted path or None."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class BadgesError(Exception):
    """Root of every error raised by the Badges API client."""

    sent: bool = True
    """The request may have reached Capillary."""

    @property
    def ambiguous(self) -> bool:
        """The call may or may not have taken effect on Capillary (check before sending it again)."""
        return False


class RequestValidationError(BadgesError, ValueError):
    """The input was refused before sending: nothing reached Capillary."""

    sent = False

    def __init__(self, message: str, *, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[FieldProblem, ...] = tuple(problems)

    @classmethod
    def from_pydantic(cls, exc: Any, *, what: str = "request") -> RequestValidationError:
        """Wrap a pydantic ``ValidationError`` (duck-typed: anything with ``.errors()``)."""
        problems = tuple(field_problems(exc))
        summary = "; ".join(str(p) for p in problems[:3]) or str(exc)
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return cls(f"invalid {what}: {summary}{more}", problems=problems)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, problems={len(self.problems)})"


class APIError(BadgesError):
    """A call to Capillary failed (answered with an error, did not answer, or answered nonsense)."""

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path

    def _where(self) -> str:
        return f"{self.method or '?'} {self.path or '?'}"


class APIStatusError(APIError):
    """Capillary answered with an HTTP error status; the first error item is lifted to the top."""

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None = None,
        reference: str | None = None,
        errors: Sequence[ErrorDetail] = (),
        body: object = None,
        method: str | None = None,
        path: str | None = None,
        after_ambiguous_attempt: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code = status_code
        self.retry_after = retry_after
        """Seconds the server asked us to wait (``Retry-After`` on 429 and often 503), else None."""
        self.code = code
        self.reference = reference
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        self.body = body
        self.after_ambiguous_attempt = after_ambiguous_attempt
        """An earlier attempt of this same call ended without a clear answer."""

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(e.code for e in self.errors if e.code is not None)

    @property
    def ambiguous(self) -> bool:
        # A 5xx may come after the work was done; any answer after an unclear attempt leaves that
        # earlier attempt unclear.
        return self.status_code >= 500 or self.after_ambiguous_attempt

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code}, "
            f"message={self.message!r}, reference={self.reference!r}, errors={len(self.errors)}, "
            f"request={self._where()!r})"
        )


class BadRequestError(APIStatusError):
    """400: validation failures, invalid enum values, JSON parse errors."""


class DuplicateRequestError(BadRequestError):
    """809: this requestId was used before, so Capillary rejected the call.

    It is a rejection, not the first call's answer replayed. If an earlier attempt of the same call
    ended ambiguously (``after_ambiguous_attempt``), that attempt may have been applied: check the
    customers' badges; never count this as success.
    """


class AuthenticationError(APIStatusError):
    """401: credentials missing or wrong, or the OAuth token expired."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials lack access to this resource."""


class NotFoundError(APIStatusError):
    """404: unknown badge, group, custom field or customer."""


class ConflictError(APIStatusError):
    """409: the badge is not in the state the call needs (claim 810, enrolment 811, active earn 814)."""


class PayloadTooLargeError(APIStatusError):
    """413: the body is too large (split the batch)."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` is the server's wait in seconds when it gave one."""


class InternalServerError(APIStatusError):
    """>= 500: Capillary failed; a write may or may not have been applied."""


class APIConnectionError(APIError):
    """No answer from Capillary.

    ``sent=False``: the connection never got established (DNS failure, refused, connect timeout), so
    nothing arrived and sending again is safe. ``sent=True``: the connection broke after the request
    may have left, so a write may have been applied.
    """

    def __init__(
        self,
        message: str,
        *,
        sent: bool,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.sent = sent

    @property
    def ambiguous(self) -> bool:
        return self.sent

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, sent={self.sent}, request={self._where()!r})"


class APITimeoutError(APIConnectionError):
    """Capillary did not answer in time (connect timeout: not sent; read/write timeout: maybe applied)."""


class ResponseValidationError(APIError):
    """Capillary answered, but not in the documented shape; ``body`` is the raw text for diagnosis."""

    def __init__(
        self,
        message: str,
        *,
        body: str | bytes | None = None,
        status_code: int | None = None,
        problems: Sequence[FieldProblem] = (),
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.body = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        self.status_code = status_code
        self.problems: tuple[FieldProblem, ...] = tuple(problems)

    @classmethod
    def from_pydantic(
        cls, exc: Any, *, body: str | bytes | None = None, what: str = "response"
    ) -> ResponseValidationError:
        """Wrap a pydantic ``ValidationError`` (duck-typed: anything with ``.errors()``)."""
        problems = tuple(field_problems(exc))
        summary = "; ".join(str(p) for p in problems[:3]) or str(exc)
        return cls(f"unexpected {what}: {summary}", body=body, problems=problems)

    @property
    def ambiguous(self) -> bool:
        # A 2xx that cannot be read was most likely applied, but we cannot tell what it did.
        return True

    def __repr__(self) -> str:
        size = len(self.body) if self.body is not None else 0
        return (
            f"{type(self).__name__}({self.message!r}, status_code={self.status_code}, "
            f"body_chars={size}, request={self._where()!r})"
        )


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}


def make_status_error(
    status: int,
    body: str | bytes | object,
    headers: Mapping[str, str] | None = None,
    *,
    method: str | None = None,
    path: str | None = None,
    after_ambiguous_attempt: bool = False,
    now: datetime | None = None,
) -> APIStatusError:
    """Build the exception for an HTTP error answer: the only place that maps statuses to classes.

    ``body`` may be raw bytes/text or already-parsed JSON. Capillary's envelope
    ``{"data": null, "errors": [{"code", "message", "reference"}]}`` is read leniently, because error
    answers also come from gateways (HTML 502 pages, empty 401s). 809 becomes ``DuplicateRequestError``
    whatever the status it arrives with.
    """
    parsed = _parse_body(body)
    errors = _error_details(parsed)
    first = errors[0] if errors else None
    code = first.code if first else None
    reference = first.reference if first else None
    message = first.message if first is not None else _fallback_message(status, parsed)

    cls: type[APIStatusError]
    if any(e.code == DUPLICATE_REQUEST_CODE for e in errors):
        cls = DuplicateRequestError
        code = DUPLICATE_REQUEST_CODE
    elif status >= 500:
        cls = InternalServerError
    else:
        cls = _STATUS_CLASSES.get(status, APIStatusError)

    kwargs: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "reference": reference,
        "errors": errors,
        "body": parsed,
        "method": method,
        "path": path,
        "after_ambiguous_attempt": after_ambiguous_attempt,
    }
    retry_after = parse_retry_after(_header(headers, "retry-after"), now=now or datetime.now(UTC))
    return cls(message, retry_after=retry_after, **kwargs)


def _parse_body(body: str | bytes | object) -> object:
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def _error_details(parsed: object) -> tuple[ErrorDetail, ...]:
    if not isinstance(parsed, Mapping):
        return ()
    items = parsed.get("errors")
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list):
        # A bare {"code": ..., "message": ...} as some 404 examples show.
        if "message" in parsed or "code" in parsed:
            items = [parsed]
        else:
            return ()
    details = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        details.append(
            ErrorDetail(
                code=whole_number(item.get("code")),
                message=str(item.get("message") or ""),
                reference=str(item["reference"]) if item.get("reference") is not None else None,
            )
        )
    return tuple(details)


def _fallback_message(status: int, parsed: object) -> str:
    if isinstance(parsed, str) and parsed.strip():
        text = " ".join(parsed.split())
        return f"HTTP {status}: {text[:200]}"
    return f"HTTP {status}"


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def field_problems(exc: Any) -> list[FieldProblem]:
    """One ``FieldProblem(path, message)`` per distinct failure of a pydantic ``ValidationError``
    (duck-typed: anything with ``.errors()``), the path written the wire way (`field_path`)."""
    seen: set[tuple[str | None, str]] = set()
    problems = []
    for item in exc.errors():
        key = (field_path(tuple(item.get("loc") or ())), pydantic_message(item))
        if key not in seen:
            seen.add(key)
            problems.append(FieldProblem(*key))
    return problems
