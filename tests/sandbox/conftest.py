"""Fixtures of the contract suite: a clean sandbox per test and a factory for live, claimed badges."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from lib.api.client import BadgesClient
from lib.api.models import Badge
from tests.conftest import live_mode

LOYALTY = {"ownerType": "Loyalty", "referenceId": "program-1"}
RUN = uuid.uuid4().hex[:8]


def rid(name: str) -> str:
    """A request id or name unique to this run, so a re-run against a real cluster never collides."""
    return f"{name}-{RUN}"


def basic_header() -> str:
    """The Authorization value of the suite's own org, built the way Capillary expects."""
    if live_mode():
        username, password = os.environ["BADGES_TEST_USERNAME"], os.environ["BADGES_TEST_PASSWORD"]
    else:
        username, password = "demo", "demo"
    hashed = hashlib.md5(password.encode()).hexdigest()
    return "Basic " + base64.b64encode(f"{username}:{hashed}".encode()).decode()


@pytest.fixture(autouse=True)
def fresh_sandbox(request):
    """Every test starts from the demo orgs with no data, real time and no fault rules (cheap)."""
    if not live_mode():
        request.getfixturevalue("sandbox").reset()
    yield


def badge_body(now: datetime, **overrides: Any) -> dict[str, Any]:
    """A valid create body: live since yesterday, ends in 30 days, direct earn (needs migration mode)."""
    body: dict[str, Any] = {
        "name": f"Contract {uuid.uuid4().hex[:10]}",
        "description": "contract suite",
        "startOn": now - timedelta(days=1),
        "expiresOn": now + timedelta(days=30),
        "earnType": "EARN",
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 10},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
    }
    if overrides.get("earnType") == "ISSUE_EARN":
        body["issuedBadgeExpiry"] = {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 5}
    body.update(overrides)
    return body


@pytest.fixture
def make_badge(client: BadgesClient, now: datetime) -> Callable[..., Badge]:
    """Create a badge (migration mode, so it may start in the past), claimed by the loyalty program."""

    def make(*, claim: bool = True, **overrides: Any) -> Badge:
        badge = client.create_badge(badge=badge_body(now, **overrides), migration=True)
        if claim:
            client.claim_badge(badge_id=badge.id, owner_type="Loyalty", reference_id="program-1")
        return badge

    return make
