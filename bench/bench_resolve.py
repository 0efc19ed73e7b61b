"""Bench: look up mobile numbers to customer ids through the sandbox's remote network profile.

A file keyed by mobile numbers is looked up one customer per call before it is enrolled. Through the
`remote` profile (150 ms +- 50 ms per call, 20 requests/s per org answered with 429 + Retry-After), the
look-up's ceiling is the rate limit itself: 20 customers/s. Target: >= 80% of it. Peer measured in the
same run: a sequential loop of the same call (a sample, extrapolated).

    python bench/bench_resolve.py [--customers 20000] [--loop-sample 40]

At 20 requests/s, 20,000 look-ups take at least 1,000 s; pass a smaller --customers for a quick figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_enrol import new_badge, sandbox_process  # noqa: E402
from bench.bench_field import CONTROL, counters, set_profile  # noqa: E402
from lib.bulk.journal import Journal  # noqa: E402
from lib.bulk.resolve import resolve_identities  # noqa: E402
from lib.sandbox.demo_orgs import demo_client  # noqa: E402

RATE = 20.0


def register(base_url: str, count: int) -> dict[str, int]:
    numbers = {f"91{7000000000 + k}": 3_000_000 + k for k in range(count)}
    customers = [{"customerId": cid, "mobile": mobile} for mobile, cid in numbers.items()]
    for start in range(0, len(customers), 5000):
        httpx.put(f"{base_url}/_sandbox/customers", json={"org": "demo", "customers": customers[start : start + 5000]},
                  headers=CONTROL, timeout=60).raise_for_status()  # fmt: skip
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--loop-sample", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with (
            sandbox_process(tmp / "sandbox.db", extra=("--profile", "remote")) as base_url,
            demo_client(base_url, timeout=10.0) as client,
        ):
            numbers = register(base_url, args.customers + args.loop_sample)
            mobiles = list(numbers)
            badge = new_badge(client)
            journal = Journal(tmp / "jobs.sqlite")
            set_profile(base_url, "remote")
            start = time.perf_counter()
            found = resolve_identities(client, journal, mobiles[: args.customers], kind="mobile", org="demo",
                                       base_url=base_url, badge_id=badge)  # fmt: skip
            seconds = time.perf_counter() - start
            seen = counters(base_url)
            right = sum(found[m].customer_id == numbers[m] for m in mobiles[: args.customers])
            again = time.perf_counter()
            resolve_identities(client, journal, mobiles[: args.customers], kind="mobile", org="demo",
                               base_url=base_url, badge_id=badge)  # fmt: skip
            cached = time.perf_counter() - again
            journal.close()
            loop_start = time.perf_counter()
            for mobile in mobiles[args.customers :]:
                client.find_customer_id(value=mobile, identifier="mobile", badge_id=badge)
            loop_seconds = time.perf_counter() - loop_start

    rate = args.customers / seconds
    loop_rate = args.loop_sample / loop_seconds
    print(f"look up {args.customers:,} mobile numbers through the sandbox's remote profile "
          f"(150 ms +- 50 ms, {RATE:.0f} requests/s per org)")  # fmt: skip
    print(f"  ours: adaptive, concurrent   {seconds:7.1f} s  {rate:6.1f} look-ups/s  {rate / RATE:6.1%} of the "
          f"rate limit   429s {seen.get('answered_429', 0):,}/{seen.get('requests', 0):,} calls   target >= 80%")  # fmt: skip
    print(
        f"  {'':<28} right customer id: {right:,}/{args.customers:,}; again from the journal: {cached:.2f} s"
    )
    print(f"  peer: sequential loop       {loop_rate:6.1f} look-ups/s ({args.loop_sample} measured; "
          f"{args.customers / loop_rate / 60:,.1f} min for {args.customers:,})")  # fmt: skip
    print(f"ratio: ours / sequential loop = {rate / loop_rate:.1f}x")


if __name__ == "__main__":
    main()
