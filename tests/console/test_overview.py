"""Overview shaping: badge list -> table, filters, KPIs, owner counts, earn series per cycle."""

from datetime import UTC, datetime

import pandas as pd

from lib.api.models import BadgeSummary, FixedWindowCycle
from lib.console.overview import (
    TableFilter,
    badge_table,
    cycle_series,
    filter_table,
    in_range,
    kpis,
    owners_series,
)


def _summary(name: str, **extra) -> BadgeSummary:
    wire = {
        "id": f"{abs(hash(name)) % 16**24:024x}",
        "name": name,
        "startOn": 1767225600,
        "expiresOn": 1798761599,
        "status": "LIVE",
        "earnType": "ISSUE_EARN",
        "ownership": {"restrictedToOwners": ["Loyalty", "Journeys"]},
        "issuedCount": 10,
        "earnedCount": 4,
        "active": True,
    } | extra
    return BadgeSummary.model_validate(wire)


BADGES = [
    _summary("Store Visitor"),
    _summary("Big Spender", badgeGroupName="Spend", status="UPCOMING", issuedCount=0, earnedCount=0),
    _summary(
        "Legacy",
        active=False,
        status="EXPIRED",
        earnType="EARN",
        ownership={"restrictedToOwners": ["Loyalty"]},
    ),
]


def test_badge_table_has_one_row_per_badge_with_counts():
    table = badge_table(BADGES)
    assert table["name"].tolist() == ["Store Visitor", "Big Spender", "Legacy"]
    assert table["owners"][0] == "Journeys, Loyalty"
    assert table["group"].tolist() == ["", "Spend", ""]
    assert table["issued"].tolist() == [10, 0, 10]
    assert table["start"][0] == datetime(2026, 1, 1, tzinfo=UTC)


def test_filters_search_and_group():
    table = badge_table(BADGES)
    assert filter_table(table, TableFilter(search="spend"))["name"].tolist() == ["Big Spender"]
    assert filter_table(table, TableFilter(groups=("Spend",)))["name"].tolist() == ["Big Spender"]
    assert len(filter_table(table, TableFilter())) == 3


def test_kpis_and_owner_counts():
    table = badge_table(BADGES)
    numbers = kpis(table)
    assert (numbers.badges, numbers.live, numbers.active, numbers.issued, numbers.earned) == (3, 1, 2, 20, 8)
    assert owners_series(table).value_counts().to_dict() == {"Loyalty": 3, "Journeys": 2}


def test_cycle_series_uses_exclusive_cycle_ends_and_filters_by_range():
    cycles = [
        FixedWindowCycle.model_validate(
            {"startDate": 1767225600, "endDate": 1767744000, "earnCount": 7}
        ),  # 1-7 Jan
        FixedWindowCycle.model_validate(
            {"startDate": 1767830400, "endDate": 1768348800, "earnCount": 3}
        ),  # 8-14 Jan
    ]
    series = cycle_series("Weekly", cycles)
    assert series["earns"].tolist() == [7, 3]
    assert pd.Timestamp(series["end"][0]) == pd.Timestamp("2026-01-08", tz="UTC")
    picked = in_range(series, datetime(2026, 1, 9, tzinfo=UTC), datetime(2026, 1, 20, tzinfo=UTC))
    assert picked["earns"].tolist() == [3]


def test_display_table_shows_no_none_cells():
    from lib.console.overview import display_table

    table = pd.DataFrame(
        {
            "id": ["a", "b"],
            "rank": pd.array([2, None], dtype="Int64"),
            "start": [datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)],
            "end": [datetime(2026, 12, 31, tzinfo=UTC), None],
        }
    )
    shown = display_table(table)
    assert shown.to_dict("records") == [
        {"id": "a", "rank": "2", "start": "2026-01-05", "end": "2026-12-31"},
        {"id": "b", "rank": "", "start": "2026-02-01", "end": "no end"},
    ]
    assert table["rank"].isna().iloc[1], "the page's own table is left as it was"
