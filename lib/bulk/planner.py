"""Turn a checked upload into a job: rows, a frozen batch plan and one requestId per batch.

Planning happens once. The plan (which customers go in which batch, and each batch's requestId) is
written to the journal before the first request and read back on every resume; re-planning would
change batch contents, hence requestIds, hence enrol customers twice.

requestId = base32(sha256(org | badge | job key | batch | sorted customer ids | issueEventDate)),
32 characters of [a-z2-7]. It is fixed before the first attempt and every retry reuses it with the
identical body. The job key defaults to the file's SHA-256, so uploading the same file again resumes
(or collides with) the same job on purpose; a deliberate re-issue needs a new, explicit job key.

Customers already enrolled (or rows already imported) by any earlier job in this journal for the same
org, cluster and badge are marked SKIPPED before planning and never sent (the cross-job ledger).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.bulk.journal import ItemState, Job, JobState, Journal, Reason
from lib.bulk.model import (
    CUSTOMER_ID,
    EARN_EVENT_DATE,
    EARN_EXPIRES_ON,
    IDENTIFIER,
    ISSUE_EVENT_DATE,
    ROW,
    Operation,
    Severity,
    ValidatedInput,
)

# Rules of the rows a customer look-up refused (lib.bulk.resolve), with the server's code.
NOT_FOUND_RULES = {1026: "customer_not_found", 1028: "identifier_refused"}

# Defaults, measured end to end on 100,000 enrolments against the sandbox as its own process on a
# shared 2-core machine (bench/bench_enrol.py): batch 100 sends in 6.1-6.6 s with 2 in flight, 9.5 s
# with 1, 5.9 s with 4; batch 500 sends in 4.0-4.5 s. 100 stays the default: it meets the 10 s target
# with margin, and Capillary's own cap on issueBulk is not documented.
# Concurrency is not a setting to tune: the runner's adaptive limiter starts at 2 requests in flight and
# finds the server's pace itself (lib/bulk/limiter.py); the job's `concurrency` is only its ceiling,
# high enough for a cluster 300 ms away at its rate limit.
DEFAULT_BATCH_SIZE = 100
DEFAULT_CONCURRENCY = 16
MAX_BATCH_SIZE = {Operation.ENROL: 500, Operation.IMPORT: 1000}
MAX_CONCURRENCY = 32
NO_DATE = 0  # ledger key part when an enrolment has no event date


class PlanError(ValueError):
    """The job cannot be planned as asked; the message is meant for the user."""


@dataclass(frozen=True)
class PlanSettings:
    batch_size: int = DEFAULT_BATCH_SIZE
    concurrency: int = DEFAULT_CONCURRENCY
    issue_event_date: int | None = None  # enrol: epoch seconds for rows without their own date
    skip_already_done: bool = True  # consult the ledger (off only for badges that legitimately repeat)


def file_key(data: bytes) -> str:
    """The default job key: the uploaded file's SHA-256."""
    return hashlib.sha256(data).hexdigest()


def _digest(*parts: object, length: int) -> str:
    text = "|".join("" if p is None else str(p) for p in parts)
    raw = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.b32encode(raw).decode("ascii").lower().rstrip("=")[:length]


def job_id_for(operation: Operation | str, org: str, base_url: str, badge_id: str, job_key: str) -> str:
    """Same operation, org, cluster, badge and job key -> same job (so a rerun resumes it)."""
    return "job-" + _digest("job", Operation(operation).value, org, base_url, badge_id, job_key, length=20)


def batch_request_id(
    org: str, badge_id: str, job_key: str, batch: int, customer_ids: list[int], issue_event_date: int | None
) -> str:
    ids = ",".join(str(c) for c in sorted(customer_ids))
    return _digest(org, badge_id, job_key, batch, ids, issue_event_date, length=32)


def repair_request_id(
    org: str,
    badge_id: str,
    job_key: str,
    generation: int,
    customer_ids: list[int],
    issue_event_date: int | None,
) -> str:
    """Key of a batch re-planned after reconciliation proved its rows were not applied."""
    ids = ",".join(str(c) for c in sorted(customer_ids))
    return _digest(org, badge_id, job_key, "repair", generation, ids, issue_event_date, length=32)


def settle_request_id(planned: str, attempt: int) -> str:
    """Key of a resend after an attempt that may have been applied: new per attempt, derived from the plan."""
    return _digest(planned, "settle", attempt, length=32)


def check_settings(operation: Operation, settings: PlanSettings) -> None:
    cap = MAX_BATCH_SIZE[operation]
    if not 1 <= settings.batch_size <= cap:
        raise PlanError(f"Batch size must be between 1 and {cap} for {operation.value}.")
    if not 1 <= settings.concurrency <= MAX_CONCURRENCY:
        raise PlanError(f"Concurrency must be between 1 and {MAX_CONCURRENCY}.")


