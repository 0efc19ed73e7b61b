"""The sandbox's network profile (a remote cluster's latency, per-org rate limit and gateway faults),
over HTTP against the session's sandbox. Sandbox only.

Timings are compared with the profile off or with the simulated round trips the sandbox reports,
never with tight wall-clock bounds: the machine is shared. Rates are small and seeded, so each test
takes a second or two.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from lib.api.errors import DuplicateRequestError
from lib.sandbox import server
from lib.sandbox.__main__ import build_parser, main, network_from
from lib.sandbox.auth import basic_header
from lib.sandbox.network import PROFILES, NetworkProfile, NetworkSimulator
from lib.sandbox.server import start_sandbox

CONTROL = "/_sandbox"
SCRIPT = {"X-Sandbox-Control": "1"}
BADGES = "/api_gateway/v1/badges/badgeMeta"
ISSUE = "/api_gateway/v1/badges/badgeMeta/customer/issueBulk"
DEMO = {"Authorization": basic_header("demo", "demo")}
DEMO2 = {"Authorization": basic_header("demo2", "demo2")}


@pytest.fixture
def raw(sandbox):
    with httpx.Client(base_url=sandbox.base_url, headers=SCRIPT, timeout=10) as http:
        yield http


def _timed_gets(http: httpx.Client, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        assert http.get(BADGES, headers=DEMO).status_code == 200
        times.append(time.perf_counter() - started)
    return times


def _issue(badge_id: str, customer: int, request_id: str) -> dict:
    trigger = {"ownerType": "Loyalty", "referenceId": "program-1"}
    return {"badgeMetaId": badge_id, "customers": [customer], "requestId": request_id, "triggeredBy": trigger}


def test_off_by_default_and_costs_no_bookkeeping(sandbox, raw):
    status = sandbox.network()
    assert status.profile.name == "off" and status.profile.is_off
    raw.get(BADGES, headers=DEMO)
    assert sandbox.network().counters.requests == 0  # the off path never reaches the profile


def test_latency_is_applied_varies_and_never_falls_short(sandbox, raw):
    off = _timed_gets(raw, 6)
    sandbox.set_network(latency_ms=120, jitter_ms=40, seed=11)
    on = _timed_gets(raw, 12)
    counters = sandbox.network().counters
    assert counters.delayed == counters.requests == 12
    assert sum(on) >= counters.delay_seconds * 0.95  # every request spent at least its round trip
    assert statistics.median(on) > 3 * statistics.median(off)
    assert statistics.median(on) > 0.06  # generous: half the simulated mean
    # The round trips are drawn, not constant, and the same seed draws them again.
    first, again = NetworkSimulator(sandbox.network().profile), NetworkSimulator(sandbox.network().profile)
    draws = [first.round_trip() for _ in range(20)]
    assert draws == [again.round_trip() for _ in range(20)]
    assert len(set(draws)) == 20 and min(draws) > 0


def test_latency_distribution_matches_the_profile():
    simulator = NetworkSimulator(PROFILES["remote"].model_copy(update={"seed": 3}))
    draws = [simulator.round_trip() * 1000 for _ in range(4000)]
    assert statistics.fmean(draws) == pytest.approx(150, rel=0.05)
    assert statistics.stdev(draws) == pytest.approx(50, rel=0.15)
    assert min(draws) > 0


def test_concurrent_requests_overlap_on_the_wire(sandbox):
    sandbox.set_network(latency_ms=400)
    with httpx.Client(base_url=sandbox.base_url, headers=DEMO, timeout=10) as http:
        http.get(BADGES)  # open a connection before timing
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: http.get(BADGES).status_code, range(8)))
        elapsed = time.perf_counter() - started
    assert statuses == [200] * 8
    assert elapsed < 8 * 0.4 / 2  # one after another would take 3.2 s: the event loop is never blocked


def test_rate_limit_answers_429_with_retry_after_and_the_envelope_per_org(sandbox, raw):
    sandbox.set_network(rate_per_s=0.2, burst=3)
    assert [raw.get(BADGES, headers=DEMO).status_code for _ in range(3)] == [200, 200, 200]
    refused = raw.get(BADGES, headers=DEMO)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"].isdigit() and 1 <= int(refused.headers["Retry-After"]) <= 5
    body = refused.json()
    assert body["data"] is None and body["errors"][0]["code"] == 429
    assert "0.2 requests per second" in body["errors"][0]["message"]
    assert raw.get(BADGES, headers=DEMO2).status_code == 200  # demo2 has a bucket of its own
    # Requests without valid credentials share one bucket (of their own): 401 until it is empty.
    anonymous = [raw.get(BADGES).status_code for _ in range(3)]
    wrong = raw.get(BADGES, headers={"Authorization": basic_header("demo", "wrong")})
    assert anonymous == [401, 401, 401] and wrong.status_code == 429
    assert sandbox.network().counters.answered_429 == 2


def test_the_bucket_refills_at_the_rate(sandbox, raw):
    sandbox.set_network(rate_per_s=2, burst=1)
    statuses = [raw.get(BADGES, headers=DEMO).status_code for _ in range(3)]
    assert statuses[0] == 200 and 429 in statuses
    time.sleep(0.6)
    assert raw.get(BADGES, headers=DEMO).status_code == 200


def test_the_control_plane_and_docs_are_never_delayed_limited_or_faulted(sandbox, raw):
    sandbox.set_network(latency_ms=3000, rate_per_s=0.01, burst=1, fail_before_commit=1.0)
    started = time.perf_counter()
    for _ in range(10):
        assert raw.get(f"{CONTROL}/stats").status_code == 200
        assert raw.get(f"{CONTROL}/network").status_code == 200
    assert raw.get("/openapi.json").status_code == 200
    assert raw.get("/docs").status_code == 200
    assert time.perf_counter() - started < 3.0  # one API request alone would take 3 s
    assert sandbox.network().counters.requests == 0


def test_503_before_commit_applies_nothing(sandbox, client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    sandbox.set_network(fail_before_commit=1.0)
    with httpx.Client(base_url=sandbox.base_url, headers=DEMO, timeout=10) as http:
        failed = http.post(ISSUE, json=_issue(badge.id, 11, "net-503"))
    assert failed.status_code == 503 and failed.json()["errors"][0]["code"] == 503
    assert sandbox.network().counters.injected_503 == 1
    sandbox.set_network("off")
    assert client.get_badge(badge_id=badge.id, include_statistics=True).issued_count == 0
    answer = client.issue_bulk(badge_id=badge.id, customers=[11], request_id="net-503")  # id still unused
    assert answer.issued_badges[0].error is None


def test_an_answer_lost_after_commit_applies_the_write(sandbox, client, make_badge):
    badge = make_badge(earnType="ISSUE_EARN")
    sandbox.set_network(lost_after_commit=1.0)
    http = httpx.Client(base_url=sandbox.base_url, headers=DEMO, timeout=10)
    with http, pytest.raises(httpx.TransportError):  # a reset or an empty answer: never a status
        http.post(ISSUE, json=_issue(badge.id, 12, "net-lost"))
    assert sandbox.network().counters.answers_lost == 1
    sandbox.set_network("off")
    assert client.get_badge(badge_id=badge.id, include_statistics=True).issued_count == 1
    with pytest.raises(DuplicateRequestError):  # the server kept the request id: go and reconcile
        client.issue_bulk(badge_id=badge.id, customers=[12], request_id="net-lost")


def test_seeded_faults_repeat_and_hit_the_profile_shares(sandbox, raw):
    def pattern() -> list[str]:
        sandbox.set_network(fail_before_commit=0.3, lost_after_commit=0.2, seed=5)
        seen = []
        for _ in range(20):
            try:
                seen.append(str(raw.get(BADGES, headers=DEMO).status_code))
            except httpx.TransportError:
                seen.append("lost")
        return seen

    first = pattern()
    assert first == pattern() and {"200", "503", "lost"} == set(first)
    flaky = NetworkSimulator(PROFILES["flaky"].model_copy(update={"seed": 1}))
    picks = [flaky.pick_fault("GET", BADGES) for _ in range(20_000)]
    counters = flaky.status().counters
    assert counters.injected_503 / len(picks) == pytest.approx(0.05, abs=0.006)
    assert counters.answers_lost / len(picks) == pytest.approx(0.03, abs=0.005)


def test_switching_profiles_through_the_control_plane(sandbox, raw):
    flaky = raw.put(f"{CONTROL}/network", json={"profile": "flaky"})
    assert flaky.status_code == 200
    assert flaky.json()["profile"] == PROFILES["flaky"].model_dump(mode="json")
    assert raw.get(f"{CONTROL}/network").json()["profile"]["name"] == "flaky"
    assert sandbox.network().profile.name == "flaky"
    custom = raw.put(f"{CONTROL}/network", json={"profile": "remote", "latency_ms": 40, "seed": 2}).json()
    assert (custom["profile"]["name"], custom["profile"]["latency_ms"]) == ("custom", 40)
    assert custom["profile"]["rate_per_s"] == 20 and set(custom["profiles"]) >= {"off", "remote", "flaky"}
    assert set(raw.get(f"{CONTROL}/stats").json()["network"]) >= {"answered_429", "answers_lost"}
    for bad, field in [({"profile": "lunar"}, "profile"), ({"latency_ms": True}, "latency_ms"),
                       ({"rate_per_s": -1}, "rate_per_s"), ({"lost_after_commit": 2}, "lost_after_commit"),
                       ({"latencyMs": 5}, "latencyMs")]:  # fmt: skip
        refused = raw.put(f"{CONTROL}/network", json=bad)
        assert refused.status_code == 400 and field in refused.json()["errors"][0]["message"]
    unscripted = raw.put(f"{CONTROL}/network", json={"profile": "off"}, headers={"X-Sandbox-Control": ""})
    assert unscripted.status_code == 403
    assert sandbox.network().profile.name == "custom"  # nothing refused changed the profile
    raw.post(f"{CONTROL}/reset", json={"empty": True})
    assert sandbox.network().profile.name == "off"  # a reset puts the network back too


def test_switching_profiles_through_the_handle(sandbox, tmp_path):
    assert sandbox.set_network("slow").latency_ms == 300
    assert sandbox.set_network(NetworkProfile(latency_ms=5)).name == "custom"
    assert sandbox.set_network("remote", seed=4).name == "remote"  # a seed alone keeps the name
    with pytest.raises(ValueError):
        sandbox.set_network("lunar")
    started = start_sandbox(tmp_path / "net.db", empty=True, network="flaky")
    try:
        assert started.network().profile == PROFILES["flaky"]
    finally:
        started.stop()


def test_command_line_profiles(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--profile", "flaky", "--help"])
    assert done.value.code == 0 and "flaky" in capsys.readouterr().out
    args = build_parser().parse_args(
        ["--profile", "remote", "--latency-ms", "80", "--rate", "0", "--seed", "3"]
    )
    profile = network_from(args)
    assert (profile.name, profile.latency_ms, profile.rate_per_s, profile.seed) == ("custom", 80, 0, 3)
    assert network_from(build_parser().parse_args([])).is_off
    with pytest.raises(SystemExit):
        main(["--latency-ms", "-5"])
    shell = subprocess.run(
        [sys.executable, "-m", "lib.sandbox", "--profile", "flaky", "--help"], capture_output=True, text=True
    )
    assert shell.returncode == 0 and "--profile" in shell.stdout


SIDEBAR = """
from lib.ui.connection import connection_panel
connection_panel()
"""


def test_the_console_sidebar_switches_the_embedded_sandbox(sandbox, monkeypatch, tmp_path):
    monkeypatch.setenv("BADGE_CONSOLE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(server, "_embedded", sandbox)  # the console's own sandbox is this one
    at = AppTest.from_string(SIDEBAR, default_timeout=30).run()
    assert not at.exception
    control = at.segmented_control(key="conn_network")
    assert control.value == "off" and list(control.options) == ["off", "remote", "flaky"]
    control.set_value("flaky").run()
    assert not at.exception and sandbox.network().profile.name == "flaky"
    assert any("503" in caption.value for caption in at.sidebar.caption)
    sandbox.set_network("slow")  # set elsewhere (a script, another session): the sidebar follows
    at.run()
    assert at.segmented_control(key="conn_network").value == "slow"
    at.segmented_control(key="conn_network").set_value("off").run()
    assert sandbox.network().profile.is_off
