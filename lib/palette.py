"""One colour per badge, per status and per measure, the same on every page, chart and report.

A badge keeps its colour wherever it appears (the Overview's lines and bars, its own performance
page, the HTML report) because the colour comes from the badge's place in the org's whole badge
list sorted by id, never from the filtered subset a chart happens to draw. The colours are mid-tones
that read on Streamlit's light and dark themes alike; nothing here sets a text or background colour.

Statuses use the four colours `st.badge` offers by name (green, blue, gray, orange), with the hex
values the charts use for the same meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

BADGE_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#8cd17d",
    "#86bcb6",
    "#d4a6c8",
    "#a0cbe8",
    "#ffbe7d",
    "#f1ce63",
    "#b6992d",
)
"""Tableau's 10 and the lighter half of Tableau 20: distinct on white and on Streamlit's dark grey."""

STATUS_COLOURS = {"LIVE": "#3aa05a", "UPCOMING": "#4c8ef7", "EXPIRED": "#9aa0a6", "INACTIVE": "#f0a03c"}
"""A badge's status (`INACTIVE`: switched off, whatever its dates) in charts and table pills."""

STATUS_BADGE = {"LIVE": "green", "UPCOMING": "blue", "EXPIRED": "gray", "INACTIVE": "orange"}
"""The same statuses as `st.badge` colour names."""

MEASURE_COLOURS = {"Enrolled": "#5b8def", "Earned": "#f28e2b"}
"""Enrolments and earns, the two counts of the API, on every chart that shows both."""

CAP_COLOUR = "#e15759"
"""The line of a limit's maximum."""

NEUTRAL = "#9aa0a6"


def badge_colours(badge_ids: Iterable[str]) -> dict[str, str]:
    """Badge id -> colour, from the ids of ALL the org's badges (sorted, so the order they come in
    does not matter). With more badges than colours, the palette repeats."""
    ordered = sorted(set(badge_ids))
    return {badge_id: BADGE_PALETTE[i % len(BADGE_PALETTE)] for i, badge_id in enumerate(ordered)}


def status_of(status: str, active: bool) -> str:
    """The status a person reads: a switched-off badge is INACTIVE, else its LIVE/UPCOMING/EXPIRED."""
    return status if active else "INACTIVE"
