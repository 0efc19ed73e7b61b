"""Request and response shapes, read and written through the console's own API models.

The sandbox has no second description of the wire format: a body is validated by the endpoint's
request model from `lib.api.endpoints.ENDPOINTS` and handed to the backend as that model (a badge
definition is stored as its canonical JSON, `canonical()`: the spellings every example uses,
`relativeExpirytype`, `DAYS`, integer customer ids, epoch seconds), and every answer is validated
by the endpoint's response model before it is sent when `CHECK_ANSWERS_ENV` is set (the test suite sets
it). What is left here is the API's way of saying what was wrong with a body: Capillary's enum message and
the dedicated "missing" codes.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any
from urllib.parse import unquote_to_bytes

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request

from lib.api.endpoints import Endpoint, format_loc
from lib.api.models import ImportEarnedBadge
from lib.api.models.queries import QueryModel
from lib.domain.enums import invalid_enum_message
from lib.sandbox import errors as E
from lib.sandbox.json_body import loads

# Missing fields the API answers with a dedicated code rather than a plain 400.
MISSING_FIELD_ERRORS: dict[tuple[str, str], type[E.SandboxError]] = {
    ("earn", "requestId"): E.RequestIdMissing,
    ("earn", "customerId"): E.CustomerIdMissing,
    ("earn", "triggeredBy"): E.OwnerTypeMissing,
    ("earn", "triggeredBy.ownerType"): E.OwnerTypeMissing,
    ("earn_bulk", "customerIds"): E.CustomerIdMissing,
    ("earn_bulk", "triggeredBy.ownerType"): E.OwnerTypeMissing,
    ("revoke_earn", "customerId"): E.CustomerIdMissing,
    ("import_customer_badges", "customerId"): E.CustomerIdMissing,
    ("claim_badge", "ownerType"): E.OwnerTypeMissing,
    ("claim_badge", "referenceId"): E.OwnerIdMissing,
    ("unclaim_badge", "ownerType"): E.OwnerTypeMissing,
    ("unclaim_badge", "referenceId"): E.OwnerIdMissing,
    ("create_group", "name"): E.GroupNameMissing,
    ("create_group", "rank"): E.GroupRankMissing,
    ("update_group", "name"): E.GroupNameMissing,
    ("update_group", "rank"): E.GroupRankMissing,
    ("create_custom_field", "dataType"): E.CustomFieldTypeMissing,
    ("update_custom_field", "dataType"): E.CustomFieldTypeMissing,
}


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def decode_json(raw: bytes) -> Any:
    """The body's JSON, read strictly (`json_body.loads`): None when empty, else a typed 400."""
    return loads(raw)


def validation_errors(endpoint_name: str, exc: ValidationError) -> E.SandboxErrors:
    out: list[E.SandboxError] = []
    seen: set[tuple[str | None, str]] = set()
    for item in exc.errors(include_url=False):
        field = format_loc(tuple(item.get("loc", ())))
        name = (field or "").rsplit(".", 1)[-1]
        kind = item.get("type", "")
        if kind == "missing":
            error_type = MISSING_FIELD_ERRORS.get((endpoint_name, field or ""), E.InvalidRequest)
            error = error_type(f"'{name}' is mandatory", reference=field)
            if error_type is not E.InvalidRequest:
                error = error_type(reference=field)
        elif kind in ("enum", "literal_error") and "expected" in (item.get("ctx") or {}):
            allowed = [
                v.strip().strip("'") for v in str(item["ctx"]["expected"]).replace(" or ", ",").split(",")
            ]
            error = E.InvalidRequest(
                invalid_enum_message(item.get("input"), name, [v for v in allowed if v]), reference=field
            )
        else:
            message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
            error = E.InvalidRequest(
                f"Invalid value for the field: '{name or 'body'}': {message}", reference=field
            )
        key = (field, error.detail or "")
        if key not in seen:
            seen.add(key)
            out.append(error)
    return E.SandboxErrors(out or [E.InvalidRequest("Invalid request body")])


def read_body(endpoint: Endpoint, data: Any) -> Any:
    """The body validated by the endpoint's request model (the backends take the model), or a typed
    error naming the field that did not fit."""
    if endpoint.request_model is None:
        return None
    if data is None:
        if endpoint.name == "import_customer_badges":
            raise E.InvalidRequest("The body must be a JSON array of earned badges")
        raise E.InvalidRequest("Request body is mandatory")
    if endpoint.name == "import_customer_badges":
        if not isinstance(data, list):
            raise E.InvalidRequest("The body must be a JSON array of earned badges")
        return [read_import_item(item) for item in data]
    try:
        model = _adapter(endpoint.request_model).validate_python(data)
    except ValidationError as exc:
        raise validation_errors(endpoint.name, exc) from None
    return model


def read_import_item(item: Any) -> ImportEarnedBadge | E.SandboxError:
    """One import element; a bad element fails alone (its own envelope), the others go on."""
    try:
        return ImportEarnedBadge.model_validate(item)
    except ValidationError as exc:
        return validation_errors("import_customer_badges", exc)


def read_params(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """Path parameters and the query (a repeated key joined with commas, as `status=LIVE,UPCOMING`).

    The server decodes the URL leniently (bytes that are not UTF-8 become U+FFFD); an id or filter
    holding such bytes or a NUL character is refused here, naming the parameter, rather than looked
    up as some other text.
    """
    params = dict(request.path_params)
    query = {key: ",".join(request.query_params.getlist(key)) for key in request.query_params}
    raw_query = request.scope.get("query_string", b"").replace(b"+", b" ")
    for values, raw in ((params, request.scope.get("raw_path", b"")), (query, raw_query)):
        for name, value in values.items():
            if "\x00" in value or ("\ufffd" in value and not _is_utf8(unquote_to_bytes(raw))):
                raise E.InvalidRequest(
                    f"Invalid value for the parameter: '{name}': not UTF-8 text, or holds a NUL character",
                    reference=name,
                )
    return params, query


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_query(endpoint: Endpoint, params: dict[str, str]) -> QueryModel | None:
    """The query validated by the endpoint's query model (enums, booleans, numbers, dates): the one
    reading of every parameter, handed to the backend as that model; a bad value is a 400 naming it."""
    if endpoint.query_model is None:
        return None
    try:
        return endpoint.query_model.model_validate(params)
    except ValidationError as exc:
        raise validation_errors(endpoint.name, exc) from None


CHECK_ANSWERS_ENV = "BADGES_SANDBOX_CHECK_ANSWERS"
"""Set to 1 to check every answer against its response model (the test suite does, in every sandbox
it starts). Off otherwise: the console's client reads each answer with the same models anyway, and
the check is a fifth of the sandbox's work on a 100-customer issueBulk."""


def checks_answers() -> bool:
    return os.environ.get(CHECK_ANSWERS_ENV, "") == "1"


def write_response(endpoint: Endpoint, body: Any) -> Any:
    """The answer, checked against the endpoint's response model when answers are checked.

    The check fails loudly (a 500, and a failing contract test) if the sandbox ever answers a shape
    the console's models cannot read; the body itself is already canonical wire JSON, so it is sent
    as built rather than re-serialised (half the cost of a 1,000-customer issueBulk).
    """
    if checks_answers():
        _adapter(endpoint.response_model).validate_python(body)
    return body
