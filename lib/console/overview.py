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
    "issued": "Issued (enrolled)",
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

    @property
    def earn_rate(self) -> float | None:
        """Earns per enrolment over enrol-type badges' totals; None when nothing was enrolled."""
        return self.earned / self.issued if self.issued else None


def kpis(table: pd.DataFrame) -> Kpis:
    return Kpis(
        badges=len(table),
        live=int((table["status"] == "LIVE").sum()),
        active=int(table["active"].sum()),
        issued=int(table["issued"].sum()),
        earned=int(table["earned"].sum()),
    )


def owners_series(table: pd.DataFrame) -> pd.Series:
    """One value per (badge, owner module): a badge owned by three modules counts for each."""
    owners = table["owners"].str.split(", ").explode()
    return owners[owners.astype(bool)].rename("owner")


def cycle_series(badge_name: str, cycles: Sequence[object]) -> pd.DataFrame:
    """Earn counts per cycle of one badge (`FixedWindowCycle` items of #8) as chart rows.

    The API's cycle `endDate` is 00:00 of the cycle's last day, so the exclusive end is one day later.
    """
    rows = [
        {
            "badge": badge_name,
            "start": cycle.start_date,
            "end": cycle.end_date + timedelta(days=1),
            "earns": int(cycle.earn_count or 0),
        }
        for cycle in cycles
        if cycle.start_date is not None and cycle.end_date is not None
    ]
    return pd.DataFrame(rows, columns=["badge", "start", "end", "earns"])


def in_range(series: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """Cycles overlapping [start, end) (UTC), for the date-range filter."""
    if series.empty:
        return series
    start, end = pd.Timestamp(start.astimezone(UTC)), pd.Timestamp(end.astimezone(UTC))
    starts = pd.to_datetime(series["start"], utc=True)
    ends = pd.to_datetime(series["end"], utc=True)
    return series[(starts < end) & (ends > start)].reset_index(drop=True)
