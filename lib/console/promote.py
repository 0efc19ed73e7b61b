"""The "Badges as code" page's tables: two orgs side by side, a plan, an apply run's results.

Built from `lib.promote` (the plan says what would happen to each badge of the source in the target),
so the page shows exactly what the command line prints. Plain pandas, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from lib.promote.apply import ApplyResult
from lib.promote.document import BadgesDocument
from lib.promote.export import OrgSnapshot
from lib.promote.plan import Action, Kind, Plan, PlanItem
from lib.promote.report import item_detail, plan_rows, result_rows


class Presence(StrEnum):
    ONLY_SOURCE = "only in source"
    ONLY_TARGET = "only in target"
    SAME = "same"
    DIFFERS = "differs"


@dataclass(frozen=True)
class CompareRow:
    name: str
    presence: Presence
    item: PlanItem | None
    """The badge's plan item (None for a badge only the target has)."""


def compare(document: BadgesDocument, target: OrgSnapshot, plan: Plan) -> list[CompareRow]:
    """Every badge of either side by name: only in the source (to create), only in the target (left
    alone), the same, or different (the plan's field diff and, when it cannot apply, why)."""
    rows = []
    for name in document.badge_names:
        item = plan.item(Kind.BADGE, name)
        if item is None:
            continue
        if item.target_id is None:
            presence = Presence.ONLY_SOURCE
        else:
            presence = Presence.SAME if item.action is Action.UNCHANGED else Presence.DIFFERS
        rows.append(CompareRow(name, presence, item))
    mine = set(document.badge_names)
    rows += [
        CompareRow(name, Presence.ONLY_TARGET, None) for name in sorted(target.badge_ids) if name not in mine
    ]
    return rows


def compare_frame(rows: list[CompareRow]) -> pd.DataFrame:
    """One line per badge: where it is, what promoting it would do, and the differences or refusal."""
    records = [
        {
            "badge": row.name,
            "status": row.presence.value,
            "promote would": _verb(row.item) if row.item else "",
            "differences": len(row.item.changes) if row.item else 0,
            "detail": item_detail(row.item) if row.item else "",
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=["badge", "status", "promote would", "differences", "detail"])


def changes_frame(item: PlanItem) -> pd.DataFrame:
    """The fields of one badge that differ: the target's value beside the source's."""
    return pd.DataFrame(
        [{"field": c.path, "target": _cell(c.before), "source": _cell(c.after)} for c in item.changes],
        columns=["field", "target", "source"],
    )


def plan_frame(plan: Plan) -> pd.DataFrame:
    return _rows_frame(plan_rows(plan), "action")


def results_frame(result: ApplyResult) -> pd.DataFrame:
    return _rows_frame(result_rows(result), "result")


def _rows_frame(rows, label: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"kind": r.kind, "name": r.name, label: r.action, "detail": r.detail} for r in rows],
        columns=["kind", "name", label, "detail"],
    )


def _verb(item: PlanItem) -> str:
    return f"cannot {item.intended.value}" if item.action is Action.BLOCKED else item.action.value


def _cell(value: object) -> str:
    return "" if value is None else str(value)
