"""Bulk pages through AppTest against the embedded sandbox: upload -> validate -> fix -> dry run -> run -> results."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd

from lib.bulk.journal import JobState
from lib.bulk.mapping import suggest_mapping
from lib.bulk.model import Operation
from lib.bulk.planner import plan_job
from lib.bulk.validate import validate
from lib.ui import bulk, reads
from lib.ui.state import StateKey
from tests.app.charts import drawn_figures
from tests.app.editor_tabs import open_tab

BULK_STATE = {"be": StateKey.BULK_ENROL, "ie": StateKey.BULK_IMPORT}
"""Each bulk page's state object, by its widget-key prefix."""


def choose_badge(at, name: str):
    """Options show "name · status · earn type · id"; the widget's value is the id."""
    box = at.selectbox(key="be_badge")
    label = next(option for option in box.options if option.startswith(f"{name} ·"))
    return box.select(label.rsplit(" · ", 1)[1]).run()


def table_with(at, *columns: str) -> pd.DataFrame:
    """The first table on the page with these columns (read-only tables have no key in AppTest)."""
    for frame in at.dataframe:
        value = frame.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with {columns}: {[list(f.value.columns) for f in at.dataframe]}")


def wait_for_job(job_id: str, timeout: float = 60.0):
    journal = bulk.registry().journal
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runner = bulk.registry().runner(job_id)
        job = journal.job(job_id)
        if runner is None and job.state is not JobState.RUNNING:
            return job, journal.counts(job_id)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def dry_run(at, prefix: str = "be"):
    """Click Dry run; once its worker thread is done, run the page again, as the polling fragment would."""
    at = at.button(key=f"{prefix}_dry_run").click().run()
    assert not at.exception, at.exception
    task = at.session_state[BULK_STATE[prefix]].upload.dry_task
    if task is not None:
        assert task.wait(60), "the dry run did not finish"
        at = at.run()
    assert at.session_state[BULK_STATE[prefix]].upload.dry_task is None
    return at


def upload(at, content: bytes, name: str = "customers.csv"):
    at.file_uploader(key="be_file").upload(name, content, "text/csv")
    return at.run()


def fresh_badge(at, prefix: str, *, started_days_ago: int = 1, **fields) -> str:
    """A new LIVE badge (created as a migration, so it may start in the past); its name."""
    client = at.session_state[StateKey.CONNECTION].active.client
    now = datetime.now(UTC)
    name = f"{prefix} {uuid.uuid4().hex[:8]}"
    client.create_badge(
        badge={
            "name": name,
            "startOn": now - timedelta(days=started_days_ago),
            "expiresOn": now + timedelta(days=30),
            "earnedBadgeExpiry": {"expiryType": "NEVER"},
            **fields,
        },
        migration=True,
    )
    reads.clear_reads()  # made behind the console's back: its cached badge list cannot know it yet
    return name


def fresh_enrol_badge(at) -> str:
    """A new LIVE enrol & issue badge, so no demo enrolment can collide with the test's customers."""
    return fresh_badge(
        at,
        "Bulk flow",
        earnType="ISSUE_EARN",
        issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 5},
        ownership={"restrictedToOwners": ["Loyalty"]},
    )


