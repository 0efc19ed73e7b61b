"""How values travel on the Badges API wire, read tolerantly and written the one documented way.

Capillary's answers vary between doc generations and clusters: timestamps are epoch seconds (ints,
floats with up to 9 fraction digits) or ISO strings in the server's zone, customer ids come as numbers
or numeric strings, some enum values have older spellings. The annotated types here accept all of those
and turn them into one Python value (aware UTC datetimes, ints, domain enums); writing always produces
the spelling every working example uses (epoch seconds, canonical enum names).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
)
from pydantic.alias_generators import to_camel

from lib.api.models.instants import (
    MAX_INSTANT,
    MIN_INSTANT,
    InstantOutOfRange,
    epoch_seconds,
    iso_utc,
    parse_instant,
)
from lib.api.models.shown import shown as _shown

__all__ = [
    "ANSWER_CONTEXT",
    "INT64_MAX",
    "INT64_MIN",
    "MAX_INSTANT",
    "MIN_INSTANT",
    "CustomerId",
    "CustomerRef",
    "InstantOutOfRange",
    "Int64",
    "IsoTimestamp",
    "RequestModel",
    "TextId",
    "Timestamp",
    "WireModel",
    "epoch_seconds",
    "iso_utc",
    "object_id_time",
    "parse_customer_id",
    "parse_customer_ref",
    "parse_instant",
    "whole_number",
    "wire_alias",
    "wire_name",
]


def wire_alias(name: str) -> str:
    """``start_on`` -> ``startOn``; the ISO twins keep the API's capitals (``start_on_iso`` -> ``startOnISO``)."""
    if name.endswith("_iso"):
        return to_camel(name.removesuffix("_iso")) + "ISO"
    return to_camel(name)


def wire_name(name: str, *also: str, default: Any = None) -> Any:
    """A field written as ``name`` and read from ``name`` or any of ``also`` (other spellings the docs
    show, e.g. ``isActive``/``active``). ``default=...`` makes it required."""
    return Field(default=default, validation_alias=AliasChoices(name, *also), serialization_alias=name)


class WireModel(BaseModel):
    """Base of every Badges API model: camelCase on the wire, snake_case in Python.

    Unknown fields are kept (``extra="allow"``) because Capillary adds fields between doc generations
    (``badgeNumericId``, the ``...ISO`` twins) and a console must not break on them. ``to_wire()``
    drops those unknown fields again, so what we send is only what the API documents.
    """

    model_config = ConfigDict(
        alias_generator=wire_alias,
        populate_by_name=True,
        extra="allow",
        use_enum_values=False,
    )

    omit_none_on_wire: ClassVar[bool] = False
    """Requests leave out unset (None) fields; responses keep ``null`` as the server writes it."""

    @model_serializer(mode="wrap")
    def _drop_unknown_fields_on_wire(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        data = handler(self)
        if isinstance(data, dict) and info.context and info.context.get("wire") and self.__pydantic_extra__:
            for key in self.__pydantic_extra__:
                data.pop(key, None)
        return data

    def to_wire(self, *, omit_none: bool | None = None) -> dict[str, Any]:
        """The JSON object the API documents for this model: camelCase keys, epoch-second timestamps,
        canonical enum spellings; unknown fields received earlier are not echoed back."""
        return self.model_dump(
            mode="json",
            by_alias=True,
            exclude_none=self.omit_none_on_wire if omit_none is None else omit_none,
            context={"wire": True},
        )


class RequestModel(WireModel):
    """A body we send: ``None`` means "not sent" (the API rejects ``null`` in several places)."""

    omit_none_on_wire: ClassVar[bool] = True


# ---- timestamps (read and written by lib.api.models.instants) ---------------------------------

ANSWER_CONTEXT: dict[str, Any] = {"out_of_range_instants": "clamp"}
"""Validation context for reading Capillary's answers.

The service stores whatever it is sent: a badge created with epoch *milliseconds* comes back starting
in year 57906 (``"startOn": 1765178896000``, ``"+57906-04-18T07:06:40Z"``). One such badge must not
make a whole org's badge list unreadable, so answers read these instants as the largest (or smallest)
representable instant. Requests keep refusing them: we never send such a value.
"""


def _read_instant(value: Any, info: ValidationInfo) -> datetime:
    try:
        return parse_instant(value)
    except InstantOutOfRange as exc:
        if info.context and info.context.get("out_of_range_instants") == "clamp":
            return MAX_INSTANT if exc.future else MIN_INSTANT
        raise


Timestamp = Annotated[
    datetime,
    BeforeValidator(_read_instant),
    PlainSerializer(epoch_seconds, return_type=int | float, when_used="json"),
]
"""An instant written as epoch seconds (``startOn``, ``expiresOn``, ``earnEventDate``...)."""

IsoTimestamp = Annotated[
    datetime,
    BeforeValidator(_read_instant),
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
]
"""An instant written as an ISO 8601 string (the ``...ISO`` twins)."""


# ---- identifiers ------------------------------------------------------------------------------


INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
"""Capillary is a JVM service: every whole number on its wire is a 64-bit ``long``."""

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
"""A whole number field (ranks, limits, ids, page numbers): no value a ``long`` cannot hold."""


def parse_customer_id(value: Any) -> int:
    """Capillary user ids are positive 64-bit integers; several pages type them as strings (``"23423"``).

    Only ASCII digits spell an id (``"１２３"`` is not one), and 0, negative numbers and numbers past
    2**63-1 are refused rather than read as some other customer or passed on to overflow later.
    """
    if isinstance(value, bool):
        raise ValueError("customer id must be a number, got a boolean")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"customer id must be a whole number, got {_shown(value)}")
        value = int(text) if len(text.lstrip("0")) <= 19 else INT64_MAX + 1
    if not isinstance(value, int):
        raise ValueError(f"customer id must be a whole number, got {_shown(value)}")
    if value < 1:
        raise ValueError(f"customer id must be a positive whole number, got {value}")
    if value > INT64_MAX:
        raise ValueError(f"customer id must be at most {INT64_MAX} (a 64-bit integer)")
    return value


