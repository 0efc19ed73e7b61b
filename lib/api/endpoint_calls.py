"""How a typed call reaches the wire: one row of ``ENDPOINTS`` called through ``BadgesClient.send``, one
page of a list endpoint, or every page (and how each list endpoint pages)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lib.api.endpoints import ENDPOINTS_BY_NAME
from lib.api.errors import RequestValidationError, ResponseValidationError
from lib.api.pagination import Paginator
from lib.api.request_parts import build_query


@dataclass(frozen=True, slots=True)
class Paged:
    """How a list endpoint pages: the answer's item list and the name of its page-size parameter."""

    items: str
    size_param: str = "size"


PAGED: Mapping[str, Paged] = {
    "list_badges": Paged("meta_basic_details", size_param="limit"),
    "get_fixed_window_details": Paged("fixed_window_cycles"),
    "get_customer_badges": Paged("badges", size_param="limit"),
    "list_customer_badges": Paged("customer_badges"),
    "list_groups": Paged("badge_groups"),
    "list_custom_fields": Paged("custom_field_ro_list"),
}


class EndpointCalls:
    """The request machinery the typed calls share: one endpoint row called, one page, every page.

    ``BadgesClient`` supplies ``send``."""

    send: Callable[..., Any]

    def _call_endpoint(
        self,
        name: str,
        *,
        path_params: Mapping[str, Any] | None = None,
        body: Any = None,
        query: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call one row of ``ENDPOINTS`` and return the envelope's ``data``."""
        endpoint = ENDPOINTS_BY_NAME[name]
        path = endpoint.path(**(path_params or {}))
        params = query.to_query() if query is not None else None
        parsed = self.send(endpoint.method, path, json=body, params=params, headers=headers)
        if isinstance(parsed, list):
            return parsed
        if parsed.data is None:
            raise ResponseValidationError(
                f"{name}: the answer has no data", body=None, method=endpoint.method, path=path
            )
        return parsed.data

    def _page(self, name: str, filters: Mapping[str, Any], *, page: int, size: int, **call: Any) -> Any:
        """One page of a list endpoint; ``size`` goes in the endpoint's own page-size parameter."""
        query = build_query(
            ENDPOINTS_BY_NAME[name].query_model, filters, page=page, **{PAGED[name].size_param: size}
        )
        return self._call_endpoint(name, query=query, **call)

    def _paginate(
        self,
        name: str,
        filters: Mapping[str, Any],
        *,
        page_size: int,
        max_items: int | None,
        path_params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Paginator[Any]:
        """Every item of every page of a list endpoint, fetched as the caller iterates."""
        if page_size < 1:
            raise RequestValidationError("page_size must be at least 1")
        paged = PAGED[name]
        # Built once now, so bad filters fail at the call and not at the first iteration.
        first = build_query(
            ENDPOINTS_BY_NAME[name].query_model, filters, page=0, **{paged.size_param: page_size}
        )

        def fetch(page: int) -> tuple[Sequence[Any], Any]:
            query = first if page == 0 else first.model_copy(update={"page": page})
            data = self._call_endpoint(name, path_params=path_params, query=query, headers=headers)
            return getattr(data, paged.items), data.pagination

        return Paginator(fetch, max_items=max_items)
