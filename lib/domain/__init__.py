"""Pure badge rules: fixed-window cycles, limits, expiry, status, edit rules and earn simulation.

Used both by the console's live previews and by the sandbox when it enforces limits, so a preview
is exactly what the sandbox will do. No I/O; the time zone, week start and "now" are arguments.
All instants are timezone-aware datetimes, handled in UTC (naive datetimes raise ValueError).
"""

from lib.domain.badge import BadgeRules
from lib.domain.cycles import (
    Cycle,
    CycleLayout,
    FixedWindowRule,
    cycle_at,
    cycles,
    cycles_between,
    iter_cycles,
    next_boundary,
)
from lib.domain.drafts import BadgeDraft, ConstraintDraft, ExpiryDraft
from lib.domain.enums import (
    AbsoluteExpiryKind,
    BadgeStatus,
    ConstraintLevel,
    ConstraintType,
    CountAxis,
    DurationUnit,
    EarnType,
    ExpiryType,
    OwnerType,
    Weekday,
    WindowFamily,
)
from lib.domain.expiry import ExpiryRule, add_duration, compute_expiry
from lib.domain.limits import (
    CountWindow,
    Earn,
    EarnDecision,
    FixedValueLimit,
    FixedWindowLimit,
    Limit,
    LimitCount,
    LimitUsage,
    NoLimit,
    RollingWindowLimit,
    count_window,
    customer_rolling_limits,
    decide,
    evaluate_earn,
)
from lib.domain.rules import (
    FixedWindowChange,
    FixedWindowChangeKind,
    RuleViolation,
    check_badge,
    first_boundary_on_or_after,
    invalid_enum_message,
    plan_fixed_window_change,
)
from lib.domain.simulator import (
    AttemptOutcome,
    CycleCount,
    LimitCycleCounts,
    SimulationResult,
    Verdict,
    earn_pattern,
    simulate,
)
from lib.domain.status import badge_status
from lib.domain.timeutil import add_months, as_utc

__all__ = [
    "AbsoluteExpiryKind",
    "AttemptOutcome",
    "BadgeDraft",
    "BadgeRules",
    "BadgeStatus",
    "ConstraintDraft",
    "ConstraintLevel",
    "ConstraintType",
    "CountAxis",
    "CountWindow",
    "Cycle",
    "CycleCount",
    "CycleLayout",
    "DurationUnit",
    "Earn",
    "EarnDecision",
    "EarnType",
    "ExpiryDraft",
    "ExpiryRule",
    "ExpiryType",
    "FixedValueLimit",
    "FixedWindowChange",
    "FixedWindowChangeKind",
    "FixedWindowLimit",
    "FixedWindowRule",
    "Limit",
    "LimitCount",
    "LimitCycleCounts",
    "LimitUsage",
    "NoLimit",
    "OwnerType",
    "RollingWindowLimit",
    "RuleViolation",
    "SimulationResult",
    "Verdict",
    "Weekday",
    "WindowFamily",
    "add_duration",
    "add_months",
    "as_utc",
    "badge_status",
    "check_badge",
    "compute_expiry",
    "count_window",
    "customer_rolling_limits",
    "cycle_at",
    "cycles",
    "cycles_between",
    "decide",
    "earn_pattern",
    "evaluate_earn",
    "first_boundary_on_or_after",
    "invalid_enum_message",
    "iter_cycles",
    "next_boundary",
    "plan_fixed_window_change",
    "simulate",
]
