"""The sandbox's control plane under `/_sandbox/`: clock, reset, seed, faults, network, stats, health.

No credentials, so only scripts on this machine are answered (`control_access`): a loopback client,
a loopback Host, no foreign Origin, no form body, and the `X-Sandbox-Control: 1` header (all but
`GET /health`). These endpoints can wipe every org's data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from lib.api.models.paths import field_path, pydantic_message
from lib.api.models.wire import CustomerId
from lib.sandbox import errors as E
from lib.sandbox.common import epoch, parse_instant
from lib.sandbox.control_access import CONTROL_HEADER, CONTROL_HEADER_VALUE, check_control_request
from lib.sandbox.faults import FaultRules
from lib.sandbox.network import NetworkSettings
from lib.sandbox.routes import error_response, json_response, read_limited
from lib.sandbox.service import SandboxService
from lib.sandbox.wire import decode_json

CONTROL_SCHEMAS: dict[str, Any] = {}
"""Schemas the control bodies refer to; `app.py` adds them to the OpenAPI components."""


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


def _doc(body: dict[str, Any] | type[BaseModel] | None = None) -> dict[str, Any]:
    """What /docs shows beyond the path: the required header (so "Try it out" sends it) and the body."""
    extra: dict[str, Any] = {
        "parameters": [
            {"name": CONTROL_HEADER, "in": "header", "required": True,
             "schema": {"type": "string", "enum": [CONTROL_HEADER_VALUE]},
             "description": "Required: only a script can send it, never a web page's form"}
        ]
    }  # fmt: skip
    if isinstance(body, type):
        body = body.model_json_schema(ref_template="#/components/schemas/{model}")
        CONTROL_SCHEMAS.update(body.pop("$defs", {}))
    if body is not None:
        extra["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return extra


CLOCK_BODY = {"type": "object", "required": ["now"], "properties": {"now": {"type": ["number", "null"]}}}
RESET_BODY = {"type": "object", "properties": {"empty": {"type": "boolean", "default": False}}}


def add_control_routes(app: FastAPI, service: SandboxService) -> None:
    router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])

    async def guarded(request: Request, action, *, needs_header: bool = True) -> Response:
        try:
            check_control_request(request, needs_header=needs_header)
            body = decode_json(await read_limited(request, service.max_body_bytes))
            if body is not None and not isinstance(body, dict):
                raise E.InvalidRequest("The body must be a JSON object")
            return json_response(await action(body or {}), 200)
        except E.SandboxError as error:
            return error_response(error)
        except ValidationError as error:
            return error_response(E.InvalidRequest(_first_problem(error)))

    @router.get("/health", summary="Liveness: answers once the sandbox serves requests")
    async def health(request: Request) -> Response:
        return await guarded(request, lambda _: _ok({"status": "ok"}), needs_header=False)

    @router.get(
        "/clock", summary="The sandbox's now (epoch seconds) and whether it is frozen", openapi_extra=_doc()
    )
    async def get_clock(request: Request) -> Response:
        return await guarded(request, lambda _: _ok(_clock(service)))

    @router.put(
        "/clock",
        summary='Freeze now at {"now": <epoch seconds>}; {"now": null} = real time',
        openapi_extra=_doc(CLOCK_BODY),
    )
    async def put_clock(request: Request) -> Response:
        async def action(body: dict) -> dict:
            if "now" not in body:
                raise E.InvalidRequest('Send {"now": <epoch seconds>} or {"now": null}')
            now = body["now"]
            if now is not None and (isinstance(now, bool) or not isinstance(now, int | float)):
                raise E.InvalidRequest("'now' must be epoch seconds or null")
            service.clock.set(parse_instant(now, "now") if now is not None else None)
            return _clock(service)

        return await guarded(request, action)

    @router.post(
        "/reset",
        summary='Wipe all data (demo orgs kept); {"empty": false} re-seeds the demo data',
        openapi_extra=_doc(RESET_BODY),
    )
    async def reset(request: Request) -> Response:
        async def action(body: dict) -> dict:
            empty = body.get("empty", False)
            if not isinstance(empty, bool):
                raise E.InvalidRequest("'empty' must be true or false")
            await run_in_threadpool(service.reset, empty=empty)
            return {"reset": True, "empty": empty}

        return await guarded(request, action)

    @router.post(
        "/seed", summary="Add the demo org's badges, customers and 12 months of history", openapi_extra=_doc()
    )
    async def seed(request: Request) -> Response:
        async def action(_: dict) -> dict:
            return await run_in_threadpool(service.seed)

        return await guarded(request, action)

    @router.put(
        "/customers",
        summary='Register customers for identifier look-ups: {"org": "demo", "customers": [...]}',
        openapi_extra=_doc(CustomersBody),
    )
    async def put_customers(request: Request) -> Response:
        async def action(body: dict) -> dict:
            sent = CustomersBody.model_validate(body)
            customers = [c.model_dump(by_alias=True, exclude_none=True) for c in sent.customers]
            try:
                added = await run_in_threadpool(service.add_customers, sent.org, customers)
            except KeyError as error:
                raise E.InvalidRequest(str(error)) from None
            return {"customers": added}

        return await guarded(request, action)

    @router.get("/faults", summary="The fault rules in force", openapi_extra=_doc())
    async def get_faults(request: Request) -> Response:
        return await guarded(
            request, lambda _: _ok({"rules": [r.model_dump(mode="json") for r in service.faults.rules()]})
        )

    @router.put(
        "/faults",
        summary="Replace the fault rules (status, commit_then_delay, drop_before_commit)",
        openapi_extra=_doc(FaultRules),
    )
    async def put_faults(request: Request) -> Response:
        async def action(body: dict) -> dict:
            rules = FaultRules.model_validate(body).rules
            service.faults.set(rules)
            return {"rules": [r.model_dump(mode="json") for r in rules]}

        return await guarded(request, action)

    @router.delete("/faults", summary="Remove every fault rule", openapi_extra=_doc())
    async def delete_faults(request: Request) -> Response:
        async def action(_: dict) -> dict:
            service.faults.clear()
            return {"rules": []}

        return await guarded(request, action)

    @router.get(
        "/network",
        summary="The network profile in force, what it did, the named profiles",
        openapi_extra=_doc(),
    )
    async def get_network(request: Request) -> Response:
        return await guarded(request, lambda _: _ok(service.network.status().model_dump(mode="json")))

    @router.put(
        "/network",
        summary='Simulate a remote cluster: {"profile": "off|remote|flaky|slow"} and/or explicit values',
        openapi_extra=_doc(NetworkSettings),
    )
    async def put_network(request: Request) -> Response:
        async def action(body: dict) -> dict:
            service.network.set(NetworkSettings.model_validate(body).resolve())
            return service.network.status().model_dump(mode="json")

        return await guarded(request, action)

    @router.get("/stats", summary="Requests received per path, for tests", openapi_extra=_doc())
    async def stats(request: Request) -> Response:
        return await guarded(
            request,
            lambda _: _ok(
                {
                    **service.stats.snapshot(),
                    "faults_applied": service.faults.applied,
                    "network": service.network.status().counters.model_dump(),
                }
            ),
        )

    app.include_router(router)


async def _ok(value: dict) -> dict:
    return value


def _first_problem(error: ValidationError) -> str:
    """The first thing wrong with a control body, naming the field (`customers.0.customerId`)."""
    item = error.errors(include_url=False)[0]
    field = field_path(tuple(item.get("loc", ()))) or "body"
    return f"Invalid value for the field: '{field}': {pydantic_message(item)}"
