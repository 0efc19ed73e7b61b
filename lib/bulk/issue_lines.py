"""Problem lines of a checked upload, built column-wise: one frame per rule, concatenated once.

Shared by the row checks (`lib.bulk.validate`, `lib.bulk.identifiers`) and by the steps that refuse rows
after validation (customers or badges that do not resolve), so every refusal reads the same way:
"row 42, mobile: '98450' is not a mobile number; ...".
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from lib.bulk.model import ISSUE_COLUMNS, Severity, empty_issues

VALUE_SHOWN = 40  # characters of a bad value quoted in a message


class IssueLines:
    """Collects issue lines column-wise; one DataFrame per rule, concatenated once."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: pd.Series,
        *,
        column: str,
        values: pd.Series,
        severity: Severity,
        rule: str,
        detail: Callable[[pd.Index], pd.Series] | str,
    ) -> None:
        """`detail` is a fixed text or a function of the failing rows' index, so that message text is
        only ever built for rows that failed."""
        index = mask[mask].index
        if len(index) == 0:
            return
        rows = pd.Series(index.to_numpy(dtype="int64"), index=index)
        shown = values[index].astype("str")
        detail_part = detail if isinstance(detail, str) else detail(index)
        message = "row " + rows.astype("str") + ", " + column + ": " + detail_part
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "column": column,
                    "value": shown,
                    "severity": severity.value,
                    "rule": rule,
                    "message": message.astype("str"),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return empty_issues()
        issues = pd.concat(self.parts, ignore_index=True)
        order = issues["severity"].map({"error": 0, "skipped": 1, "warning": 2})
        issues = issues.assign(_order=order).sort_values(["row", "_order"], kind="stable")
        return issues.drop(columns="_order").reset_index(drop=True)[list(ISSUE_COLUMNS)]


def quoted(values: pd.Series) -> pd.Series:
    """'value' for messages, cut to VALUE_SHOWN characters."""
    text = values.astype("str").fillna("")
    long = text.str.len() > VALUE_SHOWN
    text = text.where(~long, text.str.slice(0, VALUE_SHOWN) + "…")
    return "'" + text + "'"