def test_enrol_flow_upload_validate_fix_dry_run_run_results(run_page):
    at = run_page("bulk_enrol.py")
    assert not at.exception
    badge_name = fresh_enrol_badge(at)
    ids = [100_001 + i for i in range(4)]
    csv = "customerId,issueEventDate\n" + "\n".join(f"{c}," for c in ids) + "\nab12,\n" + f"{ids[0]},\n"
    at = upload(at, csv.encode())
    assert not at.exception, at.exception
    assert "CSV (UTF-8, comma-separated), 6 data rows, 2 columns" in [c.value for c in at.caption]

    at = choose_badge(at, badge_name)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Rows in file"], metrics["To send"], metrics["With errors"], metrics["Skipped"]) == (
        "6",
        "4",
        "1",
        "1",
    )
    problems = table_with(at, "severity", "problem")
    assert problems[["row", "column"]].values.tolist() == [[6, "customerId"], [7, "customerId"]]
    assert problems["problem"].tolist() == [  # the row and column are beside it, not repeated in it
        "'ab12' is not a customer id; customer ids are positive whole numbers "
        "(the Capillary customer id), digits 0-9 only",
        f"'{ids[0]}' same customer as row 2; skipped",
    ]

    # Fix the bad row in place: the editor's edits arrive through its session-state key.
    fixed = 100_011
    at.session_state["be_editor_0"] = {
        "edited_rows": {0: {"customerId": str(fixed)}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = at.button(key="be_revalidate").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["To send"], metrics["With errors"]) == ("5", "0")

    # One customer of the file is enrolled elsewhere meanwhile: the dry run should see it (1040).
    connection = at.session_state[StateKey.CONNECTION].active
    badge_id = at.selectbox(key="be_badge").value
    connection.client.issue_bulk(badge_id=badge_id, customers=[ids[1]], request_id=f"appt-{uuid.uuid4().hex}")

    # Rows without an issueEventDate get the one chosen here (a day inside the badge period).
    today = datetime.now(UTC).date()
    at = at.date_input(key="be_default_date").set_value(today).run()

    at = dry_run(at)
    assert not at.exception, at.exception
    summary = dict(table_with(at, "", "value").values.tolist())
    assert summary["Rows to send"] == "5"
    assert summary["Predicted 'event date outside badge period' (816)"] == "0"
    assert summary["Predicted 'already enrolled' (1040)"] == "1 — 5 customers looked up"
    assert summary["Predicted to succeed"] == "4"
    checks = table_with(at, "result", "check")
    assert "FAIL" not in checks["result"].tolist()

    confirm = next(box for box in at.checkbox if box.label.startswith("I confirm"))
    assert f"Enrol 5 customers: badge '{badge_name}'" in confirm.label
    at = confirm.check().run()
    at = at.button(key="be_start").click().run()
    assert not at.exception, at.exception
    job_id = at.query_params["job"]
    assert job_id

    job, counts = wait_for_job(job_id)
    assert job.state is JobState.COMPLETED
    assert counts.consistent and counts.pending == 0
    assert counts.input_rows == 6  # every row of the file is accounted for, the skipped repeat included
    assert counts.failed == 0
    assert counts.succeeded + counts.skipped == 6
    midnight = int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp())
    assert job.issue_event_date == midnight
    assert {b.issue_event_date for b in bulk.registry().journal.batches(job_id)} == {midnight}

    at = at.run()
    assert not at.exception, at.exception
    table = table_with(at, "status", "reason")
    assert sorted(table["row"].tolist()) == [2, 3, 4, 5, 6, 7]
    assert table.loc[table["row"] == 3, ["status", "errorCode"]].values.tolist() == [["skipped", "1040"]]
    assert set(table["status"]) <= {"succeeded", "skipped"}
    assert len(drawn_figures(at)) == 3  # rows by outcome, rows over time, the badge's totals
    issued = [e for e in connection.request_log.entries() if e.path.endswith("/issueBulk")]
    assert len(issued) == 2  # the enrolment made by the test itself, then 5 rows in one batch, sent once


def test_reattach_by_job_link_and_foreign_job_is_hidden(run_page):
    at = run_page("bulk_enrol.py", job="job-does-not-exist")
    assert not at.exception
    assert [w.value for w in at.warning] == ["This job does not exist for the current connection and page."]


def test_unreadable_upload_shows_the_reason(run_page):
    at = run_page("bulk_enrol.py")
    at = upload(at, b"customerId,issueEventDate\n")
    assert [e.value for e in at.error] == ["The file has a header row but no data rows."]


