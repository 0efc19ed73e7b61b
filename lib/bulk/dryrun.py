"""Rehearse a bulk write against the selected backend using only reads, and predict how it will go.

Checks, in the order a person fixes them: the badge exists, is active and LIVE, its earn type fits the
operation (enrolment needs an ISSUE_EARN badge), the claim named in triggeredBy is an active claim on
the badge, and which rows the server would refuse: event dates outside the badge period (816) and
customers who already hold an active enrolment (1040). The 1040 prediction reads each customer's badge
(#17); for big files it reads a seeded random sample and scales the count up, and says so.

Nothing here writes: the dry run only calls get_badge and get_customer_badge. The customer reads are
independent, so the caller may pass `read_many` to run them side by side (the console passes its
bounded fan-out; without it they run one after the other).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial

import pandas as pd

from lib.api.client import BadgesClient
from lib.api.errors import NotFoundError
from lib.api.models import Badge, CustomerBadgeDetail
from lib.api.read_many import Progress, ReadMany, one_by_one
from lib.bulk.model import CUSTOMER_ID, EARN_EVENT_DATE, ISSUE_EVENT_DATE, Operation, ValidatedInput
from lib.bulk.outlook import Outlook
from lib.bulk.validate import BadgePeriod
from lib.bulk.wording import plural, plural_word
from lib.domain import BadgeStatus, EarnType, badge_status

CUSTOMER_NOT_FOUND = 1026
FULL_CHECK_LIMIT = 200  # files up to this many rows have every customer looked up
SAMPLE_SIZE = 100


class CheckStatus(StrEnum):
    INFO = "info"  # nothing is wrong, and nothing will happen: e.g. every row was sent by an earlier job
    PASS = "pass"
    WARN = "warn"  # the job can run, but read this first
    FAIL = "fail"  # the job would fail as a whole; fix this before starting


@dataclass(frozen=True)
class DryRunCheck:
    name: str
    status: CheckStatus
    message: str
    code: int | None = None  # the API error code this check predicts, when there is one


@dataclass(frozen=True)
class Trigger:
    """The `triggeredBy` of an enrolment: the module (owner type) and its reference id."""

    owner_type: str
    reference_id: str


@dataclass(frozen=True)
class DryRunReport:
    """What the summary card shows before the user confirms the job."""

    operation: Operation
    badge_id: str
    badge_name: str | None
    earn_type: str | None
    status: str | None
    period: BadgePeriod | None
    rows_in_file: int
    rows_to_send: int
    rows_with_errors: int
    rows_skipped: int
    checks: tuple[DryRunCheck, ...]
    customers_checked: int = 0
    sampled: bool = False
    predicted_1040: int = 0  # enrolment: customers with an active enrolment already (scaled up when sampled)
    predicted_816: int = (
        0  # enrolment: rows whose event date (or now, when empty) is outside the badge period
    )
    predicted_reimports: int = 0  # import: rows whose customer already has an earn with that event date
    unknown_customers: int = 0  # customers the server does not know (1026), scaled up when sampled
    examples_1040: tuple[int, ...] = field(default_factory=tuple)

    @property
    def blocking(self) -> tuple[DryRunCheck, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.FAIL)

    @property
    def can_run(self) -> bool:
        return not self.blocking and self.rows_to_send > 0

    @property
    def predicted_success(self) -> int:
        refused = self.predicted_1040 + self.predicted_816 + self.unknown_customers
        return max(self.rows_to_send - refused, 0)

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) lines for a summary card."""
        how = f"{plural(self.customers_checked, 'customer')} looked up" + (
            " (a sample)" if self.sampled else ""
        )
        lines = [
            ("Badge", f"{self.badge_name or '?'} ({self.badge_id})"),
            ("Earn type / status", f"{self.earn_type or '?'} / {self.status or '?'}"),
            ("Rows in file", f"{self.rows_in_file:,}"),
            ("Rows to send", f"{self.rows_to_send:,}"),
            ("Rows with errors (not sent)", f"{self.rows_with_errors:,}"),
            ("Rows skipped (repeats, done before)", f"{self.rows_skipped:,}"),
        ]
        if self.operation is Operation.ENROL:
            lines += [
                ("Predicted 'already enrolled' (1040)", f"{self.predicted_1040:,} — {how}"),
                ("Predicted 'event date outside badge period' (816)", f"{self.predicted_816:,}"),
            ]
        else:
            lines.append(
                ("Predicted second imports of an existing earn", f"{self.predicted_reimports:,} — {how}")
            )
        lines += [
            ("Customers not found (1026)", f"{self.unknown_customers:,}"),
            ("Predicted to succeed", f"{self.predicted_success:,}"),
        ]
        return lines


