"""How requests prove who they are: Capillary Basic auth or an OAuth access token.

Auth objects turn credentials into request headers and nothing else; they never do I/O themselves.
OAuth needs a token from ``POST /v3/oauth/token/generate``: the client hands ``headers()`` a function
that performs that call, so this module stays free of the HTTP library.

Secrets are held in ``pydantic.SecretStr`` and never appear in ``repr``/``str`` of these objects; the
request log and curl export use ``placeholder_headers()`` instead of the real ones.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr

from lib.api._constants import OAUTH_REFRESH_MARGIN, OAUTH_TOKEN_HEADER, OAUTH_TOKEN_HEADER_ALT
from lib.api.errors import FieldProblem, RequestValidationError

BASIC_AUTH_PLACEHOLDER = "$CAPILLARY_AUTH"
OAUTH_TOKEN_PLACEHOLDER = "$CAPILLARY_OAUTH_TOKEN"
OAUTH_KEY_PLACEHOLDER = "$CAPILLARY_OAUTH_KEY"
OAUTH_SECRET_PLACEHOLDER = "$CAPILLARY_OAUTH_SECRET"
PLACEHOLDERS = (
    BASIC_AUTH_PLACEHOLDER,
    OAUTH_TOKEN_PLACEHOLDER,
    OAUTH_KEY_PLACEHOLDER,
    OAUTH_SECRET_PLACEHOLDER,
)
"""Shell variables that stand in for credentials in logged requests and curl commands."""

OAUTH_PLACEHOLDER_BODY = {"key": OAUTH_KEY_PLACEHOLDER, "secret": OAUTH_SECRET_PLACEHOLDER}
"""The token request body as it may be logged or shown."""

SECRET_HEADERS = frozenset(
    {
        "authorization",
        OAUTH_TOKEN_HEADER.lower(),
        OAUTH_TOKEN_HEADER_ALT.lower(),
        "cookie",
        "proxy-authorization",
    }
)
"""Header names (lower case) whose values must never be logged or shown."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An access token as ``/v3/oauth/token/generate`` returned it."""

    access_token: SecretStr
    ttl_seconds: float


TokenFetcher = Callable[["OAuthAuth"], IssuedToken]
"""Performs the token call for the given credentials (supplied by the client)."""


class Auth(Protocol):
    """What the client needs from an authentication method."""

    def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        """Headers that authenticate the next request (may fetch or refresh a token)."""
        ...

    def placeholder_headers(self) -> dict[str, str]:
        """The same header names with shell-variable placeholders, for curl commands and logs."""
        ...

    def invalidate(self) -> None:
        """Forget any cached token (after a 401), so the next request gets a fresh one."""
        ...


def md5_hex(password: str) -> str:
    """Capillary hashes the till password with MD5 (lowercase hex) before Basic-encoding it."""
    return hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()


def basic_header_value(username: str, password: str) -> str:
    """``Basic base64("<username>:<md5 hex of password>")``, exactly as Capillary builds it."""
    raw = f"{username}:{md5_hex(password)}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class BasicAuth:
    """Till username and password; the password is hashed once and only the header is kept."""

    __slots__ = ("_header", "username")

    def __init__(self, username: str, password: str | SecretStr) -> None:
        plain = password.get_secret_value() if isinstance(password, SecretStr) else password
        problems = []
        if not username or not username.strip():
            problems.append(FieldProblem("username", "required"))
        elif ":" in username:
            problems.append(FieldProblem("username", "must not contain ':'"))
        if not plain:
            problems.append(FieldProblem("password", "required"))
        if problems:
            raise RequestValidationError(
                "Basic auth: " + "; ".join(str(p) for p in problems), problems=problems
            )
        self.username = username.strip()
        self._header = SecretStr(basic_header_value(self.username, plain))

    def headers(self, fetch_token: TokenFetcher | None = None) -> dict[str, str]:
        return {"Authorization": self._header.get_secret_value()}

    def placeholder_headers(self) -> dict[str, str]:
        return {"Authorization": BASIC_AUTH_PLACEHOLDER}

    def invalidate(self) -> None:
        """Basic credentials have nothing cached to forget."""

    def __repr__(self) -> str:
        # The till username is an account name, not a secret; showing it tells connections apart.
        return f"BasicAuth(username={self.username!r}, password='**********')"

    __str__ = __repr__


class OAuthAuth:
    """OAuth client key and secret; keeps the current access token and renews it before it expires.

    A token is replaced ``refresh_margin`` seconds before its TTL runs out (at most half the TTL, so a
    short-lived token is not renewed on every request), which covers clock skew and slow requests.
    The lock makes concurrent requests (the bulk runner's worker plus page reruns) share one renewal.
    ``clock`` is a monotonic seconds source, injectable for tests.
    """

    def __init__(
        self,
        key: str,
        secret: str | SecretStr,
        *,
        refresh_margin: float = OAUTH_REFRESH_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        header: str = OAUTH_TOKEN_HEADER,
    ) -> None:
        plain = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        problems = []
        if not key or not key.strip():
            problems.append(FieldProblem("key", "required"))
        if not plain:
            problems.append(FieldProblem("secret", "required"))
        if problems:
            raise RequestValidationError("OAuth: " + "; ".join(str(p) for p in problems), problems=problems)
        self.key = key.strip()
        self.secret = SecretStr(plain)
        if header.lower() not in {OAUTH_TOKEN_HEADER.lower(), OAUTH_TOKEN_HEADER_ALT.lower()}:
            raise RequestValidationError(f"OAuth: unknown token header {header!r}")
        self.header = header
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: SecretStr | None = None
        self._expires_at = 0.0
        self._renew_at = 0.0

    def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        return {self.header: self.token(fetch_token).get_secret_value()}

    def token(self, fetch_token: TokenFetcher) -> SecretStr:
        """The current token, fetching a new one when none is held or it is due for renewal."""
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                started = self._clock()
                issued = fetch_token(self)
                ttl = max(0.0, float(issued.ttl_seconds))
                margin = min(self.refresh_margin, ttl / 2)
                self._token = issued.access_token
                # Measured from before the call: the server's TTL started while we waited for it.
                self._expires_at = started + ttl
                self._renew_at = self._expires_at - margin
            return self._token

    @property
    def expires_in(self) -> float | None:
        """Seconds until the held token expires (None when no token is held)."""
        with self._lock:
            if self._token is None:
                return None
            return self._expires_at - self._clock()

    def credentials_body(self) -> dict[str, str]:
        """The body of the token request (contains the secret: never log it)."""
        return {"key": self.key, "secret": self.secret.get_secret_value()}

    def placeholder_body(self) -> dict[str, str]:
        """The token request body as it may be logged or shown."""
        return dict(OAUTH_PLACEHOLDER_BODY)

    def placeholder_headers(self) -> dict[str, str]:
        return {self.header: OAUTH_TOKEN_PLACEHOLDER}

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def __repr__(self) -> str:
        held = "held" if self._token is not None else "none"
        return f"OAuthAuth(key={_masked(self.key)!r}, secret='**********', token={held})"

    __str__ = __repr__


def _masked(key: str) -> str:
    """Enough of a client key to recognise it, not enough to use it."""
    return f"{key[:4]}..." if len(key) > 8 else "****"
