"""The console's fan-out: bounded concurrency, order, errors, progress, whole paged lists, tasks."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import httpx
import pandas as pd
import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient
from lib.api.errors import APIConnectionError, InternalServerError, NotFoundError, RateLimitError
from lib.bulk.dryrun import dry_run
from lib.bulk.mapping import ColumnMapping
from lib.bulk.model import CUSTOMER_ID, Operation
from lib.bulk.validate import validate
from lib.console import fanout
from lib.console.fanout import MAX_WORKERS, fan_out, pages_of, read_list, read_lists
from lib.console.tasks import BackgroundTask
from tests.api.test_client_endpoints import PagedServer, client_for, numbered_badge


class Overlap:
    """Counts calls in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.started = 0

    def call(self, value, *, seconds: float = 0.02, barrier: threading.Barrier | None = None):
        with self.lock:
            self.now += 1
            self.started += 1
            self.peak = max(self.peak, self.now)
        try:
            if barrier is not None:
                barrier.wait(timeout=10)  # breaks unless `parties` calls are in flight together
            time.sleep(seconds)
            return value
        finally:
            with self.lock:
                self.now -= 1


def test_results_come_back_in_the_order_of_the_calls_with_at_most_eight_in_flight():
    overlap = Overlap()
    barrier = threading.Barrier(MAX_WORKERS)
    calls = [lambda n=n: overlap.call(n, barrier=barrier) for n in range(3 * MAX_WORKERS)]
    assert fan_out(calls) == list(range(3 * MAX_WORKERS))
    assert overlap.peak == MAX_WORKERS


def test_the_pool_bound_is_a_parameter():
    overlap = Overlap()
    assert fan_out([lambda n=n: overlap.call(n) for n in range(10)], workers=3) == list(range(10))
    assert overlap.peak <= 3


def test_the_first_error_is_raised_and_calls_not_started_are_dropped():
    overlap = Overlap()

    def fail():
        raise LookupError("no such customer")

    calls = [fail] + [lambda n=n: overlap.call(n, seconds=0.05) for n in range(40)]
    with pytest.raises(LookupError):
        fan_out(calls, workers=2)
    time.sleep(0.2)
    assert overlap.started < 40


def test_progress_is_reported_in_the_callers_thread_up_to_the_total():
    seen = []
    fan_out(
        [lambda n=n: n for n in range(5)],
        on_progress=lambda done, total: seen.append((done, total, threading.current_thread())),
    )
    assert [(done, total) for done, total, _ in seen][-1] == (5, 5)
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)
    assert {thread for _, _, thread in seen} == {threading.current_thread()}


def test_one_call_runs_in_the_callers_thread():
    assert fan_out([threading.current_thread]) == [threading.current_thread()]
    assert fan_out([]) == []


