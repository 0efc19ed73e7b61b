"""Badges as code in real Chromium: promote one badge from org `demo` to org `demo2`."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot, wait_for_run

# The first test of a module pays for `streamlit run` starting (up to STARTUP_SECONDS, 180 s, in
# conftest.py), and Chromium on a loaded CI machine is slow: generous rather than flaky.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

BADGE = "New Year Kickoff"  # upcoming in the demo data, so it is created without the historical header


def test_promote_one_badge_from_demo_to_demo2(open_page):
    page = open_page("promote")
    expect(page.get_by_role("heading", name="Badges as code", level=1)).to_be_visible()
    expect(page.get_by_text("demo → demo2")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ only in source · 0 only in target · 0 same"))).to_be_visible()

    picker = page.get_by_test_id("stMultiSelect")
    picker.locator("input").click()
    picker.locator("input").fill(BADGE)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_run(page)
    page.get_by_role("button", name="Promote selected").click()
    wait_for_run(page)
    expect(page.get_by_text("Plan for org demo2")).to_be_visible()
    apply_button = page.get_by_role("button", name=re.compile(r"Apply \d+ change\(s\) to org demo2"))
    expect(apply_button).to_be_visible()

    apply_button.click()
    expect(page.get_by_text("Results in org demo2")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile(r"Promoted: \d+ change\(s\) applied"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_for_run(page)
    expect(page.get_by_text(re.compile(r"\d+ only in source · 0 only in target · 1 same"))).to_be_visible()
    save_screenshot(page, "promote.png", height=2000)
