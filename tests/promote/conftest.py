"""Promotion tests: org `demo` is the source, org `demo2` the target, both on the session's sandbox.

Every test starts from the two demo orgs with no badges, groups or custom fields (a reset is cheap), at
the real time and with no fault rules, so a hand-made target holds exactly what the test put there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from lib.api.client import BadgesClient
from lib.api.models import Badge


@pytest.fixture(autouse=True)
def clean_orgs(sandbox):
    sandbox.reset()
    yield
    sandbox.clear_faults()
    sandbox.set_clock(None)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def badge_body(now: datetime, **overrides: Any) -> dict[str, Any]:
    """A valid create body for a badge that starts in two days (no migration header needed)."""
    body: dict[str, Any] = {
        "name": unique("Promo"),
        "description": "promotion suite",
        "startOn": now + timedelta(days=2),
        "expiresOn": now + timedelta(days=60),
        "earnType": "EARN",
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 10},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
    }
    if overrides.get("earnType") == "ISSUE_EARN":
        body["issuedBadgeExpiry"] = {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 5}
    body.update(overrides)
    return body


@pytest.fixture
def make(now) -> Callable[..., Badge]:
    """`make(client, **fields)`: create a badge in that org (historical, so it may have started)."""

    def _make(client: BadgesClient, **overrides: Any) -> Badge:
        return client.create_badge(badge=badge_body(now, **overrides), migration=True)

    return _make
