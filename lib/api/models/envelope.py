"""The envelope every Badges API answer comes in, and the pieces shared by list answers."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import Field, model_validator

from lib.api.models.wire import WireModel

T = TypeVar("T")
_ENVELOPE_KEYS = frozenset({"data", "errors", "warnings"})


class ApiErrorItem(WireModel):
    """One problem Capillary reports: top-level ``errors[]`` or a bulk item's ``error``.

    ``reference`` names the offending field when the server knows it (``ownership.restrictedToOwners``);
    ``code`` is missing on a few documented per-item errors ("issue doesn't belong to customer").
    """

    code: int | None = None
    message: str | None = None
    reference: str | None = None


class ApiWarningItem(WireModel):
    code: int | None = None
    message: str | None = None


class Envelope(WireModel, Generic[T]):
    """``{"data", "errors", "warnings"}``.

    ``errors``/``warnings`` arrive as ``null`` on several successful reads and as ``[]`` on writes; both
    are kept as received. Use ``error_items``/``ok`` rather than testing the raw lists.
    """

    data: T | None = None
    errors: list[ApiErrorItem] | None = None
    warnings: list[ApiWarningItem] | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_error_object(cls, value: Any) -> Any:
        # A 404 example answers {"code": 404, "message": "Passed badge is not found"} without envelope.
        if not isinstance(value, dict) or not value or _ENVELOPE_KEYS & value.keys():
            return value
        if "message" in value:
            return {"data": None, "errors": [{k: value.get(k) for k in ("code", "message", "reference")}]}
        # The group update page shows the bare group without the envelope: reading it as an envelope
        # would silently lose the data, so it is refused.
        raise ValueError("not a {data, errors, warnings} envelope: the answer has none of those keys")

    @property
    def error_items(self) -> list[ApiErrorItem]:
        return list(self.errors or [])

    @property
    def warning_items(self) -> list[ApiWarningItem]:
        return list(self.warnings or [])

    @property
    def ok(self) -> bool:
        """No top-level error (per-item errors of bulk calls live on the items)."""
        return not self.errors


class Pagination(WireModel):
    """``page`` is 0-based; ``size`` is the page size asked for."""

    page: int | None = None
    size: int | None = None
    total: int | None = None
    total_pages: int | None = Field(default=None, alias="totalPages")
