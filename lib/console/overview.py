"""The overview page's numbers: the badge table, its filters, KPIs and the earn time series.

Where the numbers come from, and what they cannot say:

* Per-badge enrolments and earns are the `issuedCount`/`earnedCount` of the badge list (#3). They
  are totals since the badge started; the API keeps no per-day history of them.
* Earns over time come from `getFixedWindowDetails` (#8) with `constraintType=BADGE` and
  `includeEarnCount=true`: the earn count of every cycle of a badge-level fixed window. Only badges
  with such a limit have a time series; the chart says so instead of inventing one for the others.
  Enrolments have no time series in the API at all, so none is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from lib.console.display import DAY, readable
from lib.console.report import Kpi, Report, Section, Table

TABLE_COLUMNS = (
    "id",
    "name",
    "status",
    "earn_type",
    "active",
    "owners",
    "group",
    "rank",
    "start",
    "end",
    "issued",
    "earned",
)


def _text(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def badge_table(badges: Iterable[object]) -> pd.DataFrame:
    """One row per badge of the list endpoint (any object with the `BadgeSummary` attributes)."""
    rows = []
    for badge in badges:
        ownership = getattr(badge, "ownership", None)
        owners = [_text(o) for o in (getattr(ownership, "restricted_to_owners", None) or [])]
        rows.append(
            {
                "id": badge.id,
                "name": badge.name or "",
                "status": _text(badge.status),
                "earn_type": _text(badge.earn_type),
                "active": bool(badge.active) if badge.active is not None else True,
                "owners": ", ".join(sorted(owners)),
                "group": badge.badge_group_name or badge.badge_group_id or "",
                "rank": badge.badge_rank,
                "start": badge.start_on,
                "end": badge.expires_on,
                "issued": int(badge.issued_count or 0),
                "earned": int(badge.earned_count or 0),
            }
        )
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    return frame.astype({"rank": "Int64", "issued": "int64", "earned": "int64", "active": "bool"})


DISPLAY_LABELS = {
    "name": "Name",
    "status": "Status",
    "earn_type": "Earn type",
    "active": "Active",
    "owners": "Owner modules",
    "group": "Group",
    "rank": "Rank",
    "start": "Start (UTC)",
    "end": "End (UTC)",
    "issued": "Enrolled",
    "earned": "Earned",
}


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table as people read it (see `display.readable`), with "no end" for open-ended badges.
    ISO dates still sort in date order."""
    dated = table.assign(**{column: pd.to_datetime(table[column], utc=True) for column in ("start", "end")})
    shown = readable(dated, formats={"start": DAY, "end": DAY})
    shown["end"] = shown["end"].replace("", "no end")
    return shown


@dataclass(frozen=True)
class TableFilter:
    """Filters applied in the page after the (server-filtered, cached) list arrives."""

    groups: tuple[str, ...] = ()
    search: str = ""


def filter_summary(shown: int, total: int, **filters: object) -> str:
    """'3 of 12 badges (status LIVE, search "spend")': what a report's numbers cover."""
    parts = []
    for name, value in filters.items():
        if value in (None, "", [], ()):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{name.replace('_', ' ')} {text}")
    return f"{shown} of {total} badges" + (f" ({'; '.join(parts)})" if parts else "")


def filter_table(table: pd.DataFrame, wanted: TableFilter) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    if wanted.groups:
        mask &= table["group"].isin(wanted.groups)
    if wanted.search.strip():
        mask &= table["name"].str.contains(wanted.search.strip(), case=False, regex=False)
    return table[mask].reset_index(drop=True)


@dataclass(frozen=True)
class Kpis:
    badges: int
    live: int
    active: int
    issued: int
    earned: int
    enrol_earned: int = 0
    """Earns of the enrol-then-earn (ISSUE_EARN) badges: a direct (EARN) badge has no enrolments."""

    @property
    def earn_rate(self) -> float | None:
        """Earns per enrolment of the enrol-then-earn badges; None when nothing was enrolled."""
        return self.enrol_earned / self.issued if self.issued else None


