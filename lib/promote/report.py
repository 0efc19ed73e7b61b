"""A plan and an apply run in words: the command line prints these, the console shows the same rows.

Each item is one line (kind, name, what happens) followed by its field changes and the rules that
would refuse it, each with the server's code, so a reviewer reads the promotion like a diff.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.domain.rules import START_IN_PAST
from lib.promote.apply import ApplyResult, Outcome
from lib.promote.plan import Action, Plan, PlanItem

HISTORICAL_HINT = (
    "A badge that has already started can only be created as a historical badge: "
    "plan and apply with --historical (the X-CAP-BADGES-MIGRATION header)."
)


@dataclass(frozen=True)
class ItemRow:
    """One item as a table row (the console's plan and results tables)."""

    kind: str
    name: str
    action: str
    detail: str


def item_detail(item: PlanItem) -> str:
    """The changes of an update, or the refusals of an item that cannot apply, on one line."""
    if item.refusals:
        return "; ".join(f"{r.code} {r.field}: {r.message}" for r in item.refusals)
    return "; ".join(str(change) for change in item.changes)


def plan_rows(plan: Plan) -> list[ItemRow]:
    return [ItemRow(item.kind.value, item.name, _action(item), item_detail(item)) for item in plan.items]


def result_rows(result: ApplyResult) -> list[ItemRow]:
    """Every pending item of the plan: applied (created/updated, with the id), failed (the server's
    code and words), or not sent because the run stopped before it."""
    rows = []
    for step in result.steps:
        item = step.item
        if step.outcome is Outcome.APPLIED:
            rows.append(ItemRow(item.kind.value, item.name, f"{step.verb}", step.target_id or ""))
        else:
            rows.append(ItemRow(item.kind.value, item.name, "failed", step.message))
    rows += [ItemRow(i.kind.value, i.name, "not sent", f"would {i.action.value}") for i in result.not_sent]
    return rows


def plan_text(plan: Plan, *, target: str) -> str:
    lines = [f"Plan for {target}: {plan.summary()}", ""]
    width = max((len(item.name) for item in plan.items), default=10)
    for item in plan.items:
        lines.append(f"  {item.kind.value:<13} {item.name:<{width}}  {_action(item)}")
        lines += [f"  {'':<13} {'':<{width}}    {change}" for change in item.changes]
        lines += [f"  {'':<13} {'':<{width}}    {r.code} {r.field}: {r.message}" for r in item.refusals]
    if not plan.items:
        lines.append("  (the file has no badges)")
    if plan.blocked:
        lines += ["", f"{len(plan.blocked)} item(s) cannot be applied: nothing will be sent until they can."]
        if not plan.historical and any(r.code == START_IN_PAST for i in plan.blocked for r in i.refusals):
            lines.append(HISTORICAL_HINT)
    elif plan.pending:
        lines += ["", "Nothing was sent. Apply it with the same arguments and `apply`."]
    else:
        lines += ["", "The target already matches the file."]
    return "\n".join(lines)


def apply_text(result: ApplyResult, *, target: str) -> str:
    plan = result.plan
    if not plan.can_apply:
        return plan_text(plan, target=target) + "\nNothing was sent."
    if not plan.pending:
        return f"{target} already matches the file: nothing to apply ({plan.summary()})."
    lines = [f"Applying to {target}: {plan.summary()}", ""]
    width = max(len(row.name) for row in result_rows(result))
    for row in result_rows(result):
        lines.append(f"  {row.action:<9} {row.kind:<13} {row.name:<{width}}  {row.detail}")
    applied, failed = len(result.applied), result.failed
    lines.append("")
    if failed is None:
        lines.append(f"Done: {applied} of {len(plan.pending)} change(s) applied.")
    else:
        lines.append(
            f"Stopped at the first failure: {applied} of {len(plan.pending)} change(s) applied before it. "
            "Fix the cause and run the same command again: it continues with what is still different."
        )
    return "\n".join(lines)


def _action(item: PlanItem) -> str:
    if item.action is Action.BLOCKED:
        return f"cannot apply ({item.intended.value})"
    return item.action.value
