"""How a caller hands over a batch of independent reads: the `ReadMany` shape and its plain default.

The dry run (`lib.bulk.dryrun`) and the org snapshot (`lib.promote.export`) read many things that do
not depend on each other. They take a `read_many` so the console and the command lines can pass the
bounded concurrent fan-out (`lib.console.fanout.fan_out`); headless callers and tests get
`one_by_one`. It lives beside the client because every layer that reads (bulk, promote, console)
may import `lib.api`, and none of them may import each other's fan-out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

Progress = Callable[[int, int], None]
"""`progress(done, total)`: called in the caller's thread each time a read finishes."""


class ReadMany(Protocol):
    """Runs zero-argument reads and returns their results in the calls' order, reporting `(done, total)`."""

    def __call__(
        self, calls: Sequence[Callable[[], Any]], *, on_progress: Progress | None = None
    ) -> list[Any]: ...


def one_by_one(calls: Sequence[Callable[[], T]], *, on_progress: Progress | None = None) -> list[T]:
    """The reads in order, each after the previous one (the default `ReadMany`)."""
    results = []
    for done, call in enumerate(calls, start=1):
        results.append(call())
        if on_progress is not None:
            on_progress(done, len(calls))
    return results