def plan_job(
    journal: Journal,
    validated: ValidatedInput,
    *,
    org: str,
    base_url: str,
    badge_id: str,
    job_key: str,
    file_sha256: str | None = None,
    file_name: str | None = None,
    settings: PlanSettings | None = None,
    parent_job_id: str | None = None,
    run_id: str | None = None,
) -> Job:
    """Write the job and its frozen plan, or return the existing job with the same id unchanged."""
    settings = settings or PlanSettings()
    operation = validated.operation
    check_settings(operation, settings)
    if not job_key:
        raise PlanError("The job key must not be empty.")
    job_id = job_id_for(operation, org, base_url, badge_id, job_key)
    existing = journal.job(job_id)
    if existing is not None:
        if file_sha256 and existing.file_sha256 and existing.file_sha256 != file_sha256:
            raise PlanError(
                f"Job key '{job_key}' was already used for a different file; choose another job key."
            )
        return existing

    now = journal.now()
    valid = validated.valid
    rows = valid[ROW].to_numpy(dtype="int64")
    customers = valid[CUSTOMER_ID].to_numpy(dtype="int64")
    n = len(valid)

    if operation is Operation.ENROL:
        own = (
            valid[ISSUE_EVENT_DATE]
            if ISSUE_EVENT_DATE in valid.columns
            else pd.Series(pd.NA, index=valid.index)
        )
        dates = own.astype("Int64")
        if settings.issue_event_date is not None:
            dates = dates.fillna(settings.issue_event_date)
        event = dates.to_numpy(dtype="float64", na_value=np.nan)
        ledger_dates = np.zeros(n, dtype="int64")
        expires = np.full(n, np.nan)
    else:
        event = valid[EARN_EVENT_DATE].to_numpy(dtype="float64")
        ledger_dates = valid[EARN_EVENT_DATE].to_numpy(dtype="int64")
        expires = valid[EARN_EXPIRES_ON].to_numpy(dtype="float64")

    done: dict[tuple[int, int], str | None] = {}
    if settings.skip_already_done:
        done = journal.ledger_lookup(org=org, base_url=base_url, badge_id=badge_id, operation=operation.value)
    already = np.zeros(n, dtype=bool)
    if done:
        already = np.array(
            [(c, d) in done for c, d in zip(customers.tolist(), ledger_dates.tolist(), strict=True)],
            dtype=bool,
        )

    frame = pd.DataFrame({"row": rows, "customer": customers, "event": event, "expires": expires})
    to_send = frame[~already].copy()
    # Sorted, so the plan depends on the set of rows and not on their order in the file. One
    # issueBulk call carries one issueEventDate, so enrolments are batched per date.
    group_key = to_send["event"].fillna(-1.0) if operation is Operation.ENROL else 0.0
    to_send = to_send.assign(_group=group_key).sort_values(["_group", "customer", "row"], kind="stable")
    chunk = to_send.groupby("_group", sort=False).cumcount() // settings.batch_size
    group_codes = pd.factorize(to_send["_group"], sort=False)[0]
    batch_keys = pd.Series(list(zip(group_codes, chunk.to_numpy(), strict=True)), index=to_send.index)
    to_send["batch"] = pd.factorize(batch_keys, sort=False)[0]

    reason_done = Reason.ALREADY_ENROLLED if operation is Operation.ENROL else Reason.ALREADY_IMPORTED
    # Batch numbers follow the sorted order, so each batch is one contiguous slice.
    sorted_ids = to_send["customer"].to_numpy(dtype="int64")
    sorted_batch = to_send["batch"].to_numpy(dtype="int64")
    sorted_event = to_send["event"].to_numpy(dtype="float64")
    cuts = np.flatnonzero(np.diff(sorted_batch)) + 1
    batches = []
    for start, end in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(sorted_ids)].tolist(), strict=True):
        if start == end:
            continue
        first = sorted_event[start]
        ie_date = None if operation is Operation.IMPORT or np.isnan(first) else int(first)
        number = int(sorted_batch[start])
        request_id = batch_request_id(org, badge_id, job_key, number, sorted_ids[start:end].tolist(), ie_date)
        batches.append((job_id, number, request_id, end - start, ie_date, now))

    batch_of = np.full(n, -1, dtype="int64")
    batch_of[to_send.index.to_numpy()] = sorted_batch
    nothing = [None] * n
    dates = _optional_ints(event)
    issue_dates = dates if operation is Operation.ENROL else nothing
    earn_dates = dates if operation is Operation.IMPORT else nothing
    expiry = _optional_ints(expires) if operation is Operation.IMPORT else nothing
    # Planned rows, in file order (the table's key order): only the columns a planned row has.
    sending = ~already
    rows_list, customers_list, batch_list = rows.tolist(), customers.tolist(), batch_of.tolist()
    planned = [
        (job_id, row, customer, batch, ie, ee, ex_on)
        for row, customer, batch, ie, ee, ex_on, send in zip(
            rows_list,
            customers_list,
            batch_list,
            issue_dates,
            earn_dates,
            expiry,
            sending.tolist(),
            strict=True,
        )
        if send
    ]
    if IDENTIFIER in valid.columns:  # the results keep the identifier the file gave
        names = valid[IDENTIFIER].tolist()
        planned = [(*row, names[k]) for row, k in zip(planned, np.flatnonzero(sending).tolist(), strict=True)]
    skipped, why = ItemState.SKIPPED.value, reason_done.value
    settled: list[tuple] = [
        (job_id, rows_list[k], customers_list[k], None, None, skipped, why, None, "done by an earlier job",
         done.get((customers_list[k], int(ledger_dates[k]))), issue_dates[k], earn_dates[k], expiry[k], now)
        for k in np.flatnonzero(already).tolist()
    ]  # fmt: skip
    settled.extend(_rows_not_sent(job_id, validated, set(rows_list), now))
    job = {
        "job_id": job_id,
        "operation": operation.value,
        "org": org,
        "base_url": base_url,
        "badge_id": badge_id,
        "job_key": job_key,
        "file_sha256": file_sha256,
        "file_name": file_name,
        "batch_size": settings.batch_size,
        "concurrency": settings.concurrency,
        "issue_event_date": settings.issue_event_date,
        "input_rows": len(planned) + len(settled),
        "state": JobState.PLANNED.value,
        "parent_job_id": parent_job_id,
        "identifier": validated.identifier if IDENTIFIER in valid.columns else None,
        "run_id": run_id,
        "created_at": now,
        "updated_at": now,
    }
    journal.insert_job(job, planned, settled, batches)
    created = journal.job(job_id)
    assert created is not None
    return created