class PacedServer:
    """Refuses with 429 whenever more than `allowed` reads are in flight, as a rate-limited org would."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.overlap = Overlap()
        self.refused = 0

    def read(self, value):
        with self.overlap.lock:
            crowded = self.overlap.now >= self.allowed
            if crowded:
                self.refused += 1
        if crowded:
            raise RateLimitError("slow down", status_code=429, retry_after=0.05)
        return self.overlap.call(value, seconds=0.02)


def test_a_fan_out_refused_for_pace_slows_down_and_still_reads_everything():
    server = PacedServer(allowed=2)
    # Eight at a time against a server taking two: without slowing down, reads would run out of rounds.
    assert fan_out([lambda n=n: server.read(n) for n in range(40)]) == list(range(40))
    assert 0 < server.refused < 40


def test_a_5xx_or_a_lost_answer_is_read_again(monkeypatch):
    monkeypatch.setattr(fanout, "PAUSE_AFTER_FAILURE", 0.0)
    failures = {
        3: InternalServerError("gateway", status_code=503),
        5: APIConnectionError("answer lost", sent=True),
    }

    def read(n):
        error = failures.pop(n, None)
        if error is not None:
            raise error
        return n

    assert fan_out([lambda n=n: read(n) for n in range(8)]) == list(range(8))


@pytest.mark.parametrize(
    "error",
    [NotFoundError("no such badge", status_code=404), APIConnectionError("refused", sent=False)],
    ids=["4xx", "unreachable"],
)
def test_a_refusal_or_an_unreachable_backend_is_not_read_again(error):
    calls = []

    def read():
        calls.append(1)
        raise error

    with pytest.raises(type(error)):
        fan_out([read, lambda: 1])
    assert len(calls) == 1


def test_a_read_refused_for_pace_every_time_gives_up(monkeypatch):
    calls = []

    def read():
        calls.append(1)
        raise RateLimitError("slow down", status_code=429, retry_after=0.01)

    with pytest.raises(RateLimitError):
        fan_out([read])
    assert len(calls) == fanout.RATE_LIMIT_ROUNDS + 1


def _pages(items: list, size: int, *, ignore_page: bool = False, calls: list | None = None):
    """A `PageFetch` over `items`, `size` a page, with Capillary's pagination block."""
    total_pages = -(-len(items) // size)

    def fetch(page: int):
        if calls is not None:
            calls.append(page)
        answered = 0 if ignore_page else page
        info = SimpleNamespace(page=answered, total=len(items), total_pages=total_pages)
        return items[answered * size : (answered + 1) * size], info

    return fetch


def test_read_lists_returns_every_item_of_every_list_in_order():
    lists = [_pages(list(range(23)), 5), _pages(["a", "b"], 5), _pages([], 5)]
    assert read_lists(lists) == [list(range(23)), ["a", "b"], []]


def test_read_lists_reads_only_the_pages_max_items_needs():
    calls: list[int] = []
    assert read_lists([_pages(list(range(50)), 10, calls=calls)], max_items=25) == [list(range(25))]
    assert sorted(calls) == [0, 1, 2]


def test_a_server_that_ignores_page_does_not_repeat_items():
    assert read_list(_pages(list(range(12)), 5, ignore_page=True)) == list(range(5))


def test_read_lists_reports_progress_over_both_rounds():
    seen = []
    read_lists([_pages(list(range(12)), 5), _pages([1], 5)], on_progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4)  # two first pages, then pages 1 and 2 of the first list


def test_pages_of_reads_a_client_list_with_its_own_page_size_parameter():
    server = PagedServer(7, items_key="metaBasicDetails", size_param="limit", item=numbered_badge)
    with client_for(server) as client:
        badges = read_list(pages_of(client.list_badges, size=3, earn_type="EARN"))
    assert [b.name for b in badges] == [f"Badge {n}" for n in range(7)]
    assert sorted((q["page"], q["limit"], q["earnType"]) for q in server.queries) == [
        ("0", "3", "EARN"),
        ("1", "3", "EARN"),
        ("2", "3", "EARN"),
    ]


def test_the_dry_run_looks_customers_up_side_by_side_through_the_client():
    overlap = Overlap()
    badge = {"id": "6" * 24, "name": "B", "startOn": 1, "earnType": "ISSUE_EARN", "active": True,
             "earnedBadgeExpiry": {"expiryType": "NEVER"}}  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        if "/management/" in request.url.path:
            overlap.call(None, seconds=0.03)
            return httpx.Response(200, json={"data": {"id": badge["id"]}, "errors": []})
        return httpx.Response(200, json={"data": badge, "errors": []})

    frame = pd.DataFrame({"customerId": pd.Series([str(100 + n) for n in range(30)], dtype="str")})
    frame.index = pd.RangeIndex(2, 32, name="row")
    validated = validate(frame, ColumnMapping(Operation.ENROL, {CUSTOMER_ID: "customerId"}))
    client = BadgesClient("https://eu.api.capillarytech.com", BasicAuth("u", "p"),
                          transport=httpx.MockTransport(handler), max_retries=0)  # fmt: skip
    with client:
        report = dry_run(client, validated, badge_id=badge["id"], read_many=fan_out)
    assert report.customers_checked == 30
    assert overlap.started == 30
    assert 1 < overlap.peak <= MAX_WORKERS


def test_a_background_task_reports_progress_and_hands_over_its_result():
    release = threading.Event()

    def work(progress):
        progress(1, 4)
        release.wait(10)
        return "report"

    task = BackgroundTask.start(work)
    deadline = time.monotonic() + 10
    while task.progress().done == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not task.finished
    assert (task.progress().done, task.progress().total, task.progress().fraction) == (1, 4, 0.25)
    with pytest.raises(RuntimeError):
        task.result()
    release.set()
    assert task.wait(10)
    assert task.result() == "report"


def test_a_background_task_raises_its_error_in_the_thread_that_takes_the_result():
    def work(progress):
        raise LookupError("badge gone")

    task = BackgroundTask.start(work)
    assert task.wait(10)
    with pytest.raises(LookupError, match="badge gone"):
        task.result()
