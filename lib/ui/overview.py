"""The overview page's state: its filters, kept while their panel is closed, and its period, which
follows the (sandbox) clock until the user picks another."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from lib.ui.state import PageState, StateKey, WidgetKey

Period = tuple[date, date]


@dataclass(frozen=True)
class FilterChoice:
    """What the Filters panel is set to. The panel's widgets are only drawn while it is open (a new
    tab then draws its KPIs and charts sooner), so the choice lives here, not in the widgets."""

    status: tuple[str, ...] = ()
    earn_type: str | None = None
    owner: str | None = None
    active: str | None = None
    search: str = ""
    groups: tuple[str, ...] = ()


@dataclass
class OverviewState(PageState):
    KEY: ClassVar[str] = StateKey.OVERVIEW
    FILTERS: ClassVar[WidgetKey] = WidgetKey("ov_filters")
    """The Filters panel: open or closed."""
    RANGE: ClassVar[WidgetKey] = WidgetKey("ov_range")
    """The "Earns over time" date range."""
    WIDGETS: ClassVar[dict[str, WidgetKey]] = {
        "status": WidgetKey("ov_status"),
        "earn_type": WidgetKey("ov_earn_type"),
        "owner": WidgetKey("ov_owner"),
        "active": WidgetKey("ov_active"),
        "search": WidgetKey("ov_search"),
        "groups": WidgetKey("ov_groups"),
    }
    """The filter widgets' keys, by `FilterChoice` field."""

    choice: FilterChoice = field(default_factory=FilterChoice)
    chosen_range: Period | None = None
    """A period the user picked; None while the range follows the clock."""
    range_shown: Any = None
    """What the range widget showed when last drawn, to tell a change the user just made."""
    table_waited: bool = False
    """The table has once waited for the charts in this session (see `table_waits`)."""

    def restore_widgets(self) -> None:
        """Before the open panel's widgets are drawn: give back the values kept while it was closed."""
        for name, key in self.WIDGETS.items():
            value: Any = getattr(self.choice, name)
            key.set_default(list(value) if isinstance(value, tuple) else value)

    def keep(self, **values: Any) -> None:
        """After the open panel's widgets are drawn: keep what they say."""
        kept = {name: tuple(value) if isinstance(value, list) else value for name, value in values.items()}
        self.choice = FilterChoice(**{**self.choice.__dict__, **kept})

    def offer_range(self, last_year: Period) -> None:
        """Before the range widget is drawn: unless the user has just changed it, it shows their
        period, or the last year up to the clock's day (so it moves with the sandbox clock)."""
        current = self.RANGE.value()
        if current is None or current == self.range_shown:
            self.RANGE.set(self.period(last_year))

    def keep_range(self, shown: Any, last_year: Period) -> None:
        """After the range widget is drawn: a whole period other than the last year is the user's."""
        self.range_shown = shown
        if isinstance(shown, tuple) and len(shown) == 2:
            self.chosen_range = None if shown == last_year else shown

    def table_waits(self) -> bool:
        """True the first time this session's Overview gets as far as its table (a new tab, or the run
        after a new install's demo data is made): the table, a data grid slow to start in a browser,
        then comes in the run the drawn charts start (`lib.ui.plotly_chart.rerun_after_charts`)."""
        waits, self.table_waited = not self.table_waited, True
        return waits

    def period(self, last_year: Period) -> Period:
        """The period shown: the user's, else the last year up to the clock's day."""
        return self.chosen_range or last_year
