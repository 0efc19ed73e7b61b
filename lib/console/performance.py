"""One badge's performance: its numbers, cycles, limit usage, boundaries, expiries and jobs.

Where the numbers come from, and what the API cannot tell:

* Enrolled and earned are the badge list's `issuedCount`/`earnedCount` (#3): totals since the badge
  started, without dates.
* Earns over time and limit usage come from `getFixedWindowDetails` (#8, `constraintType=BADGE`,
  `includeEarnCount=true`): the earn count of every cycle of a badge-level fixed window, counted by
  the earns' event dates, beside that limit's `maxEarnLimit`. A customer-level window is counted for
  one `customerId` at a time, so how close customers come to their own cap is not readable for all of
  them at once (the Customer view shows one customer's usage).
* Enrolments have no dated history in the API. The only dated enrolments (and imports) are the ones
  this console sent: its bulk journals record each row's outcome and when it settled.
* Nothing lists enrolments or earns by expiry date across customers. What expires in the next days is
  exact when the expiry is a date (a fixed date, or the badge's end), exact for what this console sent,
  and an estimate from the cycles' earn counts when earns expire a fixed time after they happen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from lib.console.expiring import EXPIRY_SOURCE
from lib.console.report import Kpi, Report, Section, Table
from lib.console.timetravel import moment, next_boundaries
from lib.domain import BadgeRules

CYCLE_COLUMNS = ["reference_id", "start", "end", "earns"]
USAGE_COLUMNS = [*CYCLE_COLUMNS, "max", "usage", "running"]
CONSOLE_COLUMNS = ["job_id", "operation", "at", "expires"]
"""One line per row a bulk job of this console settled as succeeded: when it settled (UTC), and the
expiry the import sent (imports only)."""


def badge_cycle_frame(cycles: Iterable[object]) -> pd.DataFrame:
    """Badge-level `FixedWindowCycle` items of #8 as rows; the exclusive end is a day after `endDate`."""
    rows = [
        {
            "reference_id": cycle.fixed_window_cycle_reference_id or "",
            "start": pd.Timestamp(cycle.start_date),
            "end": pd.Timestamp(cycle.end_date) + pd.Timedelta(days=1),
            "earns": int(cycle.earn_count or 0),
        }
        for cycle in cycles
        if cycle.start_date is not None
        and cycle.end_date is not None
        and (cycle.constraint_type or "BADGE").upper() == "BADGE"
    ]
    frame = pd.DataFrame(rows, columns=CYCLE_COLUMNS)
    return frame.astype({"earns": "int64"}) if not frame.empty else frame


@dataclass(frozen=True)
class Cap:
    reference_id: str
    max_earn: int
    describe: str


def badge_caps(badge: object) -> dict[str, Cap]:
    """Reference id -> the badge-level fixed window's maximum per cycle (from the full badge)."""
    caps = {}
    for item in getattr(badge, "badge_constraints", None) or []:
        kind = str(
            getattr(getattr(item, "constraint_type", ""), "value", getattr(item, "constraint_type", ""))
        )
        if kind == "BADGE_FIXED_WINDOW" and item.max_earn_limit is not None:
            unit = str(getattr(item.duration_type, "value", item.duration_type) or "").lower()
            ref = item.reference_id or ""
            caps[ref] = Cap(
                ref, int(item.max_earn_limit), f"{int(item.max_earn_limit):,} earns per cycle ({unit})"
            )
    return caps


def overall_cap(badge: object) -> int | None:
    """The badge's BADGE_FIXED_VALUE limit (earns over its whole life), if it has one."""
    for item in getattr(badge, "badge_constraints", None) or []:
        kind = str(
            getattr(getattr(item, "constraint_type", ""), "value", getattr(item, "constraint_type", ""))
        )
        if kind == "BADGE_FIXED_VALUE" and getattr(item, "max_earn_limit", None) is not None:
            return int(item.max_earn_limit)
    return None