def badge_period(badge: Badge) -> BadgePeriod | None:
    start, end = badge.starts, badge.ends
    if start is None:
        return None
    return BadgePeriod(int(start.timestamp()), int(end.timestamp()) if end is not None else None)


def dry_run(
    client: BadgesClient,
    validated: ValidatedInput,
    *,
    badge_id: str,
    trigger: Trigger | None = None,
    now: datetime | None = None,
    full_check_limit: int = FULL_CHECK_LIMIT,
    sample_size: int = SAMPLE_SIZE,
    seed: int = 0,
    on_progress: Progress | None = None,
    default_event_date: int | None = None,
    read_many: ReadMany = one_by_one,
) -> DryRunReport:
    """Run every check; API errors other than "not found" propagate to the caller unchanged.

    `default_event_date` (enrolment, epoch seconds) is the issueEventDate the job will send for rows
    without one; without it the server uses the time of sending, taken here as `now`.
    `on_progress(done, total)` follows the customer look-ups, which `read_many` runs.
    """
    now = now or datetime.now(UTC)
    operation = validated.operation
    counts = {
        "rows_in_file": validated.source_rows,
        "rows_to_send": validated.valid_count,
        "rows_with_errors": validated.error_count,
        "rows_skipped": validated.skipped_count,
    }
    try:
        badge = client.get_badge(badge_id=badge_id)
    except NotFoundError as exc:
        check = DryRunCheck(
            "badge", CheckStatus.FAIL, f"No badge {badge_id} in this org: {exc.message}", exc.code
        )
        return DryRunReport(operation, badge_id, None, None, None, None, checks=(check,), **counts)

    period = badge_period(badge)
    status = _status(badge, now)
    checks = [
        DryRunCheck("badge", CheckStatus.PASS, f"Found '{badge.name}'."),
        _check_active(badge, operation),
        _check_status(status, operation),
        _check_earn_type(badge, operation),
    ]
    if operation is Operation.ENROL:
        checks.append(_check_claim(badge, trigger))

    report_fields: dict = {}
    if operation is Operation.ENROL and period is not None:
        report_fields["predicted_816"] = _count_outside_period(validated, period, now, default_event_date)
        if report_fields["predicted_816"]:
            checks.append(
                DryRunCheck(
                    "event dates",
                    CheckStatus.WARN,
                    f"{plural(report_fields['predicted_816'], 'row')} "
                    f"{plural_word(report_fields['predicted_816'], 'has')} an event date (or, when empty, "
                    f"{'the default date' if default_event_date is not None else 'today'}) outside "
                    f"the badge period {period.describe()}; the API will refuse "
                    f"{plural_word(report_fields['predicted_816'], 'it', 'them')}.",
                    816,
                )
            )

    sample = _sample(validated.valid, full_check_limit, sample_size, seed)
    looked_up = _look_up(client, sample, badge_id, read_many, on_progress)
    scale = validated.valid_count / len(sample) if len(sample) else 0.0
    unknown = [cid for cid, detail in looked_up if detail is None]
    report_fields["unknown_customers"] = round(len(unknown) * scale)
    if unknown:
        checks.append(
            DryRunCheck(
                "customers",
                CheckStatus.WARN,
                f"{len(unknown):,} of {plural(len(sample), 'customer')} looked up "
                f"{plural_word(len(unknown), 'is')} not known to the server "
                f"(e.g. {', '.join(map(str, unknown[:5]))}).",
                CUSTOMER_NOT_FOUND,
            )
        )
    if operation is Operation.ENROL:
        enrolled = [
            cid for cid, detail in looked_up if detail is not None and _has_active_enrolment(detail, now)
        ]
        report_fields["predicted_1040"] = round(len(enrolled) * scale)
        report_fields["examples_1040"] = tuple(enrolled[:10])
        if enrolled:
            checks.append(
                DryRunCheck(
                    "enrolments",
                    CheckStatus.WARN,
                    f"{len(enrolled):,} of {plural(len(sample), 'customer')} looked up already "
                    f"{plural_word(len(enrolled), 'holds', 'hold')} an active enrolment; the API answers 1040 "
                    f"for {plural_word(len(enrolled), 'it', 'them')} and keeps the existing one.",
                    1040,
                )
            )
    else:
        repeats = _count_reimports(sample, looked_up)
        report_fields["predicted_reimports"] = round(repeats * scale)
        if repeats:
            checks.append(
                DryRunCheck(
                    "earns",
                    CheckStatus.WARN,
                    f"{repeats:,} of {plural(len(sample), 'row')} looked up already "
                    f"{plural_word(repeats, 'has')} an earn with the same event date; importing "
                    f"{plural_word(repeats, 'it', 'them')} again creates a second earned badge.",
                )
            )
    if validated.valid_count == 0:
        checks.append(_check_rows(validated))

    return DryRunReport(
        operation,
        badge_id,
        badge.name,
        str(badge.earn_type) if badge.earn_type else None,
        status.value if status else None,
        period,
        checks=tuple(checks),
        customers_checked=len(sample),
        sampled=len(sample) < validated.valid_count,
        **counts,
        **report_fields,
    )


