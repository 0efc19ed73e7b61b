"""The sandbox as an ASGI app: the Badges API routes, the control plane, OpenAPI docs at /docs."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

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

    return app