def cycle_usage(cycles: pd.DataFrame, caps: Mapping[str, Cap], now: datetime) -> pd.DataFrame:
    """Each cycle with its limit's maximum, the share of it used, and whether it runs now.

    A cycle of a config the badge no longer shows (replaced by a live change) falls back to the only
    cap there is, else it has no maximum (NaN)."""
    if cycles.empty:
        return pd.DataFrame(columns=USAGE_COLUMNS)
    only = next(iter(caps.values())).max_earn if len(caps) == 1 else None
    maxima = [caps[ref].max_earn if ref in caps else only for ref in cycles["reference_id"]]
    frame = cycles.assign(max=pd.array(maxima, dtype="Float64"))
    at = pd.Timestamp(now)
    frame["usage"] = (frame["earns"] / frame["max"]).astype("Float64")
    frame["running"] = (frame["start"] <= at) & (at < frame["end"])
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Figure:
    """A KPI of the badge page: label, value, and what it counts (the metric's help)."""

    label: str
    value: str
    help: str


def _count(n: int | None) -> str:
    return "n/a" if n is None else f"{n:,}"


def badge_figures(
    *, issued: int, earned: int, enrol_type: bool, usage: pd.DataFrame, overall: int | None
) -> list[Figure]:
    """The KPIs of one badge."""
    rate = earned / issued if enrol_type and issued else None
    figures = [
        Figure(
            "Enrolled",
            _count(issued) if enrol_type else "n/a",
            "Enrolments not revoked (issuedCount)."
            if enrol_type
            else "A direct badge: earned without enrolment.",
        ),
        Figure("Earned", _count(earned), "Earns not revoked since the badge started (earnedCount)."),
        Figure(
            "Earn rate",
            "n/a" if rate is None else (f"{rate:.1%}" if rate < 0.1 else f"{rate:.0%}"),
            "Earns per enrolment (earnedCount / issuedCount); a customer may earn more than once per enrolment."
            if enrol_type
            else "Only enrol-then-earn badges have an earn rate.",
        ),
    ]
    running = usage[usage["running"]] if not usage.empty else usage
    if not running.empty:
        row = running.iloc[-1]
        cap = "" if pd.isna(row["max"]) else f" of {int(row['max']):,}"
        figures.append(
            Figure(
                "This cycle",
                f"{int(row['earns']):,}{cap}",
                f"Earns in the running badge-level cycle, {row['start']:%d %b} to "
                f"{row['end'] - pd.Timedelta(days=1):%d %b} (getFixedWindowDetails).",
            )
        )
    known = usage[usage["max"].notna() & ~usage["running"]] if not usage.empty else usage
    if not known.empty:
        peak = known.loc[known["usage"].astype(float).idxmax()]
        figures.append(
            Figure(
                "Busiest cycle",
                f"{float(peak['usage']):.0%} of max",
                f"{peak['start']:%d %b} to {peak['end'] - pd.Timedelta(days=1):%d %b}: {int(peak['earns']):,} earns "
                f"of {int(peak['max']):,} allowed, the closest a finished cycle came to the badge-level cap.",
            )
        )
    if overall is not None:
        figures.append(
            Figure(
                "Overall limit",
                f"{earned:,} of {overall:,}",
                "Earns so far against the badge's lifetime maximum.",
            )
        )
    return figures


def badge_facts(rules: BadgeRules) -> str:
    """'Enrol, then earn · 6 Dec 2025 to 6 Jun 2027 · 4 limits': the badge in one line."""
    kind = "Enrol, then earn" if str(rules.earn_type) == "ISSUE_EARN" else "Earned directly"
    end = f"{rules.end:%d %b %Y}" if rules.end is not None else "no end"
    limits = len(rules.limits)
    return f"{kind} · {rules.start:%d %b %Y} to {end} · {limits} limit{'s' if limits != 1 else ''}"


def boundaries_table(
    badge_id: str, name: str, rules: BadgeRules, now: datetime, *, count: int = 3
) -> pd.DataFrame:
    """The next cycle starts of each fixed-window limit (customer and badge level), in time order."""
    found = next_boundaries(badge_id, name, rules, now, count=count)
    return pd.DataFrame(
        {
            "Limit": [b.limit for b in found],
            "New cycle starts": [moment(b.at) for b in found],
            "In": [_until(b.at - now) for b in found],
        }
    )


