"""The sandbox as an ASGI app (plain Starlette): the Badges API routes, the control plane, and the
OpenAPI document generated from the same two route tables, shown at /docs."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from lib.sandbox import errors as E
from lib.sandbox.control import control_routes
from lib.sandbox.last_resort import LastResort
from lib.sandbox.openapi import openapi_document, swagger_page
from lib.sandbox.routes import api_routes, error_response, exact_route
from lib.sandbox.service import SandboxService

OPENAPI_URL = "/openapi.json"


def create_app(service: SandboxService) -> Starlette:
    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    async def docs(request: Request) -> Response:
        return swagger_page(OPENAPI_URL)

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(E.RouteNotFound(f"No such endpoint: {request.method} {request.url.path}"))

    async def not_allowed(request: Request, exc: Exception) -> Response:
        allow = getattr(exc, "headers", None)  # Starlette's 405 names the methods in `Allow` (RFC 9110)
        return error_response(
            E.MethodNotAllowed(f"Method not allowed: {request.method} {request.url.path}"), allow
        )

    app = Starlette(
        routes=[
            *api_routes(service),
            *control_routes(service),
            exact_route(OPENAPI_URL, openapi, "GET", "openapi"),
            exact_route("/docs", docs, "GET", "docs"),
        ],
        middleware=[Middleware(LastResort)],
        exception_handlers={404: not_found, 405: not_allowed},
    )
    app.state.service = service
    return app
