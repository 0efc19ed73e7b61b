"""Tables as people read them: dates as UTC text and missing values as blank cells.

A grid shows a missing value as a grey "None", which reads like data ("the group is None"). The
console's tables go through `readable` just before they are drawn; the frames the services return,
and the exports, keep their real types.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype

MOMENT = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"


def readable(frame: pd.DataFrame, *, formats: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy for display: datetime columns as text (`formats[column]`, else `MOMENT`), and every
    column holding a missing value as text with blanks. Complete numeric columns stay numbers."""
    formats = formats or {}
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if is_datetime64_any_dtype(values):
            shown[column] = values.dt.strftime(formats.get(column, MOMENT)).astype("object").fillna("")
        elif not is_bool_dtype(values) and values.isna().any():
            shown[column] = values.astype("string").fillna("").astype("object")
    return shown
