"""The sandbox's control plane under `/_sandbox/`: clock, reset, seed, faults, network, stats, health.

No credentials, so only scripts on this machine are answered (`control_access`): a loopback client,
a loopback Host, no foreign Origin, no form body, and the `X-Sandbox-Control: 1` header (all but
`GET /health`). These endpoints can wipe every org's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lib.api.models.paths import field_path, pydantic_message
from lib.api.models.wire import CustomerId
from lib.sandbox import errors as E
from lib.sandbox.common import epoch, parse_instant
from lib.sandbox.control_access import check_control_request
from lib.sandbox.faults import FaultRules
from lib.sandbox.network import NetworkSettings
from lib.sandbox.routes import error_response, exact_route, json_response, read_limited
from lib.sandbox.service import SandboxService
from lib.sandbox.wire import decode_json


class CustomerRecord(BaseModel):
    """A customer registered for identifier look-ups (`PUT /_sandbox/customers`), camelCase on the wire."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel)

    customer_id: CustomerId
    email: str | None = None
    mobile: str | None = None
    external_id: str | None = None
    card_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class CustomersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org: str = "demo"
    customers: list[CustomerRecord]


def _clock(service: SandboxService) -> dict[str, Any]:
    return {"now": epoch(service.clock.now()), "frozen": service.clock.frozen}


CLOCK_BODY = {"type": "object", "required": ["now"], "properties": {"now": {"type": ["number", "null"]}}}
RESET_BODY = {"type": "object", "properties": {"empty": {"type": "boolean", "default": False}}}

Action = Callable[[SandboxService, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ControlOp:
    """One control endpoint: served by `add_control_routes`, documented by `lib.sandbox.openapi`."""

    method: str
    path: str  # under /_sandbox
    name: str
    summary: str
    action: Action
    body: dict[str, Any] | type[BaseModel] | None = None  # what /docs shows as the request body
    needs_header: bool = True

    @property
    def full_path(self) -> str:
        return PREFIX + self.path


PREFIX = "/_sandbox"


async def _health(service: SandboxService, _: dict) -> dict:
    return {"status": "ok"}


async def _get_clock(service: SandboxService, _: dict) -> dict:
    return _clock(service)


async def _put_clock(service: SandboxService, body: dict) -> dict:
    if "now" not in body:
        raise E.InvalidRequest('Send {"now": <epoch seconds>} or {"now": null}')
    now = body["now"]
    if now is not None and (isinstance(now, bool) or not isinstance(now, int | float)):
        raise E.InvalidRequest("'now' must be epoch seconds or null")
    service.clock.set(parse_instant(now, "now") if now is not None else None)
    return _clock(service)


async def _reset(service: SandboxService, body: dict) -> dict:
    empty = body.get("empty", False)
    if not isinstance(empty, bool):
        raise E.InvalidRequest("'empty' must be true or false")
    await run_in_threadpool(service.reset, empty=empty)
    return {"reset": True, "empty": empty}


async def _seed(service: SandboxService, _: dict) -> dict:
    return await run_in_threadpool(service.seed)


async def _put_customers(service: SandboxService, body: dict) -> dict:
    sent = CustomersBody.model_validate(body)
    customers = [c.model_dump(by_alias=True, exclude_none=True) for c in sent.customers]
    try:
        added = await run_in_threadpool(service.add_customers, sent.org, customers)
    except KeyError as error:
        raise E.InvalidRequest(str(error)) from None
    return {"customers": added}


async def _get_faults(service: SandboxService, _: dict) -> dict:
    return {"rules": [r.model_dump(mode="json") for r in service.faults.rules()]}


async def _put_faults(service: SandboxService, body: dict) -> dict:
    rules = FaultRules.model_validate(body).rules
    service.faults.set(rules)
    return {"rules": [r.model_dump(mode="json") for r in rules]}


async def _delete_faults(service: SandboxService, _: dict) -> dict:
    service.faults.clear()
    return {"rules": []}


async def _get_network(service: SandboxService, _: dict) -> dict:
    return service.network.status().model_dump(mode="json")


async def _put_network(service: SandboxService, body: dict) -> dict:
    service.network.set(NetworkSettings.model_validate(body).resolve())
    return service.network.status().model_dump(mode="json")


async def _stats(service: SandboxService, _: dict) -> dict:
    return {
        **service.stats.snapshot(),
        "faults_applied": service.faults.applied,
        "network": service.network.status().counters.model_dump(),
    }


CONTROL_OPS: tuple[ControlOp, ...] = (
    ControlOp("GET", "/health", "health", "Liveness: answers once the sandbox serves requests", _health,
              needs_header=False),
    ControlOp("GET", "/clock", "get_clock", "The sandbox's now (epoch seconds) and whether it is frozen",
              _get_clock),
    ControlOp("PUT", "/clock", "put_clock", 'Freeze now at {"now": <epoch seconds>}; {"now": null} = real time',
              _put_clock, CLOCK_BODY),
    ControlOp("POST", "/reset", "reset", 'Wipe all data (demo orgs kept); {"empty": false} re-seeds the demo data',
              _reset, RESET_BODY),
    ControlOp("POST", "/seed", "seed", "Add the demo org's badges, customers and 12 months of history", _seed),
    ControlOp("PUT", "/customers", "put_customers",
              'Register customers for identifier look-ups: {"org": "demo", "customers": [...]}',
              _put_customers, CustomersBody),
    ControlOp("GET", "/faults", "get_faults", "The fault rules in force", _get_faults),
    ControlOp("PUT", "/faults", "put_faults",
              "Replace the fault rules (status, commit_then_delay, drop_before_commit)", _put_faults, FaultRules),
    ControlOp("DELETE", "/faults", "delete_faults", "Remove every fault rule", _delete_faults),
    ControlOp("GET", "/network", "get_network", "The network profile in force, what it did, the named profiles",
              _get_network),
    ControlOp("PUT", "/network", "put_network",
              'Simulate a remote cluster: {"profile": "off|remote|flaky|slow"} and/or explicit values',
              _put_network, NetworkSettings),
    ControlOp("GET", "/stats", "stats", "Requests received per path, for tests", _stats),
)  # fmt: skip
"""The whole control plane in one screen."""


def control_routes(service: SandboxService) -> list[Route]:
    """One route per control endpoint, each behind the loopback checks of `control_access`."""

    def endpoint(op: ControlOp) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            try:
                check_control_request(request, needs_header=op.needs_header)
                body = decode_json(await read_limited(request, service.max_body_bytes))
                if body is not None and not isinstance(body, dict):
                    raise E.InvalidRequest("The body must be a JSON object")
                return json_response(await op.action(service, body or {}), 200)
            except E.SandboxError as error:
                return error_response(error)
            except ValidationError as error:
                return error_response(E.InvalidRequest(_first_problem(error)))

        return serve

    return [exact_route(op.full_path, endpoint(op), op.method, op.name) for op in CONTROL_OPS]


def _first_problem(error: ValidationError) -> str:
    """The first thing wrong with a control body, naming the field (`customers.0.customerId`)."""
    item = error.errors(include_url=False)[0]
    field = field_path(tuple(item.get("loc", ()))) or "body"
    return f"Invalid value for the field: '{field}': {pydantic_message(item)}"
