"""The sandbox's own machinery (not part of the Badges API): clock, faults, stats, reset, docs,
persistence, concurrency, the command line and the console's embedded instance. Sandbox only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta

import httpx
import pytest

from lib.api.errors import APIConnectionError, APITimeoutError, DuplicateRequestError, InternalServerError
from lib.sandbox.demo_orgs import demo_client
from lib.sandbox.server import embedded_sandbox, start_sandbox
from lib.sandbox.service import SandboxService
from tests.ports import free_port
from tests.sandbox.conftest import LOYALTY, badge_body

CONTROL = "/_sandbox"
SCRIPT = {"X-Sandbox-Control": "1"}  # what the control plane requires of every caller but /health


@pytest.fixture
def raw(sandbox):
    with httpx.Client(base_url=sandbox.base_url, headers=SCRIPT) as http:
        yield http


def test_clock_moves_status_and_expiry(client, sandbox, raw, make_badge, now):
    badge = make_badge(startOn=now + timedelta(days=1), expiresOn=now + timedelta(days=3))
    assert client.get_badge(badge_id=badge.id).status == "UPCOMING"
    answer = raw.put(f"{CONTROL}/clock", json={"now": (now + timedelta(days=2)).timestamp()})
    assert answer.status_code == 200 and answer.json()["frozen"] is True
    assert raw.get(f"{CONTROL}/clock").json()["now"] == pytest.approx((now + timedelta(days=2)).timestamp())
    assert client.get_badge(badge_id=badge.id).status == "LIVE"
    earned = client.earn(badge_id=badge.id, customer_id=1, triggered_by=LOYALTY)
    assert earned.expires_on == now + timedelta(days=12)  # processing time (the sandbox clock) + 10 days
    sandbox.set_clock(now + timedelta(days=4))
    assert client.get_badge(badge_id=badge.id).status == "EXPIRED"
    assert raw.put(f"{CONTROL}/clock", json={"now": None}).json()["frozen"] is False
    assert raw.put(f"{CONTROL}/clock", json={"now": "tomorrow"}).status_code == 400


def test_status_fault_with_retry_after_and_count(client, sandbox, raw, make_badge):
    badge = make_badge()
    rules = {
        "rules": [{"method": "GET", "path_suffix": badge.id, "status": 429, "retry_after": "2", "count": 1}]
    }
    applied_before = raw.get(f"{CONTROL}/stats").json()["faults_applied"]
    assert raw.put(f"{CONTROL}/faults", json=rules).status_code == 200
    first = raw.get(f"/api_gateway/v1/badges/badgeMeta/{badge.id}")
    assert first.status_code == 429 and first.headers["Retry-After"] == "2"
    assert first.json()["errors"][0]["code"] == 429
    assert client.get_badge(badge_id=badge.id).id == badge.id  # count spent
    assert raw.get(f"{CONTROL}/stats").json()["faults_applied"] == applied_before + 1


def test_probability_faults_repeat_with_the_same_seed(sandbox, raw, make_badge):
    badge = make_badge()
    path = f"/api_gateway/v1/badges/badgeMeta/{badge.id}"

    def pattern() -> list[int]:
        sandbox.set_faults([{"path_suffix": badge.id, "status": 500, "probability": 0.5, "seed": 7}])
        return [raw.get(path, auth=("x", "y")).status_code for _ in range(20)]

    first = pattern()
    assert first == pattern()
    assert {500, 401} == set(first)  # some requests hit the fault, the others reached authentication
    assert raw.delete(f"{CONTROL}/faults").json() == {"rules": []}


def test_commit_then_delay_commits_before_the_client_gives_up(client, sandbox, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    sandbox.set_faults([{"kind": "commit_then_delay", "path_suffix": "issueBulk", "delay": 1.0, "count": 1}])
    with sandbox.client(timeout=0.3, max_retries=0) as impatient:
        with pytest.raises(APITimeoutError):
            impatient.issue_bulk(badge_id=badge.id, customers=[5], request_id="slow-1")
        time.sleep(0.8)
        with pytest.raises(DuplicateRequestError):
            impatient.issue_bulk(badge_id=badge.id, customers=[5], request_id="slow-1")
    assert client.get_badge(badge_id=badge.id, include_statistics=True).issued_count == 1


def test_drop_before_commit_loses_the_request(client, sandbox, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    sandbox.set_faults([{"kind": "drop_before_commit", "path_suffix": "issueBulk", "count": 1}])
    with sandbox.client(max_retries=0) as once:
        with pytest.raises(APIConnectionError) as info:
            once.issue_bulk(badge_id=badge.id, customers=[6], request_id="lost-1")
        assert info.value.sent
        assert (
            once.issue_bulk(badge_id=badge.id, customers=[6], request_id="lost-1").issued_badges[0].error
            is None
        )


def test_status_faults_reach_the_client_as_5xx(client, sandbox, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    sandbox.set_faults([{"path_suffix": "issueBulk", "status": 503, "count": 5}])
    once = sandbox.client(max_retries=0)
    with once, pytest.raises(InternalServerError):
        once.issue_bulk(badge_id=badge.id, customers=[7])
    assert sandbox.stats()["by_path"]["/api_gateway/v1/badges/badgeMeta/customer/issueBulk"] == 1


def test_reset_and_bad_fault_rules(client, raw, make_badge):
    make_badge()
    assert raw.put(f"{CONTROL}/faults", json={"rules": [{"kind": "explode"}]}).status_code == 400
    assert raw.post(f"{CONTROL}/reset", json={"empty": True}).json() == {"reset": True, "empty": True}
    assert client.list_badges().meta_basic_details == []


def test_registered_customers_are_found_by_identifier(raw, client):
    body = {"org": "demo", "customers": [{"customerId": 9001, "email": "grace@example.com"}]}
    assert raw.put(f"{CONTROL}/customers", json=body).json() == {"customers": 1}
    views = client.get_customer_badges(customer_id="grace@example.com", identifier="email")
    assert views.badges == []


@pytest.mark.parametrize(
    ("method", "path", "body", "says"),
    [
        ("PUT", "/customers", {"customers": [{"customerId": "１２３"}]}, "customers[0].customerId"),
        ("PUT", "/customers", {"customers": [{"customerId": 1, "email": {"x": 1}}]}, "customers[0].email"),
        ("PUT", "/customers", {"org": "nobody", "customers": []}, "nobody"),
        ("PUT", "/clock", {"now": 1e300}, "'now'"),
        ("PUT", "/clock", [1], "JSON object"),
        ("POST", "/reset", {"empty": "yes"}, "'empty'"),
        ("PUT", "/faults", {"rules": [{"retry_after": "1\r\nX-Evil: 1"}]}, "retry_after"),
    ],
)
def test_control_bodies_are_read_as_strictly_as_api_bodies(raw, client, make_badge, method, path, body, says):
    badge = make_badge()
    answer = raw.request(method, CONTROL + path, json=body)
    assert answer.status_code == 400 and says in answer.json()["errors"][0]["message"], answer.text
    assert client.get_badge(badge_id=badge.id).id == badge.id  # nothing was reset


def test_docs_and_openapi(raw):
    assert raw.get("/docs").status_code == 200
    document = raw.get("/openapi.json").json()
    paths = document["paths"]
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs and refs <= set(document["components"]["schemas"])  # every schema reference resolves
    detail = paths["/api_gateway/v1/badges/management/{customerId}/badge/{badgeId}"]["get"]["parameters"]
    assert [(p["name"], p["in"]) for p in detail][:3] == [
        ("customerId", "path"),
        ("badgeId", "path"),
        ("includeStatistics", "query"),
    ]
    assert "/api_gateway/v1/badges/badgeMeta/customer/issueBulk" in paths
    assert {"put", "post"} <= set(paths["/api_gateway/v1/badges/import/customerBadges"])
    body = paths["/api_gateway/v1/badges/badgeMeta/customer/issueBulk"]["post"]["requestBody"]
    assert "customers" in body["content"]["application/json"]["schema"]["properties"]


@pytest.mark.slow
def test_demo_data(sandbox, client):
    summary = sandbox.seed()
    assert summary["badges"] == 12 and summary["customers"] == 20_000 and summary["earns"] > 10_000
    badges = list(client.iter_badges(page_size=50))
    assert {b.status for b in badges} == {"UPCOMING", "LIVE", "EXPIRED"}
    assert {b.earn_type for b in badges} == {"EARN", "ISSUE_EARN"}
    assert any(b.active is False for b in badges)
    full = [client.get_badge(badge_id=b.id) for b in badges]
    constraint_types = {
        c.constraint_type for b in full for c in (b.customer_constraints or []) + (b.badge_constraints or [])
    }
    assert len(constraint_types) == 8
    expiries = {(e.expiry_type, e.kind, e.relative_expiry_type) for b in full
                for e in (b.earned_badge_expiry, b.issued_badge_expiry) if e}  # fmt: skip
    assert {kind for _, kind, _ in expiries} >= {"WITH_BADGE_META", "FIXED_DATE"}
    assert {t for t, _, _ in expiries} == {"RELATIVE", "ABSOLUTE", "NEVER"}
    assert {b.badge_group_name for b in badges} >= {"Engagement", "Spend"}
    assert all(b.custom_fields.get("Campaign code") for b in full)
    someone = client.get_customer_badges(customer_id="EXT-100001", identifier="externalId")
    assert someone.pagination is not None
    with sandbox.service.store.read() as conn:
        by_weekday = dict(conn.execute(
            "SELECT strftime('%w', event_date, 'unixepoch'), COUNT(*) FROM earns GROUP BY 1").fetchall())  # fmt: skip
        months = conn.execute(
            "SELECT COUNT(DISTINCT strftime('%Y-%m', event_date, 'unixepoch')) FROM earns"
        ).fetchone()[0]
    assert by_weekday["6"] > 1.3 * by_weekday["1"]  # Saturdays are busier than Mondays
    assert months >= 12
    assert sandbox.seed() == summary  # deterministic, and re-seeding replaces rather than duplicates


def test_data_survives_a_restart(tmp_path, now):
    db = tmp_path / "keep.db"
    first = start_sandbox(db, empty=True)
    with first.client() as c:
        badge = c.create_badge(badge=badge_body(now, startOn=now + timedelta(hours=1)))
    first.stop()
    second = start_sandbox(db, empty=True)
    try:
        with second.client() as c:
            assert c.get_badge(badge_id=badge.id).name == badge.name
    finally:
        second.stop()


def test_concurrent_bulk_writes_from_many_threads(sandbox, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    failures: list[BaseException] = []

    def enrol(worker: int) -> None:
        try:
            with sandbox.client() as c:
                for batch in range(5):
                    start = worker * 10_000 + batch * 200
                    c.issue_bulk(badge_id=badge.id, customers=list(range(start, start + 200)))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=enrol, args=(w,)) for w in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with sandbox.client() as c:
        assert c.get_badge(badge_id=badge.id, include_statistics=True).issued_count == 6 * 5 * 200


def test_embedded_sandbox_is_one_instance_per_process(tmp_path, monkeypatch):
    import lib.sandbox.server as server

    monkeypatch.setattr(server, "_embedded", None)
    monkeypatch.setattr(server, "start_sandbox", lambda db, **kw: start_sandbox(db, empty=True, **kw))
    first = embedded_sandbox(tmp_path / "data")
    try:
        assert embedded_sandbox(tmp_path / "elsewhere") is first
        assert first.db_path == str(tmp_path / "data" / "sandbox.db")
        assert httpx.get(first.base_url + f"{CONTROL}/health").json() == {"status": "ok"}
    finally:
        first.stop()
    monkeypatch.setenv("BADGE_CONSOLE_DATA_DIR", str(tmp_path / "env"))
    assert server.default_data_dir() == tmp_path / "env"


def test_command_line(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lib.sandbox",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "cli.db"),
            "--empty",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=os.getcwd(),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}{CONTROL}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        with demo_client(f"http://127.0.0.1:{port}", "demo2") as c:
            assert c.list_badges().meta_basic_details == []
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "username 'demo'" in output and "username 'demo2'" in output


def test_a_database_of_another_schema_is_refused_with_a_clear_message(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE badges (id TEXT)")
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(RuntimeError, match="another version of the sandbox"):
        SandboxService(path)
