"""Bench: first useful paint of Overview, Badge editor and Customer view in Chromium on a remote cluster.

Real Capillary clusters answer in 100-300 ms; the local sandbox in about 1 ms. The console's sandbox
is switched to a network profile (default `remote`: 150 +- 50 ms per call, 20 calls per second per
org) and each page is opened cold and warm; the cold start of a fresh process is taken with 150 ms
added per call in the console's process. What each figure and "useful paint" mean per page is in
`tests/browser/paint.py`. Profile `off` gives the same figures at loopback speed, for comparison.

Targets: <= 2 s warm, <= 4 s cold.

    python bench/bench_pages.py [profile: remote (default), slow, flaky, off]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.paint import measure_pages  # noqa: E402


def main() -> None:
    profile = sys.argv[1] if len(sys.argv) > 1 else "remote"
    cold_start_latency = 0.0 if profile == "off" else 0.15
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="bench-pages-") as data:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            paints = measure_pages(
                browser, Path(data), profile=profile, cold_start_latency=cold_start_latency
            )
        finally:
            browser.close()
    print(f"First useful paint, sandbox network profile '{profile}' (Chromium, streamlit run):")
    for paint in paints:
        print("  " + paint.line())


if __name__ == "__main__":
    main()
