"""The sandbox as an ASGI app: the Badges API routes, the control plane, OpenAPI docs at /docs."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from lib.api.endpoints import ENDPOINTS
from lib.sandbox import errors as E
from lib.sandbox.control import add_control_routes
from lib.sandbox.routes import add_api_routes, error_response
from lib.sandbox.service import SandboxService


def create_app(service: SandboxService) -> FastAPI:
    app = FastAPI(
        title="Badges API sandbox",
        summary="A local stand-in for Capillary's Badges API (see lib/sandbox/FIDELITY.md)",
        version="1.0",
    )
    app.state.service = service
    add_api_routes(app, service)
    add_control_routes(app, service)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(E.RouteNotFound(f"No such endpoint: {request.method} {request.url.path}"))

    @app.exception_handler(405)
    async def not_allowed(request: Request, exc: Exception) -> Response:
        return error_response(E.MethodNotAllowed(f"Method not allowed: {request.method} {request.url.path}"))

    _document_request_bodies(app)
    return app


def _document_request_bodies(app: FastAPI) -> None:
    """Show each endpoint's request body in /docs, from the same models that validate it.

    The handlers read raw requests (no FastAPI parameter parsing, for speed), so the schemas are
    added to the generated OpenAPI document afterwards.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for endpoint in ENDPOINTS:
            if endpoint.request_model is None:
                continue
            body = TypeAdapter(endpoint.request_model).json_schema(
                by_alias=True, ref_template="#/components/schemas/{model}"
            )
            components.update(body.pop("$defs", {}))
            for method in endpoint.methods:
                operation = schema["paths"][endpoint.path_template][method.lower()]
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
