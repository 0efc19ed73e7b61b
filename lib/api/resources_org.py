"""Groups (#18-#21), custom fields (#22-#25) and org meta (#26-#28), mixed into ``BadgesClient``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lib.api.endpoint_calls import EndpointCalls
from lib.api.models import (
    BadgeGroup,
    BadgeGroupList,
    BadgeGroupRequest,
    CustomField,
    CustomFieldList,
    CustomFieldRequest,
    OrgMeta,
    OrgMetaRequest,
)
from lib.api.models.enums import CustomFieldDataType
from lib.api.models.org import OrgMetaTag
from lib.api.pagination import DEFAULT_PAGE_SIZE, Paginator
from lib.api.request_parts import build_model, check_object_id


class OrgEndpoints(EndpointCalls):
    """The org-level definitions badges refer to."""

    # Groups (#18-#21)

    def create_group(self, *, name: str, rank: int) -> BadgeGroup:
        """#18. Names are unique per org (733)."""
        return self._call_endpoint("create_group", body=build_model(BadgeGroupRequest, name=name, rank=rank))

    def update_group(self, *, group_id: str, name: str, rank: int) -> BadgeGroup:
        """#19 (PUT .../group/{groupId}, the working form among the documented variants)."""
        return self._call_endpoint(
            "update_group",
            path_params={"groupId": check_object_id(group_id, "groupId")},
            body=build_model(BadgeGroupRequest, name=name, rank=rank),
        )

    def list_groups(
        self, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE, order: str | None = None
    ) -> BadgeGroupList:
        """#20, one page."""
        return self._page("list_groups", {"order": order}, page=page, size=size)

    def iter_groups(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, order: str | None = None
    ) -> Paginator[BadgeGroup]:
        """#20, every page."""
        return self._paginate("list_groups", {"order": order}, page_size=page_size, max_items=max_items)

    def get_group(self, *, group_id: str) -> BadgeGroup:
        """#21."""
        return self._call_endpoint("get_group", path_params={"groupId": check_object_id(group_id, "groupId")})

    # Custom fields (#22-#25)

    def create_custom_field(
        self,
        *,
        name: str,
        data_type: CustomFieldDataType | str,
        is_mandatory: bool | None = None,
        default_value: str | int | bool | None = None,
    ) -> CustomField:
        """#22. A mandatory field needs a default value (742)."""
        body = build_model(
            CustomFieldRequest,
            name=name,
            data_type=data_type,
            is_mandatory=is_mandatory,
            default_value=default_value,
        )
        return self._call_endpoint("create_custom_field", body=body)

    def update_custom_field(
        self,
        *,
        custom_field_id: str,
        name: str,
        data_type: CustomFieldDataType | str,
        is_mandatory: bool | None = None,
        default_value: str | int | bool | None = None,
        is_active: bool | None = None,
    ) -> CustomField:
        """#23."""
        body = build_model(
            CustomFieldRequest,
            name=name,
            data_type=data_type,
            is_mandatory=is_mandatory,
            default_value=default_value,
            is_active=is_active,
        )
        return self._call_endpoint(
            "update_custom_field",
            path_params={"customFieldId": check_object_id(custom_field_id, "customFieldId")},
            body=body,
        )

    def list_custom_fields(
        self, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> CustomFieldList:
        """#24, one page. Filters: order, sort_on, is_active."""
        return self._page("list_custom_fields", filters, page=page, size=size)

    def iter_custom_fields(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, **filters: Any
    ) -> Paginator[CustomField]:
        """#24, every page."""
        return self._paginate("list_custom_fields", filters, page_size=page_size, max_items=max_items)

    def get_custom_field(self, *, custom_field_id: str) -> CustomField:
        """#25."""
        return self._call_endpoint(
            "get_custom_field",
            path_params={"customFieldId": check_object_id(custom_field_id, "customFieldId")},
        )

    # Org meta (#26-#28)

    def create_org_meta(self, *, tags: Sequence[OrgMetaTag | Mapping[str, Any]]) -> OrgMeta:
        """#26. A second create is a 409; use ``update_org_meta``."""
        return self._call_endpoint("create_org_meta", body=build_model(OrgMetaRequest, tags=list(tags)))

    def update_org_meta(self, *, tags: Sequence[OrgMetaTag | Mapping[str, Any]]) -> OrgMeta:
        """#27, replaces the tag list."""
        return self._call_endpoint("update_org_meta", body=build_model(OrgMetaRequest, tags=list(tags)))

    def get_org_meta(self) -> OrgMeta:
        """#28."""
        return self._call_endpoint("get_org_meta")
