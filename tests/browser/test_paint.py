"""The main pages on the sandbox's "remote" network profile (150 ms per call), in Chromium: they
paint, cold (a new data folder) and warm, and how fast.

The figures are printed (run with `-s` to see them) rather than asserted: a shared machine's timing
is noisy. `bench/bench_pages.py` prints the same figures on its own.
"""

import pytest

from tests.browser.paint import measure_pages

# Four pages, each opened cold (a new `streamlit run` on a new data folder) and warm, on a profile that
# adds 150 ms to every API call: several minutes on a loaded CI machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def test_main_pages_paint_on_a_remote_cluster(browser, tmp_path):
    paints = measure_pages(browser, tmp_path, profile="remote")
    print("\nFirst useful paint on the sandbox's remote profile (150 ms per call), seconds:")
    for paint in paints:
        print("  " + paint.line())
    assert [paint.page for paint in paints] == [
        "Overview",
        "Badge performance",
        "Badge editor",
        "Customer view",
    ]
    for paint in paints[:3]:  # the pages with a chart: its first drawing was seen in every visit
        assert all(visit.chart is not None for visit in paint.figures().values())
