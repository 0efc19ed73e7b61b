"""Files that name each row's badge: a badgeMetaId column, or the badge's exact name.

A campaign file often enrols customers into several badges at once ("Gold welcome" for some, "Silver
welcome" for others). Each distinct value of the badge column is matched once against the org's
badges: a 24-hex badgeMetaId by id, anything else by the badge's exact name (names are the API's
unique, case-sensitive key). A value that matches nothing, or more than one badge, refuses its rows
with the reason; every other row goes to the job of its badge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from lib.bulk.issue_lines import IssueLines, quoted
from lib.bulk.model import Severity
from lib.bulk.validate import BadgePeriod

_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


@dataclass(frozen=True)
class BadgeRef:
    """One badge a file's rows go to, as the org lists it."""

    badge_id: str
    name: str | None = None
    period: BadgePeriod | None = None
    earn_type: str | None = None

    def describe(self) -> str:
        return f"'{self.name}' ({self.badge_id})" if self.name else self.badge_id


def badge_ref(badge) -> BadgeRef:
    """A listed or fetched badge (`BadgeSummary`/`Badge`) as a `BadgeRef`."""
    start, end = badge.starts, badge.ends
    period = None
    if start is not None:
        period = BadgePeriod(int(start.timestamp()), int(end.timestamp()) if end is not None else None)
    earn_type = str(badge.earn_type) if getattr(badge, "earn_type", None) else None
    return BadgeRef(str(badge.id).lower(), badge.name, period, earn_type)


def match_badges(values: Iterable[str], badges: Sequence[BadgeRef]) -> dict[str, BadgeRef | str]:
    """Each distinct value -> its badge, or the reason it names none (for the rows' messages)."""
    by_id = {b.badge_id.lower(): b for b in badges}
    by_name: dict[str, list[BadgeRef]] = {}
    by_folded: dict[str, list[BadgeRef]] = {}
    for badge in badges:
        if badge.name:
            by_name.setdefault(badge.name, []).append(badge)
            by_folded.setdefault(badge.name.casefold(), []).append(badge)
    out: dict[str, BadgeRef | str] = {}
    for value in dict.fromkeys(values):
        text = value.strip()
        if _OBJECT_ID.fullmatch(text) and text.lower() in by_id:
            out[value] = by_id[text.lower()]
            continue
        named = by_name.get(text, [])
        if len(named) == 1:
            out[value] = named[0]
        elif len(named) > 1:
            out[value] = f"names {len(named)} badges ({_ids(named)}); write the badgeMetaId instead"
        elif _OBJECT_ID.fullmatch(text):
            out[value] = "is not the badgeMetaId of a badge in this org"
        else:
            near = by_folded.get(text.casefold(), [])
            hint = f"; did you mean {' or '.join(repr(b.name) for b in near)}?" if near else ""
            out[value] = f"matches no badge name of this org (names are case-sensitive){hint}"
    return out


def _ids(badges: Sequence[BadgeRef]) -> str:
    return ", ".join(b.badge_id for b in badges)


@dataclass(frozen=True)
class BadgeSplit:
    """The file's rows per badge, in file order, and the lines of the rows whose badge is unknown."""

    parts: dict[str, tuple[BadgeRef, pd.DataFrame]]
    refused: pd.DataFrame  # issue lines (ISSUE_COLUMNS)
    refused_rows: pd.Index  # their row numbers


def split_by_badge(frame: pd.DataFrame, header: str, matches: dict[str, BadgeRef | str]) -> BadgeSplit:
    """Cut `frame` (index = spreadsheet row) by the badge each row names."""
    raw = frame[header].astype("str").fillna("")
    stripped = raw.str.strip()
    found = raw.map(lambda v: matches.get(v))
    known = found.map(lambda m: isinstance(m, BadgeRef))
    lines = IssueLines()
    blank = stripped == ""
    lines.add(blank, column=header, values=stripped, severity=Severity.ERROR, rule="badge",
              detail="missing; every row needs its badge (badgeMetaId or exact name)")  # fmt: skip
    reasons = found.map(lambda m: m if isinstance(m, str) else "")
    unknown = ~known & ~blank
    lines.add(unknown, column=header, values=stripped, severity=Severity.ERROR, rule="badge",
              detail=lambda i: quoted(stripped[i]) + " " + reasons[i])  # fmt: skip
    parts: dict[str, tuple[BadgeRef, pd.DataFrame]] = {}
    for badge_id, rows in found[known].groupby(found[known].map(lambda m: m.badge_id), sort=False):
        parts[badge_id] = (rows.iloc[0], frame.loc[rows.index])
    return BadgeSplit(parts, lines.frame(), frame.index[(~known).to_numpy()])
