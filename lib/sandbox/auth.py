"""Who is calling: Capillary's Basic auth (password sent as its MD5 hex) and OAuth tokens.

Each credential belongs to exactly one org; the org id found here is the only org a request can
see. Secrets are compared with `hmac.compare_digest`, and an unknown user costs the same compare
as a wrong password, so timing tells nothing about which usernames exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

TOKEN_TTL_SECONDS = 3600  # the longest lifetime Capillary allows for a client's tokens
TOKEN_HEADERS = ("x-cap-api-oauth-token", "cap-api-access-token")  # the docs name both [doc-bug 23]
_NO_SUCH_USER = hashlib.md5(b"no such user").hexdigest()


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def basic_header(username: str, password: str) -> str:
    """The Authorization value Capillary expects: base64 of `username:md5hex(password)`."""
    raw = f"{username}:{md5_hex(password)}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class Credential:
    org_id: int
    username: str
    password_md5: str


class Authenticator:
    def __init__(self) -> None:
        self._by_username: dict[str, Credential] = {}
        self._tokens: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def load(self, credentials: list[Credential]) -> None:
        with self._lock:
            self._by_username = {c.username: c for c in credentials}

    def org_for_basic(self, authorization: str | None) -> int | None:
        if not authorization or authorization[:6].lower() != "basic ":
            return None
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password_md5 = decoded.partition(":")
        if not sep:
            return None
        credential = self._by_username.get(username)
        expected = credential.password_md5 if credential else _NO_SUCH_USER
        if hmac.compare_digest(password_md5.encode("utf-8"), expected.encode("utf-8")) and credential:
            return credential.org_id
        return None

    def org_for_key_secret(self, key: str, secret: str) -> int | None:
        """OAuth client key/secret: the demo orgs use their username and plain password."""
        credential = self._by_username.get(key)
        expected = credential.password_md5 if credential else _NO_SUCH_USER
        if hmac.compare_digest(md5_hex(secret).encode("utf-8"), expected.encode("utf-8")) and credential:
            return credential.org_id
        return None

    def issue_token(self, org_id: int) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
            self._tokens[token] = (org_id, now + TOKEN_TTL_SECONDS)
        return token, TOKEN_TTL_SECONDS

    def org_for_token(self, token: str | None) -> int | None:
        if not token:
            return None
        found = self._tokens.get(token)
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]
