"""The Badges API surface as one table, and the parsers that read bodies through it.

``ENDPOINTS`` is the single description of the API that the client, the request log, the sandbox and
the tests share: method, path template, request/response/query models, success status, whether the
call writes and whether it takes an idempotency ``requestId``. ``match_endpoint`` turns a concrete
path into a row (literal segments win over placeholders, so ``/badgeMeta/getFixedWindowDetails`` is
never read as a badge id); ``parse_request``/``parse_response`` validate a body against that row and
raise one typed error naming the field that did not fit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from pydantic import TypeAdapter, ValidationError

from lib.api._constants import API_PREFIX
from lib.api.errors import FieldProblem, RequestValidationError, ResponseValidationError, field_problems
from lib.api.models import (
    ActivationResult,
    Badge,
    BadgeCreate,
    BadgeGroup,
    BadgeGroupList,
    BadgeGroupRequest,
    BadgeList,
    BadgeListQuery,
    BadgeUpdate,
    Claim,
    ClaimRequest,
    CustomerBadgeDetail,
    CustomerBadgeDetailQuery,
    CustomerBadgePage,
    CustomerBadgePageQuery,
    CustomerBadges,
    CustomerBadgesQuery,
    CustomField,
    CustomFieldList,
    CustomFieldRequest,
    EarnBulkRequest,
    EarnBulkResult,
    EarnRequest,
    EarnResult,
    Envelope,
    FixedWindowDetails,
    FixedWindowQuery,
    GetBadgeQuery,
    ImportEarnedBadge,
    ImportResult,
    IssueBulkRequest,
    IssueBulkResult,
    OAuthToken,
    OAuthTokenRequest,
    OrgMeta,
    OrgMetaRequest,
    PageQuery,
    QueryModel,
    RevokeEarnRequest,
    RevokeEarnResult,
    RevokeIssueRequest,
    RevokeIssueResult,
)
from lib.api.models.paths import field_path
from lib.api.models.wire import ANSWER_CONTEXT

format_loc = field_path
"""Former name of `lib.api.models.paths.field_path`, kept for its callers."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Endpoint:
    """One row of the API table.

    ``request_model`` is the type of the JSON body (``None``: the call takes no body); ``response_model``
    the type of the whole answer (an ``Envelope[...]``, or a list of envelopes for the import).
    ``alt_methods`` are methods the docs also name for the same call (accepted when matching, never sent).
    """

    name: str
    method: str
    path_template: str
    request_model: Any
    response_model: Any
    query_model: type[QueryModel] | None = None
    success_status: int = 200
    is_write: bool = False
    takes_request_id: bool = False
    customer_identifier: bool = False
    """Accepts ``X-CAP-CUSTOMER-IDENTIFIER`` (then the customer is an email/mobile/externalId/cardNumber)."""
    alt_methods: tuple[str, ...] = ()
    doc_slug: str = ""
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = _PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", self.path_template)
        object.__setattr__(self, "_pattern", re.compile(f"^{regex}$"))

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.path_template))

    @property
    def literal_segments(self) -> int:
        """How specific the template is: more fixed segments win a tie between matching rows."""
        return sum(1 for part in self.path_template.split("/") if part and not _PLACEHOLDER.fullmatch(part))

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.method, *self.alt_methods)

    def path(self, **params: Any) -> str:
        """The concrete path, placeholders filled (and URL-quoted) from ``params``."""
        missing = [name for name in self.path_params if params.get(name) in (None, "")]
        if missing:
            raise RequestValidationError(
                f"{self.name}: missing path parameter {', '.join(missing)}",
                problems=[FieldProblem(name, "required in the path") for name in missing],
            )
        return _PLACEHOLDER.sub(lambda m: quote(str(params[m.group(1)]), safe=""), self.path_template)

    def match(self, path: str) -> dict[str, str] | None:
        found = self._pattern.match(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}


def _envelope(model: Any) -> Any:
    return Envelope[model]


