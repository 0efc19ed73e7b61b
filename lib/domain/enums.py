"""The Badges API's enumerations, as the API spells them on the wire.

Values are the strings the server accepts and returns (reference section 2.9), so a member can be
written straight into a request body and compared with a response field.
"""

from collections.abc import Iterable
from enum import StrEnum


def invalid_enum_message(value: object, field: str, allowed: type[StrEnum] | Iterable[str]) -> str:
    """The server's one wording for a value outside an enumeration, trailing period included, e.g.
    "Invalid enum value: 'X' for the field: 'earnType'. The value must be one of: [EARN, ISSUE_EARN]."
    (`field` is the last segment of the wire path; `allowed` an enum class or its spellings)."""
    values = ", ".join(str(getattr(member, "value", member)) for member in allowed)
    return f"Invalid enum value: '{value}' for the field: '{field}'. The value must be one of: [{values}]."


class EarnType(StrEnum):
    """How customers get the badge: `EARN` = direct award, `ISSUE_EARN` = enrol first, then earn."""

    EARN = "EARN"
    ISSUE_EARN = "ISSUE_EARN"


class BadgeStatus(StrEnum):
    """Time-derived status of a badge definition (never stored by the server)."""

    UPCOMING = "UPCOMING"
    LIVE = "LIVE"
    EXPIRED = "EXPIRED"


class DurationUnit(StrEnum):
    """Unit of a fixed window (`durationType`), rolling window (`rollType`) or relative expiry."""

    DAYS = "DAYS"
    WEEKS = "WEEKS"
    MONTHS = "MONTHS"


class Weekday(StrEnum):
    """`startDayOfTheWeek`. The API sends names, some clients send integers (0 = MONDAY)."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    @property
    def index(self) -> int:
        """0 for MONDAY .. 6 for SUNDAY, the same numbering as `date.weekday()`."""
        return _WEEKDAY_ORDER.index(self)

    @classmethod
    def from_api(cls, value: "str | int | Weekday") -> "Weekday":
        """Accept a name (`"TUESDAY"`, any case) or an integer (`1` -> TUESDAY, 0 = MONDAY).

        Raises ValueError for anything else, so a bad value is reported rather than guessed.
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, bool):
            raise ValueError(f"Invalid weekday: {value!r}")
        if isinstance(value, int):
            if 0 <= value <= 6:
                return _WEEKDAY_ORDER[value]
            raise ValueError(f"Invalid weekday number: {value} (0 = MONDAY .. 6 = SUNDAY)")
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                return cls.from_api(int(text))
            try:
                return cls(text.upper())
            except ValueError:
                raise ValueError(f"Invalid weekday: {value!r}") from None
        raise ValueError(f"Invalid weekday: {value!r}")


_WEEKDAY_ORDER = tuple(Weekday)


class ExpiryType(StrEnum):
    """`expiryType` of `earnedBadgeExpiry` / `issuedBadgeExpiry`."""

    RELATIVE = "RELATIVE"
    ABSOLUTE = "ABSOLUTE"
    NEVER = "NEVER"


class AbsoluteExpiryKind(StrEnum):
    """`type` of an ABSOLUTE expiry: with the badge end, or a fixed instant (`expiresOn`)."""

    WITH_BADGE_META = "WITH_BADGE_META"
    FIXED_DATE = "FIXED_DATE"


class ConstraintLevel(StrEnum):
    """Whom a limit counts: one customer's earns, or every customer's earns of the badge."""

    CUSTOMER = "CUSTOMER"
    BADGE = "BADGE"


class CountAxis(StrEnum):
    """Which timestamp of past earns a limit counts on.

    EVENT: fixed windows count earns whose *event* time falls in the cycle (retro earns land in the
    cycle of their event date). PROCESSING: rolling windows look back from the moment the earn is
    processed. LIFETIME: fixed values count every earn of the badge.
    """

    EVENT = "EVENT"
    PROCESSING = "PROCESSING"
    LIFETIME = "LIFETIME"


class ConstraintType(StrEnum):
    """`constraintType` values of `customerConstraints` and `badgeConstraints`."""

    CUSTOMER_BADGE_FIXED_WINDOW = "CUSTOMER_BADGE_FIXED_WINDOW"
    CUSTOMER_BADGE_FIXED_VALUE = "CUSTOMER_BADGE_FIXED_VALUE"
    CUSTOMER_BADGE_ROLLING_WINDOW = "CUSTOMER_BADGE_ROLLING_WINDOW"
    CUSTOMER_BADGE_NO_LIMIT = "CUSTOMER_BADGE_NO_LIMIT"
    BADGE_FIXED_WINDOW = "BADGE_FIXED_WINDOW"
    BADGE_ROLLING_WINDOW = "BADGE_ROLLING_WINDOW"
    BADGE_FIXED_VALUE = "BADGE_FIXED_VALUE"
    BADGE_NO_LIMIT = "BADGE_NO_LIMIT"

    @property
    def level(self) -> ConstraintLevel:
        return ConstraintLevel.CUSTOMER if self.startswith("CUSTOMER_") else ConstraintLevel.BADGE

    @property
    def family(self) -> "WindowFamily":
        """The constraint's kind without its level, e.g. FIXED_WINDOW."""
        return WindowFamily(self.removeprefix("CUSTOMER_").removeprefix("BADGE_"))


class WindowFamily(StrEnum):
    """A constraint's kind regardless of level; edit rule 826 is stated in these terms."""

    FIXED_WINDOW = "FIXED_WINDOW"
    ROLLING_WINDOW = "ROLLING_WINDOW"
    FIXED_VALUE = "FIXED_VALUE"
    NO_LIMIT = "NO_LIMIT"


class OwnerType(StrEnum):
    """`ownership.restrictedToOwners` values; the server compares them case-sensitively."""

    Loyalty = "Loyalty"
    Loyalty_Promotion = "Loyalty_Promotion"
    Referral_Campaigns = "Referral_Campaigns"
    Journeys = "Journeys"
    Audience_Campaigns = "Audience_Campaigns"
    Rewards_Catalog = "Rewards_Catalog"
    Goodwill_Module = "Goodwill_Module"
    Milestones = "Milestones"
    Historical_Import = "Historical_Import"
    Membercare = "Membercare"
