"""Progress of reads the script waits for: a bar that appears only when they take more than a moment."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from lib.console.fanout import Progress

SHOW_AFTER = 0.4
"""Seconds before a bar is drawn: quicker reads would only make it flash."""


@contextmanager
def read_progress(label: str, *, show_after: float = SHOW_AFTER) -> Iterator[Progress]:
    """Yields a `progress(done, total)` for `lib.console.fanout`; the bar goes away when the block ends."""
    slot = st.empty()
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        if total and time.monotonic() - started >= show_after:
            slot.progress(min(done / total, 1.0), text=f"{label} ({done} of {total} reads)")

    try:
        yield report
    finally:
        slot.empty()
