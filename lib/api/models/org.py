"""Org-level objects around badges: groups (#18-#21), custom field definitions (#22-#25), the badge
tag metadata (#26-#28), and the OAuth token call shared by all Capillary APIs."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, SecretStr

from lib.api.models.enums import CustomFieldDataType
from lib.api.models.envelope import Pagination
from lib.api.models.shared import Audited
from lib.api.models.wire import Int64, RequestModel, TextId, Timestamp, WireModel, wire_name


def _as_text(value: Any) -> Any:
    """Custom field values are strings on the wire; examples also write numbers and booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


FieldText = Annotated[str, BeforeValidator(_as_text)]


# ---- groups -------------------------------------------------------------------------------------


class BadgeGroupRequest(RequestModel):
    """Body of create (#18) and update (#19) group; the tables capitalise ``Name``/``Rank``."""

    name: str = wire_name("name", "Name", default=...)
    rank: Int64 = wire_name("rank", "Rank", default=...)


class BadgeGroup(Audited):
    id: TextId
    org_id: int | None = None
    name: str | None = None
    rank: int | None = None
    is_active: bool | None = wire_name("isActive", "active")


class BadgeGroupList(WireModel):
    badge_groups: list[BadgeGroup] = Field(default_factory=list)
    pagination: Pagination | None = None


# ---- custom fields ------------------------------------------------------------------------------


class CustomFieldRequest(RequestModel):
    """Body of create (#22) and update (#23) custom field; ``isActive`` only matters on update."""

    name: str
    data_type: CustomFieldDataType
    is_mandatory: bool | None = None
    default_value: FieldText | None = None
    is_active: bool | None = None


class CustomField(Audited):
    id: TextId
    org_id: int | None = None
    name: str | None = None
    is_mandatory: bool | None = None
    default_value: FieldText | None = None
    is_active: bool | None = None
    data_type: CustomFieldDataType | None = None


class CustomFieldList(WireModel):
    custom_field_ro_list: list[CustomField] = Field(default_factory=list, alias="customFieldROList")
    pagination: Pagination | None = None


# ---- org meta -----------------------------------------------------------------------------------


class OrgMetaTag(WireModel):
    """Describes one key badges may use in ``tags``."""

    key: str
    data_type: str | None = None
    description: str | None = None
    mandatory: bool | None = None


class OrgMetaRequest(RequestModel):
    org_id: Int64 | None = None
    tags: list[OrgMetaTag] = Field(default_factory=list)


class OrgMeta(WireModel):
    id: TextId | None = None
    org_id: int | None = None
    tags: list[OrgMetaTag] = Field(default_factory=list)
    created_on: Timestamp | None = None
    created_by: int | None = None
    last_updated_on: Timestamp | None = None
    last_updated_by: int | None = None


# ---- OAuth --------------------------------------------------------------------------------------

_Secret = Annotated[
    SecretStr, PlainSerializer(lambda s: s.get_secret_value(), return_type=str, when_used="json")
]


class OAuthTokenRequest(RequestModel):
    """``POST /v3/oauth/token/generate``; the secret never shows in reprs or logs of the model."""

    key: str
    secret: _Secret


class OAuthToken(WireModel):
    access_token: _Secret
    ttl_seconds: int | None = None
