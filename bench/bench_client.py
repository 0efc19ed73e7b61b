"""Bench: what the Badges client adds to a call (checks, retry loop, request log, typed parsing).

Measured: `BadgesClient.get_badge` and `iter_badges` over an in-memory `httpx.MockTransport` (no
network, so only our overhead shows), and `get_badge` against the local sandbox over loopback HTTP.
Peer, measured in the same run: a bare `httpx.Client` doing the same request and `response.json()`
with the same Authorization header, i.e. what a hand-written call costs without typing or safety.

    python bench/bench_client.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from lib.api.auth import BasicAuth  # noqa: E402
from lib.api.client import BadgesClient  # noqa: E402

BADGE_ID = "696e2234eba5957293853195"
PATH = f"/api_gateway/v1/badges/badgeMeta/{BADGE_ID}"
BADGE = {
    "id": BADGE_ID,
    "name": "Coffee Lover",
    "earnType": "EARN",
    "startOn": 1769904000.811401,
    "expiresOn": 1798675200,
    "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 10},
    "ownership": {"restrictedToOwners": ["Loyalty"], "claims": []},
    "customerConstraints": [{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 3}],
}
CALLS = 500
RUNS = 5
LIST_TOTAL = 10_000
LIST_PAGE = 100


def median_per_call(action, calls: int) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for _ in range(calls):
            action()
        samples.append((time.perf_counter() - started) / calls)
    return statistics.median(samples)


def one_badge(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": BADGE, "errors": None, "warnings": None})


def badge_pages(request: httpx.Request) -> httpx.Response:
    page, size = int(request.url.params["page"]), int(request.url.params["limit"])
    items = [{**BADGE, "id": f"{n:024x}"} for n in range(page * size, min((page + 1) * size, LIST_TOTAL))]
    pagination = {"page": page, "size": size, "total": LIST_TOTAL, "totalPages": -(-LIST_TOTAL // size)}
    return httpx.Response(200, json={"data": {"metaBasicDetails": items, "pagination": pagination}})


def raw_pages(raw: httpx.Client) -> int:
    count, page = 0, 0
    while True:
        data = raw.get("/api_gateway/v1/badges/badgeMeta", params={"page": page, "limit": LIST_PAGE}).json()[
            "data"
        ]
        count += len(data["metaBasicDetails"])
        page += 1
        if page >= data["pagination"]["totalPages"]:
            return count


def main() -> None:
    auth = BasicAuth("store.server", "server123")
    headers = auth.headers()

    with (
        BadgesClient("https://bench.example", auth, transport=httpx.MockTransport(one_badge)) as client,
        httpx.Client(
            base_url="https://bench.example", transport=httpx.MockTransport(one_badge), headers=headers
        ) as raw,
    ):
        ours = median_per_call(lambda: client.get_badge(badge_id=BADGE_ID), CALLS)
        peer = median_per_call(lambda: raw.get(PATH).json(), CALLS)
    print(
        f"get_badge, in-memory transport:  client {ours * 1e6:7.0f} us/call   bare httpx {peer * 1e6:7.0f} us/call"
    )

    with (
        BadgesClient("https://bench.example", auth, transport=httpx.MockTransport(badge_pages)) as client,
        httpx.Client(
            base_url="https://bench.example", transport=httpx.MockTransport(badge_pages), headers=headers
        ) as raw,
    ):
        ours = median_per_call(lambda: sum(1 for _ in client.iter_badges(page_size=LIST_PAGE)), 1)
        peer = median_per_call(lambda: raw_pages(raw), 1)
    print(
        f"iter_badges {LIST_TOTAL:,} badges / {LIST_PAGE} per page: client {ours * 1e3:7.0f} ms   "
        f"bare httpx (dicts, no models) {peer * 1e3:7.0f} ms"
    )

    from lib.sandbox.demo_orgs import demo_auth
    from lib.sandbox.server import start_sandbox

    with tempfile.TemporaryDirectory() as folder:
        sandbox = start_sandbox(Path(folder) / "bench.db")
        try:
            with (
                sandbox.client() as client,
                httpx.Client(base_url=sandbox.base_url, headers=demo_auth().headers()) as raw,
            ):
                badge_id = next(iter(client.iter_badges(page_size=1))).id
                path = f"/api_gateway/v1/badges/badgeMeta/{badge_id}"
                ours = median_per_call(lambda: client.get_badge(badge_id=badge_id), CALLS // 5)
                peer = median_per_call(lambda: raw.get(path).json(), CALLS // 5)
            print(
                f"get_badge, sandbox over HTTP:    client {ours * 1e3:7.2f} ms/call   bare httpx {peer * 1e3:7.2f} ms/call"
            )
        finally:
            sandbox.stop()
    print(f"(median of {RUNS} runs; body of one badge: {len(json.dumps(BADGE))} bytes)")


if __name__ == "__main__":
    main()
