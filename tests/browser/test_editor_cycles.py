"""The editor's cycle table read from the page's text, no hovering: the documented weekly example
(six weekly cycles, the last one a single day) and cycles of 3 and 5 days."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient
from tests.browser.conftest import save_screenshot, wait_for_run

# The first test of a module pays for `streamlit run` starting (up to STARTUP_SECONDS, 180 s, in
# conftest.py), and Chromium on a loaded CI machine is slow: generous rather than flaky.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

DAY = 86_400


def _sandbox_url(page) -> str:
    """The console's own sandbox, as its sidebar shows it."""
    text = page.get_by_test_id("stSidebar").inner_text()
    return re.search(r"http://127\.0\.0\.1:\d+", text).group(0)


def _next_monday() -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 - today.weekday())


def _badge(client: BadgesClient, start: datetime, days: int, window: dict) -> str:
    body = {
        "name": f"Cycles {window['durationType']} {window.get('refreshRate', '')} {time.time_ns()}",
        "description": "cycle table check",
        "startOn": int(start.timestamp()),
        "expiresOn": int((start + timedelta(days=days)).timestamp()) - 1,
        "earnType": "EARN",
        "earnedBadgeExpiry": {"expiryType": "NEVER"},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
        "customerConstraints": [
            {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "maxEarnLimit": 1, **window}
        ],
        "badgeConstraints": [],
    }
    return client.create_badge(badge=body).id


def _days(moment: datetime, *offsets: int) -> list[str]:
    return [f"{moment + timedelta(days=o):%Y-%m-%d}" for o in offsets]


@pytest.mark.parametrize(
    ("window", "length", "expected", "summary"),
    [
        # 5 weeks and a day from a Monday: 25 Sep - 1 Oct, 2 - 8 Oct, ... 30 Oct in the docs' example.
        (
            {"durationType": "WEEKS", "startDayOfTheWeek": "MONDAY"},
            36,
            [(0, 6), (7, 13), (35, 35)],
            "6 weekly cycles, the last one 1 day",
        ),
        ({"durationType": "DAYS", "refreshRate": 3}, 12, [(0, 2), (3, 5), (9, 11)], "4 cycles of 3 days"),
        (
            {"durationType": "DAYS", "refreshRate": 5},
            12,
            [(0, 4), (5, 9), (10, 11)],
            "3 cycles of 5 days, the last one 2 days",
        ),
    ],  # fmt: skip
    ids=["weekly", "3-day", "5-day"],
)
def test_cycle_dates_are_on_the_page(open_page, window, length, expected, summary):
    page = open_page("request_log")
    start = _next_monday()
    with BadgesClient(_sandbox_url(page), BasicAuth("demo", "demo")) as client:
        badge_id = _badge(client, start, length, window)
    page = open_page(f"badge_editor?badge={badge_id}")
    table = page.get_by_test_id("stTable").first
    expect(table).to_be_visible()
    text = table.inner_text()
    for first, last in expected:
        first_day, last_day = _days(start, first, last)
        assert re.search(rf"{first_day}\s+{last_day}", text), (first_day, last_day, text)
    expect(page.get_by_text(summary)).to_be_visible()
    if window["durationType"] == "WEEKS":
        wait_for_run(page)
        save_screenshot(page, "editor_cycles.png", height=1300)