def test_import_page_maps_template_headers_and_refuses_expiry_before_event(run_page):
    at = run_page("import_earned.py")
    at.file_uploader(key="ie_file").upload(
        "earned.csv",
        b"customerId,earnEventDate,earnExpiresOn\n100001,2025-06-01,2025-01-01\n100002,1735776000000,2030-01-01\n",
        "text/csv",
    )
    at = at.run()
    assert not at.exception, at.exception
    problems = table_with(at, "severity", "problem")
    errors = problems[problems["severity"] == "error"]
    assert errors["problem"].tolist() == [
        "2025-01-01 00:00:00 UTC is not after earnEventDate 2025-06-01 00:00:00 UTC; "
        "an earned badge must expire after it was earned"
    ]
    rows = table_with(at, "earnEventDate", "earnExpiresOn")
    assert rows["earnEventDate"].tolist() == ["2025-01-02 00:00:00 UTC (epoch milliseconds)"]
    assert isinstance(rows, pd.DataFrame)


def test_import_flow_runs_and_the_job_is_listed_for_reopening(run_page):
    at = run_page("import_earned.py")
    name = fresh_badge(
        at,
        "Import flow",
        started_days_ago=400,
        earnType="EARN",
        ownership={"restrictedToOwners": ["Historical_Import"]},
    )
    event = int((datetime.now(UTC) - timedelta(days=100)).timestamp())
    rows = "".join(f"{100_020 + i},{event},{event + 86_400 * 365}\n" for i in range(3))
    at.file_uploader(key="ie_file").upload(
        "history.csv", f"customerId,earnEventDate,earnExpiresOn\n{rows}".encode()
    )
    at = at.run()
    box = at.selectbox(key="ie_badge")
    label = next(option for option in box.options if option.startswith(f"{name} ·"))
    at = box.select(label.rsplit(" · ", 1)[1]).run()
    at = dry_run(at, "ie")
    assert not at.exception, at.exception
    summary = dict(table_with(at, "", "value").values.tolist())
    assert summary["Predicted second imports of an existing earn"] == "0 — 3 customers looked up"
    at = next(box for box in at.checkbox if box.label.startswith("I confirm")).check().run()
    at = at.button(key="ie_start").click().run()
    job_id = at.query_params["job"]
    job, counts = wait_for_job(job_id)
    assert (job.state, counts.succeeded, counts.input_rows) == (JobState.COMPLETED, 3, 3)

    at = at.run()
    results = table_with(at, "status", "earnedBadgeId")
    assert results["status"].tolist() == ["succeeded"] * 3
    assert results["earnedBadgeId"].str.len().tolist() == [24] * 3

    fresh = run_page("import_earned.py")
    recent = fresh.selectbox(key="ie_recent")
    assert job_id in recent.options[0] or any(job_id in option for option in recent.options)


def test_markup_in_file_content_is_shown_as_text():
    assert bulk.escape_md("[click](http://x) *bold* <b>") == "\\[click\\](http://x) \\*bold\\* \\<b\\>"


def test_job_link_reattaches_to_a_planned_job_which_resumes_from_the_page(run_page):
    at = run_page("bulk_enrol.py")
    connection = at.session_state[StateKey.CONNECTION].active
    name = fresh_enrol_badge(at)
    badge = next(b for b in connection.client.iter_badges(max_items=1000) if b.name == name)
    frame = pd.DataFrame({"customerId": pd.Series(["100031", "100032"], dtype="str")})
    frame.index = pd.RangeIndex(2, 4, name="row")
    validated = validate(frame, suggest_mapping(Operation.ENROL, ["customerId"]))
    job = plan_job(bulk.registry().journal, validated, org=connection.org, base_url=connection.base_url,
                   badge_id=badge.id, job_key=f"planned-{uuid.uuid4().hex}")  # fmt: skip

    at = run_page("bulk_enrol.py", job=job.job_id)
    assert not at.exception, at.exception
    assert at.get("progress")[0].proto.text == "PLANNED: 0 of 2 rows settled"
    at = at.button(key="be_resume").click().run()
    finished, counts = wait_for_job(job.job_id)
    assert (finished.state, counts.succeeded) == (JobState.COMPLETED, 2)
    at = at.run()
    assert table_with(at, "status", "issuedId")["status"].tolist() == ["succeeded", "succeeded"]


