"""Bulk enrol in real headless Chromium: upload -> validate -> dry run -> confirm -> job -> results -> reload."""

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot, wait_for_run

# The first test of a module pays for `streamlit run` starting (up to STARTUP_SECONDS, 180 s, in
# conftest.py), and Chromium on a loaded CI machine is slow: generous rather than flaky.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def test_bulk_enrol_end_to_end_and_reattach_after_reload(open_page, tmp_path):
    first = 700_000 + int(time.time()) % 90_000  # beyond the demo customers (100001-120000)
    upload = tmp_path / "enrol.csv"
    upload.write_text(
        "customerId;issueEventDate\n" + "".join(f"{first + i};\n" for i in range(3)) + "=1+1;\n"
    )

    page = open_page("bulk_enrol")
    expect(page.get_by_role("heading", name="Bulk enrol", level=1)).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_run(page)
    expect(page.get_by_text("CSV (UTF-8, semicolon-separated), 4 data rows, 2 columns")).to_be_visible()

    _choose_badge_and_check(page, "Store Visitor", to_send=3, with_errors=1)
    _dry_run_and_confirm(page)
    save_screenshot(page, "bulk_enrol_summary.png", height=2400)
    page.get_by_role("button", name="Start job").click()

    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stProgress")).to_contain_text("COMPLETED")
    assert "job=job-" in page.url
    wait_for_run(page)
    expect(page.get_by_role("button", name="Results as CSV")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_contain_text("Rows by outcome")
    expect(page.locator(".js-plotly-plot").filter(has_text="The badge's totals now")).to_be_visible()
    save_screenshot(page, "bulk_enrol_results.png", height=1300)

    records = _download_results(page, "enrol-results.csv")
    assert [r["status"] for r in records] == ["succeeded"] * 3 + ["failed"]
    assert [r["customerId"] for r in records[:3]] == [str(first + i) for i in range(3)]
    assert all(len(r["issuedId"]) == 24 for r in records[:3])
    assert records[3]["customerId"] == "'=1+1", "a formula from the upload comes back neutralised"

    page.reload()
    wait_for_run(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Failed")).to_contain_text("1")
    expect(page.get_by_role("button", name="Results as CSV")).to_be_visible()


def _choose_badge_and_check(page, badge: str, *, to_send: int, with_errors: int) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text="Badge").click()
    page.get_by_role("option", name=badge, exact=False).first.click()
    wait_for_run(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="To send")).to_contain_text(str(to_send))
    expect(page.get_by_test_id("stMetric").filter(has_text="With errors")).to_contain_text(str(with_errors))


def _dry_run_and_confirm(page) -> None:
    page.get_by_role("button", name="Dry run").click()
    wait_for_run(page)
    # The dry run reads each customer's enrolment off the script thread; on a loaded machine that takes
    # longer than expect's default 5 s.
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=60_000)
    page.get_by_text("I confirm", exact=False).click()
    wait_for_run(page)


def _download_results(page, expected_name: str) -> list[dict[str, str]]:
    """Click "Results as CSV" in the browser and read the file Chromium saved."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Results as CSV").click()
    download = download_info.value
    assert download.suggested_filename == expected_name
    with open(download.path(), encoding="utf-8-sig") as saved:
        return list(csv.DictReader(io.StringIO(saved.read())))


def test_import_earned_badges_in_the_browser_and_download_the_results(open_page, tmp_path):
    first = 800_000 + int(time.time()) % 90_000
    event = (datetime.now(UTC) - timedelta(days=30)).date()
    upload = tmp_path / "history.csv"
    upload.write_text(
        "customerId,earnEventDate,earnExpiresOn\n"
        + "".join(f"{first + i},{event},{event + timedelta(days=365)}\n" for i in range(2))
        + f"{first + 2},not a date,{event}\n"
    )

    page = open_page("import_earned")
    expect(page.get_by_role("heading", name="Import earned badges", level=1)).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_run(page)
    _choose_badge_and_check(page, "Review Writer", to_send=2, with_errors=1)
    _dry_run_and_confirm(page)
    page.get_by_role("button", name="Start job").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    wait_for_run(page)

    records = _download_results(page, "history-results.csv")
    assert [r["status"] for r in records] == ["succeeded", "succeeded", "failed"]
    assert all(len(r["earnedBadgeId"]) == 24 for r in records[:2])
    assert records[0]["earnEventDate"].startswith(event.isoformat())
    assert records[2]["reason"] == "invalid-row" and records[2]["customerId"] == str(first + 2)
    assert "'not a date' is not a date" in records[2]["errorMessage"]


def test_a_workbook_built_to_crash_the_reader_is_refused_and_the_console_stays_up(open_page, tmp_path):
    from tests.bulk.hostile_files import far_corner_xlsx

    crafted = tmp_path / "corner.xlsx"
    crafted.write_bytes(far_corner_xlsx())
    page = open_page("bulk_enrol")
    expect(page.get_by_role("heading", name="Bulk enrol", level=1)).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(crafted))
    wait_for_run(page)
    expect(page.get_by_text("The sheet has cells as far right as column 16,384 (XFD1048576)")).to_be_visible()

    good = tmp_path / "good.csv"
    good.write_text("customerId,issueEventDate\n5,\n")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(good))
    wait_for_run(page)
    expect(page.get_by_text("CSV (UTF-8, comma-separated), 1 data row, 2 columns")).to_be_visible()


def test_results_charts_then_the_same_file_again_is_reported_done(open_page, tmp_path):
    """A 290-customer file with a blank line: the results charts read without hovering, and the same
    file uploaded again says the work is done (by which job) instead of asking for fixes."""
    first = 600_000 + int(time.time()) % 90_000
    ids = [first + i for i in range(290)]
    upload = tmp_path / "spring.csv"
    upload.write_text(
        "customerId,issueEventDate\n"
        + "".join(f"{c},\n" for c in ids[:150])
        + "\n"
        + "".join(f"{c},\n" for c in ids[150:])
    )

    page = open_page("bulk_enrol")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_run(page)
    expect(page.get_by_text("290 data rows, 2 columns; 1 blank line ignored (row 152)")).to_be_visible()
    _choose_badge_and_check(page, "Store Visitor", to_send=290, with_errors=0)
    _dry_run_and_confirm(page)
    page.get_by_role("button", name="Start job").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    wait_for_run(page)
    charts = page.locator(".js-plotly-plot")
    expect(charts.filter(has_text="Rows by outcome")).to_contain_text("290")
    expect(charts.filter(has_text="Rows sent over time")).to_contain_text("time since the job started")
    expect(charts.filter(has_text="The badge's totals now")).to_contain_text("Enrolments (issued)")
    expect(page.locator(".modebar")).to_have_count(0)  # no toolbar over the titles
    save_screenshot(page, "bulk_results.png", height=1300)

    page = open_page("bulk_enrol")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_run(page)
    _choose_badge_and_check(page, "Store Visitor", to_send=0, with_errors=0)
    expect(page.get_by_test_id("stAlert").filter(has_text="nothing to send")).to_contain_text(
        "All 290 valid customers in this file were already enrolled (job job-"
    )
    expect(page.get_by_text("Fix the failed checks")).to_have_count(0)
    expect(page.get_by_role("button", name="Dry run")).to_have_count(0)
    save_screenshot(page, "bulk_enrol_done_before.png", height=1500)
    page.get_by_role("button", name="Open that job's results").click()
    wait_for_run(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
