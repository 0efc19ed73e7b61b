"""How a value received from outside is quoted in an error message."""

from __future__ import annotations

from typing import Any


def shown(value: Any) -> str:
    """A value for an error message, cut short: callers may send megabytes."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"
