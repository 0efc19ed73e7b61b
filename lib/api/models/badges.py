"""Badge definitions ("badge meta"): create/update bodies, the full object, the list item, claims,
activation and fixed-window cycles (endpoints #1 to #8)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from lib.api.models.constraints import Benefit, Constraint
from lib.api.models.enums import (
    AbsoluteExpiryKind,
    ExpiryType,
    ImageTag,
    OwnerType,
    WireBadgeStatus,
    WireDurationUnit,
    WireEarnType,
)
from lib.api.models.envelope import Pagination
from lib.api.models.shared import Audited, DateSpan
from lib.api.models.wire import (
    CustomerId,
    Int64,
    IsoTimestamp,
    RequestModel,
    TextId,
    Timestamp,
    WireModel,
    wire_name,
)


class ExpiryConfig(WireModel):
    """``earnedBadgeExpiry`` / ``issuedBadgeExpiry``.

    RELATIVE: ``relativeExpirytype`` + ``value`` after the enrol/earn is processed. ABSOLUTE: ``type``
    WITH_BADGE_META (the badge's end) or FIXED_DATE (``expiresOn``). NEVER: no further field.
    The request tables spell the unit key ``relativeExpiryType``; examples and answers write
    ``relativeExpirytype``, which is what we send.
    """

    expiry_type: ExpiryType
    relative_expiry_type: WireDurationUnit | None = wire_name(
        "relativeExpirytype", "relativeExpiryType", "relative_expiry_type"
    )
    value: Int64 | None = None
    kind: AbsoluteExpiryKind | None = wire_name("type", "kind")
    expires_on: Timestamp | None = None
    expires_on_iso: IsoTimestamp | None = None
    expire_with_badge_meta: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _upper_expiry_type(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("expiryType"), str):
            value = {**value, "expiryType": value["expiryType"].strip().upper()}
        return value


class Claim(WireModel):
    """A module's claim on a badge; the 2024 answer of #6 also carries ``badgeMetaId``."""

    owner_type: OwnerType
    reference_id: TextId
    is_active: bool | None = wire_name("isActive", "active", "is_active")
    badge_meta_id: TextId | None = None


class ClaimRequest(RequestModel):
    """Body of claim (#6) and unclaim (#7)."""

    owner_type: OwnerType
    reference_id: TextId


class Ownership(WireModel):
    """Modules allowed to claim and award the badge. Claims are returned, never set on create/update."""

    restricted_to_owners: list[OwnerType] = Field(default_factory=list)
    claims: list[Claim] | None = None


class Image(WireModel):
    name: str | None = None
    file_svc_handle: str | None = None
    url: str | None = None
    tag: ImageTag | None = None


class Tag(WireModel):
    name: str | None = None
    value: Any = None


class _BadgeDefinition(WireModel):
    """The editable fields of a badge, shared by create, update and the answers."""

    name: str | None = None
    description: str | None = None
    start_on: Timestamp | None = None
    start_on_iso: IsoTimestamp | None = None
    expires_on: Timestamp | None = None
    expires_on_iso: IsoTimestamp | None = None
    earned_badge_expiry: ExpiryConfig | None = None
    issued_badge_expiry: ExpiryConfig | None = None
    images: list[Image] | None = None
    ownership: Ownership | None = None
    customer_constraints: list[Constraint] | None = None
    badge_constraints: list[Constraint] | None = None
    earn_type: WireEarnType | None = None
    benefits: list[Benefit] | None = None
    tags: list[Tag] | None = None
    custom_fields: dict[str, Any] | None = None
    badge_group_id: TextId | None = None
    badge_rank: Int64 | None = None
    default_till_id: Int64 | None = None
    active: bool | None = wire_name("active", "isActive")

    @property
    def starts(self):
        """The badge start; the ISO twin wins when both are given, as the server decides."""
        return self.start_on_iso or self.start_on

    @property
    def ends(self):
        return self.expires_on_iso or self.expires_on

    @property
    def constraints(self) -> list[Any]:
        """Every limit of both lists, each knowing its level."""
        return [*(self.customer_constraints or []), *(self.badge_constraints or [])]


class BadgeCreate(RequestModel, _BadgeDefinition):
    """Body of create (#1). ``active`` defaults to true, as the server does when it is omitted."""

    name: str
    earned_badge_expiry: ExpiryConfig
    earn_type: WireEarnType
    ownership: Ownership = Field(default_factory=Ownership)
    active: bool | None = wire_name("active", "isActive", default=True)

    @model_validator(mode="after")
    def _dates_given(self) -> BadgeCreate:
        missing = [
            key
            for key, (epoch, iso) in {
                "startOn": (self.start_on, self.start_on_iso),
                "expiresOn": (self.expires_on, self.expires_on_iso),
            }.items()
            if epoch is None and iso is None
        ]
        if missing:
            raise ValueError(f"{' and '.join(missing)} required (epoch seconds, or the ...ISO twin)")
        return self


class BadgeUpdate(RequestModel, _BadgeDefinition):
    """Body of update (#2): the badge ``id`` plus the fields to store (read-only fields are ignored)."""

    id: TextId


class BadgeSummary(_BadgeDefinition, Audited):
    """A badge as listed by #3 (no constraints or benefits there) and the base of the full object."""

    id: TextId
    badge_numeric_id: int | None = None
    org_id: int | None = None
    badge_group_name: str | None = None
    status: WireBadgeStatus | None = None
    issued_count: int | None = None
    earned_count: int | None = None


class Badge(BadgeSummary):
    """The full badge object answered by create (#1), update (#2) and get (#4)."""


class BadgeList(WireModel):
    """``data`` of list badges (#3)."""

    meta_basic_details: list[BadgeSummary] = Field(default_factory=list)
    pagination: Pagination | None = None


class ActivationResult(WireModel):
    """``data`` of activate/deactivate (#5)."""

    id: TextId
    is_active: bool = wire_name("isActive", "active", default=...)


class FixedWindowCycle(DateSpan):
    fixed_window_cycle_reference_id: TextId | None = None
    earn_count: int | None = None
    constraint_type: str | None = None


class FixedWindowDetails(DateSpan):
    """``data`` of getFixedWindowDetails (#8): every config's cycles in time order."""

    badge_meta_id: TextId | None = None
    org_id: int | None = None
    customer_id: CustomerId | None = None
    fixed_window_cycles: list[FixedWindowCycle] = Field(default_factory=list)
    pagination: Pagination | None = None