def test_a_crafted_workbook_is_refused_in_one_sentence_and_the_page_goes_on(run_page):
    from tests.bulk.hostile_files import far_corner_xlsx, understating_xlsx

    at = run_page("bulk_enrol.py")
    at.file_uploader(key="be_file").upload("corner.xlsx", far_corner_xlsx(), "application/octet-stream")
    at = at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The sheet has cells as far right as column 16,384 (XFD1048576), while an upload may have 100 "
        "columns; keep only the columns the upload needs, or delete the stray cells to the right of the "
        "table, and upload again."
    ]
    at.file_uploader(key="be_file").upload("lying.xlsx", understating_xlsx(), "application/octet-stream")
    at = at.run()
    assert not at.exception
    assert "does not match the size its header declares" in at.error[0].value
    at = upload(at, b"customerId,issueEventDate\n5,\n")
    assert not at.exception and not at.error
    assert "CSV (UTF-8, comma-separated), 1 data row, 2 columns" in [c.value for c in at.caption]


def test_a_badge_saved_in_the_editor_reaches_the_bulk_page_with_its_new_period(run_page):
    """The bulk page reads the badge list and the badge through the shared cached reads, which an
    editor save clears: a new badge is offered at once, and rows are checked against the new period."""
    name = f"Editor to bulk {uuid.uuid4().hex[:8]}"
    day = (datetime.now(UTC) + timedelta(days=60)).date()
    at = upload(run_page("bulk_enrol.py"), f"customerId,issueEventDate\n100001,{day}\n".encode())
    assert not any(option.startswith(f"{name} ·") for option in at.selectbox(key="be_badge").options)

    editor = run_page("badge_editor.py")
    editor.text_input(key="ed_name").set_value(name)
    editor.radio(key="ed_earn_type").set_value("ISSUE_EARN").run()
    editor.button(key="ed_save").click().run()
    assert not editor.exception and not editor.error, [e.value for e in editor.error]
    badge_id = editor.query_params["badge"]
    badge_id = badge_id[0] if isinstance(badge_id, list) else badge_id

    at = choose_badge(at.run(), name)
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["With errors"] == "0"

    editor = open_tab(run_page("badge_editor.py", badge=badge_id), "Dates & expiry")
    end = editor.datetime_input(key="ed_end").value
    editor.datetime_input(key="ed_end").set_value(end - timedelta(days=60)).run()
    editor.button(key="ed_save").click().run()
    assert not editor.exception and not editor.error, [e.value for e in editor.error]

    at = at.run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["With errors"] == "1"
    problems = table_with(at, "severity", "problem")
    assert "outside the badge period" in problems["problem"].iloc[0]