_B = API_PREFIX

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("create_badge", "POST", f"{_B}/badgeMeta", BadgeCreate, _envelope(Badge),
             success_status=201, is_write=True, doc_slug="create-badges-org"),
    Endpoint("update_badge", "PUT", f"{_B}/badgeMeta", BadgeUpdate, _envelope(Badge),
             is_write=True, doc_slug="update-badges"),
    Endpoint("list_badges", "GET", f"{_B}/badgeMeta", None, _envelope(BadgeList),
             query_model=BadgeListQuery, doc_slug="get-all-badges"),
    Endpoint("get_fixed_window_details", "GET", f"{_B}/badgeMeta/getFixedWindowDetails", None,
             _envelope(FixedWindowDetails), query_model=FixedWindowQuery, customer_identifier=True,
             doc_slug="get-fixed-window-details"),
    Endpoint("get_badge", "GET", f"{_B}/badgeMeta/{{badgeId}}", None, _envelope(Badge),
             query_model=GetBadgeQuery, doc_slug="get-badge-by-id"),
    Endpoint("activate_badge", "PUT", f"{_B}/badgeMeta/{{badgeId}}/activate", None,
             _envelope(ActivationResult), is_write=True, doc_slug="update-the-activation-status-of-badge"),
    Endpoint("deactivate_badge", "PUT", f"{_B}/badgeMeta/{{badgeId}}/deactivate", None,
             _envelope(ActivationResult), is_write=True, doc_slug="update-the-activation-status-of-badge"),
    Endpoint("claim_badge", "POST", f"{_B}/badgeMeta/{{badgeId}}/claim", ClaimRequest, _envelope(Claim),
             is_write=True, doc_slug="claim-badge"),
    Endpoint("unclaim_badge", "POST", f"{_B}/badgeMeta/{{badgeId}}/unclaim", ClaimRequest, _envelope(Claim),
             is_write=True, doc_slug="unclaim-badge"),
    Endpoint("issue_bulk", "POST", f"{_B}/badgeMeta/customer/issueBulk", IssueBulkRequest,
             _envelope(IssueBulkResult), is_write=True, takes_request_id=True,
             doc_slug="enrol-customers-for-badges"),
    Endpoint("revoke_issue", "POST", f"{_B}/badgeMeta/customer/revokeIssue", RevokeIssueRequest,
             _envelope(RevokeIssueResult), is_write=True, doc_slug="revoke-enrolment-of-a-badge"),
    Endpoint("earn", "POST", f"{_B}/customer/earn", EarnRequest, _envelope(EarnResult),
             is_write=True, takes_request_id=True, doc_slug="issue-badge-to-the-customer"),
    Endpoint("earn_bulk", "POST", f"{_B}/customer/earnBulk", EarnBulkRequest, _envelope(EarnBulkResult),
             is_write=True, takes_request_id=True, doc_slug="issue-badge-to-multiple-customers"),
    Endpoint("revoke_earn", "POST", f"{_B}/customer/revokeEarn", RevokeEarnRequest,
             _envelope(RevokeEarnResult), is_write=True, customer_identifier=True,
             doc_slug="revoke-issual-of-a-badge"),
    Endpoint("import_customer_badges", "PUT", f"{_B}/import/customerBadges", list[ImportEarnedBadge],
             list[Envelope[ImportResult]], is_write=True, alt_methods=("POST",),
             doc_slug="import-earned-badges-of-customer"),
    Endpoint("get_customer_badges", "GET", f"{_B}/customer/{{customerId}}", None, _envelope(CustomerBadges),
             query_model=CustomerBadgesQuery, customer_identifier=True, doc_slug="get-badges-for-customer"),
    Endpoint("list_customer_badges", "GET", f"{_B}/management/{{customerId}}", None,
             _envelope(CustomerBadgePage), query_model=CustomerBadgePageQuery, customer_identifier=True,
             doc_slug="get-all-customer-badges"),
    Endpoint("get_customer_badge", "GET", f"{_B}/management/{{customerId}}/badge/{{badgeId}}", None,
             _envelope(CustomerBadgeDetail), query_model=CustomerBadgeDetailQuery, customer_identifier=True,
             doc_slug="get-individual-badge-details-of-a-customer"),
    Endpoint("create_group", "POST", f"{_B}/group", BadgeGroupRequest, _envelope(BadgeGroup),
             is_write=True, doc_slug="create-badges-group"),
    Endpoint("update_group", "PUT", f"{_B}/group/{{groupId}}", BadgeGroupRequest, _envelope(BadgeGroup),
             is_write=True, doc_slug="update-badges-group"),
    Endpoint("list_groups", "GET", f"{_B}/group", None, _envelope(BadgeGroupList),
             query_model=PageQuery, doc_slug="get-all-groups"),
    Endpoint("get_group", "GET", f"{_B}/group/{{groupId}}", None, _envelope(BadgeGroup),
             query_model=PageQuery, doc_slug="get-group-by-id"),
    Endpoint("create_custom_field", "POST", f"{_B}/customField", CustomFieldRequest, _envelope(CustomField),
             success_status=201, is_write=True, doc_slug="create-custom-field"),
    Endpoint("update_custom_field", "PUT", f"{_B}/customField/{{customFieldId}}", CustomFieldRequest,
             _envelope(CustomField), is_write=True, doc_slug="update-custom-field-badge"),
    Endpoint("list_custom_fields", "GET", f"{_B}/customField", None, _envelope(CustomFieldList),
             query_model=PageQuery, doc_slug="get-all-custom-fields"),
    Endpoint("get_custom_field", "GET", f"{_B}/customField/{{customFieldId}}", None, _envelope(CustomField),
             doc_slug="get-custom-field-by-id"),
    Endpoint("create_org_meta", "POST", f"{_B}/orgMeta", OrgMetaRequest, _envelope(OrgMeta),
             is_write=True, doc_slug="create-badges-org-meta"),
    Endpoint("update_org_meta", "PUT", f"{_B}/orgMeta", OrgMetaRequest, _envelope(OrgMeta),
             is_write=True, doc_slug="update-badges-org-meta"),
    Endpoint("get_org_meta", "GET", f"{_B}/orgMeta", None, _envelope(OrgMeta), doc_slug="get-badges-org-meta"),
    Endpoint("generate_oauth_token", "POST", "/v3/oauth/token/generate", OAuthTokenRequest,
             _envelope(OAuthToken), doc_slug="oauth"),
)  # fmt: skip

