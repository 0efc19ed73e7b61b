"""Fault injection for the bulk runner's reliability tests (`PUT /_sandbox/faults`).

Off until a test sets rules; a reset clears them. Each rule matches on method and path suffix and
fires on the next `count` matching requests (all of them when `count` is None), each time with its
own seeded `probability`. Kinds:

- `status`: answer `status` (with `Retry-After` when given) and do nothing else;
- `commit_then_delay`: run the request and commit, then hold the answer for `delay` seconds, so a
  client with a shorter read timeout sees a timeout although the work is done;
- `drop_before_commit`: do nothing, wait `delay` seconds, then drop the connection without an answer;
- `commit_then_drop`: run the request (its work is applied when it succeeds), wait `delay` seconds,
  then drop the connection instead of answering: an answer lost on the way back.

The network profile (`network.py`) expresses its gateway faults as these rules too; `routes._answer`
is the one place any rule takes effect.
"""

from __future__ import annotations

import random
import threading
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class FaultKind(StrEnum):
    STATUS = "status"
    COMMIT_THEN_DELAY = "commit_then_delay"
    DROP_BEFORE_COMMIT = "drop_before_commit"
    COMMIT_THEN_DROP = "commit_then_drop"


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FaultKind = FaultKind.STATUS
    method: str | None = None  # None = any method
    path_suffix: str = ""  # matched against the end of the request path
    status: Annotated[int, Field(ge=400, le=599)] = 503
    # Seconds or an HTTP-date, sent verbatim: printable ASCII only, as a header value must be.
    retry_after: Annotated[str, Field(pattern=r"^[\x20-\x7e]{1,64}$")] | None = None
    delay: Annotated[float, Field(ge=0, le=600)] = 0.0
    probability: Annotated[float, Field(ge=0, le=1)] = 1.0
    count: Annotated[int, Field(ge=0)] | None = None
    seed: int | None = None


class FaultRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[FaultRule] = []


class _Armed:
    def __init__(self, rule: FaultRule) -> None:
        self.rule = rule
        self.remaining = rule.count
        self.random = random.Random(rule.seed)


class FaultInjector:
    def __init__(self) -> None:
        self._armed: list[_Armed] = []
        self._lock = threading.Lock()
        self.applied = 0

    def set(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._armed = [_Armed(rule) for rule in rules]

    def clear(self) -> None:
        self.set([])

    def rules(self) -> list[FaultRule]:
        return [armed.rule for armed in self._armed]

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (consumes one of its `count`)."""
        if not self._armed:
            return None
        with self._lock:
            for armed in self._armed:
                rule = armed.rule
                if rule.method and rule.method.upper() != method.upper():
                    continue
                if not path.endswith(rule.path_suffix):
                    continue
                if armed.remaining is not None and armed.remaining <= 0:
                    continue
                if rule.probability < 1.0 and armed.random.random() >= rule.probability:
                    continue
                if armed.remaining is not None:
                    armed.remaining -= 1
                self.applied += 1
                return rule
        return None