def _check_rows(validated: ValidatedInput) -> DryRunCheck:
    """Nothing to send: done by an earlier job (nothing to fix), or every row has an error."""
    outlook = Outlook.of(validated)
    headline = outlook.headline()
    if outlook.all_done_before and headline is not None:
        return DryRunCheck("rows", CheckStatus.INFO, headline.text)
    if headline is not None:
        return DryRunCheck("rows", CheckStatus.FAIL, headline.text)
    return DryRunCheck("rows", CheckStatus.FAIL, "The file has no rows to send.")


def _status(badge: Badge, now: datetime) -> BadgeStatus | None:
    if badge.starts is not None:
        return badge_status(badge.starts, badge.ends, now)
    return badge.status


def _check_active(badge: Badge, operation: Operation) -> DryRunCheck:
    if badge.active is not False:
        return DryRunCheck("active", CheckStatus.PASS, "The badge is active.")
    if operation is Operation.ENROL:
        return DryRunCheck(
            "active", CheckStatus.FAIL, "The badge is deactivated; activate it before enrolling."
        )
    return DryRunCheck(
        "active", CheckStatus.WARN, "The badge is deactivated; imported earns will not be usable."
    )


def _check_status(status: BadgeStatus | None, operation: Operation) -> DryRunCheck:
    if status is BadgeStatus.LIVE:
        return DryRunCheck("status", CheckStatus.PASS, "The badge is LIVE.")
    shown = status.value if status else "unknown"
    if operation is Operation.ENROL:
        return DryRunCheck(
            "status",
            CheckStatus.FAIL,
            f"The badge is {shown}; customers can only be enrolled in a LIVE badge.",
        )
    return DryRunCheck(
        "status", CheckStatus.WARN, f"The badge is {shown}; check the dates of the earns you import."
    )


