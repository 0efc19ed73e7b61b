"""Only scripts on this machine may call the control plane (`/_sandbox/...`), never a web page: a
cross-site form, a foreign Origin or Host, or a request without `X-Sandbox-Control: 1` is a 403 that
says what to do, and the data survives. Sandbox only."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from lib.sandbox.app import create_app
from lib.sandbox.control_access import is_loopback, is_loopback_host, is_own_origin
from lib.sandbox.service import SandboxService

CONTROL = "/_sandbox"
SCRIPT = {"X-Sandbox-Control": "1"}


@pytest.mark.parametrize("address", ["127.0.0.1", "127.5.5.5", "::1", "::ffff:127.0.0.1"])
def test_loopback_addresses_are_recognised_as_addresses(address):
    assert is_loopback(address)


@pytest.mark.parametrize(
    "address", ["127.evil.com", "localhost.evil", "10.0.0.1", "::ffff:10.0.0.1", "", "localhost", "1.27.0.0"]
)
def test_names_and_other_addresses_are_not_loopback(address):
    assert not is_loopback(address)


def test_host_headers_and_origins_of_this_machine():
    assert all(map(is_loopback_host, ["127.0.0.1:8600", "localhost", "[::1]:8600", "LOCALHOST:1"]))
    assert not any(
        map(is_loopback_host, ["evil.com", "127.0.0.1.nip.io", "::1", "[127.0.0.1]", "localhost:x", ""])
    )
    assert all(
        is_own_origin(o, 8600)
        for o in ["http://127.0.0.1:8600", "http://localhost:8600", "http://[::1]:8600"]
    )
    foreign = [
        "http://127.0.0.1:9999",
        "https://127.0.0.1:8600",
        "null",
        "http://evil.com:8600",
        "http://[::1",
    ]
    assert not any(is_own_origin(o, 8600) for o in foreign)


@pytest.fixture
def http(sandbox):
    with httpx.Client(base_url=sandbox.base_url) as client:
        yield client


def assert_forbidden(answer: httpx.Response, says: str) -> None:
    assert answer.status_code == 403, answer.text
    body = answer.json()
    assert body["data"] is None and body["errors"][0]["code"] == 403
    assert says in body["errors"][0]["message"], body


def test_a_cross_site_form_cannot_reset_the_sandbox(http, client, make_badge):
    badge = make_badge()
    form = {"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}
    assert_forbidden(http.post(f"{CONTROL}/reset", content=b"empty=true", headers=form), "evil.example")
    # enctype="text/plain" is the classic way to smuggle JSON in a form; refused even without Origin
    smuggled = {"Content-Type": "text/plain", **SCRIPT}
    assert_forbidden(http.post(f"{CONTROL}/reset", content=b'{"empty": true}', headers=smuggled), "JSON")
    multipart = http.post(f"{CONTROL}/reset", files={"empty": b"true"}, headers=SCRIPT)
    assert_forbidden(multipart, "multipart/form-data")
    assert client.get_badge(badge_id=badge.id).id == badge.id  # nothing was wiped


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/stats", None),
        ("GET", "/clock", None),
        ("PUT", "/clock", {"now": None}),
        ("POST", "/reset", {"empty": True}),
        ("POST", "/seed", None),
        ("PUT", "/customers", {"customers": []}),
        ("GET", "/faults", None),
        ("PUT", "/faults", {"rules": []}),
        ("DELETE", "/faults", None),
    ],  # fmt: skip
)
def test_every_control_endpoint_but_health_needs_the_header(http, method, path, body):
    answer = http.request(method, CONTROL + path, json=body)
    assert_forbidden(answer, "Send the X-Sandbox-Control: 1 header")


def test_health_needs_no_header_for_liveness_probes(http):
    assert http.get(f"{CONTROL}/health").json() == {"status": "ok"}
    assert_forbidden(http.get(f"{CONTROL}/health", headers={"Host": "evil.example"}), "Host")


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "null", "http://127.0.0.1:1", "https://localhost", "http://127.0.0.1.evil.com"],
)
def test_a_foreign_origin_is_refused_even_with_the_header(http, origin):
    assert_forbidden(http.get(f"{CONTROL}/stats", headers={**SCRIPT, "Origin": origin}), "web page")


def test_the_sandboxs_own_origin_is_answered(http, sandbox):
    for origin in (f"http://127.0.0.1:{sandbox.port}", f"http://localhost:{sandbox.port}"):
        assert http.get(f"{CONTROL}/clock", headers={**SCRIPT, "Origin": origin}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io:80", "localhost.evil", "10.0.0.1:8600"])
def test_a_foreign_host_is_refused_against_dns_rebinding(http, host):
    assert_forbidden(http.get(f"{CONTROL}/stats", headers={**SCRIPT, "Host": host}), "DNS-rebinding")


def test_localhost_and_loopback_literals_are_answered(http, sandbox):
    for host in (f"localhost:{sandbox.port}", f"127.0.0.1:{sandbox.port}", "127.9.9.9"):
        assert http.get(f"{CONTROL}/clock", headers={**SCRIPT, "Host": host}).status_code == 200


@pytest.mark.parametrize(
    ("client_host", "status"),
    [
        ("203.0.113.9", 403),
        ("127.evil.com", 403),
        ("::ffff:10.0.0.1", 403),
        ("::ffff:127.0.0.1", 200),
        ("127.0.0.2", 200),
        ("::1", 200),
    ],  # fmt: skip
)
def test_the_client_address_is_compared_as_an_ip_address(tmp_path, client_host, status):
    service = SandboxService(tmp_path / "remote.db")
    app = create_app(service)

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return await http.get(f"{CONTROL}/clock", headers=SCRIPT)

    # A fresh thread has no running event loop, even when the browser tests left one on this one.
    answers: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: answers.append(asyncio.run(ask())))
    worker.start()
    worker.join()
    service.close()
    assert answers[0].status_code == status
    if status == 403:
        assert (
            answers[0].json()["errors"][0]["message"].startswith("Sandbox control endpoints answer loopback")
        )
