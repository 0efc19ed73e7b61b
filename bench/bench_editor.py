"""Bench: one rerun of the badge editor page, in Python (AppTest, no browser).

Target (DESIGN.md): <= 300 ms per rerun. The editor reruns on every widget change, because its
widgets live outside a form so the preview follows them; a rerun draws every field, checks the
rules, builds the timeline and the request. Measured on a new badge with daily customer and badge
fixed windows (90 days, then five years), against the embedded sandbox (reads are cached, as in the app), median of reruns.
Peer, measured in the same run: a trivial page (one `st.write`) rerun the same way, i.e. what AppTest
and Streamlit's script runner cost by themselves.

    python bench/bench_editor.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

RERUNS = 15


def median_rerun_ms(at: AppTest) -> float:
    timings = []
    for _ in range(RERUNS):
        started = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return statistics.median(timings) * 1000


def main() -> None:
    os.environ.setdefault("BADGE_CONSOLE_DATA_DIR", tempfile.mkdtemp(prefix="bench-editor-"))
    editor = AppTest.from_file(str(ROOT / "pages" / "badge_editor.py"), default_timeout=180)
    editor.run()  # starts the sandbox, fills the caches
    editor.text_input(key="ed_name").set_value("Bench badge")
    editor.toggle(key="ed_customer_fixed_window_on").set_value(True)
    editor.toggle(key="ed_badge_fixed_window_on").set_value(True).run()
    assert not editor.exception, editor.exception
    ours = median_rerun_ms(editor)
    start = editor.datetime_input(key="ed_start").value
    editor.datetime_input(key="ed_end").set_value(start.replace(year=start.year + 5)).run()
    assert not editor.exception, editor.exception
    five_years = median_rerun_ms(editor)

    trivial = AppTest.from_string("import streamlit as st\nst.write('hello')", default_timeout=30)
    trivial.run()
    peer = median_rerun_ms(trivial)

    def verdict(ms: float) -> str:
        return "OK" if ms <= 300 else "MISSED"

    print(
        f"badge editor rerun, 90-day badge:       {ours:7.1f} ms median of {RERUNS}   target <= 300 ms: {verdict(ours)}"
    )
    print(
        f"badge editor rerun, 5-year daily badge: {five_years:7.1f} ms median of {RERUNS}   "
        f"target <= 300 ms: {verdict(five_years)}   (3,652 cycles in the timeline)"
    )
    print(f"peer, trivial page rerun:               {peer:7.1f} ms median of {RERUNS}")


if __name__ == "__main__":
    main()
