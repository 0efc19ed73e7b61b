"""Independent API reads run side by side, a few at a time: the console's one fan-out helper.

A remote cluster answers in 100-300 ms, so a page that reads twenty badges' cycles one after the
other waits seconds for what eight reads in flight finish in a fraction. `fan_out` runs a list of
zero-argument calls on a small thread pool (at most `MAX_WORKERS` at once) and returns their results
in the order of the calls; `read_lists` reads whole paged lists that way: the first page of every
list together, then every remaining page of all of them together.

The calls are reads through the API client, which is thread-safe (one `httpx.Client`, a locked
OAuth token, a locked request log); they never touch Streamlit. Progress is reported in the caller's
thread, so a page can draw it. A pool lives for one fan-out: a script that is stopped or rerun while
waiting leaves no queued work behind (the reads already in flight finish and are dropped).

A cluster limits each org's pace (429 with Retry-After) and fails now and then. The client already
retries a read a few times; when it still gets 429, the fan-out halves the reads it keeps in flight,
lets them all wait out the Retry-After, and tries that read again; after a 5xx or an answer lost on
the way back it tries again after a short pause. Only reads are fanned out, so a repeat is harmless.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from functools import partial
from typing import Any, TypeVar

from lib.api.errors import APIConnectionError, APIStatusError, APITimeoutError, RateLimitError
from lib.api.pagination import MAX_PAGES, PaginationInfo
from lib.api.read_many import Progress
from lib.api.resources import PAGED

T = TypeVar("T")

MAX_WORKERS = 8
"""Reads in flight at once per fan-out: enough to hide latency, few enough for a rate-limited org."""
PAGE_SIZE = 100
RATE_LIMIT_ROUNDS = 6
"""Times a read refused for pace (429) is tried again by the fan-out, once the client gave up."""
FAILURE_ROUNDS = 2
"""Times a read that failed with a 5xx or lost its answer is tried again by the fan-out."""
PAUSE_AFTER_FAILURE = 0.5
"""Seconds before a read that failed with a 5xx or a broken connection is tried again."""

PageFetch = Callable[[int], tuple[Sequence[Any], PaginationInfo | None]]
"""Fetches page `n` (0-based) of one list: its items and its pagination block."""


def fan_out(
    calls: Sequence[Callable[[], T]], *, workers: int = MAX_WORKERS, on_progress: Progress | None = None
) -> list[T]:
    """Run the reads concurrently, at most `workers` at a time; their results, in the calls' order.

    A read the server refuses for pace (429) or fails (5xx, answer lost) is tried again, up to
    `RATE_LIMIT_ROUNDS` / `FAILURE_ROUNDS` times, with fewer reads in flight after a 429. Any other
    error, or one that outlasts its rounds, stops the fan-out: reads not started yet are dropped and
    it is raised.
    """
    total = len(calls)
    gate = _Gate(min(workers, total))
    if total <= 1 or workers <= 1:
        results = []
        for done, call in enumerate(calls, start=1):
            results.append(_attempts(call, gate))
            if on_progress is not None:
                on_progress(done, total)
        return results
    pool = ThreadPoolExecutor(max_workers=min(workers, total), thread_name_prefix="console-read")
    try:
        futures = {pool.submit(_attempts, call, gate): index for index, call in enumerate(calls)}
        results: list[Any] = [None] * total
        pending, done = set(futures), 0
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                results[futures[future]] = future.result()  # raises the call's error
                done += 1
            if on_progress is not None:
                on_progress(done, total)
        return results
    finally:
        gate.close()
        pool.shutdown(wait=False, cancel_futures=True)


class _Gate:
    """The pace of one fan-out, shared by its reads: how many may be in flight, and a pause after 429.

    A 429 halves the reads in flight and caps them below the number that was refused; successes
    grow them back by one per `limit` reads, up to that cap. Refusals of reads that started before
    the last slow-down count once (they were sent at the old pace). So a fan-out settles near the
    pace the server accepts instead of spending its rounds on refusals.
    """

    def __init__(self, limit: int) -> None:
        self.cap = self.limit = max(limit, 1)
        self.in_flight = 0
        self.successes = 0
        self.epoch = 0  # bumped on every slow-down
        self.resume_at = 0.0
        self.closed = False
        self.changed = threading.Condition()

    def enter(self) -> int:
        """Wait for a free place at the current pace; the epoch the read starts in."""
        with self.changed:
            while True:
                if self.closed:
                    raise _Abandoned()
                pause = self.resume_at - time.monotonic()
                if pause <= 0 and self.in_flight < self.limit:
                    self.in_flight += 1
                    return self.epoch
                self.changed.wait(timeout=pause if pause > 0 else None)

    def leave(self, epoch: int, *, refused_for: float | None = None) -> None:
        with self.changed:
            self.in_flight -= 1
            if refused_for is not None:
                self.resume_at = max(self.resume_at, time.monotonic() + refused_for)
                if epoch == self.epoch:
                    self.cap = max(1, self.limit - 1)
                    self.limit = max(1, self.limit // 2)
                    self.successes = 0
                    self.epoch += 1
            else:
                self.successes += 1
                if self.limit < self.cap and self.successes >= self.limit:
                    self.limit, self.successes = self.limit + 1, 0
            self.changed.notify_all()

    def close(self) -> None:
        """The fan-out ended (an error, or the caller was stopped): reads still waiting give up."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()


