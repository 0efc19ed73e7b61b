"""Bench: enrol customers through the sandbox's remote and flaky network profiles, as on a real cluster.

The sandbox runs as its own process with `--profile remote`: 150 ms +- 50 ms per call and a rate limit
of 20 requests/s per org answered with 429 and Retry-After. The ceiling a job can reach is then
20 requests/s x 100 customers per call = 2,000 customers/s.

1. The job at its default settings (adaptive limit, batch 100): target >= 90% of the ceiling with
   <= 2% of its calls answered 429.
2. The same under `flaky` (remote + 5% 503 before commit + 3% answers lost after commit): target
   >= 75% of the ceiling, the job never pauses, and every customer is enrolled exactly once.
Peers measured in the same run: the previous fixed setting (2 requests in flight, no adaptation) and
a plain loop of one issueBulk call per customer (a sample, extrapolated).

    python bench/bench_field.py [--customers 20000] [--loop-sample 40]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_enrol import new_badge, plain_loop, sandbox_process  # noqa: E402
from lib.bulk.journal import ItemState, Journal, check_invariant  # noqa: E402
from lib.bulk.limiter import LimiterSettings  # noqa: E402
from lib.bulk.planner import PlanSettings, plan_job  # noqa: E402
from lib.bulk.runner import JobRunner, RunConfig  # noqa: E402
from lib.sandbox.demo_orgs import demo_client  # noqa: E402
from tests.bulk.conftest import enrol_input  # noqa: E402

RATE = 20.0
BATCH = 100
CEILING = RATE * BATCH  # customers/s
CONTROL = {"X-Sandbox-Control": "1"}


def set_profile(base_url: str, profile: str) -> None:
    """Set (and so reset the counters of) the sandbox's network profile."""
    httpx.put(
        f"{base_url}/_sandbox/network", json={"profile": profile, "seed": 7}, headers=CONTROL
    ).raise_for_status()


def counters(base_url: str) -> dict:
    return httpx.get(f"{base_url}/_sandbox/network", headers=CONTROL).json()["counters"]


def run_job(
    client, base_url: str, tmp: Path, ids: list[int], name: str, config: RunConfig | None = None
) -> dict:
    badge = new_badge(client)
    journal = Journal(tmp / f"{name}.sqlite")
    job = plan_job(journal, enrol_input(ids), org="demo", base_url=base_url, badge_id=badge, job_key=name,
                   settings=PlanSettings(batch_size=BATCH))  # fmt: skip
    set_profile(base_url, PROFILE[name])
    runner = JobRunner(journal, job.job_id, client, config=config)
    start = time.perf_counter()
    result = runner.run()
    seconds = time.perf_counter() - start
    seen = counters(base_url)
    counts = check_invariant(journal.counts(job.job_id))
    items = journal.items(job.job_id)
    journal.close()
    enrolled = {i.customer_id for i in items if i.state is ItemState.SUCCEEDED}
    held = client.get_badge(badge_id=badge, include_statistics=True).issued_count
    return {
        "seconds": seconds,
        "rate": len(ids) / seconds,
        "state": result.state.value,
        "reason": result.reason,
        "calls": seen.get("requests", 0),
        "429": seen.get("answered_429", 0),
        "503": seen.get("injected_503", 0),
        "lost": seen.get("answers_lost", 0),
        "succeeded": counts.succeeded,
        "all_enrolled_once": enrolled == set(ids) and held == len(ids),
        "pace": runner.pace().describe(),
    }


PROFILE = {"adaptive": "remote", "fixed-2": "remote", "flaky": "flaky"}


def line(label: str, run: dict) -> str:
    share = run["rate"] / CEILING
    throttled = run["429"] / max(run["calls"], 1)
    return (
        f"  {label:<34} {run['seconds']:7.1f} s  {run['rate']:7,.0f} customers/s  {share:6.1%} of ceiling  "
        f"429s {run['429']:,}/{run['calls']:,} calls ({throttled:.1%})  {run['state'].lower()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--loop-sample", type=int, default=40)
    args = parser.parse_args()
    ids = list(range(2_000_000, 2_000_000 + args.customers))

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with (
            sandbox_process(tmp / "sandbox.db", extra=("--profile", "remote")) as base_url,
            demo_client(base_url, timeout=10.0) as client,
        ):
            adaptive = run_job(client, base_url, tmp, ids, "adaptive")
            fixed = run_job(client, base_url, tmp, ids, "fixed-2",
                            RunConfig(limiter=LimiterSettings(initial=2, ceiling=2)))  # fmt: skip
            flaky = run_job(client, base_url, tmp, ids, "flaky")
            set_profile(base_url, "remote")
            loop_badge = new_badge(client)
            loop_seconds = plain_loop(client, loop_badge, ids[: args.loop_sample])

    loop_rate = args.loop_sample / loop_seconds
    print(f"enrol {args.customers:,} customers, batch {BATCH}, through the sandbox's network profile")
    print(f"ceiling: {RATE:.0f} requests/s x {BATCH} customers per call = {CEILING:,.0f} customers/s")
    print("remote (150 ms +- 50 ms, 20 requests/s per org, 429 + Retry-After):")
    print(line("ours: default settings (adaptive)", adaptive) + "   target >= 90%, 429s <= 2%")
    print(f"  {'':<34} last pace: {adaptive['pace']}")
    print(line("peer: fixed 2 in flight (before)", fixed))
    print(
        f"  {'peer: plain loop, 1 customer/call':<34} {loop_rate * 60:7,.0f} customers/min  "
        f"({args.loop_sample} measured; {args.customers / loop_rate / 60:,.0f} min for {args.customers:,})"
    )
    print("flaky (remote + 5% 503 before commit + 3% answers lost after commit):")
    print(line("ours: default settings (adaptive)", flaky) + "   target >= 75%, no pause")
    print(
        f"  {'':<34} injected: {flaky['503']:,} 503s, {flaky['lost']:,} lost answers; every customer enrolled "
        f"exactly once: {'yes' if flaky['all_enrolled_once'] else 'NO'}; paused: "
        f"{'no' if flaky['state'] == 'COMPLETED' else 'yes (' + str(flaky['reason']) + ')'}"
    )
    print(f"ratio: adaptive / fixed 2 in flight = {adaptive['rate'] / fixed['rate']:.2f}x; "
          f"adaptive / plain loop = {adaptive['rate'] / loop_rate:,.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
