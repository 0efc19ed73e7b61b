"""Bulk enrol in Chromium with the files operations teams really have: keyed by mobile number (then
undone from the results), and naming each row's badge."""

import csv
import io
import random
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_run

# The first test of a module pays for `streamlit run` starting (up to STARTUP_SECONDS, 180 s, in
# conftest.py), and Chromium on a loaded CI machine is slow: generous rather than flaky.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def _results(page) -> list[dict[str, str]]:
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Results as CSV").click()
    with open(download_info.value.path(), encoding="utf-8-sig") as saved:
        return list(csv.DictReader(io.StringIO(saved.read())))


def _start(page, button: str = "Start job") -> None:
    page.get_by_role("button", name="Dry run").click()
    wait_for_run(page)
    page.get_by_text("I confirm", exact=False).click()
    wait_for_run(page)
    page.get_by_role("button", name=button).click()


def test_a_mobile_keyed_file_is_looked_up_enrolled_and_undone(open_page, tmp_path):
    customers = random.Random(time.time_ns()).sample(range(100_001, 120_001), 6)  # the demo org's customers
    upload = tmp_path / "members.csv"
    upload.write_text("Mobile\n" + "".join(f"+91 98{c:08d}\n" for c in customers) + "+91 00000 00001\n")

    page = open_page("bulk_enrol")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_run(page)
    holds = page.get_by_role("radiogroup", name="The customer column holds")
    expect(holds.get_by_role("radio", name="Mobile")).to_be_checked()
    page.get_by_test_id("stSelectbox").filter(has_text="Badge").click()
    page.get_by_role("option", name="Store Visitor", exact=False).first.click()
    wait_for_run(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="To send")).to_contain_text("7")
    _start(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    wait_for_run(page)

    records = _results(page)
    assert list(records[0])[:3] == ["row", "mobile", "customerId"]
    by_mobile = {r["mobile"]: r for r in records}
    assert (
        by_mobile["910000000001"]["status"] == "failed" and by_mobile["910000000001"]["errorCode"] == "1026"
    )
    for customer in customers:
        row = by_mobile[f"9198{customer:08d}"]
        assert row["customerId"] == str(customer) and row["status"] in ("succeeded", "skipped")
    made = sum(r["status"] == "succeeded" for r in records)
    assert made >= 1

    page.get_by_text("Undo this job", exact=False).click()
    wait_for_run(page)
    expect(page.get_by_text(f"Will revoke {made} enrolment(s)", exact=False)).to_be_visible()
    page.get_by_text("I confirm: revoke", exact=False).click()
    wait_for_run(page)
    page.get_by_role("button", name="Undo job").click()
    expect(page.get_by_text("Undo of job", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stProgress")).to_contain_text("COMPLETED", timeout=60_000)
    wait_for_run(page)
    undone = _results(page)
    assert sum(r["status"] == "succeeded" for r in undone) == made


def test_a_file_naming_two_badges_runs_a_job_per_badge(open_page, tmp_path):
    first = 760_000 + int(time.time()) % 90_000  # ids nobody holds yet
    rows = [f"{first + k},{'Big Spender' if k % 2 else 'Store Visitor'}" for k in range(6)] + [
        f"{first + 9},Nope"
    ]
    upload = tmp_path / "campaign.csv"
    upload.write_text("customerId,badge\n" + "\n".join(rows) + "\n")

    page = open_page("bulk_enrol")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_run(page)
    expect(page.get_by_text("name no badge of this org", exact=False)).to_be_visible()
    _start(page, "Start jobs")
    expect(page.get_by_text("one job each", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=60_000)
    wait_for_run(page)
    run = page.get_by_role("button", name="Big Spender", exact=False)
    expect(run).to_be_visible()
    expect(page.get_by_role("button", name="Store Visitor", exact=False)).to_be_visible()
