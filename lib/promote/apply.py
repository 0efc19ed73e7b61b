"""Applying a badges file to an org: plan against what the org holds now, then send what differs.

Every run plans again from the target's current state, so a run is idempotent and a rerun continues:
what an earlier run created or updated now reads as unchanged, and only what is still different is
sent. That also covers an answer lost on the way back (the create may have been applied): the next
run finds the badge by its name instead of creating it twice.

A plan with an item that cannot be applied sends nothing: the file or the target must change first.
Otherwise the changes go out in dependency order (groups, custom fields, badges, each through the
client, so the request log holds every call), and the first refusal stops the run with the server's
code; what was applied before it stays applied and is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lib.api.client import BadgesClient
from lib.api.errors import APIStatusError, BadgesError
from lib.api.read_many import Progress, ReadMany, one_by_one
from lib.promote.document import BadgesDocument, BadgeSpec, FieldSpec, GroupSpec
from lib.promote.export import OrgSnapshot, read_org
from lib.promote.plan import Action, Kind, Plan, PlanItem, create_request, make_plan, update_request


class Outcome(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"


@dataclass(frozen=True)
class Step:
    """One change sent: the plan item, how it ended, the id in the target, and the refusal."""

    item: PlanItem
    outcome: Outcome
    target_id: str | None = None
    codes: tuple[int, ...] = ()
    message: str = ""
    error: BadgesError | None = None

    @property
    def verb(self) -> str:
        return "created" if self.item.intended is Action.CREATE else "updated"


@dataclass(frozen=True)
class ApplyResult:
    """The plan the run followed and the changes it sent, in order; the last one may have failed."""

    plan: Plan
    steps: tuple[Step, ...] = ()

    @property
    def applied(self) -> list[Step]:
        return [step for step in self.steps if step.outcome is Outcome.APPLIED]

    @property
    def failed(self) -> Step | None:
        return next((step for step in self.steps if step.outcome is Outcome.FAILED), None)

    @property
    def not_sent(self) -> list[PlanItem]:
        sent = {id(step.item) for step in self.steps}
        return [item for item in self.plan.pending if id(item) not in sent]

    @property
    def complete(self) -> bool:
        """Everything of the file is now in the target as the file says."""
        return self.plan.can_apply and self.failed is None and not self.not_sent


def apply(
    client: BadgesClient,
    document: BadgesDocument,
    *,
    now: datetime | Callable[[], datetime],
    historical: bool = False,
    read_many: ReadMany = one_by_one,
    on_progress: Progress | None = None,
) -> ApplyResult:
    """Read the target, plan, and apply the plan when every item can be applied.

    `now` is the target's clock (a callable is read after the target was read). `on_progress(done,
    total)` follows the changes sent.
    """
    target = read_org(client, document.badge_names, read_many=read_many)
    moment = now() if callable(now) else now
    plan = make_plan(document, target, moment, historical=historical)
    if not plan.can_apply:
        return ApplyResult(plan)
    return apply_plan(client, document, plan, target, on_progress=on_progress)


def apply_plan(
    client: BadgesClient,
    document: BadgesDocument,
    plan: Plan,
    target: OrgSnapshot,
    *,
    on_progress: Progress | None = None,
) -> ApplyResult:
    """Send the plan's creates and updates in order; stop at the first refusal."""
    group_ids = {name: group.id for name, group in target.groups.items()}
    specs = {
        **{(Kind.GROUP, g.name): g for g in document.groups},
        **{(Kind.CUSTOM_FIELD, f.name): f for f in document.custom_fields},
        **{(Kind.BADGE, b.name): b for b in document.badges},
    }
    pending = plan.pending
    steps: list[Step] = []
    for done, item in enumerate(pending, start=1):
        spec = specs[(item.kind, item.name)]
        try:
            target_id = _send(client, item, spec, group_ids, historical=plan.historical)
        except BadgesError as exc:
            steps.append(Step(item, Outcome.FAILED, item.target_id, *_refusal(exc), error=exc))
            break
        if item.kind is Kind.GROUP:
            group_ids[item.name] = target_id
        steps.append(Step(item, Outcome.APPLIED, target_id))
        if on_progress is not None:
            on_progress(done, len(pending))
    return ApplyResult(plan, tuple(steps))


def _send(
    client: BadgesClient,
    item: PlanItem,
    spec: GroupSpec | FieldSpec | BadgeSpec,
    group_ids: dict[str, str],
    *,
    historical: bool,
) -> str:
    """One create or update through the client; the id of the object in the target."""
    create = item.action is Action.CREATE
    if isinstance(spec, GroupSpec):
        if create:
            return client.create_group(name=spec.name, rank=spec.rank).id
        return client.update_group(group_id=item.target_id or "", name=spec.name, rank=spec.rank).id
    if isinstance(spec, FieldSpec):
        return _send_field(client, item, spec)
    group_id = group_ids.get(spec.group) if spec.group else None
    if create:
        return client.create_badge(badge=create_request(spec, group_id), migration=historical).id
    return client.update_badge(badge=update_request(spec, item.target_id or "", group_id)).id


def _send_field(client: BadgesClient, item: PlanItem, spec: FieldSpec) -> str:
    values = {
        "name": spec.name,
        "data_type": spec.data_type,
        "is_mandatory": spec.is_mandatory,
        "default_value": spec.default_value,
    }
    if item.action is Action.UPDATE:
        return client.update_custom_field(
            custom_field_id=item.target_id or "", is_active=spec.is_active, **values
        ).id
    created = client.create_custom_field(**values)
    if not spec.is_active:  # a new field is active; the create call has no switch for it
        client.update_custom_field(custom_field_id=created.id, is_active=False, **values)
    return created.id


def _refusal(exc: BadgesError) -> tuple[tuple[int, ...], str]:
    """The server's codes and words, or the failure's (no answer, an unreadable one)."""
    if isinstance(exc, APIStatusError):
        codes = exc.codes or ((exc.code,) if exc.code is not None else (exc.status_code,))
        details = "; ".join(str(detail) for detail in exc.errors) or exc.message
        return codes, f"HTTP {exc.status_code}: {details}"
    return (), getattr(exc, "message", str(exc))
