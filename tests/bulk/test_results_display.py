"""How the results page labels and shows outcomes (pure functions over the outcome table)."""

import pandas as pd

from lib.bulk import results
from lib.console.display import readable


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customerId": pd.array([100001, 100002, 100003, None, 100005], dtype="Int64"),
            "status": ["succeeded", "failed", "skipped", "failed", "skipped"],
            "reason": ["response", "rejected", "already-enrolled", "invalid-row", "cancelled"],
            "errorCode": pd.array([None, 816, 1040, None, None], dtype="Int64"),
        }
    )


def test_outcomes_name_the_error_code_or_else_the_reason():
    assert results.outcome_labels(_table()).tolist() == [
        "succeeded",
        "failed · 816",
        "skipped · 1040",
        "failed · invalid-row",
        "skipped · cancelled",
    ]


def test_results_grid_shows_blank_cells_instead_of_none():
    shown = readable(_table())
    assert shown["errorCode"].tolist() == ["", "816", "1040", "", ""]
    assert shown["customerId"].tolist() == ["100001", "100002", "100003", "", "100005"]
    assert shown.notna().all().all()
