"""Cached API reads shared by the pages.

`st.cache_data` is process-wide, so every key holds what decides the answer: the base URL, the
connection's fingerprint (a hash of backend and credentials, so two users never share an entry
unless they use the very same credentials) and the filters. The client itself is passed as `_client`
and left out of the key. Each entry is short-lived (`ttl`) and bounded (`max_entries`), and
`clear_reads()` drops them all after this console changes something (save, activate, enrol...).

Every read goes through `lib.console.fanout`: the pages of a list after the first one, and the
per-badge reads of the earn series, are read side by side (at most `fanout.MAX_WORKERS` at once), so
a page stays usable on a cluster that takes 150 ms per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from lib.api.client import BadgesClient
from lib.api.models import Badge
from lib.console.fanout import fan_out, pages_of, read_list, read_lists
from lib.console.overview import badge_table, cycle_series
from lib.console.performance import badge_cycle_frame
from lib.ui.connection import ActiveConnection

TTL = 60
MAX_ENTRIES = 32
MAX_SERIES_BADGES = 20
"""Badges with a badge-level fixed window whose cycles the overview fetches (busiest first)."""


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _badges(
    _client: BadgesClient, base_url: str, fingerprint: str, filters: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    return badge_table(read_list(pages_of(_client.list_badges, **dict(filters))))


def badges(conn: ActiveConnection, **filters: Any) -> pd.DataFrame:
    """The badge table of the org, filtered on the server by status, earn_type, owner, action."""
    wanted = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in filters.items() if v))
    server = tuple((k, list(v) if isinstance(v, tuple) else v) for k, v in wanted)
    return _badges(conn.client, conn.base_url, conn.fingerprint, tuple(server))


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _badge(_client: BadgesClient, base_url: str, fingerprint: str, badge_id: str) -> Badge:
    return _client.get_badge(badge_id=badge_id)


def badge(conn: ActiveConnection, badge_id: str) -> Badge:
    """One badge (its period, earn type, claims...), for the bulk pages' checks."""
    return _badge(conn.client, conn.base_url, conn.fingerprint, badge_id)


def badge_body(conn: ActiveConnection, badge_id: str) -> dict[str, Any]:
    """One badge as the API returns it (wire names), for the editor."""
    return badge(conn, badge_id).to_wire(omit_none=False)


@dataclass(frozen=True)
class EditorLists:
    """What the editor offers from the org: its badges to open, its groups, its custom fields."""

    badge_names: dict[str, str]
    """Badge id -> name."""
    groups: dict[str, str]
    """Group id -> name."""
    custom_fields: list[str]
    """Names of the org's custom field definitions (#24), offered as rows."""


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _editor_lists(_client: BadgesClient, base_url: str, fingerprint: str) -> EditorLists:
    badges, groups, fields = read_lists(
        [pages_of(_client.list_badges), pages_of(_client.list_groups), pages_of(_client.list_custom_fields)]
    )
    return EditorLists(
        badge_names={badge.id: badge.name or "" for badge in badges},
        groups={group.id: group.name or group.id for group in groups},
        custom_fields=[field.name for field in fields if field.name],
    )


def editor_lists(conn: ActiveConnection) -> EditorLists:
    """The three lists the editor needs, read side by side (one round trip on a cold cache)."""
    return _editor_lists(conn.client, conn.base_url, conn.fingerprint)


@st.cache_data(
    ttl=TTL,
    max_entries=MAX_ENTRIES,
    show_spinner="Reading the earns per cycle of each badge...",
    show_time=True,
)
def _earn_series(
    _client: BadgesClient,
    base_url: str,
    fingerprint: str,
    badges: tuple[tuple[str, str], ...],
    start: datetime,
    end: datetime,
) -> pd.DataFrame:
    cycles = read_lists(
        [
            pages_of(
                _client.get_fixed_window_details,
                badge_id=badge_id,
                constraint_type="BADGE",
                include_earn_count=True,
                start_date=start,
                end_date=end,
            )
            for badge_id, _ in badges
        ]
    )
    frames = [
        cycle_series(name, found, badge_id) for (badge_id, name), found in zip(badges, cycles, strict=True)
    ]
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else cycle_series("", [])


def earn_series(
    conn: ActiveConnection, badges: list[tuple[str, str]], start: datetime, end: datetime
) -> pd.DataFrame:
    """Earns per badge-level fixed-window cycle between `start` and `end` for the given badges."""
    chosen = tuple(badges[:MAX_SERIES_BADGES])
    return _earn_series(conn.client, conn.base_url, conn.fingerprint, chosen, start, end)


@dataclass(frozen=True)
class BadgePage:
    """What the badge performance page reads from the API: the badge and its badge-level cycles."""

    badge: Badge
    cycles: pd.DataFrame
    """`lib.console.performance.CYCLE_COLUMNS`: reference id, start, end (exclusive), earns."""


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _badge_page(
    _client: BadgesClient, base_url: str, fingerprint: str, badge_id: str, start: datetime, end: datetime
) -> BadgePage:
    cycles = pages_of(
        _client.get_fixed_window_details,
        badge_id=badge_id,
        constraint_type="BADGE",
        include_earn_count=True,
        start_date=start,
        end_date=end,
    )
    badge, found = fan_out([lambda: _client.get_badge(badge_id=badge_id), lambda: read_list(cycles)])
    return BadgePage(badge, badge_cycle_frame(found))


def badge_page(conn: ActiveConnection, badge_id: str, start: datetime, end: datetime) -> BadgePage:
    """The badge and its badge-level fixed-window cycles overlapping [start, end] with their earn
    counts, read side by side (one round trip, plus one for the pages after the first)."""
    return _badge_page(conn.client, conn.base_url, conn.fingerprint, badge_id, start, end)


def clear_reads() -> None:
    """Forget cached reads after this console changed data (or moved the sandbox's clock), so tables
    and charts show the change."""
    for cached in (_badges, _badge, _editor_lists, _earn_series, _badge_page):
        cached.clear()
