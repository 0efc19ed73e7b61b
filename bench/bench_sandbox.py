"""Sandbox throughput and latency, each figure beside a peer baseline measured in the same run.

    python bench/bench_sandbox.py

1. issueBulk with 1,000 customers per call (target >= 20,000 customers/s); peer: the same kind of
   customers enrolled one per call.
2. GET badge p50 (target <= 5 ms); peer: GET /_sandbox/clock, the cheapest route the server has.

The sandbox runs in this process on a background thread (uvicorn, as the console runs it) on a
temporary database; requests go over loopback HTTP with a plain keep-alive httpx client, so the
figures are the server's cost plus one HTTP round trip.
"""

from __future__ import annotations

import base64
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.sandbox.server import start_sandbox  # noqa: E402

BATCH = 1_000
BULK_CALLS = 40  # 40,000 customers
SINGLE_CALLS = 1_000
GETS = 1_000
AUTH = {
    "Authorization": "Basic "
    + base64.b64encode(b"demo:" + hashlib.md5(b"demo").hexdigest().encode()).decode()
}
# The control plane answers scripts only (the header a web page's form cannot send). Every request of
# the bench carries both headers, so the peer and the badge GET parse the same header set.
HEADERS = {**AUTH, "X-Sandbox-Control": "1"}


def create_enrol_badge(http: httpx.Client, now, name: str) -> str:
    body = {
        "name": name,
        "startOn": (now - timedelta(days=1)).timestamp(),
        "expiresOn": (now + timedelta(days=60)).timestamp(),
        "earnType": "ISSUE_EARN",
        "earnedBadgeExpiry": {"expiryType": "NEVER"},
        "issuedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 30},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
        "customerConstraints": [{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 3}],
    }
    answer = http.post(
        "/api_gateway/v1/badges/badgeMeta", json=body, headers={"X-CAP-BADGES-MIGRATION": "migration"}
    )
    answer.raise_for_status()
    return answer.json()["data"]["id"]


def enrol(http: httpx.Client, badge_id: str, customers: list[int], request_id: str) -> None:
    body = json.dumps({"badgeMetaId": badge_id, "customers": customers, "requestId": request_id})
    answer = http.post(
        "/api_gateway/v1/badges/badgeMeta/customer/issueBulk",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    answer.raise_for_status()
    items = answer.json()["data"]["issuedBadges"]
    assert len(items) == len(customers) and items[0]["error"] is None


def p50_ms(http: httpx.Client, path: str, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        http.get(path).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times))]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        handle = start_sandbox(Path(folder) / "bench.db", empty=True)
        now = handle.now()
        with httpx.Client(base_url=handle.base_url, headers=HEADERS, timeout=60) as http:
            bulk_badge = create_enrol_badge(http, now, "Bench bulk")
            single_badge = create_enrol_badge(http, now, "Bench single")
            enrol(http, bulk_badge, list(range(1, BATCH + 1)), "warm-up")  # first call pays imports

            start = time.perf_counter()
            for call in range(BULK_CALLS):
                first = 10_000 + call * BATCH
                enrol(http, bulk_badge, list(range(first, first + BATCH)), f"bulk-{call}")
            bulk_rate = BULK_CALLS * BATCH / (time.perf_counter() - start)

            start = time.perf_counter()
            for customer in range(SINGLE_CALLS):
                enrol(http, single_badge, [1_000_000 + customer], f"single-{customer}")
            single_rate = SINGLE_CALLS / (time.perf_counter() - start)

            p50_clock, p95_clock = p50_ms(http, "/_sandbox/clock", 50)  # warm both routes
            p50_ms(http, f"/api_gateway/v1/badges/badgeMeta/{bulk_badge}", 50)
            p50_badge, p95_badge = p50_ms(http, f"/api_gateway/v1/badges/badgeMeta/{bulk_badge}", GETS)
            p50_clock, p95_clock = p50_ms(http, "/_sandbox/clock", GETS)
        handle.stop()

    print("Badges API sandbox (uvicorn on a background thread, SQLite WAL, loopback HTTP, keep-alive httpx)")
    print(
        f"issueBulk, {BATCH:,} customers/call x {BULK_CALLS}:  {bulk_rate:>9,.0f} customers/s   (target >= 20,000)"
    )
    print(f"  peer: 1 customer/call x {SINGLE_CALLS:,}:        {single_rate:>9,.0f} customers/s   "
          f"(bulk is {bulk_rate / single_rate:,.0f}x faster)")  # fmt: skip
    print(
        f"GET badge p50 over {GETS:,} requests:       {p50_badge:>9.2f} ms (p95 {p95_badge:.2f})   (target <= 5 ms)"
    )
    print(f"  peer: GET /_sandbox/clock p50:         {p50_clock:>9.2f} ms (p95 {p95_clock:.2f})")


if __name__ == "__main__":
    main()
