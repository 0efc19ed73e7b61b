"""The sandbox's control plane under `/_sandbox/`: clock, reset, seed, faults, stats, health.

No credentials, but only loopback clients are answered: these endpoints can wipe every org's data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from lib.sandbox import errors as E
from lib.sandbox.common import epoch, from_epoch
from lib.sandbox.faults import FaultRules
from lib.sandbox.routes import error_response, json_response
from lib.sandbox.service import SandboxService
from lib.sandbox.wire import decode_json

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _clock(service: SandboxService) -> dict[str, Any]:
    return {"now": epoch(service.clock.now()), "frozen": service.clock.frozen}


def add_control_routes(app: FastAPI, service: SandboxService) -> None:
    router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])

    async def guarded(request: Request, action) -> Response:
        host = request.client.host if request.client else ""
        if host not in LOOPBACK and not host.startswith("127."):
            return error_response(E.LoopbackOnly())
        try:
            body = decode_json(await request.body())
            return json_response(await action(body or {}), 200)
        except E.SandboxError as error:
            return error_response(error)
        except ValidationError as error:
            return error_response(E.InvalidRequest(str(error).splitlines()[0]))

    @router.get("/health", summary="Liveness: answers once the sandbox serves requests")
    async def health(request: Request) -> Response:
        return await guarded(request, lambda _: _ok({"status": "ok"}))

    @router.get("/clock", summary="The sandbox's now (epoch seconds) and whether it is frozen")
    async def get_clock(request: Request) -> Response:
        return await guarded(request, lambda _: _ok(_clock(service)))

    @router.put("/clock", summary='Freeze now at {"now": <epoch seconds>}; {"now": null} = real time')
    async def put_clock(request: Request) -> Response:
        async def action(body: dict) -> dict:
            if "now" not in body:
                raise E.InvalidRequest('Send {"now": <epoch seconds>} or {"now": null}')
            now = body["now"]
            if now is not None and (isinstance(now, bool) or not isinstance(now, int | float)):
                raise E.InvalidRequest("'now' must be epoch seconds or null")
            service.clock.set(from_epoch(float(now)) if now is not None else None)
            return _clock(service)

        return await guarded(request, action)

    @router.post("/reset", summary='Wipe all data (demo orgs kept); {"empty": false} re-seeds the demo data')
    async def reset(request: Request) -> Response:
        async def action(body: dict) -> dict:
            empty = bool(body.get("empty", False))
            await run_in_threadpool(service.reset, empty=empty)
            return {"reset": True, "empty": empty}

        return await guarded(request, action)

    @router.post("/seed", summary="Add the demo org's badges, customers and 12 months of history")
    async def seed(request: Request) -> Response:
        async def action(_: dict) -> dict:
            return await run_in_threadpool(service.seed)

        return await guarded(request, action)

    @router.put(
        "/customers",
        summary='Register customers for identifier look-ups: {"org": "demo", "customers": [...]}',
    )
    async def put_customers(request: Request) -> Response:
        async def action(body: dict) -> dict:
            customers = body.get("customers")
            if not isinstance(customers, list) or not all(
                isinstance(c, dict) and str(c.get("customerId", "")).isdigit() for c in customers
            ):
                raise E.InvalidRequest(
                    'Send {"org": "<username>", "customers": [{"customerId": 1, "email": ...}]}'
                )
            try:
                added = await run_in_threadpool(
                    service.add_customers, str(body.get("org", "demo")), customers
                )
            except KeyError as error:
                raise E.InvalidRequest(str(error)) from None
            return {"customers": added}

        return await guarded(request, action)

    @router.get("/faults", summary="The fault rules in force")
    async def get_faults(request: Request) -> Response:
        return await guarded(
            request, lambda _: _ok({"rules": [r.model_dump(mode="json") for r in service.faults.rules()]})
        )

    @router.put("/faults", summary="Replace the fault rules (status, commit_then_delay, drop_before_commit)")
    async def put_faults(request: Request) -> Response:
        async def action(body: dict) -> dict:
            rules = FaultRules.model_validate(body).rules
            service.faults.set(rules)
            return {"rules": [r.model_dump(mode="json") for r in rules]}

        return await guarded(request, action)

    @router.delete("/faults", summary="Remove every fault rule")
    async def delete_faults(request: Request) -> Response:
        async def action(_: dict) -> dict:
            service.faults.clear()
            return {"rules": []}

        return await guarded(request, action)

    @router.get("/stats", summary="Requests received per path, for tests")
    async def stats(request: Request) -> Response:
        return await guarded(
            request, lambda _: _ok({**service.stats.snapshot(), "faults_applied": service.faults.applied})
        )

    app.include_router(router)


async def _ok(value: dict) -> dict:
    return value
