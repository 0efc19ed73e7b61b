"""The parts every typed call builds its request from: ids checked, the customer reference and its
identifier header, request and query models built with field paths in their errors, and the one shape
of per-customer failures inside a 200 (``failed_items``)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from lib.api import _constants as defaults
from lib.api.endpoints import field_problems
from lib.api.errors import FieldProblem, RequestValidationError
from lib.api.models import (
    CustomerIdentifier,
    EarnBulkResult,
    Envelope,
    ImportResult,
    IssueBulkResult,
    RevokeIssueResult,
)
from lib.api.models.wire import parse_customer_id


@dataclass(frozen=True, slots=True)
class FailedItem:
    """One customer a bulk call refused inside an otherwise successful (200) answer.

    ``index`` is the position in the answer's list (for the import: the position of the input item,
    since a failed import element does not echo its customer).
    """

    index: int
    customer_id: int | str | None
    code: int | None
    message: str
    reference: str | None = None


def failed_items(
    result: IssueBulkResult | RevokeIssueResult | EarnBulkResult | Sequence[Envelope[ImportResult]],
) -> list[FailedItem]:
    """The per-customer failures of a bulk answer (1040 already enrolled, 404 no issue instance, ...),
    whatever shape it came in; an empty list when every customer succeeded."""
    if isinstance(result, IssueBulkResult | RevokeIssueResult):
        items = result.issued_badges if isinstance(result, IssueBulkResult) else result.revoked_issued_badges
        return [_failed(i, item.customer_id, item.error) for i, item in enumerate(items) if item.error]
    if isinstance(result, EarnBulkResult):
        failures = []
        for i, item in enumerate(result.failures()):
            detail = item.error
            code = item.code if item.code is not None else (detail.code if detail else None)
            message = item.message or (detail.message if detail else None) or ""
            reference = item.reference or (detail.reference if detail else None)
            failures.append(FailedItem(i, item.customer_id, code, message, reference))
        return failures
    failures = []
    for i, envelope in enumerate(result):
        if envelope.errors:
            first = envelope.errors[0]
            customer = envelope.data.customer_id if envelope.data is not None else None
            failures.append(FailedItem(i, customer, first.code, first.message or "", first.reference))
    return failures


def _failed(index: int, customer_id: Any, error: Any) -> FailedItem:
    return FailedItem(index, customer_id, error.code, error.message or "", error.reference)


_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def check_object_id(value: Any, field: str = "badgeId") -> str:
    """Badge, group, custom-field, issue and earned-badge ids are 24-hex ObjectIds."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _OBJECT_ID.match(text):
        raise RequestValidationError(
            f"{field} must be 24 hexadecimal characters, got {value!r}",
            problems=[FieldProblem(field, "must be 24 hexadecimal characters")],
        )
    return text


def customer_ref(customer_id: Any, identifier: Any) -> tuple[dict[str, str] | None, int | str]:
    """The customer reference and the identifier header that says how to read it."""
    if identifier is None:
        try:
            return None, parse_customer_id(customer_id)
        except ValueError as exc:
            raise RequestValidationError(
                f"{exc} (pass identifier= for an email, mobile, external id or card number)",
                problems=[FieldProblem("customerId", "must be a positive number")],
            ) from None
    try:
        kind = CustomerIdentifier(identifier)
    except ValueError:
        allowed = ", ".join(member.value for member in CustomerIdentifier)
        raise RequestValidationError(
            f"identifier must be one of {allowed}, got {identifier!r}",
            problems=[FieldProblem("identifier", f"one of {allowed}")],
        ) from None
    text = str(customer_id).strip() if customer_id is not None else ""
    if not text or any(ord(ch) < 32 for ch in text):
        raise RequestValidationError(
            f"customer {kind.value} is empty or contains control characters",
            problems=[FieldProblem("customerId", "required")],
        )
    return {defaults.CUSTOMER_IDENTIFIER_HEADER: kind.value}, text


def customer_scope(customer_id: Any, identifier: Any) -> dict[str, Any]:
    """The path parameter and header of a per-customer read (#15, #16)."""
    headers, customer = customer_ref(customer_id, identifier)
    return {"path_params": {"customerId": customer}, "headers": headers}


def build_model(model: type[Any], value: Any = None, /, **fields: Any) -> Any:
    """A request/query model from a model, a mapping or keyword fields; bad input is refused here."""
    if isinstance(value, model):
        return value
    data = dict(value) if isinstance(value, Mapping) else {}
    if value is not None and not isinstance(value, Mapping):
        raise RequestValidationError(f"expected {model.__name__} or a mapping, got {type(value).__name__}")
    data.update({k: v for k, v in fields.items() if v is not None})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = field_problems(exc)
        shown = "; ".join(str(p) for p in problems[:3])
        raise RequestValidationError(f"invalid {model.__name__}: {shown}", problems=problems) from None


def build_query(model: type[Any], filters: Mapping[str, Any], /, **fixed: Any) -> Any:
    """A query model from user filters plus the fields the method sets itself (page, size...).

    Unknown filter names are refused: the wire form drops unknown fields, so a misspelt filter would
    otherwise be silently ignored and the list would look unfiltered.
    """
    known = set(model.model_fields) | {f.alias for f in model.model_fields.values() if f.alias}
    unknown = sorted(set(filters) - known)
    clashing = sorted(set(filters) & set(fixed))
    if unknown or clashing:
        names = ", ".join(unknown + clashing)
        raise RequestValidationError(
            f"{model.__name__}: unknown or reserved filter {names}",
            problems=[FieldProblem(name, "unknown or set by the method") for name in unknown + clashing],
        )
    return build_model(model, **filters, **fixed)


def non_empty(values: Any, field: str) -> list[Any]:
    items = list(values or [])
    if not items:
        raise RequestValidationError(f"{field} must not be empty", problems=[FieldProblem(field, "required")])
    return items


def new_request_id() -> str:
    """A fresh idempotency key, fixed before the first attempt and reused by every retry."""
    return uuid.uuid4().hex
