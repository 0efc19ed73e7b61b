"""The Badges API client: one instance per user connection (base URL + credentials).

    client = BadgesClient("eu", BasicAuth("store.server", "server123"))
    badge = client.get_badge(badge_id="696e2234eba5957293853195")
    for summary in client.iter_badges(status=[BadgeStatus.LIVE]):
        ...

Configuration precedence is simply constructor arguments over the defaults in ``_constants.py``; the
console reads secrets and passes them in, this module reads no environment.

Decisions written down once:

- This is the only module of ``lib/api`` that imports httpx; everything else (errors, retry policy,
  auth, request log, pagination) is plain Python and testable without a network.
- TLS verification is always on and cannot be switched off: the requests carry org credentials.
- ``trust_env=False``: proxies, netrc credentials and CA overrides are not picked up from the
  environment, so a stray ``HTTPS_PROXY`` or ``~/.netrc`` can neither see nor alter our Authorization
  header. A proxy is opt-in with ``proxy=``.
- Redirects are not followed: a 3xx becomes an ``APIStatusError`` instead of re-sending credentials
  elsewhere.
- Retries happen here and only here (the transport's own retries stay 0). The policy and its reasons
  are in ``retry.py``: reads retry on anything transient, writes only when nothing left the machine
  or when they carry a requestId, which is then reused with a byte-identical body.
- Every attempt is recorded in this client's ``RequestLog`` without secrets.
"""

from __future__ import annotations

import json as jsonlib
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any

import certifi
import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from lib.api import _constants as defaults
from lib.api.auth import OAUTH_PLACEHOLDER_BODY, SECRET_HEADERS, Auth, IssuedToken, OAuthAuth
from lib.api.clusters import resolve_base_url
from lib.api.endpoints import match_endpoint, parse_request, parse_response
from lib.api.errors import (
    APIConnectionError,
    APITimeoutError,
    RequestValidationError,
    ResponseValidationError,
    make_status_error,
)
from lib.api.models import OAuthToken, OAuthTokenRequest
from lib.api.request_log import LogEntry, RequestLog, body_text, redact_headers
from lib.api.resources import BadgeEndpoints, CustomerIdentifier, FailedItem, build_model, failed_items
from lib.api.retry import retry_delay, should_retry

__all__ = ["BadgesClient", "CustomerIdentifier", "FailedItem", "RawResponse", "failed_items"]

USER_AGENT = "badge-console/0.1 (+httpx)"

