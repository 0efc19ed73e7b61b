"""Client side of Capillary's Badges API: the typed client, wire models, the endpoint table and the
parsers built on it, auth, cluster presets, the request log and one error taxonomy.

``BadgesClient`` is loaded on first use: it is the only part that needs httpx, and the sandbox and the
bulk tools import the models and the endpoint table without it.
"""

from typing import TYPE_CHECKING, Any

from lib.api.auth import BasicAuth, OAuthAuth
from lib.api.clusters import CLUSTERS, resolve_base_url
from lib.api.endpoints import (
    ENDPOINTS,
    ENDPOINTS_BY_NAME,
    Endpoint,
    EndpointMatch,
    UnknownEndpointError,
    match_endpoint,
    parse_query,
    parse_request,
    parse_response,
)
from lib.api.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadgesError,
    BadRequestError,
    ConflictError,
    DuplicateRequestError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
)
from lib.api.request_log import LogEntry, RequestLog
from lib.api.resources import CustomerIdentifier, FailedItem, failed_items

if TYPE_CHECKING:
    from lib.api.client import BadgesClient

__all__ = [
    "CLUSTERS",
    "ENDPOINTS",
    "ENDPOINTS_BY_NAME",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BadgesClient",
    "BadgesError",
    "BasicAuth",
    "ConflictError",
    "CustomerIdentifier",
    "DuplicateRequestError",
    "Endpoint",
    "EndpointMatch",
    "FailedItem",
    "InternalServerError",
    "LogEntry",
    "NotFoundError",
    "OAuthAuth",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestLog",
    "RequestValidationError",
    "ResponseValidationError",
    "UnknownEndpointError",
    "failed_items",
    "match_endpoint",
    "parse_query",
    "parse_request",
    "parse_response",
    "resolve_base_url",
]


def __getattr__(name: str) -> Any:
    if name == "BadgesClient":
        from lib.api.client import BadgesClient

        return BadgesClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
