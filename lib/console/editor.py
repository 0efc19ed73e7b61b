"""The badge editor's checks before Save: the exact request, rule violations, diff, curl, what-if.

The request shown is the one that will be sent: the form's body is read into the API's request model
(`BadgeCreate`/`BadgeUpdate`) and written back with `to_wire()`, which is what the client puts on the
wire. Rule checks (`lib.domain.check_badge`) and the preview run on that same wire body, so what the
editor warns about is what the server would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from pydantic import ValidationError

from lib.api.convert import badge_draft, stored_instants
from lib.api.errors import FieldProblem, RequestValidationError
from lib.api.models import BadgeCreate, BadgeUpdate
from lib.console.badge_form import BadgeForm
from lib.console.form_wire import to_body
from lib.domain import BadgeRules, Limit, check_badge
from lib.domain.rules import RuleViolation
from lib.domain.simulator import earn_pattern, simulate
from lib.domain.window_plan import planned_limits

BADGE_PATH = "/api_gateway/v1/badges/badgeMeta"
MAX_WHAT_IF_ATTEMPTS = 200_000
"""The what-if panel refuses patterns larger than this, to keep a rerun interactive."""

SECTIONS = {
    "name": "basics",
    "description": "basics",
    "earnType": "basics",
    "ownership": "basics",
    "startOn": "period",
    "expiresOn": "period",
    "earnedBadgeExpiry": "expiry",
    "issuedBadgeExpiry": "expiry",
    "customerConstraints": "customer",
    "badgeConstraints": "badge",
}


@dataclass(frozen=True)
class EditorRequest:
    """What Save would send: method, path, the wire body, or why it cannot be sent yet."""

    method: str
    path: str
    body: dict[str, Any]
    problems: tuple[FieldProblem, ...] = ()
    model: BadgeCreate | BadgeUpdate | None = None

    @property
    def sendable(self) -> bool:
        return self.model is not None

    def json_text(self) -> str:
        return json.dumps(self.body, indent=2, ensure_ascii=False)


def build_request(form: BadgeForm, *, badge_id: str | None) -> EditorRequest:
    body = to_body(form, badge_id=badge_id)
    method = "PUT" if badge_id else "POST"
    model_class = BadgeUpdate if badge_id else BadgeCreate
    try:
        model = model_class.model_validate(body)
    except ValidationError as exc:
        problems = RequestValidationError.from_pydantic(exc, what="badge").problems
        return EditorRequest(method, BADGE_PATH, body, problems=problems)
    return EditorRequest(method, BADGE_PATH, model.to_wire(), model=model)


def rule_violations(
    saved: Mapping[str, Any] | None, request: EditorRequest, now: datetime
) -> list[RuleViolation]:
    """`check_badge` on the wire body (create when `saved` is None, else an update of `saved`).

    Bodies become drafts through `lib.api.convert`, the same bridge the sandbox reads them with.
    """
    saved_draft = badge_draft(stored_instants(saved)) if saved is not None else None
    return check_badge(saved_draft, badge_draft(request.body), now)


def section_of(field: str) -> str:
    """Which part of the form a violation's field (`customerConstraints[0].refreshRate`) belongs to."""
    head = field.split(".", 1)[0].split("[", 1)[0]
    return SECTIONS.get(head, "basics")


def preview_rules(
    request: EditorRequest, saved: Mapping[str, Any] | None = None, now: datetime | None = None
) -> BadgeRules | None:
    """The earn rules the preview and what-if use, or None while the form is incomplete.

    On an update of a badge that has started, a changed fixed-window shape does not apply at once:
    the running cycle finishes and the new cycles start at their first boundary (reference 7.2.5).
    Given `saved` and `now`, the rules carry both configs with those bounds, as the sandbox plans them.
    """
    return _rules_of(request.body, saved, now)


@dataclass(frozen=True)
class PreviewRules:
    """What the preview can draw: the rules of every valid part, and the parts left out, with why."""

    rules: BadgeRules | None  # None: the badge period itself cannot be read
    left_out: tuple[str, ...] = ()  # "Customer limits · fixed window: refresh_rate must be at least 1, got 0"


_PARTS = {
    "earnedBadgeExpiry": "Earned badge expiry",
    "issuedBadgeExpiry": "Enrolment expiry",
}
_LIMIT_LISTS = {"customerConstraints": "Customer limits", "badgeConstraints": "Badge limits"}


def preview_parts(
    request: EditorRequest, saved: Mapping[str, Any] | None = None, now: datetime | None = None
) -> PreviewRules:
    """Like `preview_rules`, but one invalid value hides only what it affects.

    The badge period is read first (without limits and expiries); then each expiry and each limit is
    tried on its own against it. Those that read are drawn; each one that does not is named with the
    reason, so the preview can say which field it cannot draw instead of drawing nothing.
    """
    body = dict(request.body)
    whole = _rules_of(body, saved, now)
    if whole is not None:
        return PreviewRules(whole)
    base = {k: v for k, v in body.items() if k not in _PARTS and k not in _LIMIT_LISTS}
    base.update({key: [] for key in _LIMIT_LISTS})
    reason = _unreadable(base)
    if reason is not None:
        return PreviewRules(None, (f"Badge period: {reason}",))
    kept, left_out = dict(base), []
    for key, label in _PARTS.items():
        if key in body:
            reason = _unreadable({**base, key: body[key]}, key)
            if reason is None:
                kept[key] = body[key]
            else:
                left_out.append(f"{label}: {reason}")
    for key, label in _LIMIT_LISTS.items():
        for limit in body.get(key) or []:
            reason = _unreadable({**base, key: [limit]}, key)
            if reason is None:
                kept[key] = [*kept[key], limit]
            else:
                left_out.append(f"{label} · {_limit_kind(limit)}: {reason}")
    return PreviewRules(_rules_of(kept, saved, now), tuple(left_out))


