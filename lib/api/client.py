"""The Badges API client: one instance per user connection (base URL + credentials).

    client = BadgesClient("eu", BasicAuth("store.server", "server123"))
    badge = client.get_badge(badge_id="696e2234eba5957293853195")
    for summary in client.iter_badges(status=[BadgeStatus.LIVE]):
        ...

Configuration precedence is simply constructor arguments over the defaults in ``_constants.py``; the
console reads secrets and passes them in, this module reads no environment.

Decisions written down once:

- This is the only module of ``lib/api`` that imports httpx; everything else (errors, retry policy,
  auth, request log, pagination) is plain Python and testable without a network.
- TLS verification is always on and cannot be switched off: the requests carry org credentials.
- ``trust_env=False``: proxies, netrc credentials and CA overrides are not picked up from the
  environment, so a stray ``HTTPS_PROXY`` or ``~/.netrc`` can neither see nor alter our Authorization
  header. A proxy is opt-in with ``proxy=``.
- Redirects are not followed: a 3xx becomes an ``APIStatusError`` instead of re-sending credentials
  elsewhere.
- Retries happen here and only here (the transport's own retries stay 0). The policy and its reasons
  are in ``_retry.py``: reads retry on anything transient, writes only when nothing left the machine
  or when they carry a requestId, which is then reused with a byte-identical body.
- Every attempt is recorded in this client's ``RequestLog`` without secrets.
"""

from __future__ import annotations

import json as jsonlib
import random
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from lib.api import _constants as defaults
from lib.api._retry import retry_delay, should_retry
from lib.api.auth import OAUTH_SECRET_PLACEHOLDER, Auth, IssuedToken, OAuthAuth
from lib.api.clusters import resolve_base_url
from lib.api.endpoints import ENDPOINTS_BY_NAME, field_problems, match_endpoint, parse_request, parse_response
from lib.api.errors import (
    APIConnectionError,
    APITimeoutError,
    FieldProblem,
    RequestValidationError,
    ResponseValidationError,
    make_status_error,
)
from lib.api.models import (
    ActivationResult,
    Badge,
    BadgeCreate,
    BadgeGroup,
    BadgeGroupList,
    BadgeGroupRequest,
    BadgeList,
    BadgeListQuery,
    BadgeSummary,
    BadgeUpdate,
    Claim,
    ClaimRequest,
    CustomerBadge,
    CustomerBadgeDetail,
    CustomerBadgeDetailQuery,
    CustomerBadgePage,
    CustomerBadgePageQuery,
    CustomerBadges,
    CustomerBadgesQuery,
    CustomerBadgeSummary,
    CustomField,
    CustomFieldList,
    CustomFieldRequest,
    EarnBulkRequest,
    EarnBulkResult,
    EarnRequest,
    EarnResult,
    Envelope,
    FixedWindowCycle,
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
    RevokeEarnRequest,
    RevokeEarnResult,
    RevokeIssual,
    RevokeIssueRequest,
    RevokeIssueResult,
    TriggeredBy,
)
from lib.api.models.enums import CustomFieldDataType, OwnerType
from lib.api.models.org import OrgMetaTag
from lib.api.pagination import DEFAULT_PAGE_SIZE, Paginator
from lib.api.request_log import LogEntry, RequestLog, body_text, redact_headers

USER_AGENT = "badge-console/0.1 (+httpx)"