ENDPOINTS_BY_NAME: Mapping[str, Endpoint] = {endpoint.name: endpoint for endpoint in ENDPOINTS}


@dataclass(frozen=True)
class EndpointMatch:
    endpoint: Endpoint
    path_params: dict[str, str]
    query: dict[str, list[str]]


class UnknownEndpointError(RequestValidationError):
    """No row of the table has this method and path."""


def normalise_path(path: str) -> tuple[str, str]:
    """``(path, query)`` of a path or full URL: host dropped, doubled and trailing slashes removed."""
    parts = urlsplit(path)
    clean = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(clean) > 1:
        clean = clean.rstrip("/")
    return clean, parts.query


def match_endpoint(method: str, path: str) -> EndpointMatch:
    """The table row for a concrete request, with its path parameters and query.

    Raises ``UnknownEndpointError`` when nothing matches.
    """
    clean, query = normalise_path(path)
    verb = method.upper()
    best: tuple[Endpoint, dict[str, str]] | None = None
    for endpoint in ENDPOINTS:
        if verb not in endpoint.methods:
            continue
        params = endpoint.match(clean)
        if params is None:
            continue
        if best is None or endpoint.literal_segments > best[0].literal_segments:
            best = (endpoint, params)
    if best is None:
        raise UnknownEndpointError(f"no Badges API endpoint for {verb} {clean}")
    return EndpointMatch(best[0], best[1], parse_qs(query, keep_blank_values=True))


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def parse_request(method: str, path: str, body: Any) -> Any:
    """Validate a request body against its endpoint: the body model (a list for the import), or
    ``None`` for calls that take no body (a body sent anyway, as some examples do, is ignored).

    ``body`` may be JSON text/bytes or already-decoded JSON. Raises ``RequestValidationError``.
    """
    endpoint = match_endpoint(method, path).endpoint
    if endpoint.request_model is None:
        return None
    data = _decode(body, RequestValidationError, what="request body")
    if data is None:
        raise RequestValidationError(
            f"{endpoint.name}: request body required", problems=[FieldProblem(None, "request body required")]
        )
    try:
        return _adapter(endpoint.request_model).validate_python(data)
    except ValidationError as exc:
        problems = field_problems(exc)
        raise RequestValidationError(
            _summary(f"invalid {endpoint.name} request", problems), problems=problems
        ) from None


def parse_query(method: str, path: str) -> QueryModel | None:
    """The typed query parameters of a read call (``None`` when the endpoint has none)."""
    found = match_endpoint(method, path)
    if found.endpoint.query_model is None:
        return None
    # A repeated parameter (status=LIVE&status=UPCOMING) means the same as the comma list.
    flat = {key: ",".join(values) for key, values in found.query.items()}
    try:
        return found.endpoint.query_model.model_validate(flat)
    except ValidationError as exc:
        problems = field_problems(exc)
        raise RequestValidationError(
            _summary(f"invalid {found.endpoint.name} query", problems), problems=problems
        ) from None


def parse_response(method: str, path: str, body: Any) -> Any:
    """Validate an answer body against its endpoint: an ``Envelope`` of the documented data (a list
    of envelopes for the import). Raises ``ResponseValidationError`` (raw body kept)."""
    endpoint = match_endpoint(method, path).endpoint
    raw = body if isinstance(body, str | bytes) else None
    data = _decode(body, ResponseValidationError, what="response body")
    if data is None:
        raise ResponseValidationError(
            f"{endpoint.name}: the response body is empty", body=raw, method=method.upper(), path=path
        )
    try:
        return _adapter(endpoint.response_model).validate_python(data, context=ANSWER_CONTEXT)
    except ValidationError as exc:
        problems = field_problems(exc)
        raise ResponseValidationError(
            _summary(f"unexpected {endpoint.name} response", problems),
            body=raw if raw is not None else _dump(body),
            problems=problems,
            method=method.upper(),
            path=path,
        ) from None


def _decode(
    body: Any, error: type[RequestValidationError] | type[ResponseValidationError], *, what: str
) -> Any:
    if isinstance(body, bytes | bytearray):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _error(error, f"{what} is not UTF-8 text: {exc}", body) from None
    if isinstance(body, str):
        if not body.strip():
            return None
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            message = f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (char {exc.pos})"
            raise _error(error, message, body) from None
    return body


def _error(error: type, message: str, body: Any) -> Exception:
    problem = FieldProblem(None, message)
    if error is ResponseValidationError:
        return ResponseValidationError(message, body=body, problems=[problem])
    return RequestValidationError(message, problems=[problem])


def _dump(value: Any) -> str | None:
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return repr(value)


# ---- error locations ----------------------------------------------------------------------------


def _summary(prefix: str, problems: list[FieldProblem]) -> str:
    shown = "; ".join(str(p) for p in problems[:3])
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return f"{prefix}: {shown}{more}"