def _optional_ints(values: np.ndarray) -> list[int | None]:
    """float array with NaN for missing -> Python ints and None."""
    series = pd.Series(values).astype("Int64")
    return series.astype(object).where(series.notna(), None).tolist()


def _readable_id(raw: str | None) -> int | None:
    """The customer id of a row that is not sent, when its text is a plain id (else only the text is kept)."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _rows_not_sent(job_id: str, validated: ValidatedInput, planned: set[int], now: float) -> list[tuple]:
    """Rows validation kept out of the job, so the results file accounts for every row of the file:
    errors become FAILED(invalid-row), duplicates and earlier work SKIPPED."""
    issues = validated.issues
    if issues is None or issues.empty:
        return []
    blocking = issues[issues["severity"].isin([Severity.ERROR.value, Severity.SKIPPED.value])]
    blocking = blocking[~blocking["row"].isin(list(planned))]
    raw_customers = validated.raw_customers_of_invalid_rows()
    by_identifier = IDENTIFIER in validated.valid.columns
    out = []
    for row, lines in blocking.groupby("row", sort=True):
        errors = lines[lines["severity"] == Severity.ERROR.value]
        errors = errors[~errors["rule"].isin(list(NOT_FOUND_RULES.values()))] if by_identifier else errors
        if not errors.empty:
            message = "; ".join(errors["message"].astype("str"))
            raw = raw_customers.get(int(row))
            out.append((job_id, int(row), None if by_identifier else _readable_id(raw), raw, None, ItemState.FAILED.value, Reason.INVALID_ROW.value, None,
                        message, None, None, None, None, now))  # fmt: skip
            continue
        first = lines.iloc[0]
        rule = str(first["rule"])
        if rule in NOT_FOUND_RULES.values():  # looked up, and the server knows no such customer
            code = next(c for c, r in NOT_FOUND_RULES.items() if r == rule)
            out.append((job_id, int(row), None, raw_customers.get(int(row)), None, ItemState.FAILED.value,
                        Reason.CUSTOMER_NOT_FOUND.value, code, str(first["message"]), None, None, None, None, now))  # fmt: skip
            continue
        reason = Reason.DUPLICATE_IN_FILE if rule == "duplicate_in_file" else Reason.ALREADY_ENROLLED
        if rule == "already_done" and validated.operation is Operation.IMPORT:
            reason = Reason.ALREADY_IMPORTED
        raw = str(first["value"]).strip()
        out.append((job_id, int(row), None if by_identifier else _readable_id(raw), raw, None, ItemState.SKIPPED.value, reason.value, None,
                    str(first["message"]), None, None, None, None, now))  # fmt: skip
    return out
