"""The sandbox's "now": real time, or an instant frozen by `PUT /_sandbox/clock`.

Badge status, enrolment and earn expiry, cycle boundaries and "is this date in the past" all read
this clock, so a demo or a test can stand on either side of a window boundary.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime


class SandboxClock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        frozen = self._frozen
        return frozen if frozen is not None else datetime.now(UTC)

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def set(self, instant: datetime | None) -> None:
        """Freeze the clock at `instant` (aware), or go back to real time with None."""
        if instant is not None and instant.tzinfo is None:
            raise ValueError("the sandbox clock needs a timezone-aware instant")
        with self._lock:
            self._frozen = instant.astimezone(UTC) if instant is not None else None
