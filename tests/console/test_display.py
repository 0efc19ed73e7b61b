"""Grid-ready tables: no "None" cells, dates as UTC text."""

from datetime import UTC, datetime

import pandas as pd

from lib.console.display import DAY, readable


def test_missing_values_become_blank_and_dates_text():
    frame = pd.DataFrame(
        {
            "name": ["a", None],
            "earned": pd.to_datetime([datetime(2026, 3, 1, 9, 30, tzinfo=UTC), None], utc=True),
            "starts": pd.to_datetime([datetime(2026, 1, 1, tzinfo=UTC)] * 2, utc=True),
            "code": pd.array([None, 816], dtype="Int64"),
            "count": [1, 2],
            "active": [True, False],
        }
    )
    shown = readable(frame, formats={"starts": DAY})
    assert shown.to_dict("records") == [
        {
            "name": "a",
            "earned": "2026-03-01 09:30",
            "starts": "2026-01-01",
            "code": "",
            "count": 1,
            "active": True,
        },
        {"name": "", "earned": "", "starts": "2026-01-01", "code": "816", "count": 2, "active": False},
    ]
    assert frame["code"].isna().iloc[0], "the service's frame is left as it was"