def test_a_file_enrolled_by_an_earlier_job_is_reported_done_not_broken(run_page):
    """Re-uploading a file whose customers a finished job enrolled: an information state naming the
    job, no failure, no dry run or start to press, and a way to that job's results."""
    at = run_page("bulk_enrol.py")
    badge_name = fresh_enrol_badge(at)
    ids = [100_041 + i for i in range(3)]
    content = ("customerId,issueEventDate\n" + "".join(f"{c},\n" for c in ids)).encode()
    at = choose_badge(upload(at, content, "done.csv"), badge_name)
    at = dry_run(at)
    at = next(box for box in at.checkbox if box.label.startswith("I confirm")).check().run()
    at = at.button(key="be_start").click().run()
    job_id = at.query_params["job"]
    job, counts = wait_for_job(job_id)
    assert (job.state, counts.succeeded) == (JobState.COMPLETED, 3)

    again = choose_badge(upload(run_page("bulk_enrol.py"), content, "done.csv"), badge_name)
    assert not again.exception, again.exception
    assert not again.error, [e.value for e in again.error]
    metrics = {m.label: m.value for m in again.metric}
    assert (metrics["To send"], metrics["With errors"], metrics["Skipped"]) == ("0", "0", "3")
    finished = datetime.fromtimestamp(job.finished_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert [i.value for i in again.info] == [
        f"All 3 valid customers in this file were already enrolled (job {job_id}, {finished}); nothing to send."
    ]
    assert not [b for b in again.button if b.key == "be_dry_run"], "nothing to rehearse or start"
    assert "FAIL" not in " ".join(str(t.value) for t in again.text)
    again = again.button(key="be_open_earlier").click().run()
    assert again.query_params["job"] == [job_id] or again.query_params["job"] == job_id


def test_blank_lines_are_counted_and_row_numbers_stay_those_of_the_file(run_page):
    at = run_page("bulk_enrol.py")
    badge_name = fresh_enrol_badge(at)
    content = b"customerId,issueEventDate\n100051,\n\n100052,\nnot-an-id,\n"
    at = choose_badge(upload(at, content, "gaps.csv"), badge_name)
    assert not at.exception, at.exception
    assert "CSV (UTF-8, comma-separated), 3 data rows, 2 columns; 1 blank line ignored (row 3)" in [
        c.value for c in at.caption
    ]
    assert table_with(at, "row", "customerId")["row"].tolist() == [2, 4]
    assert table_with(at, "severity", "problem")["row"].tolist() == [5]


def test_a_mobile_keyed_file_is_looked_up_in_the_dry_run_and_enrols_by_customer_id(run_page):
    at = run_page("bulk_enrol.py")
    badge_name = fresh_enrol_badge(at)
    connection = at.session_state[StateKey.CONNECTION].active
    tag = uuid.uuid4().int % 10**6
    customers = {700_000_000 + tag * 10 + k: f"44{tag:06d}{k:03d}" for k in range(3)}
    connection.client.send_raw(
        "PUT", "/_sandbox/customers", headers={"X-Sandbox-Control": "1"},
        json={"org": "demo", "customers": [{"customerId": c, "mobile": m} for c, m in customers.items()]},
    )  # fmt: skip
    lines = [f"+{m[:2]} {m[2:]}" for m in customers.values()] + ["449999999999"]
    at = upload(at, ("Mobile\n" + "\n".join(lines) + "\n").encode())
    assert at.segmented_control[0].value == "mobile"  # told by the header
    at = choose_badge(at, badge_name)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["To send"], metrics["With errors"]) == ("4", "0")

    at = dry_run(at)
    assert not at.exception, at.exception
    summary = dict(table_with(at, "", "value").values.tolist())
    assert summary["Rows to send"] == "3" and summary["Rows with errors (not sent)"] == "1"
    confirm = next(box for box in at.checkbox if box.label.startswith("I confirm"))
    assert "Enrol 3 customers" in confirm.label
    at = confirm.check().run()
    at = at.button(key="be_start").click().run()
    assert not at.exception, at.exception
    job, counts = wait_for_job(at.query_params["job"])
    assert job.state is JobState.COMPLETED and job.identifier == "mobile"
    assert (counts.succeeded, counts.failed) == (3, 1)
    at = at.run()
    table = table_with(at, "status", "mobile")
    failed = table[table["status"] == "failed"]
    assert failed["mobile"].tolist() == ["449999999999"] and failed["errorCode"].astype(str).tolist() == ["1026"]
    succeeded = table.loc[table["status"] == "succeeded", "customerId"].astype("int64")
    assert sorted(succeeded.tolist()) == sorted(customers)


