"""What the pages that present numbers share: the title line and the "Download report" button."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from lib.console.timetravel import clock_note, is_real_time, title_line
from lib.ui.connection import ActiveConnection

WHAT = "**Badge Console** · how the badges of Capillary's loyalty platform perform"


def draw_title_line(conn: ActiveConnection, now: datetime) -> None:
    """What the console is, which org and backend the numbers come from, and as of when."""
    line = title_line(conn.org, conn.backend, now, real_time=is_real_time(now, datetime.now(UTC)))
    st.caption(f"{WHAT}  \n{line}")


def report_note(now: datetime) -> str | None:
    """The clock line a report carries when its numbers are as of a moved sandbox clock."""
    return clock_note(now, datetime.now(UTC))


def report_file_name(kind: str, org: str, now: datetime) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{kind}-{org}").strip("-")
    return f"badge-console-{safe}-{now:%Y%m%d-%H%M}.html"


def report_button(build: Callable[[], bytes], *, file_name: str, key: str) -> None:
    """One self-contained HTML file, built only when clicked (on Streamlit's download thread)."""
    st.download_button(
        "Download report",
        data=build,
        file_name=file_name,
        mime="text/html",
        on_click="ignore",
        icon=":material/summarize:",
        key=key,
        help="One HTML file with these numbers, the charts (interactive) and the tables, for people who "
        "will not open the console. It opens offline in any browser.",
    )
