"""The sandbox as an ASGI app: the Badges API routes, the control plane, OpenAPI docs at /docs."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from lib.api.endpoints import ENDPOINTS
from lib.sandbox import errors as E
from lib.sandbox.control import CONTROL_SCHEMAS, add_control_routes
from lib.sandbox.last_resort import LastResort
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
        allow = getattr(exc, "headers", None)  # Starlette's 405 names the methods in `Allow` (RFC 9110)
        return error_response(
            E.MethodNotAllowed(f"Method not allowed: {request.method} {request.url.path}"), allow
        )

    app.add_middleware(LastResort)
    _document_request_bodies(app)
    return app


def _document_request_bodies(app: FastAPI) -> None:
    """Show each endpoint's parameters, request body and answers in /docs, from the same models that
    check them.

    The handlers read raw requests (no FastAPI parameter parsing, for speed), so parameters, bodies,
    answers (the success model, and the error envelope for each error status an endpoint can give)
    and the Basic scheme are added to the generated OpenAPI document afterwards. The fuzz test
    (`tests/sandbox/test_fuzz_openapi.py`) holds every answer to this document.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas.update(CONTROL_SCHEMAS)
        schemas["ErrorEnvelope"] = ERROR_ENVELOPE
        components["securitySchemes"] = {
            "capillaryBasic": {"type": "http", "scheme": "basic", "description": BASIC_HELP}
        }
        for endpoint in ENDPOINTS:
            for method in endpoint.methods:
                operation = schema["paths"][endpoint.path_template][method.lower()]
                operation["parameters"] = _parameters(endpoint, schemas)
                if endpoint.name != "generate_oauth_token":
                    operation["security"] = [{"capillaryBasic": []}]
                if endpoint.request_model is not None:
                    body = TypeAdapter(endpoint.request_model).json_schema(
                        by_alias=True, ref_template="#/components/schemas/{model}"
                    )
                    schemas.update(body.pop("$defs", {}))
                    operation["requestBody"] = {
                        "required": True,
                        "content": {"application/json": {"schema": body}},
                    }
                answer = TypeAdapter(endpoint.response_model).json_schema(
                    mode="serialization", by_alias=True, ref_template="#/components/schemas/Answer.{model}"
                )
                schemas.update({f"Answer.{name}": s for name, s in answer.pop("$defs", {}).items()})
                statuses = OAUTH_ERRORS if endpoint.name == "generate_oauth_token" else API_ERRORS
                _document_answers(operation, answer, statuses)
        for path, item in schema["paths"].items():
            if path.startswith("/_sandbox/"):
                for operation in item.values():
                    _document_answers(operation, None, CONTROL_ERRORS)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


ERROR_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["data", "errors"],
    "properties": {
        "data": {"type": "null"},
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "integer"},
                    "message": {"type": "string"},
                    "reference": {"type": ["string", "null"]},
                },
            },
        },
        "warnings": {},
    },
}
ERRORS = {
    "400": "Invalid request: the error names the field",
    "401": "Missing or wrong credentials",
    "403": "Not a script on this machine (see the X-Sandbox-Control header)",
    "404": "Unknown badge, group, custom field, customer or org meta",
    "409": "The badge's state forbids the call (not live, not claimed, limit reached...)",
    "413": "Body larger than the sandbox's limit",
    "429": "The org sent faster than its rate limit (only under a network profile): see Retry-After",
}
API_ERRORS = ("400", "401", "404", "409", "413", "429")
OAUTH_ERRORS = ("400", "401", "413", "429")
CONTROL_ERRORS = ("400", "403", "413")


def _document_answers(
    operation: dict[str, Any], success: dict[str, Any] | None, errors: tuple[str, ...]
) -> None:
    """The success answer's schema (when known) and the error envelope for each error status."""
    responses = operation.setdefault("responses", {})
    if success is not None:
        for answer in responses.values():
            answer["content"] = {"application/json": {"schema": success}}
    envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    for status in errors:
        responses[status] = {"description": ERRORS[status], "content": envelope}


BASIC_HELP = (
    "Capillary's Basic auth: the password is the lowercase MD5 hex of the till password. Demo orgs: "
    "username `demo`, password `fe01ce2a7fbac8fafaed7c982a04e229`; username `demo2`, password "
    "`1066726e7160bd9c987c9968e0cc275a` (the MD5 of `demo` and `demo2`)."
)


def _parameters(endpoint: Any, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in endpoint.path_params
    ]
    if endpoint.query_model is not None:
        query = endpoint.query_model.model_json_schema(
            by_alias=True, ref_template="#/components/schemas/{model}"
        )
        schemas.update(query.pop("$defs", {}))
        required = set(query.get("required", []))
        for name, field in query.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": field})
    if endpoint.customer_identifier:
        params.append(
            {"name": "X-CAP-CUSTOMER-IDENTIFIER", "in": "header", "required": False,
             "schema": {"type": "string", "enum": ["email", "mobile", "externalId", "cardNumber"]}}
        )  # fmt: skip
    if endpoint.name == "create_badge":
        params.append(
            {"name": "X-CAP-BADGES-MIGRATION", "in": "header", "required": False,
             "schema": {"type": "string", "enum": ["migration"]}}
        )  # fmt: skip
    return params
