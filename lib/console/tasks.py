"""Work a page starts and a later script run picks up: one worker thread, its progress, its result.

Streamlit stops or reruns the script thread on any click, so a read that takes seconds (the bulk dry
run looks up a hundred customers) runs in a `BackgroundTask` kept in the session's state. The page
polls it from a fragment (`st.fragment(run_every=...)`) and takes the result on the first run that
sees it finished; a rerun in between loses nothing. The worker never touches Streamlit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from lib.console.fanout import Progress

T = TypeVar("T")


@dataclass(frozen=True)
class TaskProgress:
    done: int
    total: int
    seconds: float

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0


class BackgroundTask(Generic[T]):
    """Runs `work(progress)` on a daemon thread; `result()` returns its value or raises its error."""

    def __init__(self, work: Callable[[Progress], T], *, name: str = "console-task") -> None:
        self._work = work
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0
        self._value: T | None = None
        self._error: BaseException | None = None
        self._started = time.monotonic()
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @classmethod
    def start(cls, work: Callable[[Progress], T], *, name: str = "console-task") -> BackgroundTask[T]:
        task = cls(work, name=name)
        task._thread.start()
        return task

    def _report(self, done: int, total: int) -> None:
        with self._lock:
            self._done, self._total = done, total

    def _run(self) -> None:
        try:
            self._value = self._work(self._report)
        except BaseException as exc:  # noqa: BLE001 - handed to the script thread, which raises it there
            self._error = exc
        finally:
            self._finished.set()

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def progress(self) -> TaskProgress:
        with self._lock:
            return TaskProgress(self._done, self._total, time.monotonic() - self._started)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work ends (tests and benches; a page polls `finished` instead)."""
        return self._finished.wait(timeout)

    def result(self) -> T:
        """The work's value; its exception, raised again here, if it failed. Only once finished."""
        if not self.finished:
            raise RuntimeError("the task is still running")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
