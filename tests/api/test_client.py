"""The client's send path against httpx.MockTransport: auth headers, retries, error mapping, logging.

The fake server answers from a script per (method, path) and refuses anything unexpected, so every
test also proves which requests were (not) sent.
"""

from __future__ import annotations

import base64
import json
import random
from collections import defaultdict, deque
from datetime import UTC, datetime

import httpx
import pytest

from lib.api._constants import CUSTOMER_IDENTIFIER_HEADER, OAUTH_TOKEN_HEADER
from lib.api.auth import BasicAuth, OAuthAuth
from lib.api.client import BadgesClient
from lib.api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DuplicateRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
)

BASE = "https://eu.api.capillarytech.com"
BADGE_ID = "696e2234eba5957293853195"
BADGES = "/api_gateway/v1/badges"
ISSUE_BULK = f"{BADGES}/badgeMeta/customer/issueBulk"
IMPORT = f"{BADGES}/import/customerBadges"
TOKEN = "/v3/oauth/token/generate"
NOW = datetime(2026, 1, 19, 12, 0, tzinfo=UTC)

PASSWORD = "server123"
PASSWORD_MD5 = "8a16a6b70505eb1f1ff7cdc0cd5559a7"
BASIC_VALUE = base64.b64encode(f"store.server:{PASSWORD_MD5}".encode()).decode()


def envelope(data=None, *errors, status=200, headers=None):
    body = {
        "data": data,
        "errors": list(errors) if errors else ([] if data is not None else None),
        "warnings": [],
    }
    return httpx.Response(status, json=body, headers=headers)


def error(code, message, reference=None):
    return {"code": code, "message": message, "reference": reference}


def badge(**fields):
    return {"id": BADGE_ID, "name": "Coffee Lover", "earnType": "EARN", **fields}


