"""The fixed-window configs of one level after an edit is saved: the one plan of a live change.

The editor's preview draws it and the sandbox stores it, so what the preview shows after a change of
cycle shape (the running config cut at the change, the new one from its first boundary) is what the
sandbox will count with. A level can already hold two configs (a running one and an upcoming one
from an earlier change); an edit goes to the last of them, as `plan_fixed_window_change` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from lib.domain.limits import FixedWindowLimit, Limit
from lib.domain.rules import FixedWindowChange, FixedWindowChangeKind, plan_fixed_window_change


@dataclass(frozen=True, slots=True)
class PlannedWindow:
    """One config after saving; `continues` is the index of the saved config it carries on (its
    identity, e.g. the sandbox's reference id, is kept), None for a config the edit starts."""

    limit: FixedWindowLimit
    continues: int | None


@dataclass(frozen=True, slots=True)
class FixedWindowPlan:
    """The configs of one level after saving, in order, and the change that made them (None when
    nothing was saved at that level: the edited config applies as it is)."""

    windows: tuple[PlannedWindow, ...]
    change: FixedWindowChange | None = None

    @property
    def limits(self) -> tuple[FixedWindowLimit, ...]:
        return tuple(window.limit for window in self.windows)

    @property
    def edit_continues(self) -> int | None:
        """The saved config the edited one simply is (same shape), or None when it starts a config."""
        if any(window.continues is None for window in self.windows):
            return None
        return self.windows[-1].continues


def plan_fixed_windows(
    saved: Sequence[FixedWindowLimit],
    edited: FixedWindowLimit,
    now: datetime,
    badge_start: datetime,
    badge_end: datetime | None,
) -> FixedWindowPlan:
    """The configs of `edited`'s level once saved, given that level's saved configs (oldest first).

    Earlier saved configs are kept as they are, except that when the last one, still upcoming, is
    replaced, the one before it now stops where the replacement starts.
    """
    if not saved:
        return FixedWindowPlan((PlannedWindow(edited, None),))
    *earlier, current = saved
    last = len(saved) - 1
    change = plan_fixed_window_change(current, edited, now, badge_start, badge_end)
    kept = [PlannedWindow(limit, index) for index, limit in enumerate(earlier)]
    if change.kind in (FixedWindowChangeKind.UNCHANGED, FixedWindowChangeKind.MAX_UPDATED):
        windows = [*kept, PlannedWindow(change.active, last)]
    elif change.kind is FixedWindowChangeKind.REPLACED:
        if kept and change.starts_at is not None:
            before = kept[-1]
            kept[-1] = PlannedWindow(
                replace(before.limit, effective_until=change.starts_at), before.continues
            )
        windows = [*kept, PlannedWindow(change.active, None)]
    else:
        assert change.upcoming is not None
        windows = [*kept, PlannedWindow(change.active, last), PlannedWindow(change.upcoming, None)]
    return FixedWindowPlan(tuple(windows), change)


def planned_limits(
    saved: Sequence[Limit],
    edited: Sequence[Limit],
    now: datetime,
    badge_start: datetime,
    badge_end: datetime | None,
) -> tuple[Limit, ...]:
    """One level's edited limits with each fixed window replaced by its planned configs, against the
    saved badge's fixed window of that level (the wire shows one per level)."""
    saved_window = next((limit for limit in saved if isinstance(limit, FixedWindowLimit)), None)
    if saved_window is None:
        return tuple(edited)
    out: list[Limit] = []
    for limit in edited:
        if isinstance(limit, FixedWindowLimit):
            out += plan_fixed_windows((saved_window,), limit, now, badge_start, badge_end).limits
        else:
            out.append(limit)
    return tuple(out)
