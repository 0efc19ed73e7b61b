"""The HTTP face of the sandbox: every endpoint of `lib.api.endpoints.ENDPOINTS`, one handler each.

`HANDLERS` is the whole API surface in one screen: endpoint name -> the single backend call that
serves it. Everything around the call is shared by all endpoints and lives in `_serve`: request
counts, the network profile (`network.py`), fault rules, authentication, the body size limit, JSON
and model validation, running the backend on a worker thread (SQLite work never blocks the event
loop), and turning typed errors into the API's envelope through `errors.ERROR_TABLE`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lib.api.endpoints import ENDPOINTS, Endpoint
from lib.api.models import OAuthTokenRequest
from lib.sandbox import errors as E
from lib.sandbox.faults import FaultKind, FaultRule
from lib.sandbox.service import SandboxService
from lib.sandbox.wire import decode_json, read_body, read_params, read_query, write_response

IDENTIFIER_HEADER = "x-cap-customer-identifier"


@dataclass(frozen=True)
class Call:
    """What a handler gets: the caller's org, path parameters, the query and the body validated by the
    endpoint's query and request models, and headers."""

    org_id: int
    params: dict[str, str]
    query: Any  # the endpoint's query model (`lib.api.models.queries`), None when it has none
    headers: Headers
    body: Any
    raw_body: Any = None  # the JSON as sent (identifier values such as "0098..." keep their zeros)
    raw_query: dict[str, str] | None = None  # the query as sent, for the same reason

    @property
    def identifier(self) -> str | None:
        return self.headers.get(IDENTIFIER_HEADER)


def _fixed_window_details(s: SandboxService, c: Call) -> Any:
    sent = (c.raw_query or {}).get("customerId")
    return s.badges.fixed_window_details(c.org_id, c.query, sent, c.identifier)


def _revoke_earn(s: SandboxService, c: Call) -> Any:
    sent = c.raw_body.get("customerId") if isinstance(c.raw_body, dict) else None
    return s.awards.revoke_earn(
        c.org_id, c.body, sent if sent is not None else c.body.customer_id, c.identifier
    )


Handler = Callable[[SandboxService, Call], Any]
HANDLERS: dict[str, Handler] = {
    "create_badge": lambda s, c: s.badges.create_badge(
        c.org_id, c.body, migration=c.headers.get("x-cap-badges-migration", "").lower() == "migration"
    ),
    "update_badge": lambda s, c: s.badges.update_badge(c.org_id, c.body),
    "list_badges": lambda s, c: s.badges.list_badges(c.org_id, c.query),
    "get_fixed_window_details": _fixed_window_details,
    "get_badge": lambda s, c: s.badges.get_badge(c.org_id, c.params["badgeId"], c.query),
    "activate_badge": lambda s, c: s.badges.set_activation(c.org_id, c.params["badgeId"], active=True),
    "deactivate_badge": lambda s, c: s.badges.set_activation(c.org_id, c.params["badgeId"], active=False),
    "claim_badge": lambda s, c: s.badges.claim(c.org_id, c.params["badgeId"], c.body),
    "unclaim_badge": lambda s, c: s.badges.unclaim(c.org_id, c.params["badgeId"], c.body),
    "issue_bulk": lambda s, c: s.enrolments.issue_bulk(c.org_id, c.body),
    "revoke_issue": lambda s, c: s.enrolments.revoke_issue(c.org_id, c.body),
    "earn": lambda s, c: s.awards.earn(c.org_id, c.body),
    "earn_bulk": lambda s, c: s.awards.earn_bulk(c.org_id, c.body),
    "revoke_earn": _revoke_earn,
    "import_customer_badges": lambda s, c: s.awards.import_earned(c.org_id, c.body),
    "get_customer_badges": lambda s, c: s.customers.customer_badges(
        c.org_id, c.params["customerId"], c.identifier, c.query
    ),
    "list_customer_badges": lambda s, c: s.customers.management_list(
        c.org_id, c.params["customerId"], c.identifier, c.query
    ),
    "get_customer_badge": lambda s, c: s.customers.management_detail(
        c.org_id, c.params["customerId"], c.params["badgeId"], c.identifier, c.query
    ),
    "create_group": lambda s, c: s.catalog.create_group(c.org_id, c.body),
    "update_group": lambda s, c: s.catalog.update_group(c.org_id, c.params["groupId"], c.body),
    "list_groups": lambda s, c: s.catalog.list_groups(c.org_id, c.query),
    "get_group": lambda s, c: s.catalog.get_group(c.org_id, c.params["groupId"]),
    "create_custom_field": lambda s, c: s.catalog.create_custom_field(c.org_id, c.body),
    "update_custom_field": lambda s, c: s.catalog.update_custom_field(
        c.org_id, c.params["customFieldId"], c.body
    ),
    "list_custom_fields": lambda s, c: s.catalog.list_custom_fields(c.org_id, c.query),
    "get_custom_field": lambda s, c: s.catalog.get_custom_field(c.org_id, c.params["customFieldId"]),
    "create_org_meta": lambda s, c: s.catalog.create_org_meta(c.org_id, c.body),
    "update_org_meta": lambda s, c: s.catalog.update_org_meta(c.org_id, c.body),
    "get_org_meta": lambda s, c: s.catalog.get_org_meta(c.org_id),
}
# The OAuth token call needs no org: it is how a client gets one.
UNAUTHENTICATED = {"generate_oauth_token"}


class ConnectionDropped(Exception):
    """Raised after the response started, so the server closes the socket without an answer."""