class Server:
    """Scripted answers per (method, path); each answer is a Response, an exception or a callable."""

    def __init__(self) -> None:
        self.script: dict[tuple[str, str], deque] = defaultdict(deque)
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *answers) -> Server:
        self.script[(method, path)].extend(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        queue = self.script.get(key)
        if not queue:
            raise AssertionError(f"unexpected request {key}")
        answer = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def count(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if (r.method, r.url.path) == (method, path))


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server():
    return Server()


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_client(server, sleeps):
    clients = []

    def build(auth=None, **options) -> BadgesClient:
        client = BadgesClient(
            BASE,
            auth or BasicAuth("store.server", PASSWORD),
            transport=httpx.MockTransport(server),
            sleep=sleeps,
            now=lambda: NOW,
            rng=random.Random(7),
            **options,
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client):
    return make_client()


def issue_answer(request):
    body = json.loads(request.content)
    items = [
        {"customerId": c, "issuedId": "6970" + "0" * 20, "status": "ACTIVE", "error": None}
        for c in body["customers"]
    ]
    return envelope(
        {"badgeMetaId": body["badgeMetaId"], "issuedBadges": items, "requestId": body["requestId"]}
    )


# ---- authentication ---------------------------------------------------------------------------


def test_basic_header_is_capillarys_md5_form(server, client):
    server.on("GET", f"{BADGES}/badgeMeta/{BADGE_ID}", envelope(badge()))
    client.get_badge(badge_id=BADGE_ID)
    sent = server.requests[0]
    assert sent.headers["Authorization"] == f"Basic {BASIC_VALUE}"
    assert sent.headers["Accept"] == "application/json"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def token_answers(*ttls):
    issued = iter(range(1, 100))
    return lambda request: envelope({"accessToken": f"jwt-{next(issued)}", "ttlSeconds": ttls[0]})


def test_oauth_fetches_a_token_then_renews_it_before_the_ttl(server, make_client):
    clock = Clock()
    auth = OAuthAuth("client-key", "client-secret", refresh_margin=30, clock=clock)
    client = make_client(auth)
    server.on("POST", TOKEN, token_answers(300))
    server.on("GET", f"{BADGES}/badgeMeta/{BADGE_ID}", envelope(badge()))

    client.get_badge(badge_id=BADGE_ID)
    clock.now = 200
    client.get_badge(badge_id=BADGE_ID)
    assert server.count("POST", TOKEN) == 1
    clock.now = 271  # inside the 30 s margin before expiry at 300
    client.get_badge(badge_id=BADGE_ID)
    assert server.count("POST", TOKEN) == 2

    token_requests = [r for r in server.requests if r.url.path == TOKEN]
    assert json.loads(token_requests[0].content) == {"key": "client-key", "secret": "client-secret"}
    assert "authorization" not in token_requests[0].headers
    reads = [r for r in server.requests if r.url.path != TOKEN]
    assert [r.headers[OAUTH_TOKEN_HEADER] for r in reads] == ["jwt-1", "jwt-1", "jwt-2"]
    assert all("authorization" not in r.headers for r in reads)


def test_oauth_401_gets_one_fresh_token_and_one_resend(server, make_client):
    auth = OAuthAuth("k", "s", clock=Clock())
    client = make_client(auth)
    server.on("POST", TOKEN, token_answers(300))
    server.on(
        "PUT",
        f"{BADGES}/badgeMeta/{BADGE_ID}/deactivate",
        envelope(None, error(401, "token expired"), status=401),
        envelope({"id": BADGE_ID, "isActive": False}),
    )
    assert client.deactivate_badge(badge_id=BADGE_ID).is_active is False
    assert server.count("POST", TOKEN) == 2
    assert server.count("PUT", f"{BADGES}/badgeMeta/{BADGE_ID}/deactivate") == 2


def test_basic_401_is_not_retried(server, client):
    server.on("GET", f"{BADGES}/badgeMeta/{BADGE_ID}", envelope(None, error(401, "Unauthorized"), status=401))
    with pytest.raises(AuthenticationError):
        client.get_badge(badge_id=BADGE_ID)
    assert len(server.requests) == 1


# ---- retries ----------------------------------------------------------------------------------


def test_reads_retry_on_5xx_and_connection_errors(server, client, sleeps):
    path = f"{BADGES}/badgeMeta/{BADGE_ID}"
    server.on(
        "GET",
        path,
        httpx.Response(503),
        httpx.ConnectError("refused"),
        envelope(badge()),
    )
    assert client.get_badge(badge_id=BADGE_ID).name == "Coffee Lover"
    assert server.count("GET", path) == 3
    assert len(sleeps) == 2 and all(0 <= s <= 1.0 for s in sleeps)


def test_reads_give_up_after_max_retries(server, client, sleeps):
    path = f"{BADGES}/badgeMeta/{BADGE_ID}"
    server.on("GET", path, httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(InternalServerError) as info:
        client.get_badge(badge_id=BADGE_ID)
    assert server.count("GET", path) == 3  # 1 + max_retries (2)
    assert info.value.status_code == 502


def test_retry_after_seconds_and_http_date_are_honoured(server, client, sleeps):
    path = f"{BADGES}/badgeMeta/{BADGE_ID}"
    server.on(
        "GET",
        path,
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(503, headers={"Retry-After": "Mon, 19 Jan 2026 12:00:20 GMT"}),
        envelope(badge()),
    )
    client.get_badge(badge_id=BADGE_ID)
    assert sleeps[0] >= 3.0
    assert sleeps[1] >= 20.0
    assert len(sleeps) == 2


def test_a_retry_after_beyond_the_cap_is_returned_not_waited(server, client, sleeps):
    path = f"{BADGES}/badgeMeta/{BADGE_ID}"
    server.on("GET", path, httpx.Response(429, headers={"Retry-After": "600"}))
    with pytest.raises(RateLimitError) as info:
        client.get_badge(badge_id=BADGE_ID)
    assert info.value.retry_after == 600
    assert sleeps == []
    assert server.count("GET", path) == 1


def test_writes_without_request_id_are_never_resent_after_they_may_have_arrived(server, client):
    path = f"{BADGES}/badgeMeta/{BADGE_ID}/claim"
    server.on("POST", path, httpx.Response(503))
    with pytest.raises(InternalServerError) as info:
        client.claim_badge(badge_id=BADGE_ID, owner_type="Loyalty", reference_id="42")
    assert server.count("POST", path) == 1
    assert info.value.ambiguous

    server.script.clear()
    server.on("POST", path, httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as timeout:
        client.claim_badge(badge_id=BADGE_ID, owner_type="Loyalty", reference_id="42")
    assert server.count("POST", path) == 2  # one more request, not three
    assert timeout.value.sent and timeout.value.ambiguous


def test_a_write_is_resent_when_the_connection_never_opened(server, client):
    path = f"{BADGES}/badgeMeta/{BADGE_ID}/claim"
    server.on(
        "POST",
        path,
        httpx.ConnectError("Name or service not known"),
        httpx.ConnectTimeout("connect timeout"),
        envelope({"ownerType": "Loyalty", "referenceId": "42", "isActive": True}),
    )
    claim = client.claim_badge(badge_id=BADGE_ID, owner_type="Loyalty", reference_id="42")
    assert claim.is_active
    assert server.count("POST", path) == 3


def test_write_with_request_id_is_retried_with_the_same_id_and_bytes(server, client):
    server.on("POST", ISSUE_BULK, httpx.Response(503), httpx.ReadTimeout("slow"), issue_answer)
    result = client.issue_bulk(badge_id=BADGE_ID, customers=[101, 102], request_id="job-7-batch-0")
    bodies = [r.content for r in server.requests]
    assert len(bodies) == 3
    assert bodies[0] == bodies[1] == bodies[2]
    assert json.loads(bodies[0])["requestId"] == "job-7-batch-0"
    assert result.request_id == "job-7-batch-0"


def test_generated_request_id_is_fixed_before_the_first_attempt(server, client):
    server.on("POST", ISSUE_BULK, httpx.Response(500), issue_answer)
    client.issue_bulk(badge_id=BADGE_ID, customers=[101])
    first, second = (json.loads(r.content)["requestId"] for r in server.requests)
    assert first == second and len(first) == 32


def test_809_after_an_ambiguous_attempt_is_not_success(server, client):
    server.on(
        "POST",
        ISSUE_BULK,
        httpx.ReadTimeout("slow"),
        envelope(None, error(809, "Request with same requestId is not allowed"), status=400),
    )
    with pytest.raises(DuplicateRequestError) as info:
        client.issue_bulk(badge_id=BADGE_ID, customers=[101], request_id="r-1")
    assert info.value.after_ambiguous_attempt
    assert info.value.ambiguous  # go and check the customers' badges
    assert len(server.requests) == 2


def test_809_on_a_first_attempt_is_a_plain_rejection(server, client):
    server.on(
        "POST",
        ISSUE_BULK,
        envelope(None, error(809, "Request with same requestId is not allowed"), status=400),
    )
    with pytest.raises(DuplicateRequestError) as info:
        client.issue_bulk(badge_id=BADGE_ID, customers=[101], request_id="r-1")
    assert not info.value.after_ambiguous_attempt
    assert len(server.requests) == 1


def test_import_is_never_resent_once_it_may_have_arrived(server, client):
    item = {"badgeMetaId": BADGE_ID, "customerId": 5, "earnExpiresOn": 1800000000}
    server.on("PUT", IMPORT, httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        client.import_customer_badges(items=[item])
    server.script.clear()
    server.on("PUT", IMPORT, httpx.Response(504))
    with pytest.raises(InternalServerError):
        client.import_customer_badges(items=[item])
    assert server.count("PUT", IMPORT) == 2  # one per call


def test_retries_disabled_for_bulk_jobs(server, client):
    path = f"{BADGES}/badgeMeta/{BADGE_ID}"
    server.on("GET", path, httpx.Response(503))
    once = client.with_options(max_retries=0)
    with pytest.raises(InternalServerError):
        once.get_badge(badge_id=BADGE_ID)
    assert len(server.requests) == 1
    assert once.request_log is client.request_log
    assert client.max_retries == 2


@pytest.mark.parametrize(
    ("failure", "cls", "sent"),
    [
        (httpx.ConnectError("refused"), APIConnectionError, False),
        (httpx.ConnectTimeout("connect"), APITimeoutError, False),
        (httpx.PoolTimeout("pool"), APITimeoutError, False),
        (httpx.ReadTimeout("read"), APITimeoutError, True),
        (httpx.WriteTimeout("write"), APITimeoutError, True),
        (httpx.RemoteProtocolError("server disconnected"), APIConnectionError, True),
        (httpx.ReadError("reset"), APIConnectionError, True),
    ],
)
def test_transport_failures_say_whether_the_request_may_have_arrived(server, make_client, failure, cls, sent):
    client = make_client(max_retries=0)
    server.on("POST", f"{BADGES}/badgeMeta/{BADGE_ID}/claim", failure)
    with pytest.raises(cls) as info:
        client.claim_badge(badge_id=BADGE_ID, owner_type="Loyalty", reference_id="42")
    assert type(info.value) is cls
    assert info.value.sent is sent


def test_a_later_connect_error_does_not_hide_an_earlier_ambiguous_attempt(server, client):
    server.on("POST", ISSUE_BULK, httpx.ReadTimeout("slow"), httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as info:
        client.issue_bulk(badge_id=BADGE_ID, customers=[1], request_id="r")
    assert info.value.sent is True
    assert len(server.requests) == 3


# ---- error mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, 400, BadRequestError),
        (401, 401, AuthenticationError),
        (404, 404, NotFoundError),
        (409, 811, ConflictError),
        (400, 809, DuplicateRequestError),
        (400, 826, BadRequestError),
    ],
)
def test_error_answers_become_typed_errors(server, client, status, code, cls):
    path = f"{BADGES}/customer/earn"
    server.on("POST", path, envelope(None, error(code, "refused", "triggeredBy.referenceId"), status=status))
    with pytest.raises(cls) as info:
        client.earn(
            badge_id=BADGE_ID,
            customer_id=5,
            request_id="r",
            triggered_by={"ownerType": "Loyalty", "referenceId": "42"},
        )
    assert (info.value.status_code, info.value.code, info.value.reference) == (
        status,
        code,
        "triggeredBy.referenceId",
    )
    assert f"POST {path}" in repr(info.value)
    assert len(server.requests) == 1


def test_per_customer_errors_inside_a_200_stay_on_the_items(server, client):
    answer = {
        "badgeMetaId": BADGE_ID,
        "issuedBadges": [
            {"customerId": 1, "issuedId": "697000000000000000000001", "status": "ACTIVE", "error": None},
            {
                "customerId": 2,
                "issuedId": "697000000000000000000002",
                "status": "ACTIVE",
                "error": {"code": 1040, "message": "An active issue for the badge already exists."},
            },
        ],
        "requestId": "r",
    }
    server.on("POST", ISSUE_BULK, envelope(answer))
    result = client.issue_bulk(badge_id=BADGE_ID, customers=[1, 2], request_id="r")
    failed = [item for item in result.issued_badges if item.error is not None]
    assert [(item.customer_id, item.error.code) for item in failed] == [(2, 1040)]


def test_errors_in_a_200_without_data_are_raised(server, client):
    path = f"{BADGES}/badgeMeta/customer/revokeIssue"
    server.on("POST", path, envelope(None, error(1051, "RevokeIssuals or CustomerId is mandatory")))
    with pytest.raises(APIStatusError) as info:
        client.revoke_issue(badge_id=BADGE_ID, customers=[1])
    assert info.value.code == 1051


def test_invalid_json_becomes_a_response_validation_error_with_the_raw_body(server, client):
    server.on("GET", f"{BADGES}/badgeMeta/{BADGE_ID}", httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(ResponseValidationError) as info:
        client.get_badge(badge_id=BADGE_ID)
    assert info.value.body == "<html>maintenance</html>"
    assert info.value.status_code == 200


def test_an_answer_of_the_wrong_shape_is_a_response_validation_error(server, client):
    server.on("GET", f"{BADGES}/badgeMeta/{BADGE_ID}", httpx.Response(200, json={"data": {"name": "no id"}}))
    with pytest.raises(ResponseValidationError) as info:
        client.get_badge(badge_id=BADGE_ID)
    assert info.value.body == '{"data":{"name":"no id"}}'
    assert info.value.problems


def test_redirects_are_not_followed(server, client):
    server.on(
        "GET",
        f"{BADGES}/badgeMeta/{BADGE_ID}",
        httpx.Response(302, headers={"Location": "https://evil.example"}),
    )
    with pytest.raises(APIStatusError) as info:
        client.get_badge(badge_id=BADGE_ID)
    assert info.value.status_code == 302
    assert len(server.requests) == 1


# ---- inputs checked before sending --------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_badge(badge_id="8"),
        lambda c: c.get_badge(badge_id="696e2234eba5957293853195/../x"),
        lambda c: c.activate_badge(badge_id=""),
        lambda c: c.issue_bulk(badge_id=BADGE_ID, customers=[]),
        lambda c: c.issue_bulk(badge_id=BADGE_ID, customers=["abc"]),
        lambda c: c.earn(
            badge_id=BADGE_ID, customer_id=5, triggered_by={"ownerType": "LOYALTY", "referenceId": "1"}
        ),
        lambda c: c.get_customer_badges(customer_id="a@b.com"),
        lambda c: c.get_customer_badges(customer_id="a@b.com", identifier="phone"),
        lambda c: c.get_customer_badges(customer_id=-3),
        lambda c: c.revoke_issue(badge_id=BADGE_ID),
        lambda c: c.revoke_issue(badge_id=BADGE_ID, customers=list(range(1, 22))),
        lambda c: c.import_customer_badges(items=[{"badgeMetaId": BADGE_ID, "customerId": 5}]),
        lambda c: c.create_group(name="Gold", rank="first"),
        lambda c: c.send("POST", f"{BADGES}/group", json={"rank": 1}),
        lambda c: c.send("GET", f"{BADGES}/badgeMeta", headers={"Authorization": "Basic x"}),
        lambda c: c.send("GET", "https://elsewhere.example/x"),
        lambda c: c.send_raw("POST", f"{BADGES}/group", json={"name": "G", "rank": float("nan")}),
        lambda c: c.send_raw("POST", f"{BADGES}/group", json={"name": object()}),
        lambda c: c.send("DELETE", f"{BADGES}/badgeMeta/{BADGE_ID}"),
        lambda c: c.iter_badges(status=["SOMETIME"]),
        lambda c: c.iter_badges(sttaus=["LIVE"]),
        lambda c: c.iter_badges(page=3),
        lambda c: c.list_customer_badges(customer_id=5, page_size=3),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(server, client, call):
    with pytest.raises(RequestValidationError):
        call(client)
    assert server.requests == []
    assert len(client.request_log) == 0


# ---- headers ----------------------------------------------------------------------------------


def test_customer_identifier_header_and_quoted_path(server, client):
    path = f"{BADGES}/management/a+b@example.com/badge/{BADGE_ID}"
    server.on("GET", path, envelope({"id": BADGE_ID, "name": "Coffee"}))
    client.get_customer_badge(customer_id="a+b@example.com", badge_id=BADGE_ID, identifier="email")
    sent = server.requests[0]
    assert sent.headers[CUSTOMER_IDENTIFIER_HEADER] == "email"
    assert sent.url.raw_path.decode().startswith(f"{BADGES}/management/a%2Bb%40example.com/badge/")


def test_no_identifier_header_for_numeric_customers(server, client):
    server.on("GET", f"{BADGES}/customer/23423", envelope({"badges": [], "pagination": None}))
    client.get_customer_badges(customer_id="23423")
    assert CUSTOMER_IDENTIFIER_HEADER.lower() not in server.requests[0].headers


def test_revoke_earn_sends_the_identifier_header(server, client):
    path = f"{BADGES}/customer/revokeEarn"
    server.on("POST", path, envelope({"badgeMetaId": BADGE_ID, "customerId": "C-9", "isActive": False}))
    client.revoke_earn(
        badge_id=BADGE_ID,
        customer_id="C-9",
        earned_badge_id="697000000000000000000001",
        identifier="externalId",
    )
    sent = server.requests[0]
    assert sent.headers[CUSTOMER_IDENTIFIER_HEADER] == "externalId"
    assert json.loads(sent.content)["customerId"] == "C-9"


# ---- secrets ----------------------------------------------------------------------------------


def test_secrets_never_reach_reprs_logs_curl_or_errors(server, make_client):
    basic = make_client()
    oauth = make_client(OAuthAuth("client-key", "oauth-secret-value", clock=Clock()))
    server.on("POST", TOKEN, lambda r: envelope({"accessToken": "jwt-token-value", "ttlSeconds": 300}))
    server.on(
        "GET",
        f"{BADGES}/badgeMeta/{BADGE_ID}",
        envelope(None, error(404, "Passed badge is not found"), status=404),
    )
    errors = []
    for client in (basic, oauth):
        with pytest.raises(NotFoundError) as info:
            client.get_badge(badge_id=BADGE_ID)
        errors.append(info.value)
    server.script[("POST", TOKEN)].clear()
    server.on("POST", TOKEN, httpx.Response(401, json={"data": None, "errors": [error(401, "bad key")]}))
    oauth.auth.invalidate()
    with pytest.raises(AuthenticationError) as token_error:
        oauth.get_badge(badge_id=BADGE_ID)
    errors.append(token_error.value)

    texts = [repr(basic), str(basic), repr(oauth), repr(basic.auth), repr(oauth.auth)]
    texts += [repr(e) for e in errors] + [str(e) for e in errors]
    for client in (basic, oauth):
        for entry in client.request_log.entries():
            texts += [repr(entry), entry.to_curl()]
    blob = "\n".join(texts)
    for secret in (
        PASSWORD,
        PASSWORD_MD5,
        BASIC_VALUE,
        "client-key",
        "oauth-secret-value",
        "jwt-token-value",
    ):
        assert secret not in blob
    assert "$CAPILLARY_AUTH" in blob
    assert "$CAPILLARY_OAUTH_TOKEN" in blob
    assert "$CAPILLARY_OAUTH_SECRET" in blob


# ---- request log ------------------------------------------------------------------------------


def test_every_attempt_is_logged(server, client):
    server.on(
        "POST",
        ISSUE_BULK,
        httpx.ConnectError("refused"),
        envelope(None, error(816, "Event date is not in duration of badge meta."), status=400),
    )
    with pytest.raises(BadRequestError):
        client.issue_bulk(badge_id=BADGE_ID, customers=[7], request_id="r-9")
    first, second = client.request_log.entries()
    assert (first.status, first.attempt) == (None, 1)
    assert first.failure.startswith("APIConnectionError")
    assert (second.status, second.error_codes, second.attempt) == (400, (816,), 2)
    assert second.method == "POST" and second.path == ISSUE_BULK
    assert json.loads(second.request_body)["requestId"] == "r-9"
    assert second.latency_ms >= 0
    assert second.timestamp == NOW
    assert second.to_curl().startswith(f"curl -X POST {BASE}{ISSUE_BULK}")


def test_logs_belong_to_one_client(make_client, server):
    a, b = make_client(), make_client()
    server.on("GET", f"{BADGES}/orgMeta", envelope({"orgId": 1, "tags": []}))
    a.get_org_meta()
    assert len(a.request_log) == 1 and len(b.request_log) == 0


# ---- configuration ----------------------------------------------------------------------------


def test_presets_and_constructor_checks():
    with BadgesClient("eu", BasicAuth("u", "p"), transport=httpx.MockTransport(Server())) as client:
        assert client.base_url == "https://eu.api.capillarytech.com"
        assert client._http.trust_env is False
    with pytest.raises(RequestValidationError):
        BadgesClient("http://eu.api.capillarytech.com", BasicAuth("u", "p"))
    with pytest.raises(RequestValidationError):
        BadgesClient("eu", BasicAuth("u", "p"), max_retries=-1)


def test_timeouts_are_configurable_per_client_and_per_copy(server, make_client):
    client = make_client(timeout=12, connect_timeout=2)
    server.on("GET", f"{BADGES}/orgMeta", envelope({"orgId": 1, "tags": []}))
    client.get_org_meta()
    client.with_options(timeout=0.5).get_org_meta()
    first, second = (r.extensions["timeout"] for r in server.requests)
    assert (first["connect"], first["read"], first["write"]) == (2, 12, 12)
    assert (second["connect"], second["read"]) == (2, 0.5)
    with pytest.raises(RequestValidationError):
        client.with_options(timeout=0)


def test_a_malformed_token_answer_does_not_carry_the_token(server, make_client):
    client = make_client(OAuthAuth("client-key", "client-secret", clock=Clock()))
    server.on(
        "POST", TOKEN, httpx.Response(200, json={"data": {"accessToken": "jwt-leak", "ttlSeconds": "soon"}})
    )
    with pytest.raises(ResponseValidationError) as info:
        client.get_badge(badge_id=BADGE_ID)
    assert info.value.body is None
    assert info.value.__suppress_context__  # tracebacks do not show the original error either
    assert "jwt-leak" not in repr(info.value) + str(info.value)