def _check_earn_type(badge: Badge, operation: Operation) -> DryRunCheck:
    earn_type = badge.earn_type
    if operation is Operation.ENROL and earn_type is not EarnType.ISSUE_EARN:
        return DryRunCheck(
            "earn type",
            CheckStatus.FAIL,
            f"The badge's earn type is {earn_type or 'unknown'}; enrolment (issueBulk) needs an ISSUE_EARN "
            "(enrol & issue) badge. Direct (EARN) badges are awarded without enrolment.",
        )
    return DryRunCheck("earn type", CheckStatus.PASS, f"Earn type {earn_type} fits the operation.")


def _check_claim(badge: Badge, trigger: Trigger | None) -> DryRunCheck:
    claims = (badge.ownership.claims if badge.ownership else None) or []
    if trigger is None:
        return DryRunCheck(
            "claim",
            CheckStatus.PASS,
            "Sent without triggeredBy (allowed: enrolments need no owner or claim).",
        )
    for claim in claims:
        if (
            str(claim.owner_type) == trigger.owner_type
            and str(claim.reference_id) == trigger.reference_id
            and claim.is_active is not False
        ):
            return DryRunCheck(
                "claim",
                CheckStatus.PASS,
                f"{trigger.owner_type}/{trigger.reference_id} holds an active claim.",
            )
    active = [f"{c.owner_type}/{c.reference_id}" for c in claims if c.is_active is not False]
    return DryRunCheck(
        "claim",
        CheckStatus.FAIL,
        f"{trigger.owner_type}/{trigger.reference_id} has no active claim on this badge "
        f"(active claims: {', '.join(active) or 'none'}); claim the badge first or leave triggeredBy empty.",
        810,
    )


def _count_outside_period(
    validated: ValidatedInput, period: BadgePeriod, now: datetime, default_event_date: int | None
) -> int:
    fallback = default_event_date if default_event_date is not None else int(now.timestamp())
    event = validated.valid.get(ISSUE_EVENT_DATE)
    if event is None:
        return validated.valid_count if not bool(period.contains(pd.Series([fallback])).iloc[0]) else 0
    effective = event.fillna(fallback)
    return int((~period.contains(effective)).sum())


def _sample(valid: pd.DataFrame, full_check_limit: int, sample_size: int, seed: int) -> pd.DataFrame:
    if len(valid) <= full_check_limit:
        return valid
    picks = sorted(random.Random(seed).sample(range(len(valid)), sample_size))
    return valid.iloc[picks]


def _look_up(
    client: BadgesClient,
    sample: pd.DataFrame,
    badge_id: str,
    read_many: ReadMany,
    on_progress: Progress | None,
) -> list[tuple[int, CustomerBadgeDetail | None]]:
    """(customer id, detail or None when the server does not know the customer), once per customer."""
    customers = list(dict.fromkeys(int(c) for c in sample[CUSTOMER_ID]))

    def look_up(customer_id: int) -> CustomerBadgeDetail | None:
        try:
            return client.get_customer_badge(
                customer_id=customer_id, badge_id=badge_id, include_statistics=True
            )
        except NotFoundError as exc:
            if exc.code == CUSTOMER_NOT_FOUND:
                return None
            return CustomerBadgeDetail(id=badge_id)  # the customer exists but has no history with this badge

    details = read_many([partial(look_up, c) for c in customers], on_progress=on_progress)
    found = dict(zip(customers, details, strict=True))
    return [(int(c), found[int(c)]) for c in sample[CUSTOMER_ID]]


def _has_active_enrolment(detail: CustomerBadgeDetail, now: datetime) -> bool:
    issuals = detail.issual_details.issuals if detail.issual_details else []
    return any(issual.is_active(now) for issual in issuals)


def _count_reimports(sample: pd.DataFrame, looked_up: list[tuple[int, CustomerBadgeDetail | None]]) -> int:
    repeats = 0
    for event, (_, detail) in zip(sample[EARN_EVENT_DATE], looked_up, strict=True):
        if detail is None or not detail.earn_details:
            continue
        earned = {int(e.earn_event_date.timestamp()) for e in detail.earn_details.earns if e.earn_event_date}
        repeats += int(event) in earned
    return repeats
