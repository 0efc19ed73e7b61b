"""The sidebar's clock for the local sandbox: time travel for demos.

A presenter moves the embedded sandbox's clock (the same instant `PUT /_sandbox/clock` freezes,
set in-process like the network profile) to the next cycle boundary, a day or a week ahead, and
back to real time, and every page follows: statuses, cycles and expiries are the sandbox's as of
that moment, the read caches are dropped so nothing older is drawn, and each page says the clock
is not real time under its title. The sandbox is shared, so the clock is every session's.

"Next cycle boundary" jumps to the next start of a fixed-window cycle of the badge a page shows on
its own (the badge performance page names it in `ConnectionState.focus_badge`), else of any badge of
the org.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from lib.api.convert import badge_rules
from lib.api.errors import BadgesError
from lib.console.fanout import fan_out, pages_of, read_list
from lib.console.timetravel import JUMPS, is_real_time, moment, next_boundary, offset_text
from lib.sandbox.server import SandboxHandle
from lib.ui.errors import describe_error
from lib.ui.state import ConnectionState

HELP = (
    "Moves the local sandbox's clock, for demos: statuses, limit cycles and expiries follow it on every "
    "page, for every session of this console. Nothing is written to the data."
)


def clock_control(sandbox: SandboxHandle) -> None:
    """Draw the clock and its jumps (inside the sidebar's connection panel)."""
    now = sandbox.now()
    real_time = is_real_time(now, datetime.now(UTC))
    st.markdown("**Sandbox clock**", help=HELP)
    if real_time:
        st.caption(f"Real time · {moment(now)}")
    else:
        ahead = offset_text(now - datetime.now(UTC))
        st.caption(f":orange[Sandbox clock set to {now:%Y-%m-%d %H:%M} UTC · {ahead} of real time]")
    with st.container(horizontal=True, gap="small"):
        st.button(
            "Next cycle",
            key="clock_next",
            icon=":material/skip_next:",
            on_click=_to_next_boundary,
            args=(sandbox,),
            help="Jump to the next start of a fixed-window cycle: of the badge on screen, else of any badge.",
        )
        for label, step in JUMPS.items():
            st.button(
                label, key=f"clock_{label.strip('+').replace(' ', '_')}", on_click=_move, args=(sandbox, step)
            )
        st.button(
            "Now",
            key="clock_now",
            icon=":material/restore:",
            on_click=_back_to_now,
            args=(sandbox,),
            disabled=real_time,
        )
    message = ConnectionState.get().take_clock_message()
    if message:
        st.caption(message)


def _moved(sandbox: SandboxHandle, to: datetime | None, message: str) -> None:
    sandbox.set_clock(to)
    from lib.ui import reads  # reads imports the connection panel that imports this module

    reads.clear_reads()  # statuses, counts and cycles read before are as of another moment
    ConnectionState.get().clock_message = message


def _move(sandbox: SandboxHandle, step: timedelta) -> None:
    to = sandbox.now() + step
    _moved(sandbox, to, f"Moved to {moment(to)}.")


def _back_to_now(sandbox: SandboxHandle) -> None:
    _moved(sandbox, None, "Back to real time.")


def _to_next_boundary(sandbox: SandboxHandle) -> None:
    session = ConnectionState.get()
    conn = session.active
    if conn is None:
        return
    now = sandbox.now()
    focus = session.focus_badge
    try:
        ids = [focus] if focus else [b.id for b in read_list(pages_of(conn.client.list_badges))]
        badges = fan_out(
            [lambda badge_id=badge_id: conn.client.get_badge(badge_id=badge_id) for badge_id in ids]
        )
    except BadgesError as exc:
        session.clock_message = ":red[" + " ".join(describe_error(exc)[:2]) + "]"
        return
    candidates = []
    for badge in badges:
        try:
            candidates.append((badge.id, badge.name or badge.id, badge_rules(badge)))
        except ValueError:  # an incomplete badge has no cycles to jump to
            continue
    boundary = next_boundary(candidates, now)
    if boundary is None:
        scope = "this badge has" if focus else "no badge of the org has"
        session.clock_message = f"No cycle boundary ahead: {scope} no fixed-window cycle to come."
        return
    _moved(
        sandbox,
        boundary.at,
        f"Moved to {moment(boundary.at)}: a new cycle of {boundary.badge} ({boundary.limit}).",
    )
