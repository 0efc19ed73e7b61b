"""Pacing of a job's requests: every call (a batch, or a customer read while settling one) waits for
the circuit breaker and the adaptive limiter, and tells both how it went (`lib.bulk.limiter`)."""

from __future__ import annotations

import time
from collections.abc import Callable

from lib.api.errors import BadgesError
from lib.bulk.bulk_calls import load_signal
from lib.bulk.journal import JobState
from lib.bulk.limiter import Signal
from lib.bulk.policy import retry_after_of


class Halted(Exception):
    """The job is pausing, stopping or cancelling: the request was not sent."""


class Pacing:
    """Mixed into `JobRunner`, which provides `limiter`, `breaker`, `journal`, `job_id`, `_sleep`,
    `_stop` and the halt flags."""

    def _halting(self) -> bool:
        return self._halt is not None or self._lease_lost

    def _gate(self) -> None:
        """Wait until the breaker and the limiter let one request start (its permit is then held)."""
        while True:
            if self._halting():
                raise Halted
            wait = self.breaker.allow()
            if wait <= 0:
                break
            if self.breaker.given_up():
                self.journal.add_event(
                    self.job_id, "circuit-open", "the server has not answered for a long time"
                )
                self._stop(JobState.PAUSED, "circuit-open")
                raise Halted
            self._sleep(min(wait, 0.5))
        if not self.limiter.acquire(stop=self._halting):
            self.breaker.abandon()
            raise Halted

    def _measured(self, call: Callable):
        """Run one request holding a permit from `_gate`; tell the limiter and the breaker how it went."""
        started = time.monotonic()
        try:
            result = call()
        except BadgesError as exc:
            signal = load_signal(exc)
            self.limiter.release(signal, time.monotonic() - started, retry_after_of(exc))
            self.breaker.record(failed=signal in (Signal.OVERLOADED, Signal.UNREACHABLE))
            raise
        except BaseException:  # the worker is going down: free its permit and any probe slot it held
            self.limiter.release(Signal.OK, time.monotonic() - started)
            self.breaker.abandon()
            raise
        self.limiter.release(Signal.OK, time.monotonic() - started)
        self.breaker.record(failed=False)
        return result
