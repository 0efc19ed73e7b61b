"""Everything the badge editor shows about the form, computed once per run: `evaluate(form, saved, now)`.

One pass from the form to the request the client would send (`lib.console.editor.build_request`,
through the API's request models), the server's rules on it (`lib.domain.check_badge`), the mandatory
fields a blank new badge asks for, and the earn rules the preview and the what-if draw, with the live
fixed-window change planned by `lib.domain.window_plan` as the sandbox stores it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lib.console.badge_form import BadgeForm, same_widget_values
from lib.console.editor import (
    EditorRequest,
    PreviewRules,
    build_request,
    preview_parts,
    rule_violations,
    section_of,
)
from lib.domain import BadgeRules
from lib.domain.rules import RuleViolation, ViolationKind


@dataclass(frozen=True)
class Evaluation:
    """What Save would send and why it may not yet: violations to fix, fields to fill in (`hints`,
    a blank new badge's missing fields, asked for rather than flagged), and what the preview draws."""

    request: EditorRequest
    violations: tuple[RuleViolation, ...]
    hints: tuple[RuleViolation, ...]
    preview: PreviewRules
    unchanged: bool
    """An update whose fields all still show the saved badge: nothing to save yet."""

    @property
    def rules(self) -> BadgeRules | None:
        """The planned earn rules (None while not even the badge period can be read)."""
        return self.preview.rules

    @property
    def blocked(self) -> bool:
        return bool(self.violations) or bool(self.hints) or not self.request.sendable or self.unchanged

    def by_section(self) -> dict[str, list[RuleViolation]]:
        """Violations by the part of the form their field belongs to ("basics", "period", ...)."""
        out: dict[str, list[RuleViolation]] = defaultdict(list)
        for violation in self.violations:
            out[section_of(violation.field)].append(violation)
        return out


def evaluate(
    form: BadgeForm, saved: Mapping[str, Any] | None, now: datetime, *, base: BadgeForm | None = None
) -> Evaluation:
    """The request, violations, hints and planned rules of `form`: a create when `saved` is None,
    else an update of `saved` (the badge as the API returned it). `base` is the form as loaded; while
    the widgets still show it, a new badge's missing fields are hints and an update is unchanged."""
    badge_id = str(saved["id"]) if saved is not None else None
    request = build_request(form, badge_id=badge_id)
    violations = rule_violations(saved, request, now)
    untouched = base is not None and same_widget_values(form, base)
    hints: list[RuleViolation] = []
    if badge_id is None and untouched:  # a blank form is not a mistake yet: ask, don't flag
        hints = [v for v in violations if v.kind is ViolationKind.MISSING]
        violations = [v for v in violations if v.kind is not ViolationKind.MISSING]
    return Evaluation(
        request=request,
        violations=tuple(violations),
        hints=tuple(hints),
        preview=preview_parts(request, saved, now),
        unchanged=badge_id is not None and untouched,
    )
