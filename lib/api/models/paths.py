"""Where a pydantic validation error points, written the wire way: the one reading of an error's `loc`.

Client requests, answers, the sandbox's API and control bodies all name a field the same way:
``customerConstraints[0].durationType`` (list indexes in brackets; the union branch names and schema
steps pydantic adds, such as ``CUSTOMER_BADGE_FIXED_WINDOW`` or ``function-after[...]``, dropped).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lib.api.models.enums import BenefitType, ConstraintType

__all__ = ["field_path", "pydantic_message"]

_UNION_TAGS = {member.value for member in ConstraintType} | {member.value for member in BenefitType}
_SCHEMA_STEP = re.compile(
    r"^(function-|tagged-union|union\[|list\[|dict\[|int$|str$|float$|bool$|json-or-python)"
)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """``('customerConstraints', 0, 'CUSTOMER_BADGE_FIXED_WINDOW', 'durationType')`` ->
    ``customerConstraints[0].durationType``; None for the whole document."""
    out = ""
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
            continue
        text = str(step)
        if text in _UNION_TAGS or _SCHEMA_STEP.match(text) or "[" in text:
            continue
        out += f".{text}" if out else text
    return out or None


def pydantic_message(item: Mapping[str, Any]) -> str:
    """An error item's message without pydantic's "Value error, " / "Assertion failed, " prefix."""
    message = str(item.get("msg", "invalid value"))
    if item.get("type") in {"value_error", "assertion_error"}:
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message
