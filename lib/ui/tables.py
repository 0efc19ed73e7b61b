"""Tables whose rows open something: one row can be selected, and the page acts on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st


def selected_row(
    frame: pd.DataFrame,
    *,
    key: str,
    column_config: Mapping[str, Any],
    column_order: Sequence[str] | None = None,
) -> int | None:
    """Draw `frame` with single-row selection; the position of the selected row, or None."""
    picked = st.dataframe(
        frame,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        column_order=column_order,
        column_config=dict(column_config),
    )
    rows = picked.selection.rows if picked else []
    return rows[0] if rows else None