Params = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A 2xx answer before it is read into models (what ``send_raw`` returns)."""

    status_code: int
    headers: Mapping[str, str]
    text: str
    attempts: int

    def json(self) -> Any:
        return jsonlib.loads(self.text) if self.text.strip() else None


class BadgesClient(BadgeEndpoints):
    """Typed access to every Badges endpoint (#1-#28, methods in ``resources.py``) and OAuth tokens.

    ``base_url`` is a cluster preset (``india``, ``apac2``, ``eu``, ``us``, ``china``) or an https URL
    (http only for the local sandbox on loopback). ``auth`` is ``BasicAuth`` or ``OAuthAuth``.
    ``max_retries`` counts extra attempts after the first. ``transport`` replaces the network (tests pass
    ``httpx.MockTransport``; the console can pass the embedded sandbox's transport). ``sleep``, ``now``
    and ``rng`` are injectable so retry tests run instantly and deterministically.

    Thread-safe: the bulk runner's worker and page reruns may share one client.
    """

    def __init__(
        self,
        base_url: str,
        auth: Auth,
        *,
        timeout: float = defaults.DEFAULT_TIMEOUT,
        connect_timeout: float = defaults.DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = defaults.DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
        request_log: RequestLog | None = None,
        proxy: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.max_retries, self.timeout, self.connect_timeout = _checked_settings(
            max_retries, timeout, connect_timeout
        )
        self.base_url = resolve_base_url(base_url)
        self.auth = auth
        self.request_log = request_log if request_log is not None else RequestLog()
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()
        self._owns_http = True
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            proxy=proxy,
            verify=_tls_context(),
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    # ---- lifecycle ---------------------------------------------------------------------------

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
    ) -> BadgesClient:
        """A copy sharing connections, credentials and request log, with other retry/timeout settings.

        Bulk jobs use ``client.with_options(max_retries=0)`` to send each write exactly once and decide
        themselves, from the exception's ``sent``/``ambiguous``, what to do next.
        """
        copy = object.__new__(BadgesClient)
        copy.__dict__.update(self.__dict__)
        copy._owns_http = False
        copy.max_retries, copy.timeout, copy.connect_timeout = _checked_settings(
            self.max_retries if max_retries is None else max_retries,
            self.timeout if timeout is None else timeout,
            self.connect_timeout if connect_timeout is None else connect_timeout,
        )
        return copy

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> BadgesClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"BadgesClient(base_url={self.base_url!r}, auth={self.auth!r}, max_retries={self.max_retries})"

    # ---- low level ---------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request to any documented endpoint and return the parsed response model.

        ``json`` may be a model (sent as its wire form) or plain JSON data, which is first checked
        against the endpoint's request model (``RequestValidationError``, nothing sent). The typed
        methods below are built on this.
        """
        method = method.upper()
        path = _normalise_path(path)
        match_endpoint(method, path)  # an unknown call is refused before anything is sent
        body = _wire(json)
        if body is not None:
            _validate_request(method, path, body)
        raw = self.send_raw(method, path, json=body, params=params, headers=headers)
        return self._parse(method, path, raw)

    def send_raw(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> RawResponse:
        """Send with retries and error mapping, but return the 2xx answer unparsed."""
        method = method.upper()
        path = _normalise_path(path)
        body = _wire(json)
        repeatable = isinstance(body, Mapping) and bool(body.get("requestId"))
        return self._call(method, path, body=body, params=params, headers=headers, repeatable=repeatable)

    def _parse(self, method: str, path: str, raw: RawResponse) -> Any:
        try:
            data = raw.json()
        except ValueError:
            raise ResponseValidationError(
                f"HTTP {raw.status_code} answer is not JSON",
                body=raw.text,
                status_code=raw.status_code,
                method=method,
                path=path,
            ) from None
        try:
            parsed = parse_response(method, path, data)
        except ResponseValidationError as exc:
            exc.body, exc.status_code = raw.text, raw.status_code  # the bytes as received, for diagnosis
            exc.method, exc.path = method, path
            raise
        except ValidationError as exc:
            error = ResponseValidationError.from_pydantic(exc, body=raw.text)
            error.status_code, error.method, error.path = raw.status_code, method, path
            raise error from None
        _raise_for_envelope_errors(parsed, raw, method, path)
        return parsed

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any,
        params: Params | None,
        headers: Mapping[str, str] | None,
        repeatable: bool,
        authenticated: bool = True,
        logged_body: Any = None,
    ) -> RawResponse:
        """Send, retrying per ``retry.should_retry``; raise the mapped error when giving up."""
        content = None if body is None else _json_bytes(body)
        if logged_body is None and content is not None:
            logged_body = content.decode()  # the bytes sent, not a second encoding of the body
        query = _query(params)
        extra = _checked_headers(headers)
        attempt = 0
        ambiguous_before = False
        refreshed_token = False
        while True:
            # Outside the try: a failed token request is its own error, not this request's.
            auth_headers = self.auth.headers(self._fetch_token) if authenticated else {}
            try:
                response = self._attempt(
                    method,
                    path,
                    content=content,
                    query=query,
                    headers={**extra, **auth_headers},
                    attempt=attempt + 1,
                    logged_body=logged_body,
                )
            except APIConnectionError as exc:
                ambiguous_before = ambiguous_before or exc.sent
                if not should_retry(
                    method,
                    status=None,
                    sent=exc.sent,
                    has_request_id=repeatable,
                    attempt=attempt,
                    max_retries=self.max_retries,
                ):
                    exc.sent = ambiguous_before  # an earlier attempt may have arrived
                    raise
                self._sleep(retry_delay(attempt, None, now=self._now(), rng=self._rng))
                attempt += 1
                continue

            if response.is_success:
                return RawResponse(response.status_code, response.headers, response.text, attempt + 1)

            error = make_status_error(
                response.status_code,
                response.content,
                response.headers,
                method=method,
                path=path,
                after_ambiguous_attempt=ambiguous_before,
                now=self._now(),
            )
            if (
                response.status_code == 401
                and authenticated
                and isinstance(self.auth, OAuthAuth)
                and not refreshed_token
            ):
                # The token may have expired early or been revoked; a 401 was not processed, so one
                # resend with a fresh token is safe even for writes.
                self.auth.invalidate()
                refreshed_token = True
                continue
            if not should_retry(
                method,
                status=response.status_code,
                sent=True,
                has_request_id=repeatable,
                attempt=attempt,
                max_retries=self.max_retries,
            ):
                raise error
            delay = retry_delay(attempt, response.headers.get("retry-after"), now=self._now(), rng=self._rng)
            if delay > defaults.MAX_RETRY_AFTER:
                raise error
            ambiguous_before = ambiguous_before or error.ambiguous
            self._sleep(delay)
            attempt += 1

    def _attempt(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        attempt: int,
        logged_body: Any,
    ) -> httpx.Response:
        request_headers = dict(headers)
        if content is not None:
            request_headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            method,
            path,
            params=query,
            content=content,
            headers=request_headers,
            timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
        )
        started = time.perf_counter()
        timestamp = self._now()
        failure: APIConnectionError | None = None
        response: httpx.Response | None = None
        try:
            response = self._http.send(request)
            response.read()
        except httpx.TransportError as exc:
            failure = _connection_error(exc, method, path)
        latency_ms = (time.perf_counter() - started) * 1000
        text, truncated = body_text(logged_body)
        self.request_log.append(
            LogEntry(
                timestamp=timestamp,
                method=method,
                base_url=self.base_url,
                path=path,
                query=tuple(query),
                headers=redact_headers(
                    {k: v for k, v in request.headers.items() if k.lower() not in _UNLOGGED_HEADERS},
                    self.auth.placeholder_headers(),
                ),
                request_body=text,
                body_truncated=truncated,
                status=response.status_code if response is not None else None,
                latency_ms=round(latency_ms, 1),
                error_codes=_error_codes(response),
                failure=None if failure is None else f"{type(failure).__name__}: {failure.message}",
                attempt=attempt,
            )
        )
        if failure is not None:
            raise failure
        assert response is not None
        return response

    def _fetch_token(self, auth: OAuthAuth) -> IssuedToken:
        token = self._generate_token(auth.key, auth.secret, logged_body=auth.placeholder_body())
        access = token.access_token
        if not isinstance(access, SecretStr):
            access = SecretStr(access)
        # No TTL in the answer: assume a short one rather than keep a token the server already dropped.
        ttl = token.ttl_seconds if token.ttl_seconds is not None else defaults.OAUTH_FALLBACK_TTL
        return IssuedToken(access_token=access, ttl_seconds=float(ttl))

    def _generate_token(self, key: str, secret: SecretStr, *, logged_body: Any) -> Any:
        path = defaults.OAUTH_TOKEN_PATH
        raw = self._call(
            "POST",
            path,
            body={"key": key, "secret": secret.get_secret_value()},
            params=None,
            headers=None,
            repeatable=True,  # a second token is harmless
            authenticated=False,
            logged_body=logged_body,
        )
        try:
            envelope = parse_response("POST", path, raw.json())
        except (ValueError, ValidationError, ResponseValidationError):
            # Raised without the body and without chaining: the answer may hold an access token.
            raise ResponseValidationError(
                "the OAuth token answer is not in the documented shape",
                status_code=raw.status_code,
                method="POST",
                path=path,
            ) from None
        _raise_for_envelope_errors(envelope, raw, "POST", path)
        if envelope.data is None:
            raise ResponseValidationError("the OAuth token answer has no data", status_code=raw.status_code)
        return envelope.data

    # OAuth

    def generate_oauth_token(self, *, key: str, secret: str | SecretStr) -> OAuthToken:
        """``POST /v3/oauth/token/generate`` (no auth). ``OAuthAuth`` calls this by itself; use it
        directly only to check a key/secret pair. Key and secret are logged as placeholders."""
        plain = secret if isinstance(secret, SecretStr) else SecretStr(secret)
        build_model(OAuthTokenRequest, key=key, secret=plain)
        return self._generate_token(key, plain, logged_body=OAUTH_PLACEHOLDER_BODY)


# ---- helpers ---------------------------------------------------------------------------------

_UNLOGGED_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "host", "content-length"})
_FORBIDDEN_HEADERS = SECRET_HEADERS | {"host"}


