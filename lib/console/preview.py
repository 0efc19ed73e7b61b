"""What the badge editor's timeline shows, computed by the same rules the sandbox enforces.

`timeline_frames` turns a badge's `BadgeRules` into the two frames `lib.charts.badge_timeline` draws:
one bar per fixed-window cycle (laid out by `lib.domain`'s `CycleLayout`, the code the sandbox counts
earns with), the rolling windows as they look back from a sample earn, the lifetime limits, the
enrolment and earned-badge expiry of that sample earn, and the badge period; plus markers for today
and the sample earn. Cycles come straight from day numbers into numpy arrays, so a five-year daily
badge (1,826 cycles per level) costs milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from lib.charts import MARKER_COLUMNS, TIMELINE_COLUMNS
from lib.domain import (
    BadgeRules,
    ConstraintLevel,
    EarnType,
    ExpiryType,
    FixedValueLimit,
    FixedWindowLimit,
    Limit,
    NoLimit,
    RollingWindowLimit,
)

MS_PER_DAY = 86_400_000
OPEN_END_DAYS = 365
"""How far an open-ended badge (no end date) is drawn past its start or the sample earn."""


@dataclass(frozen=True)
class Timeline:
    windows: pd.DataFrame
    markers: pd.DataFrame
    x_range: tuple[pd.Timestamp, pd.Timestamp]


def _level_name(limit: Limit) -> str:
    return "Customer" if limit.level is ConstraintLevel.CUSTOMER else "Badge"


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment.hour or moment.minute else moment.strftime("%Y-%m-%d")


def _rows(
    lane: str, kind: str, starts_ms: np.ndarray, ends_ms: np.ndarray, labels: list[str]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lane": lane,
            "kind": kind,
            "start": starts_ms.astype("datetime64[ms]"),
            "end": ends_ms.astype("datetime64[ms]"),
            "label": labels,
        }
    )


def _single(lane: str, kind: str, start: datetime, end: datetime, label: str) -> pd.DataFrame:
    ms = (
        np.array([start.timestamp() * 1000], dtype="int64"),
        np.array([end.timestamp() * 1000], dtype="int64"),
    )
    return _rows(lane, kind, ms[0], ms[1], [label])


def _cycle_rows(limit: FixedWindowLimit, rules: BadgeRules, until: datetime) -> pd.DataFrame:
    layout = limit.layout(rules.start, rules.end)
    until_day = int(until.timestamp() // 86_400) + 1
    days = np.array(list(layout.iter_days(until_day)), dtype="int64").reshape(-1, 2)
    starts, ends = days[:, 0] * MS_PER_DAY, days[:, 1] * MS_PER_DAY
    lane = f"Fixed window · {limit.describe()}"
    if limit.effective_from is not None:
        lane += f" (new, from {limit.effective_from:%Y-%m-%d})"
    elif limit.effective_until is not None:
        lane += f" (running, until {limit.effective_until:%Y-%m-%d})"
    start_text = np.datetime_as_string(starts.astype("datetime64[ms]"), unit="D")
    last_text = np.datetime_as_string((ends - MS_PER_DAY).astype("datetime64[ms]"), unit="D")
    labels = [
        f"Cycle {i}: {a} .. {b} · max {limit.max_earn}"
        for i, (a, b) in enumerate(zip(start_text, last_text, strict=True), start=1)
    ]
    kind = "customer" if limit.level is ConstraintLevel.CUSTOMER else "badge"
    return _rows(lane, kind, starts, ends, labels)


def _limit_rows(limit: Limit, rules: BadgeRules, sample: datetime, period_end: datetime) -> pd.DataFrame:
    if isinstance(limit, FixedWindowLimit):
        return _cycle_rows(limit, rules, period_end)
    if isinstance(limit, RollingWindowLimit):
        start = limit.window_start(sample)
        label = f"Counts earns processed {_fmt(start)} .. {_fmt(sample)} · max {limit.max_earn}"
        return _single(f"Rolling · {limit.describe()}", "rolling", start, sample, label)
    if isinstance(limit, FixedValueLimit):
        label = f"Every earn of the badge's life counts · max {limit.max_earn}"
        return _single(f"Lifetime · {limit.describe()}", "lifetime", rules.start, period_end, label)
    assert isinstance(limit, NoLimit)
    return _single(f"No limit · {_level_name(limit)}", "neutral", rules.start, period_end, "No limit")


def _expiry_row(
    lane: str, kind: str, sample: datetime, expires: datetime | None, never: bool, horizon: datetime
) -> pd.DataFrame | None:
    if expires is None:
        return None
    if never:
        return _single(lane, kind, sample, horizon, f"From {_fmt(sample)}: never expires")
    return _single(lane, kind, sample, max(expires, sample), f"{_fmt(sample)} .. {_fmt(expires)}")


def timeline_frames(rules: BadgeRules, *, sample: datetime, now: datetime) -> Timeline:
    """Bars and markers for the editor's timeline; `sample` is the sample earn's processing time."""
    sample = sample.astimezone(UTC)
    period_end = rules.end or max(rules.start, sample) + timedelta(days=OPEN_END_DAYS)
    horizon = period_end + (period_end - rules.start) * 0.15 + timedelta(days=1)
    status = rules.status(now).value
    parts = [
        _single(
            "Badge period",
            "period",
            rules.start,
            period_end,
            f"{_fmt(rules.start)} .. {_fmt(period_end) if rules.end else 'open-ended'} ({status})",
        )
    ]
    parts += [_limit_rows(limit, rules, sample, period_end) for limit in rules.limits]
    if rules.earn_type is EarnType.ISSUE_EARN and rules.issued_expiry is not None:
        never = rules.issued_expiry.type is ExpiryType.NEVER
        parts.append(
            _expiry_row(
                "Enrolment (sample)",
                "enrolment",
                sample,
                rules.enrolment_expires_at(sample),
                never,
                horizon,
            )
        )
    if rules.earned_expiry is not None:
        never = rules.earned_expiry.type is ExpiryType.NEVER
        parts.append(
            _expiry_row(
                "Earned badge (sample)",
                "earned",
                sample,
                rules.earned_expires_at(sample),
                never,
                horizon,
            )
        )
    windows = pd.concat([p for p in parts if p is not None], ignore_index=True)
    markers = pd.DataFrame(
        {"label": ["today", "sample earn"], "at": pd.to_datetime([now, sample], utc=True).tz_localize(None)},
        columns=list(MARKER_COLUMNS),
    )
    low = min(rules.start, sample, now) - timedelta(days=1)
    last_bar = windows["end"].max().to_pydatetime().replace(tzinfo=UTC)
    high = min(max(horizon, now + timedelta(days=1), last_bar), horizon + (horizon - low))
    x_range = (pd.Timestamp(low).tz_convert(None), pd.Timestamp(high).tz_convert(None))
    return Timeline(windows[list(TIMELINE_COLUMNS)], markers, x_range)