Params = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A 2xx answer before it is read into models (what ``send_raw`` returns)."""

    status_code: int
    headers: Mapping[str, str]
    text: str
    attempts: int

    def json(self) -> Any:
        return jsonlib.loads(self.text) if self.text.strip() else None


class BadgesClient:
    """Typed access to every Badges endpoint (#1-#28) and OAuth token generation.

    ``base_url`` is a cluster preset (``india``, ``apac2``, ``eu``, ``us``, ``china``) or an https URL
    (http only for the local sandbox on loopback). ``auth`` is ``BasicAuth`` or ``OAuthAuth``.
    ``max_retries`` counts extra attempts after the first. ``transport`` replaces the network (tests pass
    ``httpx.MockTransport``; the console can pass the embedded sandbox's transport). ``sleep``, ``now``
    and ``rng`` are injectable so retry tests run instantly and deterministically.

    Thread-safe: the bulk runner's worker and page reruns may share one client.
    """

    def __init__(
        self,
        base_url: str,
        auth: Auth,
        *,
        timeout: float = defaults.DEFAULT_TIMEOUT,
        connect_timeout: float = defaults.DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = defaults.DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
        request_log: RequestLog | None = None,
        proxy: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if max_retries < 0:
            raise RequestValidationError("max_retries must be 0 or more")
        if timeout <= 0 or connect_timeout <= 0:
            raise RequestValidationError("timeouts must be positive")
        self.base_url = resolve_base_url(base_url)
        self.auth = auth
        self.max_retries = max_retries
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.request_log = request_log if request_log is not None else RequestLog()
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()
        self._owns_http = True
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            proxy=proxy,
            verify=True,
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    # ---- lifecycle ---------------------------------------------------------------------------

    def with_options(self, *, max_retries: int | None = None) -> BadgesClient:
        """A copy sharing connections, credentials and request log, with other retry settings.

        Bulk jobs use ``client.with_options(max_retries=0)`` to send each write exactly once and decide
        themselves, from the exception's ``sent``/``ambiguous``, what to do next.
        """
        copy = object.__new__(BadgesClient)
        copy.__dict__.update(self.__dict__)
        copy._owns_http = False
        if max_retries is not None:
            if max_retries < 0:
                raise RequestValidationError("max_retries must be 0 or more")
            copy.max_retries = max_retries
        return copy

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> BadgesClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"BadgesClient(base_url={self.base_url!r}, auth={self.auth!r}, max_retries={self.max_retries})"

    # ---- low level ---------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request to any documented endpoint and return the parsed response model.

        ``json`` may be a model (sent as its wire form) or plain JSON data, which is first checked
        against the endpoint's request model (``RequestValidationError``, nothing sent). The typed
        methods below are built on this.
        """
        method = method.upper()
        path = _normalise_path(path)
        match_endpoint(method, path)  # an unknown call is refused before anything is sent
        body = _wire(json)
        if body is not None:
            _validate_request(method, path, body)
        raw = self.send_raw(method, path, json=body, params=params, headers=headers)
        return self._parse(method, path, raw)

    def send_raw(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> RawResponse:
        """Send with retries and error mapping, but return the 2xx answer unparsed."""
        method = method.upper()
        path = _normalise_path(path)
        body = _wire(json)
        repeatable = isinstance(body, Mapping) and bool(body.get("requestId"))
        return self._call(method, path, body=body, params=params, headers=headers, repeatable=repeatable)

    def _parse(self, method: str, path: str, raw: RawResponse) -> Any:
        try:
            data = raw.json()
        except ValueError:
            raise ResponseValidationError(
                f"HTTP {raw.status_code} answer is not JSON",
                body=raw.text,
                status_code=raw.status_code,
                method=method,
                path=path,
            ) from None
        try:
            parsed = parse_response(method, path, data)
        except ResponseValidationError as exc:
            exc.body, exc.status_code = raw.text, raw.status_code  # the bytes as received, for diagnosis
            exc.method, exc.path = method, path
            raise
        except ValidationError as exc:
            error = ResponseValidationError.from_pydantic(exc, body=raw.text)
            error.status_code, error.method, error.path = raw.status_code, method, path
            raise error from None
        _raise_for_envelope_errors(parsed, raw, method, path)
        return parsed

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any,
        params: Params | None,
        headers: Mapping[str, str] | None,
        repeatable: bool,
        authenticated: bool = True,
        logged_body: Any = None,
    ) -> RawResponse:
        """Send, retrying per ``_retry.should_retry``; raise the mapped error when giving up."""
        content = None if body is None else jsonlib.dumps(body, separators=(",", ":")).encode()
        query = _query(params)
        extra = _checked_headers(headers)
        attempt = 0
        ambiguous_before = False
        refreshed_token = False
        while True:
            # Outside the try: a failed token request is its own error, not this request's.
            auth_headers = self.auth.headers(self._fetch_token) if authenticated else {}
            try:
                response = self._attempt(
                    method,
                    path,
                    content=content,
                    query=query,
                    headers={**extra, **auth_headers},
                    attempt=attempt + 1,
                    logged_body=body if logged_body is None else logged_body,
                )
            except APIConnectionError as exc:
                ambiguous_before = ambiguous_before or exc.sent
                if not should_retry(
                    method,
                    status=None,
                    sent=exc.sent,
                    has_request_id=repeatable,
                    attempt=attempt,
                    max_retries=self.max_retries,
                ):
                    exc.sent = ambiguous_before  # an earlier attempt may have arrived
                    raise
                self._sleep(retry_delay(attempt, None, now=self._now(), rng=self._rng))
                attempt += 1
                continue

            if response.is_success:
                return RawResponse(response.status_code, response.headers, response.text, attempt + 1)

            error = make_status_error(
                response.status_code,
                response.content,
                response.headers,
                method=method,
                path=path,
                after_ambiguous_attempt=ambiguous_before,
                now=self._now(),
            )
            if (
                response.status_code == 401
                and authenticated
                and isinstance(self.auth, OAuthAuth)
                and not refreshed_token
            ):
                # The token may have expired early or been revoked; a 401 was not processed, so one
                # resend with a fresh token is safe even for writes.
                self.auth.invalidate()
                refreshed_token = True
                continue
            if not should_retry(
                method,
                status=response.status_code,
                sent=True,
                has_request_id=repeatable,
                attempt=attempt,
                max_retries=self.max_retries,
            ):
                raise error
            delay = retry_delay(attempt, response.headers.get("retry-after"), now=self._now(), rng=self._rng)
            if delay > defaults.MAX_RETRY_AFTER:
                raise error
            ambiguous_before = ambiguous_before or error.ambiguous
            self._sleep(delay)
            attempt += 1

    def _attempt(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        attempt: int,
        logged_body: Any,
    ) -> httpx.Response:
        request_headers = dict(headers)
        if content is not None:
            request_headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            method, path, params=query, content=content, headers=request_headers
        )
        started = time.perf_counter()
        timestamp = self._now()
        failure: APIConnectionError | None = None
        response: httpx.Response | None = None
        try:
            response = self._http.send(request)
            response.read()
        except httpx.TransportError as exc:
            failure = _connection_error(exc, method, path)
        latency_ms = (time.perf_counter() - started) * 1000
        text, truncated = body_text(logged_body)
        self.request_log.append(
            LogEntry(
                timestamp=timestamp,
                method=method,
                base_url=self.base_url,
                path=path,
                query=tuple(query),
                headers=redact_headers(
                    {k: v for k, v in request.headers.items() if k.lower() not in _UNLOGGED_HEADERS},
                    self.auth.placeholder_headers(),
                ),
                request_body=text,
                body_truncated=truncated,
                status=response.status_code if response is not None else None,
                latency_ms=round(latency_ms, 1),
                error_codes=_error_codes(response),
                failure=None if failure is None else f"{type(failure).__name__}: {failure.message}",
                attempt=attempt,
            )
        )
        if failure is not None:
            raise failure
        assert response is not None
        return response

    def _fetch_token(self, auth: OAuthAuth) -> IssuedToken:
        token = self._generate_token(auth.key, auth.secret, logged_body=auth.placeholder_body())
        access = token.access_token
        if not isinstance(access, SecretStr):
            access = SecretStr(access)
        # No TTL in the answer: assume a short one rather than keep a token the server already dropped.
        ttl = token.ttl_seconds if token.ttl_seconds is not None else defaults.OAUTH_FALLBACK_TTL
        return IssuedToken(access_token=access, ttl_seconds=float(ttl))

    def _generate_token(self, key: str, secret: SecretStr, *, logged_body: Any) -> Any:
        path = defaults.OAUTH_TOKEN_PATH
        raw = self._call(
            "POST",
            path,
            body={"key": key, "secret": secret.get_secret_value()},
            params=None,
            headers=None,
            repeatable=True,  # a second token is harmless
            authenticated=False,
            logged_body=logged_body,
        )
        try:
            envelope = parse_response("POST", path, raw.json())
        except (ValueError, ValidationError) as exc:
            raise ResponseValidationError(
                "the OAuth token answer is not in the documented shape", status_code=raw.status_code
            ) from exc
        _raise_for_envelope_errors(envelope, raw, "POST", path)
        if envelope.data is None:
            raise ResponseValidationError("the OAuth token answer has no data", status_code=raw.status_code)
        return envelope.data

    # ---- typed endpoint calls ----------------------------------------------------------------

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

    def _paginate(
        self,
        name: str,
        query_model: type[Any],
        filters: Mapping[str, Any],
        *,
        items: str,
        size_param: str,
        page_size: int,
        max_items: int | None,
        path_params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Paginator[Any]:
        if page_size < 1:
            raise RequestValidationError("page_size must be at least 1")
        # Built once now, so bad filters fail at the call and not at the first iteration.
        first = _build(query_model, **filters, page=0, **{size_param: page_size})

        def fetch(page: int) -> tuple[Sequence[Any], Any]:
            query = first if page == 0 else first.model_copy(update={"page": page})
            data = self._call_endpoint(name, path_params=path_params, query=query, headers=headers)
            return getattr(data, items), data.pagination

        return Paginator(fetch, max_items=max_items)

    # Badge definitions (#1-#8)

    def create_badge(self, *, badge: BadgeCreate | Mapping[str, Any], migration: bool = False) -> Badge:
        """#1. ``migration=True`` sends ``X-CAP-BADGES-MIGRATION: migration`` (historical badge:
        a start date in the past is allowed)."""
        headers = {defaults.MIGRATION_HEADER: defaults.MIGRATION_HEADER_VALUE} if migration else None
        return self._call_endpoint("create_badge", body=_build(BadgeCreate, badge), headers=headers)

    def update_badge(self, *, badge: BadgeUpdate | Mapping[str, Any]) -> Badge:
        """#2. The badge ``id`` travels in the body."""
        model = _build(BadgeUpdate, badge)
        _check_object_id(model.id, "id")
        return self._call_endpoint("update_badge", body=model)

    def list_badges(self, *, page: int = 0, limit: int = DEFAULT_PAGE_SIZE, **filters: Any) -> BadgeList:
        """#3, one page. Filters: status (list), earn_type, badge_type, action, owner, claimed_by,
        unclaimed, name, sort_on, start_on, expires_on."""
        query = _build(BadgeListQuery, **filters, page=page, limit=limit)
        return self._call_endpoint("list_badges", query=query)

    def iter_badges(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, **filters: Any
    ) -> Paginator[BadgeSummary]:
        """#3, every page (``limit`` + ``page``). Same filters as ``list_badges``."""
        return self._paginate(
            "list_badges",
            BadgeListQuery,
            filters,
            items="meta_basic_details",
            size_param="limit",
            page_size=page_size,
            max_items=max_items,
        )

    def get_badge(self, *, badge_id: str, include_statistics: bool = False) -> Badge:
        """#4. With statistics: issued/earned counts and the current fixed-window cycle."""
        query = _build(GetBadgeQuery, include_statistics=include_statistics or None)
        return self._call_endpoint(
            "get_badge", path_params={"badgeId": _check_object_id(badge_id)}, query=query
        )

    def activate_badge(self, *, badge_id: str) -> ActivationResult:
        """#5 (activate)."""
        return self._call_endpoint("activate_badge", path_params={"badgeId": _check_object_id(badge_id)})

    def deactivate_badge(self, *, badge_id: str) -> ActivationResult:
        """#5 (deactivate): no new enrolments, earns or claims until reactivated."""
        return self._call_endpoint("deactivate_badge", path_params={"badgeId": _check_object_id(badge_id)})

    def claim_badge(self, *, badge_id: str, owner_type: OwnerType | str, reference_id: str) -> Claim:
        """#6. ``owner_type`` must be one of the badge's ``restrictedToOwners``."""
        body = _build(ClaimRequest, owner_type=owner_type, reference_id=reference_id)
        return self._call_endpoint(
            "claim_badge", path_params={"badgeId": _check_object_id(badge_id)}, body=body
        )

    def unclaim_badge(self, *, badge_id: str, owner_type: OwnerType | str, reference_id: str) -> Claim:
        """#7. Soft-deletes the matching active claim."""
        body = _build(ClaimRequest, owner_type=owner_type, reference_id=reference_id)
        return self._call_endpoint(
            "unclaim_badge", path_params={"badgeId": _check_object_id(badge_id)}, body=body
        )

    def get_fixed_window_details(
        self, *, badge_id: str, page: int = 0, size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> FixedWindowDetails:
        """#8, one page. Filters: constraint_type (BADGE/CUSTOMER/ALL), customer_id,
        fixed_window_cycle_reference_id, include_earn_count, start_date, end_date."""
        query = _build(
            FixedWindowQuery, badge_meta_id=_check_object_id(badge_id), **filters, page=page, size=size
        )
        return self._call_endpoint("get_fixed_window_details", query=query)

    def iter_fixed_window_cycles(
        self,
        *,
        badge_id: str,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        **filters: Any,
    ) -> Paginator[FixedWindowCycle]:
        """#8, every cycle of every fixed-window configuration, in time order."""
        return self._paginate(
            "get_fixed_window_details",
            FixedWindowQuery,
            {"badge_meta_id": _check_object_id(badge_id), **filters},
            items="fixed_window_cycles",
            size_param="size",
            page_size=page_size,
            max_items=max_items,
        )

    # Enrolment and earning (#9-#14)

    def issue_bulk(
        self,
        *,
        badge_id: str,
        customers: Sequence[int | str],
        request_id: str | None = None,
        issue_event_date: datetime | None = None,
        triggered_by: TriggeredBy | Mapping[str, Any] | None = None,
    ) -> IssueBulkResult:
        """#9, enrol customers into an ISSUE_EARN badge.

        Without ``request_id`` one is generated, so retries of this call reuse it; bulk jobs pass their
        own, planned before the first attempt. Customers refused individually (1040: already enrolled)
        are items with ``error`` in the result, not an exception.
        """
        body = _build(
            IssueBulkRequest,
            badge_meta_id=_check_object_id(badge_id, "badgeMetaId"),
            customers=_non_empty(customers, "customers"),
            request_id=request_id or _new_request_id(),
            issue_event_date=issue_event_date,
            triggered_by=triggered_by,
        )
        return self._call_endpoint("issue_bulk", body=body)

    def revoke_issue(
        self,
        *,
        badge_id: str,
        customers: Sequence[int | str] | None = None,
        revoke_issuals: Sequence[RevokeIssual | Mapping[str, Any]] | None = None,
    ) -> RevokeIssueResult:
        """#10. ``customers`` revokes all their enrolments; ``revoke_issuals`` only those (customerId,
        issueId) pairs. At most 20 entries. Not retried after it may have been sent (no requestId)."""
        if not customers and not revoke_issuals:
            raise RequestValidationError(
                "revoke_issue needs customers or revoke_issuals",
                problems=[FieldProblem("customers", "customers or revokeIssuals required")],
            )
        body = _build(
            RevokeIssueRequest,
            badge_meta_id=_check_object_id(badge_id, "badgeMetaId"),
            customers=list(customers) if customers else None,
            revoke_issuals=list(revoke_issuals) if revoke_issuals else None,
        )
        for item in body.revoke_issuals or []:
            _check_object_id(item.issue_id, "issueId")
        return self._call_endpoint("revoke_issue", body=body)

    def earn(
        self,
        *,
        badge_id: str,
        customer_id: int | str,
        triggered_by: TriggeredBy | Mapping[str, Any],
        request_id: str | None = None,
        earn_event_date: datetime | None = None,
    ) -> EarnResult:
        """#11, award the badge to one customer (``request_id`` generated when not given)."""
        body = _build(
            EarnRequest,
            badge_meta_id=_check_object_id(badge_id, "badgeMetaId"),
            customer_id=customer_id,
            request_id=request_id or _new_request_id(),
            triggered_by=triggered_by,
            earn_event_date=earn_event_date,
        )
        return self._call_endpoint("earn", body=body)

    def earn_bulk(
        self,
        *,
        badge_id: str,
        customer_ids: Sequence[int | str],
        triggered_by: TriggeredBy | Mapping[str, Any] | None = None,
        request_id: str | None = None,
        earn_event_date: datetime | None = None,
    ) -> EarnBulkResult:
        """#12, award the badge to many customers; ``result.failures()`` lists the refused ones."""
        body = _build(
            EarnBulkRequest,
            badge_meta_id=_check_object_id(badge_id, "badgeMetaId"),
            customer_ids=_non_empty(customer_ids, "customerIds"),
            request_id=request_id or _new_request_id(),
            triggered_by=triggered_by,
            earn_event_date=earn_event_date,
        )
        return self._call_endpoint("earn_bulk", body=body)

    def revoke_earn(
        self,
        *,
        badge_id: str,
        customer_id: int | str,
        earned_badge_id: str,
        identifier: CustomerIdentifier | str | None = None,
    ) -> RevokeEarnResult:
        """#13, revoke one earned badge. With ``identifier`` the customer is an email, mobile, external
        id or card number instead of the Capillary id."""
        headers, customer = _customer(customer_id, identifier)
        body = _build(
            RevokeEarnRequest,
            badge_meta_id=_check_object_id(badge_id, "badgeMetaId"),
            customer_id=customer,
            earned_badge_id=_check_object_id(earned_badge_id, "earnedBadgeId"),
        )
        return self._call_endpoint("revoke_earn", body=body, headers=headers)

    def import_customer_badges(
        self, *, items: Sequence[ImportEarnedBadge | Mapping[str, Any]]
    ) -> list[Envelope[ImportResult]]:
        """#14 (PUT), import historical earned badges: one envelope per item, same order, each with
        its ``data`` or its own ``errors``.

        The import takes no requestId, so once it may have reached Capillary it is never sent again
        automatically: after an ambiguous failure, check the customers' badges and import only what is
        missing.
        """
        models = [_build(ImportEarnedBadge, item) for item in _non_empty(items, "items")]
        for index, model in enumerate(models):
            _check_object_id(model.badge_meta_id, f"[{index}].badgeMetaId")
        return self._call_endpoint("import_customer_badges", body=models)

    # Customer views (#15-#17)

    def get_customer_badges(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page: int = 0,
        limit: int = DEFAULT_PAGE_SIZE,
        **filters: Any,
    ) -> CustomerBadges:
        """#15, one page. Filters: badge_type (AVAILABLE/EARNED), include_expired, sort_on, group_id,
        last_earned_on_date, last_earn_event_date."""
        headers, customer = _customer(customer_id, identifier)
        query = _build(CustomerBadgesQuery, **filters, page=page, limit=limit)
        return self._call_endpoint(
            "get_customer_badges", path_params={"customerId": customer}, query=query, headers=headers
        )

    def iter_badges_for_customer(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        **filters: Any,
    ) -> Paginator[CustomerBadge]:
        """#15, every page (``limit`` + ``page``)."""
        headers, customer = _customer(customer_id, identifier)
        return self._paginate(
            "get_customer_badges",
            CustomerBadgesQuery,
            filters,
            items="badges",
            size_param="limit",
            page_size=page_size,
            max_items=max_items,
            path_params={"customerId": customer},
            headers=headers,
        )

    def list_customer_badges(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page: int = 0,
        size: int = DEFAULT_PAGE_SIZE,
        **filters: Any,
    ) -> CustomerBadgePage:
        """#16, one page. Filters: badge_type (AVAILABLE_TO_ISSUE/AVAILABLE/EARNED/EXPIRED), sort_on,
        order, name, action, badge_status, owner, claimed_by, start_on, expires_on (+ operators),
        group_id, last_earn_event_date, last_earned_on_date."""
        headers, customer = _customer(customer_id, identifier)
        query = _build(CustomerBadgePageQuery, **filters, page=page, size=size)
        return self._call_endpoint(
            "list_customer_badges", path_params={"customerId": customer}, query=query, headers=headers
        )

    def iter_customer_badges(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        **filters: Any,
    ) -> Paginator[CustomerBadgeSummary]:
        """#16, every page (``page`` + ``size``). Same filters as ``list_customer_badges``."""
        headers, customer = _customer(customer_id, identifier)
        return self._paginate(
            "list_customer_badges",
            CustomerBadgePageQuery,
            filters,
            items="customer_badges",
            size_param="size",
            page_size=page_size,
            max_items=max_items,
            path_params={"customerId": customer},
            headers=headers,
        )

    def get_customer_badge(
        self,
        *,
        customer_id: int | str,
        badge_id: str,
        identifier: CustomerIdentifier | str | None = None,
        include_statistics: bool = False,
    ) -> CustomerBadgeDetail:
        """#17: one badge for one customer, with enrolment/earn history (and limit usage with
        statistics)."""
        headers, customer = _customer(customer_id, identifier)
        query = _build(CustomerBadgeDetailQuery, include_statistics=include_statistics or None)
        return self._call_endpoint(
            "get_customer_badge",
            path_params={"customerId": customer, "badgeId": _check_object_id(badge_id)},
            query=query,
            headers=headers,
        )

    # Groups (#18-#21)

    def create_group(self, *, name: str, rank: int) -> BadgeGroup:
        """#18. Names are unique per org (733)."""
        return self._call_endpoint("create_group", body=_build(BadgeGroupRequest, name=name, rank=rank))

    def update_group(self, *, group_id: str, name: str, rank: int) -> BadgeGroup:
        """#19 (PUT .../group/{groupId}, the working form among the documented variants)."""
        return self._call_endpoint(
            "update_group",
            path_params={"groupId": _check_object_id(group_id, "groupId")},
            body=_build(BadgeGroupRequest, name=name, rank=rank),
        )

    def list_groups(
        self, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE, order: str | None = None
    ) -> BadgeGroupList:
        """#20, one page."""
        return self._call_endpoint("list_groups", query=_build(PageQuery, page=page, size=size, order=order))

    def iter_groups(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, order: str | None = None
    ) -> Paginator[BadgeGroup]:
        """#20, every page."""
        return self._paginate(
            "list_groups",
            PageQuery,
            {"order": order},
            items="badge_groups",
            size_param="size",
            page_size=page_size,
            max_items=max_items,
        )

    def get_group(self, *, group_id: str) -> BadgeGroup:
        """#21."""
        return self._call_endpoint(
            "get_group", path_params={"groupId": _check_object_id(group_id, "groupId")}
        )

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
        body = _build(
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
        body = _build(
            CustomFieldRequest,
            name=name,
            data_type=data_type,
            is_mandatory=is_mandatory,
            default_value=default_value,
            is_active=is_active,
        )
        return self._call_endpoint(
            "update_custom_field",
            path_params={"customFieldId": _check_object_id(custom_field_id, "customFieldId")},
            body=body,
        )

    def list_custom_fields(
        self, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> CustomFieldList:
        """#24, one page. Filters: order, sort_on, is_active."""
        return self._call_endpoint(
            "list_custom_fields", query=_build(PageQuery, **filters, page=page, size=size)
        )

    def iter_custom_fields(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, **filters: Any
    ) -> Paginator[CustomField]:
        """#24, every page."""
        return self._paginate(
            "list_custom_fields",
            PageQuery,
            filters,
            items="custom_field_ro_list",
            size_param="size",
            page_size=page_size,
            max_items=max_items,
        )

    def get_custom_field(self, *, custom_field_id: str) -> CustomField:
        """#25."""
        return self._call_endpoint(
            "get_custom_field",
            path_params={"customFieldId": _check_object_id(custom_field_id, "customFieldId")},
        )

    # Org meta (#26-#28)

    def create_org_meta(self, *, tags: Sequence[OrgMetaTag | Mapping[str, Any]]) -> OrgMeta:
        """#26. A second create is a 409; use ``update_org_meta``."""
        return self._call_endpoint("create_org_meta", body=_build(OrgMetaRequest, tags=list(tags)))

    def update_org_meta(self, *, tags: Sequence[OrgMetaTag | Mapping[str, Any]]) -> OrgMeta:
        """#27, replaces the tag list."""
        return self._call_endpoint("update_org_meta", body=_build(OrgMetaRequest, tags=list(tags)))

    def get_org_meta(self) -> OrgMeta:
        """#28."""
        return self._call_endpoint("get_org_meta")

    # OAuth

    def generate_oauth_token(self, *, key: str, secret: str | SecretStr) -> OAuthToken:
        """``POST /v3/oauth/token/generate`` (no auth). ``OAuthAuth`` calls this by itself; use it
        directly only to check a key/secret pair. The secret is logged as a placeholder."""
        plain = secret if isinstance(secret, SecretStr) else SecretStr(secret)
        _build(OAuthTokenRequest, key=key, secret=plain)
        return self._generate_token(key, plain, logged_body={"key": key, "secret": OAUTH_SECRET_PLACEHOLDER})


# ---- helpers ---------------------------------------------------------------------------------

_UNLOGGED_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "host", "content-length"})
_FORBIDDEN_HEADERS = frozenset({"authorization", defaults.OAUTH_TOKEN_HEADER.lower(), "cookie", "host"})


class CustomerIdentifier(StrEnum):
    """Values of ``X-CAP-CUSTOMER-IDENTIFIER``: how to read a customer given as text."""

    EMAIL = "email"
    MOBILE = "mobile"
    EXTERNAL_ID = "externalId"
    CARD_NUMBER = "cardNumber"


_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def _check_object_id(value: Any, field: str = "badgeId") -> str:
    """Badge, group, custom-field, issue and earned-badge ids are 24-hex ObjectIds."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _OBJECT_ID.match(text):
        raise RequestValidationError(
            f"{field} must be 24 hexadecimal characters, got {value!r}",
            problems=[FieldProblem(field, "must be 24 hexadecimal characters")],
        )
    return text


def _customer(customer_id: Any, identifier: Any) -> tuple[dict[str, str] | None, int | str]:
    """The customer reference and the identifier header that says how to read it."""
    if identifier is None:
        if isinstance(customer_id, bool):
            customer_id = None
        if isinstance(customer_id, int) and customer_id > 0:
            return None, customer_id
        if isinstance(customer_id, str) and customer_id.strip().isdigit() and int(customer_id) > 0:
            return None, int(customer_id)
        raise RequestValidationError(
            f"customer id must be a positive number, got {customer_id!r} (pass identifier= for an email, "
            "mobile, external id or card number)",
            problems=[FieldProblem("customerId", "must be a positive number")],
        )
    try:
        kind = CustomerIdentifier(identifier)
    except ValueError:
        allowed = ", ".join(member.value for member in CustomerIdentifier)
        raise RequestValidationError(
            f"identifier must be one of {allowed}, got {identifier!r}",
            problems=[FieldProblem("identifier", f"one of {allowed}")],
        ) from None
    text = str(customer_id).strip() if customer_id is not None else ""
    if not text or any(ord(ch) < 32 for ch in text):
        raise RequestValidationError(
            f"customer {kind.value} is empty or contains control characters",
            problems=[FieldProblem("customerId", "required")],
        )
    return {defaults.CUSTOMER_IDENTIFIER_HEADER: kind.value}, text


def _build(model: type[Any], value: Any = None, /, **fields: Any) -> Any:
    """A request/query model from a model, a mapping or keyword fields; bad input is refused here."""
    if isinstance(value, model):
        return value
    data = dict(value) if isinstance(value, Mapping) else {}
    if value is not None and not isinstance(value, Mapping):
        raise RequestValidationError(f"expected {model.__name__} or a mapping, got {type(value).__name__}")
    data.update({k: v for k, v in fields.items() if v is not None})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = field_problems(exc)
        shown = "; ".join(str(p) for p in problems[:3])
        raise RequestValidationError(f"invalid {model.__name__}: {shown}", problems=problems) from None


def _non_empty(values: Any, field: str) -> list[Any]:
    items = list(values or [])
    if not items:
        raise RequestValidationError(f"{field} must not be empty", problems=[FieldProblem(field, "required")])
    return items


def _new_request_id() -> str:
    """A fresh idempotency key, fixed before the first attempt and reused by every retry."""
    return uuid.uuid4().hex


def _connection_error(exc: httpx.TransportError, method: str, path: str) -> APIConnectionError:
    """Map an httpx failure, deciding whether the request may have reached the server."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return APITimeoutError(
            f"{kind}: no connection within the timeout", sent=False, method=method, path=path
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{kind}: no answer within the timeout (the request may have been processed)",
            sent=True,
            method=method,
            path=path,
        )
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError | httpx.UnsupportedProtocol):
        return APIConnectionError(f"{kind}: could not connect ({exc})", sent=False, method=method, path=path)
    return APIConnectionError(
        f"{kind}: connection lost (the request may have been processed)", sent=True, method=method, path=path
    )


def _raise_for_envelope_errors(parsed: Any, raw: RawResponse, method: str, path: str) -> None:
    """A 2xx whose envelope holds top-level errors and no data is a failure (1051 comes that way)."""
    if isinstance(parsed, list):
        return  # import (#14): one envelope per item, errors stay on the items
    data = getattr(parsed, "data", None)
    errors = getattr(parsed, "errors", None)
    if data is None and errors:
        raise make_status_error(raw.status_code, raw.text, raw.headers, method=method, path=path)


def _validate_request(method: str, path: str, body: Any) -> None:
    try:
        parse_request(method, path, body)
    except RequestValidationError:
        raise
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


def _wire(body: Any) -> Any:
    if body is None:
        return None
    if isinstance(body, BaseModel):
        to_wire = getattr(body, "to_wire", None)
        return to_wire() if to_wire else body.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(body, list | tuple):
        return [_wire(item) for item in body]
    return body


def _normalise_path(path: str) -> str:
    if "://" in path or not path.startswith("/"):
        raise RequestValidationError(f"path must be relative to the cluster and start with '/': {path!r}")
    while "//" in path:
        path = path.replace("//", "/")
    return path


def _query(params: Params | None) -> list[tuple[str, str]]:
    """Query values as Capillary expects them: booleans lower case, lists comma-joined, None dropped."""
    items: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        text = _query_value(value)
        if text is not None:
            items.append((name, text))
    return items


def _query_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise RequestValidationError("datetime query values must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list | tuple | set | frozenset):
        parts = [p for p in (_query_value(v) for v in value) if p is not None]
        return ",".join(parts) if parts else None
    return str(value)


def _checked_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    checked = {}
    for name, value in (headers or {}).items():
        if name.lower() in _FORBIDDEN_HEADERS:
            raise RequestValidationError(f"header {name} is set by the client; pass credentials as auth")
        checked[name] = value
    return checked


def _error_codes(response: httpx.Response | None) -> tuple[int, ...]:
    """Capillary codes for the log: error answers, and small 2xx ones (1051 arrives in a 200)."""
    if response is None or (response.is_success and len(response.content) > 16_384):
        return ()
    try:
        data = response.json()
    except ValueError:
        return ()
    items = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(i["code"] for i in items if isinstance(i, dict) and isinstance(i.get("code"), int))
