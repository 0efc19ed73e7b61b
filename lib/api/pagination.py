"""Walk every page of a list endpoint, so callers iterate items and never handle page numbers.

Capillary's lists answer with ``data.pagination = {page, size, total, totalPages}``; pages are 0-based.
The page-size parameter is ``limit`` on list badges (#3) and the customer view (#15) and ``size``
everywhere else; both take ``page``.

Stops after the page numbered ``totalPages - 1``, on an empty page, when the answer has no pagination
block, or when the server answers a different page than asked (it ignored ``page``; going on would
repeat the same items forever).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGES = 100_000
"""Safety stop for a server that keeps reporting more pages."""


class PaginationInfo(Protocol):
    """The ``pagination`` block as the response models expose it."""

    @property
    def page(self) -> int | None: ...

    @property
    def total(self) -> int | None: ...

    @property
    def total_pages(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One fetched page: its items and what the server said about the whole list."""

    number: int
    items: Sequence[T]
    total: int | None
    total_pages: int | None


PageFetcher = Callable[[int], tuple[Sequence[T], PaginationInfo | None]]
"""Fetches page ``n`` (0-based) and returns its items and pagination block."""


class Paginator(Generic[T]):
    """Iterating yields every item of every page; pages are fetched lazily, one request each.

    ``total`` is known once the first page has been fetched (``first_page()`` fetches it).
    Iterating twice fetches again, so the second pass sees fresh data.
    """

    def __init__(self, fetch: PageFetcher[T], *, max_items: int | None = None) -> None:
        self._fetch = fetch
        self._max_items = max_items
        self._first: Page[T] | None = None

    def first_page(self) -> Page[T]:
        if self._first is None:
            self._first = self._get(0)
        return self._first

    @property
    def total(self) -> int | None:
        return self.first_page().total

    def pages(self) -> Iterator[Page[T]]:
        page = self._first if self._first is not None else self._get(0)
        self._first = None
        number = 0
        while True:
            yield page
            if not page.items or page.total_pages is None or number + 1 >= min(page.total_pages, MAX_PAGES):
                return
            number += 1
            page = self._get(number)
            if page.number != number:
                return

    def __iter__(self) -> Iterator[T]:
        remaining = self._max_items
        if remaining is not None and remaining <= 0:
            return
        for page in self.pages():
            for item in page.items:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return  # before the next page is fetched

    def _get(self, number: int) -> Page[T]:
        items, info = self._fetch(number)
        if info is None:
            return Page(number=number, items=items, total=len(items), total_pages=None)
        answered = info.page if info.page is not None else number
        return Page(number=answered, items=items, total=info.total, total_pages=info.total_pages)