def _until(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h" if hours < 48 else f"{delta.days} days"


def console_activity(console: pd.DataFrame, periods: pd.DataFrame | None = None) -> pd.DataFrame:
    """This console's succeeded enrolments and imports counted per period: the cycles given
    (`start`, `end`), else ISO weeks. Columns: start, end, operation, count."""
    if console.empty:
        return pd.DataFrame(columns=["start", "end", "operation", "count"])
    at = console["at"]
    if periods is not None and not periods.empty:
        bounds = periods[["start", "end"]].sort_values("start").reset_index(drop=True)
        index = bounds["start"].searchsorted(at, side="right") - 1
        inside = (index >= 0) & (at < bounds["end"].iloc[index.clip(min=0)].to_numpy())
        frame = console.assign(start=bounds["start"].iloc[index.clip(min=0)].to_numpy()).loc[inside]
        ends = dict(zip(bounds["start"], bounds["end"], strict=True))
    else:
        week = at.dt.normalize() - pd.to_timedelta(at.dt.day_of_week, unit="D")
        frame = console.assign(start=week)
        ends = {start: start + pd.Timedelta(days=7) for start in frame["start"].unique()}
    counted = frame.groupby(["start", "operation"]).size().rename("count").reset_index()
    counted["end"] = counted["start"].map(ends)
    return counted[["start", "end", "operation", "count"]]


@dataclass(frozen=True)
class ConsoleJob:
    """One bulk job of this console on the badge, as the jobs table shows it."""

    job_id: str
    operation: str
    state: str
    created_at: datetime
    file_name: str | None
    rows: int
    succeeded: int
    failed: int
    skipped: int


def jobs_table(jobs: Sequence[ConsoleJob]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Job": [j.job_id for j in jobs],
            "Operation": [j.operation for j in jobs],
            "State": [j.state for j in jobs],
            "Created (UTC)": [j.created_at for j in jobs],
            "File": [j.file_name or "" for j in jobs],
            "Rows": [j.rows for j in jobs],
            "Succeeded": [j.succeeded for j in jobs],
            "Failed": [j.failed for j in jobs],
            "Skipped": [j.skipped for j in jobs],
        }
    )


EARNED_SOURCE = (
    "Earned per cycle: getFixedWindowDetails (constraintType BADGE, includeEarnCount), counted by the earns' "
    "event dates. Enrolled and imported: the rows this console's bulk jobs settled as succeeded, by the day "
    "they settled (its journals). The API keeps no dated history of enrolments: enrolments made elsewhere "
    "count only in the total."
)
USAGE_SOURCE = (
    "Each cycle's earn count against the badge-level fixed window's maxEarnLimit; the running cycle is lighter "
    "(still counting). How close each customer comes to a customer-level cap is counted by the API for one "
    "customer at a time (getFixedWindowDetails with a customerId): look a customer up in the Customer view."
)


def badge_report(
    *,
    name: str,
    badge_id: str,
    org: str,
    backend: str,
    as_of: datetime,
    generated_at: datetime,
    clock_note: str | None,
    facts: str,
    figures: Sequence[Figure],
    charts: Sequence[object],
    boundaries: pd.DataFrame,
    expiring: pd.DataFrame,
    jobs: pd.DataFrame,
) -> Report:
    """The badge performance page as one HTML report."""
    return Report(
        title=f"Badge performance: {name}",
        subtitle=f"Badge Console · badge {badge_id} · {facts}",
        org=org,
        backend=backend,
        as_of=as_of,
        generated_at=generated_at,
        clock_note=clock_note,
        kpis=[Kpi(f.label, f.value, f.help) for f in figures],
        sections=(
            Section("Enrolled and earned over time", figures=charts[:1], notes=(EARNED_SOURCE,)),
            Section("Limit usage per cycle", figures=charts[1:], notes=(USAGE_SOURCE,)),
            Section("Next cycle boundaries", tables=(Table("", boundaries),)),
            Section("Expiring in the next 30 days", tables=(Table("", expiring, EXPIRY_SOURCE),)),
            Section("Bulk jobs of this console on this badge", tables=(Table("", jobs),)),
        ),
    )