class _DropConnection(Response):
    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
        raise ConnectionDropped("connection dropped by a sandbox fault rule")


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def json_response(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def error_response(error: E.SandboxError, headers: dict[str, str] | None = None) -> Response:
    return json_response(E.error_envelope(error), error.status, headers)


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refusing (413) anything over `limit` bytes before reading it all."""
    declared = request.headers.get("content-length")
    too_large = E.PayloadTooLarge(
        f"Request body is larger than the sandbox's limit of {limit // (1024 * 1024)} MB ({limit} bytes)"
    )
    if (
        declared
        and declared.isascii()
        and declared.isdigit()
        and (len(declared) > 18 or int(declared) > limit)
    ):
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _caller(service: SandboxService, headers: Headers) -> int | None:
    """The org the credentials authenticate (Basic, else an OAuth token), or None."""
    org_id = service.auth.org_for_basic(headers.get("authorization"))
    if org_id is None:
        token = headers.get("x-cap-api-oauth-token") or headers.get("cap-api-access-token")
        org_id = service.auth.org_for_token(token)
    return org_id


def _authenticate(service: SandboxService, headers: Headers) -> int:
    org_id = _caller(service, headers)
    if org_id is None:
        raise E.Unauthorized()
    return org_id


def _oauth_token(service: SandboxService, body: OAuthTokenRequest) -> dict[str, Any]:
    org_id = service.auth.org_for_key_secret(body.key, body.secret.get_secret_value())
    if org_id is None:
        raise E.Unauthorized("Invalid client key or secret")
    token, ttl = service.auth.issue_token(org_id)
    return {"accessToken": token, "ttlSeconds": ttl}


async def _serve(service: SandboxService, endpoint: Endpoint, request: Request) -> Response:
    """Count the request; with a network profile on, carry it across the simulated wire and gateway."""
    method, path = request.method, request.url.path
    service.stats.count(method, path)
    network = service.network
    if not network.active:
        return await _answer(service, endpoint, request, service.faults.pick(method, path))
    trip = network.round_trip()
    await asyncio.sleep(trip / 2)  # the request travels to the cluster...
    refused = network.admit(_caller(service, request.headers))
    if refused is not None:
        response = error_response(refused, refused.headers)
    else:
        rule = service.faults.pick(method, path) or network.pick_fault(method, path)
        response = await _answer(service, endpoint, request, rule)
    await asyncio.sleep(trip / 2)  # ...and the answer travels back
    return response


async def _answer(
    service: SandboxService, endpoint: Endpoint, request: Request, rule: FaultRule | None
) -> Response:
    """The endpoint's answer with the fault `rule` applied: the one place any fault takes effect."""
    if rule is not None and rule.kind is FaultKind.STATUS:
        headers = {"Retry-After": rule.retry_after} if rule.retry_after else None
        return error_response(E.InjectedFault(rule.status), headers)
    if rule is not None and rule.kind is FaultKind.DROP_BEFORE_COMMIT:
        await asyncio.sleep(rule.delay)
        return _DropConnection()
    response = await _run(service, endpoint, request, rule)
    if rule is not None and rule.kind is FaultKind.COMMIT_THEN_DROP:
        await asyncio.sleep(rule.delay)
        return _DropConnection()
    return response


async def _run(
    service: SandboxService, endpoint: Endpoint, request: Request, rule: FaultRule | None
) -> Response:
    """Authenticate, read, run the backend (its work commits here) and write the answer."""
    unauthorized_headers = {"WWW-Authenticate": 'Basic realm="Badges sandbox"'}
    try:
        org_id = 0 if endpoint.name in UNAUTHENTICATED else _authenticate(service, request.headers)
        data = decode_json(await read_limited(request, service.max_body_bytes))
        body = read_body(endpoint, data)
        params, raw_query = read_params(request)
        query = read_query(endpoint, raw_query)
        if endpoint.name in UNAUTHENTICATED:
            result = _oauth_token(service, body)
        else:
            call = Call(org_id, params, query, request.headers, body, data, raw_query)
            result = await run_in_threadpool(HANDLERS[endpoint.name], service, call)
    except E.Unauthorized as error:
        return error_response(error, unauthorized_headers)
    except E.SandboxError as error:  # 1051 has status 200 in the table: a 200 whose body is the error
        return error_response(error)
    if rule is not None and rule.kind is FaultKind.COMMIT_THEN_DELAY:
        await asyncio.sleep(rule.delay)
    if isinstance(result, list):  # the import answers an array of envelopes
        return json_response(write_response(endpoint, result), endpoint.success_status)
    errors: list | None = [] if endpoint.is_write else None
    envelope = E.envelope(result, errors=errors, warnings=errors)
    return json_response(write_response(endpoint, envelope), endpoint.success_status)


def exact_route(path: str, endpoint: Callable[[Request], Any], method: str, name: str) -> Route:
    """A route for exactly `method` (Starlette adds HEAD to every GET; the API has no HEAD)."""
    route = Route(path, endpoint, methods=[method], name=name)
    route.methods = {method}
    return route


def api_routes(service: SandboxService) -> list[Route]:
    """One route per endpoint and method of `ENDPOINTS`, all served by `_serve`."""
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    routes = []
    for endpoint in ENDPOINTS:

        async def handle(request: Request, endpoint: Endpoint = endpoint) -> Response:
            return await _serve(service, endpoint, request)

        for method in endpoint.methods:  # the import also answers POST, as its page header says
            routes.append(exact_route(endpoint.path_template, handle, method, endpoint.name))
    return routes
