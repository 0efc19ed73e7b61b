"""The per-client request log: bounded, thread-safe, and safe to paste."""

import shlex
import subprocess
import threading
from datetime import UTC, datetime

import pytest

from lib.api._constants import LOGGED_BODY_CHARS
from lib.api.request_log import LogEntry, RequestLog, body_text, curl_command, redact_headers

T0 = datetime(2026, 1, 19, 12, 0, tzinfo=UTC)


def entry(n: int = 0, **changes) -> LogEntry:
    values = {
        "timestamp": T0,
        "method": "GET",
        "base_url": "https://eu.api.capillarytech.com",
        "path": f"/api_gateway/v1/badges/badgeMeta/{n}",
    }
    return LogEntry(**(values | changes))


def test_the_log_is_bounded_and_keeps_the_newest():
    log = RequestLog(maxlen=3)
    for n in range(5):
        log.append(entry(n))
    assert len(log) == 3
    assert [e.path[-1] for e in log.entries()] == ["2", "3", "4"]
    assert [e.path[-1] for e in log.latest(2)] == ["4", "3"]
    log.clear()
    assert log.entries() == []


def test_concurrent_appends_are_all_counted():
    log = RequestLog(maxlen=10_000)

    def worker():
        for n in range(500):
            log.append(entry(n))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log) == 2000


def test_each_log_is_its_own():
    a, b = RequestLog(), RequestLog()
    a.append(entry())
    assert len(b) == 0


def test_maxlen_must_be_positive():
    with pytest.raises(ValueError):
        RequestLog(maxlen=0)


def test_secret_headers_become_placeholders():
    headers = redact_headers(
        {
            "Authorization": "Basic ZGVtbzpkZW1v",
            "X-CAP-API-OAUTH-TOKEN": "jwt",
            "X-CAP-CUSTOMER-IDENTIFIER": "email",
        },
        {"Authorization": "$CAPILLARY_AUTH"},
    )
    assert dict(headers) == {
        "Authorization": "$CAPILLARY_AUTH",
        "X-CAP-API-OAUTH-TOKEN": "$CAPILLARY_AUTH",
        "X-CAP-CUSTOMER-IDENTIFIER": "email",
    }


def test_headers_read_as_a_mapping():
    item = entry(headers=(("Authorization", "$CAPILLARY_AUTH"), ("Accept", "application/json")))
    assert item.request_headers == {"Authorization": "$CAPILLARY_AUTH", "Accept": "application/json"}


def test_long_bodies_are_truncated():
    text, truncated = body_text({"customers": list(range(5000))})
    assert truncated and len(text) == LOGGED_BODY_CHARS
    assert body_text({"a": 1}) == ('{"a":1}', False)
    assert body_text(None) == (None, False)


def test_curl_command_round_trips_through_a_shell():
    item = entry(
        method="POST",
        path="/api_gateway/v1/badges/customer/earn",
        query=(("x", "a b"),),
        headers=(("Authorization", "$CAPILLARY_AUTH"), ("Content-Type", "application/json")),
        request_body='{"name":"it\'s $HOME","requestId":"r1"}',
    )
    command = item.to_curl()
    assert "Basic" not in command
    # The shell expands our placeholder and nothing else.
    script = (
        f'CAPILLARY_AUTH="Basic xyz"; for a in {command.removeprefix("curl ")}; do printf "%s\\n" "$a"; done'
    )
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == [
        "-X",
        "POST",
        "https://eu.api.capillarytech.com/api_gateway/v1/badges/customer/earn?x=a+b",
        "-H",
        "Authorization: Basic xyz",
        "-H",
        "Content-Type: application/json",
        "--data-raw",
        '{"name":"it\'s $HOME","requestId":"r1"}',
    ]


def test_curl_marks_a_truncated_body():
    item = entry(method="POST", request_body="{", body_truncated=True)
    assert item.to_curl().endswith("in the log")
    assert shlex.split(item.to_curl(), comments=True)[-1] == "{"


def test_curl_for_a_request_not_sent_yet_keeps_the_secret_a_shell_variable():
    command = curl_command(
        "POST",
        "http://127.0.0.1:8600/api_gateway/v1/badges/badgeMeta",
        [("Authorization", "$CAPILLARY_AUTH")],
        '{"name":"it\'s"}',
        multiline=True,
    )
    assert command.splitlines()[0] == "curl -X POST http://127.0.0.1:8600/api_gateway/v1/badges/badgeMeta \\"
    assert "'Authorization: '\"$CAPILLARY_AUTH\"" in command
    assert shlex.split(command.replace("\\\n", " "))[-1] == '{"name":"it\'s"}'
