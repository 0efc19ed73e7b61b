"""Bench: first useful paint of the console's main pages in Chromium, on loopback and on a remote cluster.

Real Capillary clusters answer in 100-300 ms; the local sandbox in about 1 ms. Each page is opened
cold and warm with the console's sandbox at network profile `off` (loopback) and then `remote`
(150 +- 50 ms per call, 20 calls per second per org); the cold start is the first visit to a console
just started on a NEW data folder (its demo data made during that visit), with the profile's latency
added per call in the console's process. What each figure and "useful paint" mean per page is in
`tests/browser/paint.py`: for the Overview and the Badge performance page, the KPIs and the first
chart drawn, both timed.

Targets (DESIGN.md, issue 13): cold start <= 3 s to the KPIs and <= 4 s to the first chart; warm
reload <= 1.5 s to the first chart on the local sandbox, <= 4 s at the remote profile. Lines over
a target say "(over)". The machine's load is printed beside the figures: they are medians of a few
visits on a shared machine, not a verdict.

    python bench/bench_pages.py [profile ...]     (default: off remote; also slow, flaky)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.paint import measure_pages  # noqa: E402

LATENCY = {"off": 0.0, "remote": 0.15, "flaky": 0.15, "slow": 0.3}


def main() -> None:
    profiles = sys.argv[1:] or ["off", "remote"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for profile in profiles:
                with tempfile.TemporaryDirectory(prefix="bench-pages-") as data:
                    load = os.getloadavg()[0]
                    paints = measure_pages(
                        browser, Path(data), profile=profile, cold_start_latency=LATENCY.get(profile, 0.15)
                    )
                print(
                    f"First useful paint, sandbox network profile '{profile}' (Chromium 1440x900, streamlit run; "
                    f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores), seconds:"
                )
                for paint in paints:
                    print("  " + paint.line())
        finally:
            browser.close()


if __name__ == "__main__":
    main()
