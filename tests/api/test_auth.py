"""Basic auth as Capillary builds it, OAuth token renewal, and secrets kept out of sight."""

import base64
import threading

import pytest
from pydantic import SecretStr

from lib.api._constants import OAUTH_TOKEN_HEADER, OAUTH_TOKEN_HEADER_ALT
from lib.api.auth import BasicAuth, IssuedToken, OAuthAuth, basic_header_value, md5_hex
from lib.api.errors import RequestValidationError


def test_md5_of_the_documented_example():
    assert md5_hex("server123") == "8a16a6b70505eb1f1ff7cdc0cd5559a7"


def test_basic_header_for_a_known_till():
    header = BasicAuth("store.server", "server123").headers()["Authorization"]
    assert header == "Basic " + base64.b64encode(b"store.server:8a16a6b70505eb1f1ff7cdc0cd5559a7").decode()
    assert header == basic_header_value("store.server", "server123")
    assert header == "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"


def test_basic_auth_accepts_a_secret_str():
    assert BasicAuth("demo", SecretStr("demo")).headers() == BasicAuth("demo", "demo").headers()


@pytest.mark.parametrize(("user", "password"), [("", "x"), ("  ", "x"), ("a:b", "x"), ("demo", "")])
def test_basic_auth_refuses_unusable_credentials(user, password):
    with pytest.raises(RequestValidationError):
        BasicAuth(user, password)


def test_basic_auth_never_shows_the_password_or_header():
    auth = BasicAuth("store.server", "server123")
    header = auth.headers()["Authorization"]
    for text in (repr(auth), str(auth), f"{auth}", repr([auth])):
        assert "server123" not in text
        assert "8a16a6b70505eb1f1ff7cdc0cd5559a7" not in text
        assert header.split()[1] not in text
    assert auth.placeholder_headers() == {"Authorization": "$CAPILLARY_AUTH"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TokenServer:
    def __init__(self, ttl: float = 300) -> None:
        self.ttl = ttl
        self.issued = 0
        self.seen: list[tuple[str, str]] = []

    def __call__(self, auth: OAuthAuth) -> IssuedToken:
        self.issued += 1
        body = auth.credentials_body()
        self.seen.append((body["key"], body["secret"]))
        return IssuedToken(SecretStr(f"token-{self.issued}"), self.ttl)


def test_oauth_fetches_once_and_reuses_the_token():
    clock, server = Clock(), TokenServer(ttl=300)
    auth = OAuthAuth("client-key", "client-secret", refresh_margin=30, clock=clock)
    assert auth.headers(server) == {OAUTH_TOKEN_HEADER: "token-1"}
    clock.now += 200
    assert auth.headers(server) == {OAUTH_TOKEN_HEADER: "token-1"}
    assert server.issued == 1
    assert server.seen == [("client-key", "client-secret")]


def test_oauth_renews_before_the_ttl_runs_out():
    clock, server = Clock(), TokenServer(ttl=300)
    auth = OAuthAuth("k", "s", refresh_margin=30, clock=clock)
    auth.headers(server)
    clock.now += 269.9
    assert auth.headers(server)[OAUTH_TOKEN_HEADER] == "token-1"
    clock.now += 0.1  # 30 s before expiry
    assert auth.headers(server)[OAUTH_TOKEN_HEADER] == "token-2"
    assert auth.expires_in == pytest.approx(300)


def test_short_tokens_are_not_renewed_on_every_request():
    clock, server = Clock(), TokenServer(ttl=20)
    auth = OAuthAuth("k", "s", refresh_margin=30, clock=clock)
    auth.headers(server)
    clock.now += 9
    auth.headers(server)
    assert server.issued == 1
    clock.now += 1  # half the TTL
    auth.headers(server)
    assert server.issued == 2


def test_invalidate_forces_a_new_token():
    clock, server = Clock(), TokenServer()
    auth = OAuthAuth("k", "s", clock=clock)
    auth.headers(server)
    auth.invalidate()
    assert auth.headers(server)[OAUTH_TOKEN_HEADER] == "token-2"


def test_concurrent_requests_share_one_renewal():
    server = TokenServer()
    started = threading.Barrier(8)
    auth = OAuthAuth("k", "s")

    def slow_server(a):
        return server(a)

    results = []

    def worker():
        started.wait()
        results.append(auth.headers(slow_server)[OAUTH_TOKEN_HEADER])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.issued == 1
    assert set(results) == {"token-1"}


def test_oauth_never_shows_secret_or_token():
    auth = OAuthAuth("client-key", "client-secret", clock=Clock())
    auth.headers(TokenServer())
    for text in (repr(auth), str(auth), repr([auth])):
        assert "client-secret" not in text
        assert "token-1" not in text
        assert "client-key" not in text
    assert auth.placeholder_body() == {"key": "$CAPILLARY_OAUTH_KEY", "secret": "$CAPILLARY_OAUTH_SECRET"}
    assert auth.placeholder_headers() == {OAUTH_TOKEN_HEADER: "$CAPILLARY_OAUTH_TOKEN"}


@pytest.mark.parametrize(("key", "secret"), [("", "s"), ("k", "")])
def test_oauth_refuses_missing_credentials(key, secret):
    with pytest.raises(RequestValidationError):
        OAuthAuth(key, secret)


def test_the_overview_header_name_can_be_chosen():
    auth = OAuthAuth("k", "s", clock=Clock(), header=OAUTH_TOKEN_HEADER_ALT)
    assert auth.headers(TokenServer()) == {"CAP-API-ACCESS-TOKEN": "token-1"}
    assert auth.placeholder_headers() == {"CAP-API-ACCESS-TOKEN": "$CAPILLARY_OAUTH_TOKEN"}
    with pytest.raises(RequestValidationError):
        OAuthAuth("k", "s", header="X-Anything")