def kpis(table: pd.DataFrame) -> Kpis:
    enrol_type = table["earn_type"] == "ISSUE_EARN" if "earn_type" in table else pd.Series(False, table.index)
    return Kpis(
        badges=len(table),
        live=int((table["status"] == "LIVE").sum()),
        active=int(table["active"].sum()),
        issued=int(table["issued"].sum()),
        earned=int(table["earned"].sum()),
        enrol_earned=int(table.loc[enrol_type, "earned"].sum()),
    )


def percent(rate: float | None) -> str:
    """ "62%" (one decimal under 10%), or "n/a" when there is nothing to divide by."""
    if rate is None:
        return "n/a"
    return f"{rate:.1%}" if rate < 0.1 else f"{rate:.0%}"


def owners_series(table: pd.DataFrame) -> pd.Series:
    """One value per (badge, owner module): a badge owned by three modules counts for each."""
    owners = table["owners"].str.split(", ").explode()
    return owners[owners.astype(bool)].rename("owner")


SERIES_COLUMNS = ["badge", "start", "end", "earns", "badge_id"]


def cycle_series(badge_name: str, cycles: Sequence[object], badge_id: str = "") -> pd.DataFrame:
    """Earn counts per cycle of one badge (`FixedWindowCycle` items of #8) as chart rows.

    The API's cycle `endDate` is 00:00 of the cycle's last day, so the exclusive end is one day later.
    """
    rows = [
        {
            "badge": badge_name,
            "badge_id": badge_id,
            "start": cycle.start_date,
            "end": cycle.end_date + timedelta(days=1),
            "earns": int(cycle.earn_count or 0),
        }
        for cycle in cycles
        if cycle.start_date is not None and cycle.end_date is not None
    ]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def in_range(series: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """Cycles overlapping [start, end) (UTC), for the date-range filter."""
    if series.empty:
        return series
    start, end = pd.Timestamp(start.astimezone(UTC)), pd.Timestamp(end.astimezone(UTC))
    starts = pd.to_datetime(series["start"], utc=True)
    ends = pd.to_datetime(series["end"], utc=True)
    return series[(starts < end) & (ends > start)].reset_index(drop=True)


SOURCES = (
    "Enrolled and earned are the badge list's issuedCount and earnedCount (getAllBadges): totals since each "
    "badge started, without dates. Earns per day divide the earn count of each badge-level fixed-window cycle "
    "(getFixedWindowDetails with includeEarnCount) by its days, so daily, weekly and monthly badges compare on "
    "one axis. The API keeps no dated history of enrolments, nor of badges without a badge-level fixed "
    "window: those have totals only."
)


def overview_kpis(numbers: Kpis) -> list[Kpi]:
    """The Overview's KPIs as the page and its report show them (label, value, what it counts)."""
    return [
        Kpi("Badges", f"{numbers.badges:,}", f"{numbers.active:,} switched on"),
        Kpi("Live", f"{numbers.live:,}", "between their start and end dates"),
        Kpi("Enrolled", f"{numbers.issued:,}", "enrolments not revoked (issuedCount)"),
        Kpi("Earned", f"{numbers.earned:,}", "earns not revoked (earnedCount)"),
        Kpi("Earn rate", percent(numbers.earn_rate), "earns per enrolment, enrol-then-earn badges"),
    ]


def overview_report(
    *,
    org: str,
    backend: str,
    as_of: datetime,
    generated_at: datetime,
    clock_note: str | None,
    numbers: Kpis,
    figures: Sequence[object],
    status_figures: Sequence[object],
    table: pd.DataFrame,
    filters: str,
) -> Report:
    """The Overview as one HTML report: KPIs, the charts, and the badge table."""
    shown = display_table(table)[[c for c in TABLE_COLUMNS if c != "id"]].rename(columns=DISPLAY_LABELS)
    return Report(
        title="Badge performance overview",
        subtitle="Badge Console: how the badges of Capillary's loyalty platform perform.",
        org=org,
        backend=backend,
        as_of=as_of,
        generated_at=generated_at,
        clock_note=clock_note,
        kpis=overview_kpis(numbers),
        extra_lines=(f"Badges shown: {filters}",),
        sections=(
            Section("Earns over time, enrolled and earned", figures=tuple(figures), notes=(SOURCES,)),
            Section("Badges", figures=tuple(status_figures), tables=(Table("", shown),)),
        ),
    )
