"""The console in real headless Chromium: every page opens, a badge is created through the form."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import running_console, save_screenshot, wait_for_run

# The first test of a module pays for `streamlit run` starting (up to STARTUP_SECONDS, 180 s, in
# conftest.py), and Chromium on a loaded CI machine is slow: generous rather than flaky.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

PAGES = {
    "": "Overview",
    "badge_performance": "Badge performance",
    "badge_editor": "Badge editor",
    "customer_view": "Customer view",
    "request_log": "Request log",
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens(open_page, path):
    page = open_page(path)
    expect(page.get_by_role("heading", name=PAGES[path], level=1)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Org demo", exact=False).first).to_be_visible()


def test_overview_shows_badges_and_charts(open_page):
    page = open_page("")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    page.set_viewport_size({"width": 1500, "height": 2600})
    wait_for_run(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(3)  # earns over time, per badge, status and owners


def test_create_a_badge_through_the_form(open_page):
    name = f"Browser badge {datetime.now(UTC):%H%M%S}"
    page = open_page("badge_editor")
    timeline = page.locator(".js-plotly-plot").first
    expect(timeline).to_be_visible()

    page.get_by_label("Name (unique, case-sensitive)").fill(name)
    page.get_by_label("Name (unique, case-sensitive)").press("Enter")
    wait_for_run(page)
    page.get_by_role("tab", name="Customer limits").click()
    page.get_by_text("Fixed window (cycles)").first.click()
    wait_for_run(page)
    expect(page.locator(".js-plotly-plot").first).to_contain_text("Fixed window")
    save_screenshot(page, "editor.png", height=1500)

    page.get_by_role("button", name="Create badge").click()
    wait_for_run(page)
    expect(page.get_by_text(f"Saved badge {name}")).to_be_visible()
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()

    overview = open_page("")
    overview.get_by_text("Filters", exact=True).click()  # the filters sit in an expander above the KPIs
    overview.get_by_label("Search by name").fill(name)
    overview.get_by_label("Search by name").press("Enter")
    wait_for_run(overview)
    expect(overview.get_by_test_id("stMetric").first).to_contain_text("1")


def test_selecting_a_badge_in_the_overview_opens_it_in_the_editor(open_page):
    page = open_page("")
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()  # below the KPIs and charts
    expect(table).to_be_visible()
    box = table.bounding_box()
    # the first data row's selection checkbox: left edge of the grid, one header row down
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    wait_for_run(page)
    page.wait_for_url("**/badge_editor?badge=*", timeout=60_000)
    wait_for_run(page)
    expect(page.get_by_role("heading", name="Badge editor", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()


def test_what_if_panel_counts_allowed_and_blocked(open_page):
    page = open_page("badge_editor")
    option = page.get_by_text("Fixed window (cycles)").first
    for _ in range(5):  # a run still settling on a loaded machine can redraw the tabs under the click
        page.get_by_role("tab", name="Customer limits").click()
        wait_for_run(page)
        if option.is_visible():
            break
    option.click()
    wait_for_run(page)
    page.get_by_text("What-if: an earn pattern against these limits").click()
    wait_for_run(page)
    panel = page.get_by_test_id("stExpander").filter(has_text="What-if")
    expect(panel.get_by_test_id("stMetric")).to_have_count(4)
    expect(panel.get_by_test_id("stMetric").nth(0)).to_contain_text("620")  # 10 customers x 2 a day x 31 days
    expect(panel.get_by_test_id("stMetric").nth(1)).to_contain_text("310")  # 1 a day each


def test_customer_view_and_request_log(open_page):
    page = open_page("customer_view")
    page.get_by_label("Customer", exact=True).fill("100001")
    page.get_by_label("Customer", exact=True).press("Enter")
    wait_for_run(page)
    expect(page.get_by_text("Limit usage", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.set_viewport_size({"width": 1500, "height": 1600})
    expect(page.get_by_test_id("stDataFrame").last.locator("canvas").first).to_be_visible()
    save_screenshot(page, "customer_view.png", height=1600)

    page.get_by_role("link", name="Request log").click()
    wait_for_run(page)
    expect(page.get_by_role("heading", name="Request log", level=1)).to_be_visible()
    expect(page.get_by_test_id("stCode").first).to_contain_text("curl -X GET")
    expect(page.get_by_test_id("stCode").first).to_contain_text("$CAPILLARY_AUTH")
    save_screenshot(page, "request_log.png", height=1600)


def test_first_visit_to_a_deep_link_gets_the_console_navigation(page, tmp_path):
    """A freshly started server whose first visitor opens a page URL still shows app.py's navigation."""
    with running_console(tmp_path) as url:
        page.goto(f"{url}/request_log")
        wait_for_run(page)
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav).to_contain_text("Badge editor")
        expect(nav).not_to_contain_text("request log")  # the lower-case file list of the pages/ folder
        expect(page.get_by_role("heading", name="Request log", level=1)).to_be_visible()
