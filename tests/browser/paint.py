"""First useful paint of the console's main pages in Chromium, at a latency injected per API call.

"Useful" is the moment a person can work with the page, not the last chart:

* Overview: the KPIs and the badge table are drawn;
* Badge editor: the form (its name field) and the live preview are drawn;
* Customer view: after pressing Enter in the customer field, the customer's tables and the chosen
  badge's history ("Limit usage") are drawn (only the look-up is timed).

The network is the sandbox's own "remote" profile (150 +- 50 ms per call, 20 calls per second per
org), switched on with the sidebar's "Simulate a remote cluster" control. Four figures per page, each
in a console process of its own (the sandbox's data already on disk):

* cold start: the first visit to a console just started (Python imports, the sandbox, the browser's
  cache and every read cache cold): an upper bound, paid once per process. The sandbox's profile
  cannot be on before its first request, so this one figure is taken with 150 ms added to every
  call in the console's own process instead (`tests.browser.slow_console`);
* cold reads: a new tab once the process has served another page, with every read cache still empty
  (as after a save or once a cached read is a minute old);
* warm, new tab: a new tab of the same browser afterwards (its own session and health check, the
  read caches hot); median of a few;
* warm, in the app: coming back to the page through the sidebar in the same tab, the way people move
  around the console; median of a few.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import running_console, wait_for_run

TIMEOUT_MS = 120_000
WARM_VISITS = 3
CUSTOMER = "100001"


def _overview_drawn(page: Page) -> None:
    expect(page.get_by_test_id("stMetric").filter(has_text="Enrolments (issued)")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.get_by_test_id("stDataFrame").first.locator("canvas").first).to_be_visible(timeout=TIMEOUT_MS)


def _overview(page: Page, url: str) -> None:
    page.goto(url)
    _overview_drawn(page)


def _editor_drawn(page: Page) -> None:
    expect(page.get_by_label("Name (unique, case-sensitive)")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=TIMEOUT_MS)


def _editor(page: Page, url: str) -> None:
    page.goto(f"{url}/badge_editor")
    _editor_drawn(page)


def _customer_field(page: Page, url: str) -> None:
    page.goto(f"{url}/customer_view")
    expect(page.get_by_label("Customer", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_run(page)


def _customer_lookup(page: Page) -> None:
    field = page.get_by_label("Customer", exact=True)
    field.fill(CUSTOMER)
    field.press("Enter")
    expect(page.get_by_text("Limit usage", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stDataFrame").first.locator("canvas").first).to_be_visible(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class Paint:
    page: str
    cold_start: float
    cold_reads: float
    cold_reads_complete: float
    warm_tab: float
    warm_nav: float

    def line(self) -> str:
        def shown(seconds: float, target: float) -> str:
            return f"{seconds:5.2f} s{'' if seconds <= target else ' (over)'}"

        return (
            f"{self.page:<14} cold start {shown(self.cold_start, 4.0)}  cold reads {shown(self.cold_reads, 4.0)}"
            f" (all drawn {self.cold_reads_complete:5.2f} s)  warm tab {shown(self.warm_tab, 2.0)}"
            f"  warm in app {shown(self.warm_nav, 2.0)}"
        )


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _settled(page: Page) -> None:
    wait_for_run(page)
    assert page.get_by_test_id("stException").count() == 0


class _Visits:
    """The timed visits of one page; `url` is the console's, `link` the page's sidebar label."""

    def __init__(self, browser: Browser, url: str, name: str) -> None:
        self.browser, self.url, self.name = browser, url, name
        self.complete = 0.0
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})

    def close(self) -> None:
        self.context.close()

    def open(self, page: Page) -> float:
        """Seconds from navigation (overview, editor) or from Enter (customer view) to useful paint;
        `self.complete` keeps the seconds until the page's run ended (every chart drawn)."""
        started = time.perf_counter()
        if self.name == "Overview":
            _overview(page, self.url)
        elif self.name == "Badge editor":
            _editor(page, self.url)
        else:
            _customer_field(page, self.url)
            started = time.perf_counter()
            _customer_lookup(page)
        seconds = time.perf_counter() - started
        _settled(page)
        self.complete = time.perf_counter() - started
        return seconds

    def new_tab(self) -> tuple[float, Page]:
        page = self.context.new_page()
        return self.open(page), page

    def new_tab_closed(self) -> float:
        """A new tab, closed once timed: idle tabs left open would share the machine with the next."""
        seconds, page = self.new_tab()
        page.close()
        return seconds

    def through_sidebar(self, page: Page) -> float:
        """Leave for the request log, come back by the sidebar link; seconds to useful paint."""
        page.get_by_role("link", name="Request log").click()
        expect(page.get_by_role("heading", name="Request log", level=1)).to_be_visible(timeout=TIMEOUT_MS)
        _settled(page)
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=self.name, exact=True)
        if self.name == "Overview":
            return _settle_after(page, _timed(lambda: (link.click(), _overview_drawn(page))))
        if self.name == "Badge editor":
            return _settle_after(page, _timed(lambda: (link.click(), _editor_drawn(page))))
        link.click()
        expect(page.get_by_label("Customer", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        _settled(page)
        return _settle_after(page, _timed(lambda: _customer_lookup(page)))


def _settle_after(page: Page, seconds: float) -> float:
    _settled(page)
    return seconds


def _simulate_remote_cluster(page: Page, url: str, profile: str) -> None:
    """Open the request log (which starts the sandbox) and choose `profile` in the sidebar."""
    page.goto(f"{url}/request_log")
    expect(page.get_by_role("heading", name="Request log", level=1)).to_be_visible(timeout=TIMEOUT_MS)
    _settled(page)
    if profile == "off":
        return
    control = page.get_by_test_id("stSidebar").get_by_role("radiogroup", name="Simulate a remote cluster")
    control.get_by_role("radio", name=profile, exact=True).click()
    expect(page.get_by_text("Simulated network:", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    _settled(page)


def measure_pages(
    browser: Browser, data_dir: Path, *, profile: str = "remote", cold_start_latency: float = 0.15
) -> list[Paint]:
    """The four figures of Overview, Badge editor and Customer view on the sandbox's `profile`
    (cold start: `cold_start_latency` seconds added per call). The sandbox database in `data_dir`
    is seeded once beforehand, outside the timings."""
    with running_console(data_dir) as url:
        seed = _Visits(browser, url, "Customer view")
        seed.new_tab_closed()
        seed.close()
    paints = []
    for name in ("Overview", "Badge editor", "Customer view"):
        with running_console(data_dir, latency=cold_start_latency) as url:
            visits = _Visits(browser, url, name)
            cold_start = visits.new_tab_closed()
            visits.close()
        with running_console(data_dir) as url:
            visits = _Visits(browser, url, name)
            other = visits.context.new_page()  # the process imports its modules, starts its sandbox
            _simulate_remote_cluster(other, url, profile)
            cold_reads, page = visits.new_tab()
            cold_reads_complete = visits.complete
            other.close()
            warm_nav = statistics.median(visits.through_sidebar(page) for _ in range(WARM_VISITS))
            page.close()
            warm_tab = statistics.median(visits.new_tab_closed() for _ in range(WARM_VISITS))
            visits.close()
        paints.append(Paint(name, cold_start, cold_reads, cold_reads_complete, warm_tab, warm_nav))
    return paints
