"""Which dates are my cycles? The fixed-window cycles of a badge as a table people can read.

One table per fixed-window limit (customer or badge level, and the running and new configs after a
live change), laid out by `lib.domain`'s `CycleLayout`, the code the sandbox counts earns with. Each
row gives the cycle's number, first and last day (UTC, both inclusive, as the docs write them:
"25 Sep - 1 Oct"), its length and the limit, and says which cycle is running and which ones are cut
short by the badge's start or end. The summary says it in one line: "6 weekly cycles, the last one
1 day".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from lib.domain import BadgeRules, ConstraintLevel, DurationUnit, FixedWindowLimit
from lib.domain.timeutil import day_date, day_number

OPEN_END_DAYS = 365
"""How far the cycles of an open-ended badge (no end date) are listed."""
TABLE_COLUMNS = ("Cycle", "First day", "Last day", "Days", "Max earns", "Note")
PAGE_ROWS = 52
"""Rows per page of a long table (a year of weekly cycles)."""


@dataclass(frozen=True)
class CycleTable:
    title: str  # "Customer fixed window · Each customer: 1 per week (from Monday)"
    summary: str  # "6 weekly cycles, the last one 1 day"
    frame: pd.DataFrame  # TABLE_COLUMNS, one row per cycle
    running: int | None  # row index of the cycle running now
    boundaries: tuple[datetime, ...]  # every cycle start, then the last end (for the chart's ticks)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.frame) // PAGE_ROWS))

    def page_of_running(self) -> int:
        """The 1-based page that holds the running cycle (else the first)."""
        return 1 if self.running is None else self.running // PAGE_ROWS + 1

    def page(self, number: int) -> pd.DataFrame:
        number = min(max(number, 1), self.pages)
        return self.frame.iloc[(number - 1) * PAGE_ROWS : number * PAGE_ROWS]


def _cadence(limit: FixedWindowLimit) -> tuple[str, int | None]:
    """("weekly", 7): how the summary names the cycles and a full cycle's length in days (None: months)."""
    rule = limit.rule
    if rule.unit is DurationUnit.DAYS:
        return ("daily" if rule.refresh_rate == 1 else f"of {rule.refresh_rate} days"), rule.refresh_rate
    if rule.unit is DurationUnit.WEEKS:
        return "weekly", 7
    return "monthly", None


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def cycle_table(limit: FixedWindowLimit, rules: BadgeRules, now: datetime) -> CycleTable:
    """The cycles of one fixed-window limit on this badge (an open-ended badge: its first year)."""
    layout = limit.layout(rules.start, rules.end)
    until = None
    if layout.end_day is None:
        until = day_number(max(rules.start, now) + timedelta(days=OPEN_END_DAYS))
    spans = list(layout.iter_days(until))
    today = day_number(now)
    adjective, full = _cadence(limit)
    rows, running, notes = [], None, []
    for index, (start, end) in enumerate(spans):
        length = end - start
        natural = layout.next_start_day(start) - start if full is None else full
        note = []
        if start <= today < end:
            running = index
            note.append("running now")
        if length < natural:
            if index == 0 and start == layout.first_day and len(spans) > 1:
                note.append(f"partial: starts with the badge, {_days(length)}")
            elif index == len(spans) - 1:
                note.append(f"partial: ends with the badge, {_days(length)}")
        notes.append(note)
        rows.append(
            (index + 1, day_date(start).isoformat(), day_date(end - 1).isoformat(), length, limit.max_earn)
        )
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS[:-1]))
    frame["Note"] = ["; ".join(n) for n in notes]
    level = "Customer" if limit.level is ConstraintLevel.CUSTOMER else "Badge"
    title = f"{level} fixed window · {limit.describe()}"
    if limit.effective_from is not None:
        title += f" (new, from {limit.effective_from:%Y-%m-%d})"
    elif limit.effective_until is not None:
        title += f" (running, until {limit.effective_until:%Y-%m-%d})"
    boundaries = tuple(
        datetime.combine(day_date(s), datetime.min.time(), rules.start.tzinfo) for s, _ in spans
    )
    if spans:
        last_end = spans[-1][1]
        boundaries += (datetime.combine(day_date(last_end), datetime.min.time(), rules.start.tzinfo),)
    return CycleTable(title, _summary(adjective, spans, layout.end_day is None, full, layout), frame, running,
                      boundaries)  # fmt: skip


def _summary(adjective: str, spans: list[tuple[int, int]], open_ended: bool, full: int | None, layout) -> str:
    count = len(spans)
    if not count:
        return "No cycles: the badge ends before its first cycle starts."
    noun = f"cycle{'' if count == 1 else 's'}"
    text = f"{count} {noun} {adjective}" if adjective.startswith("of ") else f"{count} {adjective} {noun}"
    if open_ended:
        return text + f" in the next {OPEN_END_DAYS} days (the badge has no end date)"
    start, end = spans[-1]
    natural = layout.next_start_day(start) - start if full is None else full
    if count > 1 and end - start < natural:
        text += f", the last one {_days(end - start)}"
    return text


def cycle_tables(rules: BadgeRules, now: datetime) -> list[CycleTable]:
    """One table per fixed-window limit, customer level first."""
    windows = [limit for limit in rules.limits if isinstance(limit, FixedWindowLimit)]
    windows.sort(key=lambda limit: limit.level is not ConstraintLevel.CUSTOMER)
    return [cycle_table(limit, rules, now) for limit in windows]


ZOOM_ABOVE = 16
"""A timeline with more cycles than this in one lane offers to zoom on the first or current ones."""
VIEWS = ("First cycles", "Current cycles", "Whole badge")
SHOWN_CYCLES = 6
MAX_TICKS = 16


def default_view(table: CycleTable) -> str:
    return VIEWS[1] if table.running is not None else VIEWS[0]


def zoom_range(table: CycleTable, view: str) -> tuple[datetime, datetime] | None:
    """The span the timeline shows for `view` (None: the whole badge): a few cycles, a day of margin."""
    bounds, count = table.boundaries, len(table.boundaries) - 1
    if view == VIEWS[2] or count <= 0:
        return None
    if view == VIEWS[1] and table.running is not None:
        low = max(table.running - 1, 0)
        high = min(low + SHOWN_CYCLES, count)
    else:
        low, high = 0, min(SHOWN_CYCLES, count)
    return bounds[low] - timedelta(days=1), bounds[high] + timedelta(days=1)


def ticks_within(table: CycleTable, span: tuple[datetime, datetime] | None) -> list[datetime] | None:
    """Cycle boundaries as the time axis's ticks, when few enough of them are in view to read."""
    inside = [b for b in table.boundaries if span is None or span[0] <= b <= span[1]]
    if len(inside) >= 3 and (inside[-1] - inside[-2]) * 2 < inside[1] - inside[0]:
        inside.pop()  # a short last cycle: its end would print over its start
    return inside if 2 <= len(inside) <= MAX_TICKS else None