def _unreadable(body: Mapping[str, Any], part: str | None = None) -> str | None:
    """None when `body` reads as rules; else why, in the rule checks' words for `part` when they
    have any (they name the field: "refreshRate must be at least 1"), else the reader's."""
    try:
        badge_draft(body).to_rules()
    except (ValueError, TypeError) as exc:
        if part is not None:
            try:
                found = check_badge(None, badge_draft(body), datetime.now(UTC))
            except (ValueError, TypeError):
                found = []
            said = [v.message for v in found if v.field.startswith(part)]
            if said:
                return "; ".join(dict.fromkeys(said))
        return str(exc) or type(exc).__name__
    return None


def _limit_kind(limit: Any) -> str:
    """ "fixed window" for CUSTOMER_BADGE_FIXED_WINDOW, "rolling window", ..."""
    kind = str(limit.get("constraintType") or "limit") if isinstance(limit, Mapping) else "limit"
    for prefix in ("CUSTOMER_BADGE_", "CUSTOMER_", "BADGE_"):
        kind = kind.removeprefix(prefix)
    return kind.replace("_", " ").lower()


def _rules_of(
    body: Mapping[str, Any], saved: Mapping[str, Any] | None, now: datetime | None
) -> BadgeRules | None:
    try:
        rules = badge_draft(body).to_rules()
    except (ValueError, TypeError):
        return None
    if saved is None or now is None:
        return rules
    try:
        before = badge_draft(stored_instants(saved)).to_rules()
    except (ValueError, TypeError):
        return rules
    return replace(
        rules,
        customer_limits=planned_limits(
            before.customer_limits, rules.customer_limits, now, rules.start, rules.end
        ),
        badge_limits=planned_limits(before.badge_limits, rules.badge_limits, now, rules.start, rules.end),
    )


@dataclass(frozen=True)
class Change:
    field: str
    saved: Any
    edited: Any


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return out or {prefix: {}}
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out |= _flatten(item, f"{prefix}[{i}]")
        return out or {prefix: []}
    return {prefix: value}


def diff(saved: Mapping[str, Any], edited: Mapping[str, Any]) -> list[Change]:
    """Fields whose value differs between the saved badge and the edited request (wire paths).

    Only fields the request sends are compared: read-only fields of the saved badge (counts, status,
    cycle dates) are not edits.
    """
    before, after = _flatten(dict(saved)), _flatten(dict(edited))
    sent_roots = {path.split(".", 1)[0].split("[", 1)[0] for path in after}
    paths = [p for p in dict.fromkeys([*before, *after]) if p.split(".", 1)[0].split("[", 1)[0] in sent_roots]
    ignored = ("referenceId", "cycleStatus", "startDate", "endDate", "currentCycle", "ISO")
    return [
        Change(path, before.get(path), after.get(path))
        for path in paths
        if before.get(path) != after.get(path) and not any(word in path for word in ignored)
    ]


@dataclass(frozen=True)
class WhatIf:
    attempts: int
    allowed: int
    blocked: int
    outside_period: int
    per_limit: pd.DataFrame
    per_cycle: pd.DataFrame


def _limit_name(limit: Limit) -> str:
    return limit.describe()


def what_if(rules: BadgeRules, *, customers: int, per_day: int, start: datetime, end: datetime) -> WhatIf:
    """Replay `customers` x `per_day` earn attempts a day from `start` to `end` through the simulator.

    Raises ValueError for a pattern larger than MAX_WHAT_IF_ATTEMPTS.
    """
    days = (end.date() - start.date()).days + 1
    if customers * per_day * max(days, 0) > MAX_WHAT_IF_ATTEMPTS:
        raise ValueError(f"more than {MAX_WHAT_IF_ATTEMPTS:,} attempts; shorten the period or the pattern")
    attempts = earn_pattern(customers=customers, per_day=per_day, start=start, end=end)
    result = simulate(rules, attempts)
    rows, reaching = [], result.allowed + result.blocked
    for limit, blocked in result.blocked_by:
        # Limits are checked in order (customer limits first); an attempt refused by one limit is
        # not checked against the later ones, so each limit sees what the earlier ones let through.
        rows.append(
            {
                "limit": _limit_name(limit),
                "level": limit.level.value.title(),
                "checked": reaching,
                "allowed": reaching - blocked,
                "blocked": blocked,
            }
        )
        reaching -= blocked
    return WhatIf(
        attempts=len(attempts),
        allowed=result.allowed,
        blocked=result.blocked,
        outside_period=result.outside_period,
        per_limit=pd.DataFrame(rows, columns=["limit", "level", "checked", "allowed", "blocked"]),
        per_cycle=_per_cycle(result),
    )


def _per_cycle(result) -> pd.DataFrame:
    """Earned and refused attempts per cycle of every fixed-window limit (cycles with attempts only)."""
    rows = [
        {
            "limit": counts.limit.describe(),
            "cycle start": c.cycle.start.date(),
            "last day": c.cycle.last_day.date(),
            "earned": c.earned,
            "blocked": c.blocked,
        }
        for counts in result.cycle_counts
        for c in counts.cycles
        if c.earned or c.blocked
    ]
    return pd.DataFrame(rows, columns=["limit", "cycle start", "last day", "earned", "blocked"])