def test_a_file_naming_two_badges_runs_one_job_per_badge(run_page):
    at = run_page("bulk_enrol.py")
    gold, silver = fresh_enrol_badge(at), fresh_enrol_badge(at)
    connection = at.session_state[StateKey.CONNECTION].active
    ids = [810_000_000 + uuid.uuid4().int % 10**6 * 10 + k for k in range(6)]
    lines = [f"{c},{gold if k % 2 else silver}" for k, c in enumerate(ids)] + [f"{ids[0] + 7},Nope"]
    at = upload(at, ("customerId,badge\n" + "\n".join(lines) + "\n").encode())
    assert not at.exception, at.exception
    per_badge = table_with(at, "badge", "to send")
    assert dict(zip(per_badge["badge"], per_badge["to send"], strict=True)) == {silver: 3, gold: 3}
    assert any("name no badge of this org" in w.value for w in at.warning)

    at = at.button(key="be_run_dry").click().run()
    draft = at.session_state[StateKey.BULK_ENROL].run_draft
    assert draft.task is None or draft.task.wait(60)
    at = at.run()
    summary = table_with(at, "predicted to succeed")
    assert summary["predicted to succeed"].tolist() == [3, 3]
    confirm = next(box for box in at.checkbox if box.label.startswith("I confirm"))
    assert "Enrol 6 rows into 2 badges" in confirm.label
    at = confirm.check().run()
    at = at.button(key="be_run_start").click().run()
    assert not at.exception, at.exception
    first = at.query_params["job"]
    journal = bulk.registry().journal
    run = [j for j in journal.jobs() if j.run_id and j.run_id == journal.job(first).run_id]
    assert len(run) == 2
    for job in run:
        done, counts = wait_for_job(job.job_id)
        assert done.state is JobState.COMPLETED and counts.succeeded == 3
    at = at.run()
    assert not at.exception, at.exception
    assert sum(1 for b in at.button if b.label.split(" · ")[0] in (gold, silver)) == 2
    held = {
        name: connection.client.get_badge(badge_id=j.badge_id, include_statistics=True).issued_count
        for j in run for name in [j.badge_id]
    }  # fmt: skip
    assert sorted(held.values()) == [3, 3]


def test_undo_from_the_results_revokes_only_what_the_job_enrolled(run_page):
    at = run_page("bulk_enrol.py")
    badge_name = fresh_enrol_badge(at)
    connection = at.session_state[StateKey.CONNECTION].active
    ids = [820_000_000 + uuid.uuid4().int % 10**6 * 10 + k for k in range(5)]
    at = upload(at, ("customerId\n" + "\n".join(map(str, ids)) + "\n").encode())
    at = choose_badge(at, badge_name)
    badge_id = at.selectbox(key="be_badge").value
    connection.client.issue_bulk(badge_id=badge_id, customers=[ids[0]], request_id=f"appt-{uuid.uuid4().hex}")
    at = dry_run(at)
    at = next(box for box in at.checkbox if box.label.startswith("I confirm")).check().run()
    at = at.button(key="be_start").click().run()
    job, counts = wait_for_job(at.query_params["job"])
    assert (counts.succeeded, counts.skipped) == (4, 1)

    at = at.run()
    at = at.toggle(key=f"be_undo_{job.job_id}").set_value(True).run()
    assert not at.exception, at.exception
    assert any("Will revoke 4 enrolment(s)" in m.value and "1 customer(s) enrolled before the job are left alone"
               in m.value for m in at.markdown)  # fmt: skip
    at = next(box for box in at.checkbox if box.label.startswith("I confirm: revoke 4")).check().run()
    at = at.button(key="be_undo_start").click().run()
    assert not at.exception, at.exception
    undo_id = at.query_params["job"]
    assert undo_id != job.job_id
    undone, undo_counts = wait_for_job(undo_id)
    assert undone.state is JobState.COMPLETED and undo_counts.succeeded == 4
    detail = connection.client.get_customer_badge(customer_id=ids[0], badge_id=badge_id, include_statistics=True)
    active = [i for i in detail.issual_details.issuals if str(i.issued_status) == "ACTIVE"]
    assert len(active) == 1  # the enrolment made before the job stays
    at = at.run()
    assert not at.exception, at.exception
    assert any("Undo of job" in c.value for c in at.caption)
