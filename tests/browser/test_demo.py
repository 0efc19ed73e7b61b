"""The console as business users see it in a demo, in real headless Chromium at 1440x900: the Overview
presents above the fold (light and dark), the badge page follows the sandbox clock across a cycle
boundary, and the report downloads as one file that opens on its own. The cold and warm timings of
these pages are printed by `test_paint.py` (and `bench/bench_pages.py`)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOT_NAMES, SCREENSHOTS, save_screenshot, wait_for_run
from tests.browser.paint import first_chart_drawn

# The first test of a module pays for `streamlit run` starting (up to STARTUP_SECONDS, 180 s, in
# conftest.py), and Chromium on a loaded CI machine is slow: generous rather than flaky.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

FOLD = 900
CHART_DATA = "() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.data.map(t => t.x.length))"


def _open(page: Page, url: str) -> Page:
    page.set_viewport_size({"width": 1440, "height": FOLD})
    page.goto(url)
    wait_for_run(page)
    return page


def _choose_badge(page: Page, name: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text="Badge").first.click()
    page.get_by_role("option", name=name, exact=True).click()
    wait_for_run(page)
    expect(page).to_have_url(re.compile(r"[?&]badge="))


def _sidebar_button(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("button", name=name, exact=True).click()
    wait_for_run(page)


def test_the_overview_presents_kpis_and_charts_above_the_fold(page, console_url, browser):
    _open(page, console_url)
    expect(
        page.get_by_text(re.compile(r"Org demo on Local sandbox · as of \w{3} \d\d \w{3} \d{4}"))
    ).to_be_visible()
    for label in ("Enrolled", "Earned", "Earn rate"):
        expect(page.get_by_test_id("stMetric").filter(has_text=label)).to_be_visible()
    first_chart_drawn(page)
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(3)
    for index in (0, 1):  # earns over time and enrolled/earned per badge start above the fold
        assert charts.nth(index).bounding_box()["y"] < FOLD - 200
    table = page.get_by_test_id("stDataFrame").first
    assert table.bounding_box()["y"] > charts.nth(0).bounding_box()["y"]  # the table is below them
    save_screenshot(page, "overview.png", width=1440, height=FOLD)

    dark = browser.new_context(color_scheme="dark", viewport={"width": 1440, "height": FOLD})
    try:
        night = _open(dark.new_page(), console_url)
        first_chart_drawn(night)
        expect(night.locator(".js-plotly-plot")).to_have_count(3)
        save_screenshot(night, "overview_dark.png", width=1440, height=FOLD)
    finally:
        dark.close()


def test_the_badge_page_follows_the_clock_across_a_cycle_boundary(page, console_url):
    _open(page, f"{console_url}/badge_performance")
    _choose_badge(page, "Weekend Warrior")
    first_chart_drawn(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="This cycle")).to_contain_text("of 2,500")
    save_screenshot(page, "badge_performance.png", width=1440, height=FOLD)
    before = page.evaluate(CHART_DATA)
    try:
        _sidebar_button(page, "Next cycle")
        expect(page.get_by_text("a new cycle of Weekend Warrior", exact=False)).to_be_visible()
        expect(page.get_by_text("Sandbox clock:", exact=False).first).to_be_visible()
        expect(page.get_by_test_id("stMetric").filter(has_text="This cycle")).to_contain_text("0 of 2,500")
        first_chart_drawn(page)
        after = page.evaluate(CHART_DATA)
        # the new cycle has started: one more bar in the earns over time and in the limit usage
        assert [bars[0] for bars in after] == [bars[0] + 1 for bars in before], (before, after)
    finally:
        _sidebar_button(page, "Now")
    expect(page.get_by_text("Sandbox clock:", exact=False)).to_have_count(0)


@pytest.mark.parametrize("path", ["", "badge_performance"])
def test_the_report_downloads_and_opens_on_its_own(page, console_url, browser, tmp_path, path):
    _open(page, f"{console_url}/{path}")
    first_chart_drawn(page)
    if not path:  # the Overview's table comes in a rerun after its charts; a click during that rerun
        # can hold the previous run's download, which Streamlit revokes: the button does nothing
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        wait_for_run(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download report").click()
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)
    assert report.suffix == ".html" and report.stat().st_size > 1_000_000  # plotly.js's basic bundle inlined

    offline = browser.new_context(offline=True, viewport={"width": 1440, "height": FOLD})
    try:
        reader = offline.new_page()
        reader.goto(report.as_uri())
        expect(reader.get_by_role("heading", level=1)).to_contain_text("Badge performance")
        expect(reader.get_by_text("Org demo on Local sandbox", exact=False)).to_be_visible()
        expect(reader.locator(".kpi").first).to_be_visible()
        expect(
            reader.locator(".js-plotly-plot g.trace").first
        ).to_be_visible()  # drawn offline: self-contained
        assert reader.locator(".js-plotly-plot").count() >= 2
        assert reader.locator("table").count() >= 1
        if not path:
            assert "report.png" in SCREENSHOT_NAMES
            reader.screenshot(path=str(SCREENSHOTS / "report.png"))
    finally:
        offline.close()


def test_the_console_lets_browsers_keep_the_chart_library(console_url):
    from lib.plotly_bundle import STATIC_URL

    answer = httpx.get(f"{console_url}/{STATIC_URL}", timeout=30)
    assert answer.status_code == 200 and answer.text.startswith("/**")
    assert "immutable" in answer.headers["cache-control"]
