"""Independent API reads run side by side, a few at a time: the console's one fan-out helper.

A remote cluster answers in 100-300 ms, so a page that reads twenty badges' cycles one after the
other waits seconds for what eight reads in flight finish in a fraction. `fan_out` runs a list of
zero-argument calls on a small thread pool (at most `MAX_WORKERS` at once) and returns their results
in the order of the calls; `read_lists` reads whole paged lists that way: the first page of every
list together, then every remaining page of all of them together.

The calls only use the API client, which is thread-safe (one `httpx.Client`, a locked OAuth token,
a locked request log); they never touch Streamlit. Progress is reported in the caller's thread, so a
page can draw it. A pool lives for one fan-out: a script that is stopped or rerun while waiting
leaves no queued work behind (the reads already in flight finish and are dropped).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from functools import partial
from typing import Any, TypeVar

from lib.api.pagination import MAX_PAGES, PaginationInfo
from lib.api.resources import PAGED

T = TypeVar("T")

MAX_WORKERS = 8
"""Reads in flight at once per fan-out: enough to hide latency, few enough for a rate-limited org."""
PAGE_SIZE = 100

Progress = Callable[[int, int], None]
"""`progress(done, total)`: called in the caller's thread each time a read finishes."""
PageFetch = Callable[[int], tuple[Sequence[Any], PaginationInfo | None]]
"""Fetches page `n` (0-based) of one list: its items and its pagination block."""


def fan_out(
    calls: Sequence[Callable[[], T]], *, workers: int = MAX_WORKERS, on_progress: Progress | None = None
) -> list[T]:
    """Run the calls concurrently, at most `workers` at a time; their results, in the calls' order.

    The first error stops the fan-out: calls not started yet are dropped and the error is raised.
    A single call runs in the caller's thread.
    """
    total = len(calls)
    if total <= 1 or workers <= 1:
        results = []
        for done, call in enumerate(calls, start=1):
            results.append(call())
            if on_progress is not None:
                on_progress(done, total)
        return results
    pool = ThreadPoolExecutor(max_workers=min(workers, total), thread_name_prefix="console-read")
    try:
        futures: dict[Future[T], int] = {pool.submit(call): index for index, call in enumerate(calls)}
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
        pool.shutdown(wait=False, cancel_futures=True)


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
