"""What a job did, row by row: the outcome table, throughput over time, result files, and a new job
for the rows that failed.

The outcome table has one line per input row (row number as the spreadsheet shows it), so the
results file can be matched against the upload. Files are written through ``lib.bulk.export``, which
neutralises spreadsheet formulas in every text cell (server messages included).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from lib.bulk import export
from lib.bulk.journal import ItemState, Job, Journal, Reason
from lib.bulk.model import (
    CUSTOMER_ID,
    EARN_EVENT_DATE,
    EARN_EXPIRES_ON,
    ISSUE_EVENT_DATE,
    ROW,
    Operation,
    ValidatedInput,
)
from lib.bulk.planner import PlanSettings, plan_job

STATUS = {
    ItemState.SUCCEEDED.value: "succeeded",
    ItemState.FAILED.value: "failed",
    ItemState.SKIPPED.value: "skipped",
    ItemState.PLANNED.value: "pending",
    ItemState.SENDING.value: "pending",
    ItemState.UNKNOWN.value: "unknown",
}

STATUS_NAMES = ("succeeded", "failed", "skipped", "pending", "unknown")

RESULT_COLUMNS = (
    "row",
    "customerId",
    "status",
    "reason",
    "issuedId",
    "earnedBadgeId",
    "errorCode",
    "errorMessage",
    "requestId",
    "attempts",
    "issueEventDate",
    "earnEventDate",
    "earnExpiresOn",
)


_ITEM_COLUMNS = (
    "row", "customer_id", "raw_customer", "state", "reason", "code", "message", "result_id",
    "server_request_id", "attempts",
)  # fmt: skip


def _text(values: pd.Series) -> pd.Series:
    return values.astype("object").where(values.notna(), "").astype("str")


def _iso(seconds: pd.Series) -> pd.Series:
    values = pd.to_datetime(seconds, unit="s", utc=True, errors="coerce")
    return values.dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("str").where(values.notna(), "")


def outcome_table(journal: Journal, job_id: str) -> pd.DataFrame:
    """One line per input row: row, customerId, status, reason, ids, error code/message, requestId, attempts."""
    job = _job(journal, job_id)
    enrol = job.operation in (Operation.ENROL.value, Operation.UNDO_ENROL.value)
    dates = ("issue_event_date",) if enrol else ("earn_event_date", "earn_expires_on")
    raw = journal.item_frame(job_id, columns=_ITEM_COLUMNS + dates)  # only what this operation shows
    if raw.empty:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in RESULT_COLUMNS})
    sent = raw["attempts"] > 0
    request_id = raw["server_request_id"].where(raw["server_request_id"].notna(), None)
    if enrol:
        request_id = request_id.where(request_id.notna(), raw["batch_request_id"].where(sent, None))
    customer = pd.array(raw["customer_id"], dtype="Int64")
    table = pd.DataFrame(
        {
            "row": raw["row"].astype("int64"),
            "customerId": customer,
            "status": raw["state"].map(STATUS),
            "reason": _text(raw["reason"]),
            "issuedId": _text(raw["result_id"]),
            "earnedBadgeId": _text(raw["result_id"]),
            "errorCode": pd.array(raw["code"], dtype="Int64"),
            "errorMessage": _text(raw["message"]),
            "requestId": _text(request_id),
            "attempts": raw["attempts"].astype("int64"),
            "issueEventDate": _iso(raw["issue_event_date"]) if enrol else "",
            "earnEventDate": "" if enrol else _iso(raw["earn_event_date"]),
            "earnExpiresOn": "" if enrol else _iso(raw["earn_expires_on"]),
        }
    )
    if job.identifier:
        # The file named customers by mobile, email...: keep that, beside the id it resolved to.
        table.insert(1, job.identifier, _text(raw["raw_customer"]))
        unread = pd.Series(False, index=table.index)
    else:
        # A row whose customer id could not be read keeps what the file said, for the user to find it.
        unread = table["customerId"].isna() & raw["raw_customer"].notna()
    if unread.any():
        table["customerId"] = table["customerId"].astype("object")
        table.loc[unread, "customerId"] = raw.loc[unread, "raw_customer"]
    drop = (
        ["issuedId", "issueEventDate"] if not enrol else ["earnedBadgeId", "earnEventDate", "earnExpiresOn"]
    )
    return table.drop(columns=drop)


def outcome_labels(table: pd.DataFrame) -> pd.Series:
    """Each row's outcome with what decided it: "succeeded", "failed · 816", "skipped · cancelled"...

    The server's error code when there is one, else the journal's reason (invalid-row, cancelled), so
    the chart of outcomes says why rows failed, not only how many.
    """
    code = table["errorCode"].astype("string").fillna("")
    why = code.where(code != "", table["reason"].astype("string").fillna(""))
    why = why.where(table["status"] != "succeeded", "")  # how a success was confirmed is no news
    return (table["status"].astype("string") + (" · " + why).where(why != "", "")).astype(str)


def throughput(journal: Journal, job_id: str) -> pd.DataFrame:
    """Rows settled over time, one point per finished batch: at (UTC), rows, cumulative, rows_per_second."""
    points = journal.finished_batches(job_id)
    if not points:
        return pd.DataFrame(
            {
                "at": pd.Series(dtype="datetime64[ns, UTC]"),
                "rows": [],
                "cumulative": [],
                "rows_per_second": [],
            }
        )
    frame = pd.DataFrame(points, columns=["finished_at", "rows"])
    job = _job(journal, job_id)
    start = job.started_at or frame["finished_at"].iloc[0]
    frame["cumulative"] = frame["rows"].cumsum()
    elapsed = (frame["finished_at"] - start).clip(lower=1e-3)
    frame["rows_per_second"] = frame["cumulative"] / elapsed
    frame["at"] = pd.to_datetime(frame["finished_at"], unit="s", utc=True)
    return frame[["at", "rows", "cumulative", "rows_per_second"]]


def summary(journal: Journal, job_id: str, *, state: str, reason: str | None) -> dict:
    """What a scheduler needs to know about a run, as JSON-ready values: the job, its state, rows per
    status, and the failed and skipped rows per error code and per reason."""
    table = outcome_table(journal, job_id)
    job = _job(journal, job_id)
    settled = table[table["status"].isin(["failed", "skipped"])]
    codes = settled["errorCode"].dropna().astype("int64").astype(str).value_counts()
    reasons = settled["reason"][settled["reason"] != ""].value_counts()
    statuses = table["status"].value_counts()
    return {
        "jobId": job_id,
        "operation": job.operation,
        "badgeId": job.badge_id,
        "state": state,
        "reason": reason,
        "rows": len(table),
        "byStatus": {name: int(statuses.get(name, 0)) for name in STATUS_NAMES},
        "byErrorCode": {code: int(n) for code, n in sorted(codes.items())},
        "byReason": {name: int(n) for name, n in sorted(reasons.items())},
    }


def results_csv(journal: Journal, job_id: str) -> bytes:
    return export.csv_bytes(outcome_table(journal, job_id))


def run_table(
    journal: Journal,
    jobs: list[Job],
    names: dict[str, str | None] | None = None,
    *,
    no_badge_rows: Collection[int] = (),
) -> pd.DataFrame:
    """The outcome tables of the jobs one file was split into (one per badge) as one table in file
    order, each row with its badge; `no_badge_rows` (rows naming no badge) have the badge columns empty."""
    if len(jobs) == 1 and names is None:
        return outcome_table(journal, jobs[0].job_id)
    names = names or {}
    unassigned = set(no_badge_rows)
    parts = []
    for job in jobs:
        table = outcome_table(journal, job.job_id)
        table.insert(1, "badgeMetaId", job.badge_id)
        table.insert(2, "badgeName", names.get(job.badge_id) or "")
        if unassigned:
            table.loc[table["row"].isin(unassigned), ["badgeMetaId", "badgeName"]] = ""
        parts.append(table)
    return pd.concat(parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)


def run_summary(table: pd.DataFrame, *, jobs: list[Job], state: str, reason: str | None) -> dict:
    """`summary` for a run of several jobs (one per badge), with the counts per badge as well."""
    settled = table[table["status"].isin(["failed", "skipped"])]
    codes = settled["errorCode"].dropna().astype("int64").astype(str).value_counts()
    reasons = settled["reason"][settled["reason"] != ""].value_counts()
    statuses = table["status"].value_counts()
    per_badge = {}
    if "badgeMetaId" in table.columns:
        for badge, rows in table.groupby("badgeMetaId", sort=False):
            counts = rows["status"].value_counts()
            per_badge[badge or "(no badge)"] = {name: int(counts.get(name, 0)) for name in STATUS_NAMES}
    facts = {
        "jobId": jobs[0].job_id if len(jobs) == 1 else None,
        "jobIds": [j.job_id for j in jobs],
        "runId": jobs[0].run_id,
        "operation": jobs[0].operation,
        "badgeId": jobs[0].badge_id if len(jobs) == 1 else None,
        "state": state,
        "reason": reason,
        "rows": len(table),
        "byStatus": {name: int(statuses.get(name, 0)) for name in STATUS_NAMES},
        "byErrorCode": {code: int(n) for code, n in sorted(codes.items())},
        "byReason": {name: int(n) for name, n in sorted(reasons.items())},
    }
    if per_badge:
        facts["byBadge"] = per_badge
    return facts


def results_xlsx(journal: Journal, job_id: str) -> bytes:
    table = outcome_table(journal, job_id)
    sheets = {
        "All rows": table,
        "Failed": table[table["status"] == "failed"],
        "Not sent": table[table["status"].isin(["skipped", "pending", "unknown"])],
    }
    return export.xlsx_bytes(sheets)


def failed_rows(journal: Journal, job_id: str) -> pd.DataFrame:
    """Rows the server refused (with a customer id), in the shape a new job is planned from."""
    job = _job(journal, job_id)
    items = [
        i
        for i in journal.items(job_id)
        if i.state is ItemState.FAILED and i.customer_id is not None and i.reason != Reason.INVALID_ROW.value
    ]
    operation = Operation(job.operation)
    frame = pd.DataFrame(
        {
            ROW: pd.Series([i.row for i in items], dtype="int64"),
            CUSTOMER_ID: pd.Series([i.customer_id for i in items], dtype="int64"),
        }
    )
    if operation is Operation.ENROL:
        frame[ISSUE_EVENT_DATE] = pd.array([i.issue_event_date for i in items], dtype="Int64")
    else:
        frame[EARN_EVENT_DATE] = pd.Series([i.earn_event_date for i in items], dtype="int64")
        frame[EARN_EXPIRES_ON] = pd.Series([i.earn_expires_on for i in items], dtype="int64")
    return frame


def retry_failed_job(journal: Journal, job_id: str, *, job_key: str | None = None) -> Job | None:
    """A NEW job (new job key, so new requestIds) from the failed rows; None when nothing failed.

    The default key is "<old key>/retry-<n>", n counting earlier retries of this job, so asking twice
    after the first retry finished makes a third job rather than resuming the second.
    """
    job = _job(journal, job_id)
    frame = failed_rows(journal, job_id)
    if frame.empty:
        return None
    if job_key is None:
        children = [j for j in journal.jobs() if j.parent_job_id == job_id]
        job_key = f"{job.job_key}/retry-{len(children) + 1}"
    validated = ValidatedInput(operation=Operation(job.operation), valid=frame, source_rows=len(frame))
    return plan_job(
        journal,
        validated,
        org=job.org,
        base_url=job.base_url,
        badge_id=job.badge_id,
        job_key=job_key,
        settings=PlanSettings(batch_size=job.batch_size, concurrency=job.concurrency),
        parent_job_id=job_id,
    )


def _job(journal: Journal, job_id: str) -> Job:
    job = journal.job(job_id)
    if job is None:
        raise KeyError(job_id)
    return job
