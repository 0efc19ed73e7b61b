"""Client side of Capillary's Badges API: wire models, the endpoint table and the parsers built on it."""

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

__all__ = [
    "ENDPOINTS",
    "ENDPOINTS_BY_NAME",
    "Endpoint",
    "EndpointMatch",
    "UnknownEndpointError",
    "match_endpoint",
    "parse_query",
    "parse_request",
    "parse_response",
]
