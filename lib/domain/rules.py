"""The server's edit rules for creating and updating a badge, checked before anything is sent.

`check_badge` returns every violated rule at once, each with the API's error code and the wire
name of the field (`startOn`, `customerConstraints[0].refreshRate`), so the console can mark the
form fields and the sandbox can answer with the same codes as Capillary. Duplicate names (725)
need the stored badges and are checked by the sandbox.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from lib.domain.drafts import BadgeDraft, ConstraintDraft, ExpiryDraft, parse_enum
from lib.domain.enums import (
    AbsoluteExpiryKind,
    ConstraintType,
    DurationUnit,
    EarnType,
    ExpiryType,
    OwnerType,
    Weekday,
    WindowFamily,
    invalid_enum_message,
)
from lib.domain.limits import FixedWindowLimit
from lib.domain.timeutil import (
    as_utc,
    day_number,
    day_start,
    first_of_month_day,
    first_of_next_month_day,
    weekday_of,
)

INVALID_INPUT = 400
START_AFTER_END = 720
START_IN_PAST = 722
START_LOCKED = 723
END_IN_PAST = 724
DUPLICATE_NAME = 725
NO_OWNER = 728
WINDOW_TYPE_LOCKED = 826

MESSAGES = {
    START_AFTER_END: "Start Date should be before End Date",
    START_IN_PAST: "Start Date cannot be past date",
    START_LOCKED: "Start Date cannot change once the badge is live",
    END_IN_PAST: "Expiry Date cannot be past date",
    DUPLICATE_NAME: "Badge name cannot be duplicate",
    NO_OWNER: "Atleast one owner is required",
    WINDOW_TYPE_LOCKED: (
        "Change from rolling window or fixed constraint to fixed window or vice versa is not allowed."
    ),
}

# Instants read back from the API are float seconds; a re-sent start that differs by less than a
# millisecond is the same start.
_SAME_INSTANT = timedelta(milliseconds=1)


class ViolationKind(StrEnum):
    """What is wrong with the field, so a form can treat each kind its own way without reading the
    message: a blank new badge asks for MISSING fields instead of flagging them."""

    MISSING = "missing"
    """A mandatory field is not filled in (400 "... is mandatory")."""
    INVALID = "invalid"
    """A value the server refuses (a bad enum, a start after the end, a date in the past, ...)."""
    LOCKED = "locked"
    """A value that can no longer change because the badge has started (723, 826)."""


_LOCKED_CODES = frozenset({START_LOCKED, WINDOW_TYPE_LOCKED})


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """One broken rule: the API error code, the field's wire name, the server's message, and its kind."""

    code: int
    field: str
    message: str
    kind: ViolationKind = ViolationKind.INVALID


def missing_message(field: str) -> str:
    return f"'{field}' is mandatory"


class _Collector:
    def __init__(self) -> None:
        self.items: list[RuleViolation] = []

    def add(self, code: int, field: str, message: str | None = None) -> None:
        kind = ViolationKind.LOCKED if code in _LOCKED_CODES else ViolationKind.INVALID
        self.items.append(RuleViolation(code, field, message or MESSAGES[code], kind))

    def missing(self, field: str) -> None:
        message = missing_message(field.rsplit(".", 1)[-1])
        self.items.append(RuleViolation(INVALID_INPUT, field, message, ViolationKind.MISSING))

    def enum(self, value: object, field: str, allowed: type[StrEnum]) -> bool:
        """Record an invalid enum value; True when the value is acceptable (or absent)."""
        if value is None or parse_enum(allowed, value) is not None:
            return True
        self.add(INVALID_INPUT, field, invalid_enum_message(value, field.rsplit(".", 1)[-1], allowed))
        return False

    def whole_number(self, value: int | None, field: str, minimum: int) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.add(
                INVALID_INPUT, field, f"'{field.rsplit('.', 1)[-1]}' must be a whole number >= {minimum}"
            )


def check_badge(
    saved: BadgeDraft | None,
    edited: BadgeDraft,
    now: datetime,
    *,
    migration: bool = False,
) -> list[RuleViolation]:
    """Every rule the edited badge breaks; empty when the server would accept it.

    `saved=None` checks a create (722 applies: the start cannot be in the past, unless `migration`,
    the historical-badge header, which also lets a badge that has already ended be created). Otherwise an update of `saved`: once it has started (LIVE, or
    EXPIRED) the start is locked (723) and fixed windows cannot turn into rolling windows or fixed
    values or back (826). The end may not be moved into the past (724), on create or when it changes.
    """
    now = as_utc(now, "now")
    out = _Collector()
    _check_mandatory(edited, out)
    _check_dates(saved, edited, now, migration, out)
    if not edited.owners:
        out.add(NO_OWNER, "ownership.restrictedToOwners")
    else:
        for i, owner in enumerate(edited.owners):
            out.enum(owner, f"ownership.restrictedToOwners[{i}]", OwnerType)
    for name, constraints in (
        ("customerConstraints", edited.customer_constraints),
        ("badgeConstraints", edited.badge_constraints),
    ):
        for i, draft in enumerate(constraints):
            _check_constraint(draft, f"{name}[{i}]", out)
    if saved is not None and _has_started(saved, now):
        _check_window_families(saved, edited, out)
    return out.items


def _has_started(saved: BadgeDraft, now: datetime) -> bool:
    return saved.start_on is not None and as_utc(saved.start_on, "saved.start_on") <= now


def _check_mandatory(edited: BadgeDraft, out: _Collector) -> None:
    if edited.name is None or not edited.name.strip():
        out.missing("name")
    if edited.start_on is None:
        out.missing("startOn")
    if edited.expires_on is None:
        out.missing("expiresOn")
    if edited.earn_type is None:
        out.missing("earnType")
    else:
        out.enum(edited.earn_type, "earnType", EarnType)
    if edited.earned_expiry is None:
        out.missing("earnedBadgeExpiry")
    else:
        _check_expiry(edited.earned_expiry, "earnedBadgeExpiry", out)
    if edited.issued_expiry is not None:
        _check_expiry(edited.issued_expiry, "issuedBadgeExpiry", out)
    elif parse_enum(EarnType, edited.earn_type) is EarnType.ISSUE_EARN:
        out.missing("issuedBadgeExpiry")


def _check_expiry(expiry: ExpiryDraft, field: str, out: _Collector) -> None:
    if expiry.expiry_type is None:
        out.missing(f"{field}.expiryType")
        return
    if not out.enum(expiry.expiry_type, f"{field}.expiryType", ExpiryType):
        return
    expiry_type = ExpiryType(expiry.expiry_type)
    if expiry_type is ExpiryType.RELATIVE:
        if expiry.relative_unit is None:
            out.missing(f"{field}.relativeExpirytype")
        else:
            out.enum(expiry.relative_unit, f"{field}.relativeExpirytype", DurationUnit)
        if expiry.value is None:
            out.missing(f"{field}.value")
        out.whole_number(expiry.value, f"{field}.value", 1)
    elif expiry_type is ExpiryType.ABSOLUTE:
        if expiry.kind is None:
            out.missing(f"{field}.type")
        elif (
            out.enum(expiry.kind, f"{field}.type", AbsoluteExpiryKind)
            and AbsoluteExpiryKind(expiry.kind) is AbsoluteExpiryKind.FIXED_DATE
            and expiry.fixed_at is None
        ):
            out.missing(f"{field}.expiresOn")


def _check_dates(
    saved: BadgeDraft | None, edited: BadgeDraft, now: datetime, migration: bool, out: _Collector
) -> None:
    start = as_utc(edited.start_on, "start_on") if edited.start_on is not None else None
    end = as_utc(edited.expires_on, "expires_on") if edited.expires_on is not None else None
    if start is not None and end is not None and start >= end:
        out.add(START_AFTER_END, "startOn")
    if saved is None:
        if start is not None and start < now and not migration:
            out.add(START_IN_PAST, "startOn")
        if end is not None and end < now and not migration:  # a historical badge may have ended
            out.add(END_IN_PAST, "expiresOn")
        return
    if start is not None and _has_started(saved, now):
        saved_start = as_utc(saved.start_on, "saved.start_on")  # type: ignore[arg-type]
        if abs(start - saved_start) >= _SAME_INSTANT:
            out.add(START_LOCKED, "startOn")
    if end is not None and end < now:
        unchanged = saved.expires_on is not None and abs(end - as_utc(saved.expires_on)) < _SAME_INSTANT
        if not unchanged:
            out.add(END_IN_PAST, "expiresOn")


def _check_constraint(draft: ConstraintDraft, field: str, out: _Collector) -> None:
    if draft.constraint_type is None:
        out.missing(f"{field}.constraintType")
        return
    if not out.enum(draft.constraint_type, f"{field}.constraintType", ConstraintType):
        return
    constraint_type = ConstraintType(draft.constraint_type)
    family = constraint_type.family
    if family is WindowFamily.NO_LIMIT:
        return
    is_customer_rolling = constraint_type is ConstraintType.CUSTOMER_BADGE_ROLLING_WINDOW
    if not is_customer_rolling:
        if draft.max_earn_limit is None:
            out.missing(f"{field}.maxEarnLimit")
        out.whole_number(draft.max_earn_limit, f"{field}.maxEarnLimit", 0)
    if family is WindowFamily.FIXED_WINDOW:
        if draft.duration_type is None:
            out.missing(f"{field}.durationType")
        elif (
            out.enum(draft.duration_type, f"{field}.durationType", DurationUnit)
            and DurationUnit(draft.duration_type) is DurationUnit.DAYS
            and draft.refresh_rate is None
        ):
            out.missing(f"{field}.refreshRate")
        out.whole_number(draft.refresh_rate, f"{field}.refreshRate", 1)
        if draft.start_day_of_the_week is not None and draft.week_start() is None:
            out.add(
                INVALID_INPUT,
                f"{field}.startDayOfTheWeek",
                invalid_enum_message(draft.start_day_of_the_week, "startDayOfTheWeek", Weekday),
            )
    elif family is WindowFamily.ROLLING_WINDOW and is_customer_rolling:
        pairs = (
            ("maxEarnForDays", draft.max_earn_for_days, "rollForDays", draft.roll_for_days),
            ("maxEarnForWeeks", draft.max_earn_for_weeks, "rollForWeeks", draft.roll_for_weeks),
            ("maxEarnForMonths", draft.max_earn_for_months, "rollForMonths", draft.roll_for_months),
        )
        for max_name, max_value, roll_name, roll_value in pairs:
            if (max_value is None) != (roll_value is None):
                out.missing(f"{field}.{roll_name if roll_value is None else max_name}")
            out.whole_number(max_value, f"{field}.{max_name}", 0)
            out.whole_number(roll_value, f"{field}.{roll_name}", 1)
        if all(max_value is None and roll_value is None for _, max_value, _, roll_value in pairs):
            out.missing(f"{field}.maxEarnForDays")
    elif family is WindowFamily.ROLLING_WINDOW:
        if draft.roll_type is None:
            out.missing(f"{field}.rollType")
        else:
            out.enum(draft.roll_type, f"{field}.rollType", DurationUnit)
        if draft.roll_value is None:
            out.missing(f"{field}.rollValue")
        out.whole_number(draft.roll_value, f"{field}.rollValue", 1)


_LOCKED_FAMILIES = (WindowFamily.FIXED_WINDOW, WindowFamily.ROLLING_WINDOW, WindowFamily.FIXED_VALUE)


def _check_window_families(saved: BadgeDraft, edited: BadgeDraft, out: _Collector) -> None:
    """826: on a started badge, no swap between a fixed window and a rolling window / fixed value.

    Checked per level (customer / badge). Rolling window <-> fixed value swaps are allowed, and so
    is dropping a fixed window when nothing replaces it.
    """
    for level_prefix in ("CUSTOMER_", "BADGE_"):
        before = _families(saved, level_prefix)
        after = _families(edited, level_prefix)
        had_fixed = WindowFamily.FIXED_WINDOW in {family for family, _ in before}
        has_fixed = WindowFamily.FIXED_WINDOW in {family for family, _ in after}
        if had_fixed == has_fixed:
            continue
        others_before = [field for family, field in before if family is not WindowFamily.FIXED_WINDOW]
        others_after = [field for family, field in after if family is not WindowFamily.FIXED_WINDOW]
        if has_fixed and others_before:
            field = next(field for family, field in after if family is WindowFamily.FIXED_WINDOW)
            out.add(WINDOW_TYPE_LOCKED, field)
        elif had_fixed and others_after:
            out.add(WINDOW_TYPE_LOCKED, others_after[0])


def _families(draft: BadgeDraft, level_prefix: str) -> list[tuple[WindowFamily, str]]:
    found: list[tuple[WindowFamily, str]] = []
    for name, constraints in (
        ("customerConstraints", draft.customer_constraints),
        ("badgeConstraints", draft.badge_constraints),
    ):
        for i, constraint in enumerate(constraints):
            constraint_type = constraint.type
            if constraint_type is None or not constraint_type.startswith(level_prefix):
                continue
            if constraint_type.family in _LOCKED_FAMILIES:
                found.append((constraint_type.family, f"{name}[{i}].constraintType"))
    return found


# -- live changes of a fixed-window config ----------------------------------------------------------


class FixedWindowChangeKind(StrEnum):
    UNCHANGED = "UNCHANGED"
    REPLACED = "REPLACED"
    """The badge has not started: the config is simply replaced (only one config can exist)."""
    MAX_UPDATED = "MAX_UPDATED"
    """Only maxEarnLimit changed on a started badge: updated in place, cycles unchanged."""
    NEW_UPCOMING_CONFIG = "NEW_UPCOMING_CONFIG"
    """The cycle shape changed on a started badge: a new config starts at its first boundary."""


@dataclass(frozen=True, slots=True)
class FixedWindowChange:
    """What saving an edited fixed window does.

    `active` is the config that keeps counting now (cut at `starts_at` when a new config follows);
    `upcoming` is the new config, laid out from `starts_at`. The new config's maxEarnLimit applies
    from `starts_at` only; the running cycles keep the old one.
    """

    kind: FixedWindowChangeKind
    active: FixedWindowLimit
    upcoming: FixedWindowLimit | None = None
    starts_at: datetime | None = None

    @property
    def configs(self) -> tuple[FixedWindowLimit, ...]:
        return (self.active,) if self.upcoming is None else (self.active, self.upcoming)


def first_boundary_on_or_after(unit: DurationUnit, week_start: Weekday, day: datetime) -> datetime:
    """The first day a config of `unit` can start on, at or after 00:00 UTC of `day`'s day rounded up.

    DAYS: that day; WEEKS: the next `week_start` (that day if it is one); MONTHS: the next 1st.
    Example: MONTHS from 2024-04-30 -> 2024-05-01; WEEKS from MONDAY on Wed 2024-05-01 -> 2024-05-06.
    """
    day = as_utc(day, "day")
    n = day_number(day) + (1 if day != day_start(day_number(day)) else 0)
    if unit is DurationUnit.WEEKS:
        n += (week_start.index - weekday_of(n)) % 7
    elif unit is DurationUnit.MONTHS and first_of_month_day(n) != n:
        n = first_of_next_month_day(n)
    return day_start(n)


def plan_fixed_window_change(
    saved_limit: FixedWindowLimit,
    edited_limit: FixedWindowLimit,
    now: datetime,
    badge_start: datetime,
    badge_end: datetime | None,
) -> FixedWindowChange:
    """How an edit of a fixed-window config takes effect (reference 7.2.5).

    Before the badge starts the config is replaced. So is a config that is itself still upcoming
    (its `effective_from` is after `now`); `starts_at` then says where the running config must now
    stop (set its `effective_until` to it). Otherwise, a change of maxEarnLimit alone is
    made in place; a change of durationType, refreshRate or startDayOfTheWeek lets the running cycle
    finish and starts the new config at the first boundary of its own unit on or after that cycle's
    end. Example: 5-day cycles from 2024-04-15, changed to MONTHS on 2024-04-27 (cycle 04-25..04-29):
    the old config runs 04-25..04-29 and 04-30..04-30, the monthly one starts 2024-05-01.
    When an upcoming config already exists, pass that one as `saved_limit`: edits go to it.
    """
    now = as_utc(now, "now")
    if saved_limit.level is not edited_limit.level:
        raise ValueError("a fixed window cannot change level (customer vs badge)")
    if now < as_utc(badge_start, "badge_start"):
        return FixedWindowChange(
            FixedWindowChangeKind.REPLACED, replace(edited_limit, effective_from=None, effective_until=None)
        )
    if saved_limit.effective_from is not None and now < saved_limit.effective_from:
        # The saved config is itself still upcoming: a further edit replaces it, never the active one.
        rule = edited_limit.rule
        starts_at = first_boundary_on_or_after(rule.unit, rule.week_start, saved_limit.effective_from)
        replaced = replace(
            edited_limit, effective_from=starts_at, effective_until=saved_limit.effective_until
        )
        return FixedWindowChange(FixedWindowChangeKind.REPLACED, replaced, starts_at=starts_at)
    if edited_limit.rule == saved_limit.rule:
        if edited_limit.max_earn == saved_limit.max_earn:
            return FixedWindowChange(FixedWindowChangeKind.UNCHANGED, saved_limit)
        return FixedWindowChange(
            FixedWindowChangeKind.MAX_UPDATED, replace(saved_limit, max_earn=edited_limit.max_earn)
        )
    current = saved_limit.layout(badge_start, badge_end).cycle_at(now)
    reference = current.end if current is not None else day_start(day_number(now) + 1)
    rule = edited_limit.rule
    starts_at = first_boundary_on_or_after(rule.unit, rule.week_start, reference)
    if saved_limit.effective_from is not None and starts_at < saved_limit.effective_from:
        starts_at = saved_limit.effective_from
    return FixedWindowChange(
        FixedWindowChangeKind.NEW_UPCOMING_CONFIG,
        active=replace(saved_limit, effective_until=starts_at),
        upcoming=FixedWindowLimit(
            edited_limit.level,
            edited_limit.max_earn,
            rule,
            effective_from=starts_at,
            effective_until=saved_limit.effective_until,
        ),
        starts_at=starts_at,
    )
