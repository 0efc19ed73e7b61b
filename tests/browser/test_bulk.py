"""Bulk enrol in real headless Chromium: upload -> validate -> dry run -> confirm -> job -> results -> reload."""

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot, wait_for_run

pytestmark = pytest.mark.browser


def test_bulk_enrol_end_to_end_and_reattach_after_reload(open_page, tmp_path):
    first = 118_000 + int(time.time()) % 900
    upload = tmp_path / "enrol.csv"
    upload.write_text(
        "customerId;issueEventDate\n" + "".join(f"{first + i};\n" for i in range(3)) + "=1+1;\n"
    )

    page = open_page("bulk_enrol")
    expect(page.get_by_role("heading", name="Bulk enrol", level=1)).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_run(page)
    expect(page.get_by_text("CSV (UTF-8, semicolon-separated), 4 data rows, 2 columns")).to_be_visible()

    badge = page.get_by_test_id("stSelectbox").filter(has_text="Badge")
    badge.click()
    page.get_by_role("option", name="Store Visitor", exact=False).first.click()
    wait_for_run(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="To send")).to_contain_text("3")
    expect(page.get_by_test_id("stMetric").filter(has_text="With errors")).to_contain_text("1")

    page.get_by_role("button", name="Dry run").click()
    wait_for_run(page)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    page.get_by_text("I confirm", exact=False).click()
    wait_for_run(page)
    save_screenshot(page, "bulk_enrol_summary.png", height=2400)
    page.get_by_role("button", name="Start job").click()

    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stProgress")).to_contain_text("COMPLETED")
    assert "job=job-" in page.url
    wait_for_run(page)
    expect(page.get_by_role("button", name="Results as CSV")).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_contain_text("Rows by outcome")
    save_screenshot(page, "bulk_enrol_results.png", height=1300)

    page.reload()
    wait_for_run(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Failed")).to_contain_text("1")
    expect(page.get_by_role("button", name="Results as CSV")).to_be_visible()
