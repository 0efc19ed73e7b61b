"""What every backend shares: the repository it stores through and the sandbox clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lib.sandbox.clock import SandboxClock
from lib.sandbox.repository import Repository


@dataclass
class Context:
    repo: Repository
    clock: SandboxClock

    def now(self) -> datetime:
        return self.clock.now()
