"""The overview page's state: its period follows the (sandbox) clock until the user picks another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from lib.ui.state import PageState, StateKey, WidgetKey

Period = tuple[date, date]


@dataclass
class OverviewState(PageState):
    KEY: ClassVar[str] = StateKey.OVERVIEW
    RANGE: ClassVar[WidgetKey] = WidgetKey("ov_range")
    """The "Earns over time" date range."""

    range_default: Period | None = None
    """The period the range was last offered as its default (the last year up to the clock's day)."""

    def offer_range(self, last_year: Period) -> None:
        """Move the range with the clock while it still shows the default it was given; a period the
        user chose stays."""
        shown_default = self.range_default if self.range_default is not None else last_year
        if self.RANGE.value(last_year) == shown_default:
            self.RANGE.set(last_year)
        self.range_default = last_year
