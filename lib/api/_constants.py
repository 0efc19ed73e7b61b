"""Defaults of the Badges API client, in one place."""

from __future__ import annotations

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a response (read/write/pool). Bulk calls of hundreds of customers take a while."""

DEFAULT_CONNECT_TIMEOUT = 5.0
"""Seconds to establish the connection; short, because a connect failure is always safe to retry."""

DEFAULT_MAX_RETRIES = 2
"""Extra attempts after the first one (so at most 3 requests per call)."""

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
"""Bounds of the exponential backoff (seconds), before jitter."""

MAX_RETRY_AFTER = 60.0
"""A server asking us to wait longer than this gets an error instead of a frozen console."""

OAUTH_REFRESH_MARGIN = 30.0
"""Seconds before expiry at which an OAuth token is replaced (covers clock skew and slow calls)."""

OAUTH_FALLBACK_TTL = 60.0
"""Lifetime assumed for a token whose answer has no ``ttlSeconds``."""

OAUTH_TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"
"""Header carrying the OAuth access token.

Capillary's API overview calls it ``CAP-API-ACCESS-TOKEN`` while every working example of its other APIs
sends ``X-CAP-API-OAUTH-TOKEN`` (reference doc-bug 23). We follow the examples, which are what servers
were observed to accept. A cluster that wants the other name gets ``OAuthAuth(..., header=OAUTH_TOKEN_HEADER_ALT)``.
"""

OAUTH_TOKEN_HEADER_ALT = "CAP-API-ACCESS-TOKEN"
"""The name the API overview gives the token header."""

CUSTOMER_IDENTIFIER_HEADER = "X-CAP-CUSTOMER-IDENTIFIER"
MIGRATION_HEADER = "X-CAP-BADGES-MIGRATION"
MIGRATION_HEADER_VALUE = "migration"

OAUTH_TOKEN_PATH = "/v3/oauth/token/generate"
API_PREFIX = "/api_gateway/v1/badges"

REQUEST_LOG_SIZE = 200
"""Entries kept per client in the request log."""

LOGGED_BODY_CHARS = 2000
"""Request bodies longer than this are truncated in the request log."""