@cache
def _tls_context() -> ssl.SSLContext:
    """The certificate check every client of the process shares (certifi's roots, as httpx's default).

    Loading the roots costs tens of milliseconds, and each console session builds its own client
    on its first page; the context holds no credentials, only what servers are trusted."""
    return ssl.create_default_context(cafile=certifi.where())


def _json_bytes(body: Any) -> bytes:
    """The exact bytes sent (and resent on a retry); NaN and non-JSON values are refused here."""
    try:
        return jsonlib.dumps(body, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise RequestValidationError(f"the request body is not valid JSON: {exc}") from None


def _checked_settings(max_retries: int, timeout: float, connect_timeout: float) -> tuple[int, float, float]:
    if max_retries < 0:
        raise RequestValidationError("max_retries must be 0 or more")
    if timeout <= 0 or connect_timeout <= 0:
        raise RequestValidationError("timeouts must be positive")
    return max_retries, timeout, connect_timeout


def _connection_error(exc: httpx.TransportError, method: str, path: str) -> APIConnectionError:
    """Map an httpx failure, deciding whether the request may have reached the server."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return APITimeoutError(
            f"{kind}: no connection within the timeout", sent=False, method=method, path=path
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{kind}: no answer within the timeout (the request may have been processed)",
            sent=True,
            method=method,
            path=path,
        )
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError | httpx.UnsupportedProtocol):
        return APIConnectionError(f"{kind}: could not connect ({exc})", sent=False, method=method, path=path)
    return APIConnectionError(
        f"{kind}: connection lost (the request may have been processed)", sent=True, method=method, path=path
    )


def _raise_for_envelope_errors(parsed: Any, raw: RawResponse, method: str, path: str) -> None:
    """A 2xx whose envelope holds top-level errors and no data is a failure (1051 comes that way)."""
    if isinstance(parsed, list):
        return  # import (#14): one envelope per item, errors stay on the items
    data = getattr(parsed, "data", None)
    errors = getattr(parsed, "errors", None)
    if data is None and errors:
        raise make_status_error(raw.status_code, raw.text, raw.headers, method=method, path=path)


def _validate_request(method: str, path: str, body: Any) -> None:
    try:
        parse_request(method, path, body)
    except RequestValidationError:
        raise
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


def _wire(body: Any) -> Any:
    if body is None:
        return None
    if isinstance(body, BaseModel):
        to_wire = getattr(body, "to_wire", None)
        return to_wire() if to_wire else body.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(body, list | tuple):
        return [_wire(item) for item in body]
    return body


def _normalise_path(path: str) -> str:
    if "://" in path or not path.startswith("/"):
        raise RequestValidationError(f"path must be relative to the cluster and start with '/': {path!r}")
    while "//" in path:
        path = path.replace("//", "/")
    return path


def _query(params: Params | None) -> list[tuple[str, str]]:
    """Query values as Capillary expects them: booleans lower case, lists comma-joined, None dropped."""
    items: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        text = _query_value(value)
        if text is not None:
            items.append((name, text))
    return items


def _query_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise RequestValidationError("datetime query values must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list | tuple | set | frozenset):
        parts = [p for p in (_query_value(v) for v in value) if p is not None]
        return ",".join(parts) if parts else None
    return str(value)


def _checked_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    checked = {}
    for name, value in (headers or {}).items():
        if name.lower() in _FORBIDDEN_HEADERS:
            raise RequestValidationError(f"header {name} is set by the client; pass credentials as auth")
        checked[name] = value
    return checked


def _error_codes(response: httpx.Response | None) -> tuple[int, ...]:
    """Capillary codes for the log: error answers, and small 2xx ones (1051 arrives in a 200)."""
    if response is None or (response.is_success and len(response.content) > 16_384):
        return ()
    if b'"code"' not in response.content:  # most answers: nothing to decode for the log
        return ()
    try:
        data = response.json()
    except ValueError:
        return ()
    items = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(i["code"] for i in items if isinstance(i, dict) and isinstance(i.get("code"), int))
