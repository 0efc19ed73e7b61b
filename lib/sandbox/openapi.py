"""The sandbox's OpenAPI document, generated from the two route tables it serves.

The API part comes from `lib.api.endpoints.ENDPOINTS` (path, methods, parameters, the request and
response models that check every call), the control part from `control.CONTROL_OPS`; each answer is
documented with its success schema and the error envelope for each error status the operation can
give. The fuzz test (`tests/sandbox/test_fuzz_openapi.py`) holds every answer to this document.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.responses import HTMLResponse

from lib.api.endpoints import ENDPOINTS, Endpoint
from lib.api.models import CustomerIdentifier
from lib.sandbox.control import CONTROL_OPS, ControlOp
from lib.sandbox.control_access import CONTROL_HEADER, CONTROL_HEADER_VALUE
from lib.sandbox.routes import UNAUTHENTICATED

TITLE = "Badges API sandbox"
INFO = {
    "title": TITLE,
    "summary": "A local stand-in for Capillary's Badges API (see lib/sandbox/FIDELITY.md)",
    "version": "1.0",
}
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
BASIC_HELP = (
    "Capillary's Basic auth: the password is the lowercase MD5 hex of the till password. Demo orgs: "
    "username `demo`, password `fe01ce2a7fbac8fafaed7c982a04e229`; username `demo2`, password "
    "`1066726e7160bd9c987c9968e0cc275a` (the MD5 of `demo` and `demo2`)."
)
_REF = "#/components/schemas/{model}"


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document: every API endpoint, then the control plane. Made on the first request
    for it, once per process: generating the models' schemas is most of a sandbox's start-up time."""
    schemas: dict[str, Any] = {"ErrorEnvelope": ERROR_ENVELOPE}
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        for method in endpoint.methods:
            paths.setdefault(endpoint.path_template, {})[method.lower()] = _api_operation(
                endpoint, method, schemas
            )
    for op in CONTROL_OPS:
        paths.setdefault(op.full_path, {})[op.method.lower()] = _control_operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "capillaryBasic": {"type": "http", "scheme": "basic", "description": BASIC_HELP}
            },
        },
    }


def _api_operation(endpoint: Endpoint, method: str, schemas: dict[str, Any]) -> dict[str, Any]:
    oauth = endpoint.name in UNAUTHENTICATED
    operation: dict[str, Any] = {
        "tags": ["oauth" if oauth else "badges"],
        "summary": endpoint.name.replace("_", " "),
        "description": f"https://docs.capillarytech.com/reference/{endpoint.doc_slug}"
        if endpoint.doc_slug
        else "",
        "operationId": endpoint.name if method == endpoint.method else f"{endpoint.name}_{method.lower()}",
        "parameters": _parameters(endpoint, schemas),
    }
    if not oauth:
        operation["security"] = [{"capillaryBasic": []}]
    if endpoint.request_model is not None:
        body = TypeAdapter(endpoint.request_model).json_schema(by_alias=True, ref_template=_REF)
        schemas.update(body.pop("$defs", {}))
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    answer = TypeAdapter(endpoint.response_model).json_schema(
        mode="serialization", by_alias=True, ref_template="#/components/schemas/Answer.{model}"
    )
    schemas.update({f"Answer.{name}": s for name, s in answer.pop("$defs", {}).items()})
    operation["responses"] = _responses(
        str(endpoint.success_status), answer, OAUTH_ERRORS if oauth else API_ERRORS
    )
    return operation


def _control_operation(op: ControlOp, schemas: dict[str, Any]) -> dict[str, Any]:
    """A control endpoint with its required header (so "Try it out" sends it) and its body."""
    operation: dict[str, Any] = {
        "tags": ["sandbox control"],
        "summary": op.summary,
        "operationId": f"sandbox_{op.name}",
    }
    if op.needs_header:
        operation["parameters"] = [
            {"name": CONTROL_HEADER, "in": "header", "required": True,
             "schema": {"type": "string", "enum": [CONTROL_HEADER_VALUE]},
             "description": "Required: only a script can send it, never a web page's form"}
        ]  # fmt: skip
    body = op.body
    if isinstance(body, type) and issubclass(body, BaseModel):
        body = body.model_json_schema(ref_template=_REF)
        schemas.update(body.pop("$defs", {}))
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    operation["responses"] = _responses("200", {}, CONTROL_ERRORS)
    return operation


def _responses(success: str, schema: dict[str, Any], errors: tuple[str, ...]) -> dict[str, Any]:
    """The success answer's schema and the error envelope for each error status."""
    envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    out: dict[str, Any] = {
        success: {"description": "Successful Response", "content": {"application/json": {"schema": schema}}}
    }
    for status in errors:
        out[status] = {"description": ERRORS[status], "content": envelope}
    return out


def _parameters(endpoint: Endpoint, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in endpoint.path_params
    ]
    if endpoint.query_model is not None:
        query = endpoint.query_model.model_json_schema(by_alias=True, ref_template=_REF)
        schemas.update(query.pop("$defs", {}))
        required = set(query.get("required", []))
        for name, field in query.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": field})
    if endpoint.customer_identifier:
        params.append(
            {"name": "X-CAP-CUSTOMER-IDENTIFIER", "in": "header", "required": False,
             "schema": {"type": "string", "enum": [kind.value for kind in CustomerIdentifier]}}
        )  # fmt: skip
    if endpoint.name == "create_badge":
        params.append(
            {"name": "X-CAP-BADGES-MIGRATION", "in": "header", "required": False,
             "schema": {"type": "string", "enum": ["migration"]}}
        )  # fmt: skip
    return params


SWAGGER_UI = """<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link type="text/css" rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
<title>{title} - Swagger UI</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>
SwaggerUIBundle({{url: "{url}", dom_id: "#swagger-ui", layout: "BaseLayout", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]}})
</script>
</body>
</html>
"""


def swagger_page(openapi_url: str) -> HTMLResponse:
    """/docs: Swagger UI (loaded from its CDN, as every FastAPI app does) over `openapi_url`."""
    return HTMLResponse(SWAGGER_UI.format(title=TITLE, url=openapi_url))
