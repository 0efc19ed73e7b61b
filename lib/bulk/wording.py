"""Counts and problems put in words for the people reading the bulk pages.

One place for the small grammar the summaries share, so "1 row" and "2 rows" come out right wherever a
count is printed, and the problems table can show a message without the "row N, column:" prefix that
its own row and column cells already say.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # the file reader's child imports this module and must not load the API models
    from lib.bulk.model import ValidatedInput

_IRREGULAR = {"was": "were", "is": "are", "has": "have", "it": "they", "this": "these", "entry": "entries"}


def plural_word(count: int, singular: str, many: str | None = None) -> str:
    """The word alone, agreeing with `count`: plural_word(1, "row") == "row", (2, "row") -> "rows"."""
    if count == 1:
        return singular
    if many is not None:
        return many
    if singular in _IRREGULAR:
        return _IRREGULAR[singular]
    if singular.endswith(("s", "x", "ch", "sh")):
        return singular + "es"
    return singular + "s"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """A count with its noun: plural(1, "row") == "1 row", plural(1200, "row") == "1,200 rows".

    Only the last word of a phrase is inflected: plural(2, "blank line") == "2 blank lines".
    """
    head, _, last = singular.rpartition(" ")
    word = plural_word(count, last, many.rpartition(" ")[2] if many else None)
    return f"{count:,} {head + ' ' if head else ''}{word}"


def row_list(rows: Sequence[int], total: int | None = None) -> str:
    """ "row 5", "rows 5 and 9", "rows 5, 9, 12 and 3 more", from the first row numbers and the total."""
    total = len(rows) if total is None else total
    shown = [f"{r:,}" for r in rows]
    if not shown:
        return ""
    more = total - len(shown)
    if more > 0:
        return f"{plural_word(total, 'row')} {', '.join(shown)} and {more:,} more"
    if len(shown) == 1:
        return f"row {shown[0]}"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def problem_table(validated: ValidatedInput, *, limit: int = 1000) -> pd.DataFrame:
    """The first problems for a table with columns row, severity, column, problem.

    Each stored message starts with "row N, column: " so it reads on its own in a problems file; beside
    the table's own row and column cells that prefix says everything twice, so it is left out here.
    """
    issues = validated.issues.head(limit)
    prefix = "row " + issues["row"].astype("str") + ", " + issues["column"].astype("str") + ": "
    message = issues["message"].astype("str")
    starts = pd.Series(
        [m.startswith(p) for m, p in zip(message, prefix, strict=True)], index=issues.index, dtype=bool
    )
    problem = pd.Series(
        [m[len(p) :] if s else m for m, p, s in zip(message, prefix, starts, strict=True)],
        index=issues.index,
        dtype="str",
    )
    return pd.DataFrame(
        {
            "row": issues["row"].astype("int64"),
            "severity": issues["severity"].astype("str"),
            "column": issues["column"].astype("str"),
            "problem": problem,
        }
    ).reset_index(drop=True)


def reformatted_ids_note(header: str, examples: Sequence[tuple[int, str, str]], total: int) -> str:
    """The file-level note for customer ids read after dropping leading zeros or a ".0".

    `examples` are (row, as written, as read) for the first such ids, `total` how many there were:
    "customerId: 1 id was written with leading zeros and read as a plain number: row 5, '007' as 7."
    """
    zeros = any(text.lstrip("+").startswith("0") for _, text, _ in examples)
    decimal = any("." in text for _, text, _ in examples)
    how = (
        " or ".join(
            part for part, present in (("leading zeros", zeros), ("a decimal part (.0)", decimal)) if present
        )
        or "extra characters"
    )
    shown = "; ".join(f"row {row:,}, '{text}' as {read}" for row, text, read in examples)
    more = f"; and {total - len(examples):,} more" if total > len(examples) else ""
    return (
        f"{header}: {plural(total, 'id')} {plural_word(total, 'was')} written with {how} and read as "
        f"{'a plain number' if total == 1 else 'plain numbers'}: {shown}{more} (see the warnings)."
    )