class _Abandoned(Exception):
    """A read that never started because its fan-out had already ended."""


def _attempts(call: Callable[[], T], gate: _Gate) -> T:
    refusals = failures = 0
    while True:
        epoch = gate.enter()
        try:
            result = call()
        except RateLimitError as exc:
            gate.leave(epoch, refused_for=exc.retry_after or 1.0)
            refusals += 1
            if refusals > RATE_LIMIT_ROUNDS:
                raise
            continue
        except (APIConnectionError, APIStatusError) as exc:
            gate.leave(epoch)
            failures += 1
            if not _worth_another_round(exc) or failures > FAILURE_ROUNDS:
                raise
            time.sleep(PAUSE_AFTER_FAILURE)
            continue
        except BaseException:
            gate.leave(epoch)
            raise
        gate.leave(epoch)
        return result


def _worth_another_round(exc: APIConnectionError | APIStatusError) -> bool:
    """A 5xx, or an answer lost on the way back. Not a backend that cannot be reached or does not
    answer in time: the client already waited for it, and the page should say so now."""
    if isinstance(exc, APIStatusError):
        return exc.status_code >= 500
    return exc.sent and not isinstance(exc, APITimeoutError)


def pages_of(list_page: Callable[..., Any], *, size: int = PAGE_SIZE, **filters: Any) -> PageFetch:
    """Page fetcher of one of the client's one-page list methods (`client.list_badges`,
    `client.get_fixed_window_details`, `client.list_customer_badges`, ...), with its filters."""
    paged = PAGED[list_page.__name__]

    def fetch(page: int) -> tuple[Sequence[Any], PaginationInfo | None]:
        data = list_page(page=page, **{paged.size_param: size}, **filters)
        return getattr(data, paged.items) or [], data.pagination

    return fetch


def read_lists(
    lists: Sequence[PageFetch],
    *,
    max_items: int | None = None,
    workers: int = MAX_WORKERS,
    on_progress: Progress | None = None,
) -> list[list[Any]]:
    """Every item of each list (at most `max_items` each), in two concurrent rounds.

    The first pages say how many pages each list has; the rest are then read together. A list
    stops early, as `lib.api.pagination.Paginator` does, on an empty page or when the server answers
    another page than the one asked for (it ignores `page`; going on would repeat items).
    """
    firsts = fan_out([partial(fetch, 0) for fetch in lists], workers=workers,
                     on_progress=_counted(on_progress, 0, len(lists)))  # fmt: skip
    wanted = [(index, page) for index, (items, info) in enumerate(firsts)
              for page in range(1, _page_count(items, info, max_items))]  # fmt: skip
    rest = fan_out([partial(lists[index], page) for index, page in wanted], workers=workers,
                   on_progress=_counted(on_progress, len(lists), len(lists) + len(wanted)))  # fmt: skip
    later: dict[tuple[int, int], tuple[Sequence[Any], PaginationInfo | None]] = dict(
        zip(wanted, rest, strict=True)
    )
    read = []
    for index, (items, _) in enumerate(firsts):
        found = list(items)
        page = 1
        while (index, page) in later:
            items, info = later[(index, page)]
            answered = info.page if info is not None and info.page is not None else page
            if not items or answered != page:
                break
            found.extend(items)
            page += 1
        read.append(found if max_items is None else found[:max_items])
    return read


def read_list(fetch: PageFetch, *, max_items: int | None = None, workers: int = MAX_WORKERS) -> list[Any]:
    """Every item of one paged list: the first page, then all the others at once."""
    return read_lists([fetch], max_items=max_items, workers=workers)[0]


def _counted(on_progress: Progress | None, before: int, total: int) -> Progress | None:
    """Progress of one round reported as progress of the whole read (`before` reads already done)."""
    if on_progress is None:
        return None
    return lambda done, _: on_progress(before + done, total)


def _page_count(items: Sequence[Any], info: PaginationInfo | None, max_items: int | None) -> int:
    if not items or info is None or info.total_pages is None:
        return 1
    pages = min(info.total_pages, MAX_PAGES)
    if max_items is not None:
        pages = min(pages, math.ceil(max_items / len(items)))
    return max(pages, 1)