def parse_customer_ref(value: Any) -> int | str:
    """A customer as a number, or as an identifier value (email, mobile...) when the
    ``X-CAP-CUSTOMER-IDENTIFIER`` header says how to read it."""
    try:
        return parse_customer_id(value)
    except ValueError:
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise


_WHOLE = re.compile(r"([+-]?)0*([0-9]{1,19})(?:\.0+)?")


def whole_number(value: Any) -> int | None:
    """The one lenient reading of a whole number, or None; never raises.

    Accepted: an int, an integral finite float (``10.0``), or text of ASCII digits with an optional
    sign, surrounding blanks and a zero fraction (``"10"``, ``" +10 "``, ``"10.0"``): what pydantic
    reads into every integer field of our models, what servers write and what a spreadsheet cell
    holds. Refused: fractions (``10.5``), exponents, booleans, non-ASCII digits (``"²".isdigit()`` is
    true and ``int("²")`` fails) and more than 19 significant digits (a 4,400-digit string exceeds
    what ``int()`` will parse). Range checks (int64, positive) are the caller's.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        match = _WHOLE.fullmatch(value.strip())
        if match:
            number = int(match.group(2))
            return -number if match.group(1) == "-" else number
    return None


_OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def object_id_time(value: Any) -> int | None:
    """Creation second of a MongoDB-style id (issuedId, earnedBadgeId: 24 hex digits, the first 8 the
    server's epoch seconds when it made the record); None for an id of another shape.

    Inferred, not documented: every id in Capillary's examples has this shape. A bulk job uses it to
    tell an enrolment its own lost attempt made from one that existed before, without a read.
    """
    if not isinstance(value, str) or not _OBJECT_ID.fullmatch(value):
        return None
    return int(value[:8], 16)


CustomerId = Annotated[int, Field(ge=1, le=INT64_MAX), BeforeValidator(parse_customer_id)]
CustomerRef = Annotated[int | str, BeforeValidator(parse_customer_ref)]
TextId = Annotated[str, Field(coerce_numbers_to_str=True)]
"""An id the API types String. Every id field a documented example writes as a number (``"requestId":
23432``, ``"referenceId": 123``) is read as its text; booleans and objects are still refused."""
