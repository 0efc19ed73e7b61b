"""Turn the mobile numbers, emails, external ids or card numbers of a file into customer ids.

issueBulk and the import take Capillary customer ids only, so a file keyed by another identifier is
looked up first, one customer per call (`BadgesClient.find_customer_id`), concurrently under the same
adaptive limiter the job uses (a remote cluster's rate limit is shared by both). Every answer is kept
in the journal's `identities` table as it arrives, so an interrupted look-up resumes where it stopped
and a resumed job never looks anyone up twice.

Outcomes per value: a customer id; "not a customer" (1026, or 1028 for an identifier kind the cluster
does not know), which fails that row with the server's code; or no answer after several tries, which
stops the look-up with `ResolveError` (nothing is planned, nothing is sent; run again to continue).
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from lib.api.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadgesError,
    PermissionDeniedError,
    ResponseValidationError,
)
from lib.bulk.bulk_calls import load_signal
from lib.bulk.identifiers import LABEL
from lib.bulk.issue_lines import IssueLines, quoted
from lib.bulk.journal import Journal
from lib.bulk.limiter import AdaptiveLimiter, LimiterSettings, Signal
from lib.bulk.model import CUSTOMER_ID, IDENTIFIER, ROW, Severity, ValidatedInput
from lib.bulk.planner import DEFAULT_CONCURRENCY, NOT_FOUND_RULES
from lib.bulk.policy import RetryConfig, backoff, retry_after_of
from lib.bulk.validate import duplicate_key

NOT_FOUND_CODES = (1026, 1028)  # customer not found; identifier type not valid for this org
ATTEMPTS = 6  # per value; then the look-up stops and can be run again
SAVE_EVERY = 200  # answers per journal commit
NOT_FOUND_FRESH = 24 * 3600.0  # a "not a customer" answer is asked again after a day


@dataclass(frozen=True)
class Identity:
    customer_id: int | None
    code: int | None = None
    message: str | None = None


class ResolveError(RuntimeError):
    """The look-up could not finish (server unreachable, credentials refused); nothing was planned."""


@dataclass(frozen=True)
class LookupProgress:
    total: int
    cached: int
    done: int
    found: int
    not_found: int


def resolve_identities(
    client,
    journal: Journal,
    values: Sequence[str],
    *,
    kind: str,
    org: str,
    base_url: str,
    badge_id: str,
    ceiling: int = DEFAULT_CONCURRENCY,
    retry: RetryConfig | None = None,
    on_progress: Callable[[LookupProgress], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Identity]:
    """value -> Identity for every distinct value, from the journal's answers first, then the server."""
    unique = list(dict.fromkeys(values))
    now = journal.now()
    known: dict[str, Identity] = {}
    for value, (cid, code, message, at) in journal.identities(
        org=org, base_url=base_url, kind=kind, values=unique
    ).items():
        if cid is not None or now - at < NOT_FOUND_FRESH:
            known[value] = Identity(cid, code, message)
    todo = [v for v in unique if v not in known]
    lookup = _Lookup(client, journal, kind=kind, org=org, base_url=base_url, badge_id=badge_id,
                     ceiling=ceiling, retry=retry or RetryConfig(), stop=stop, sleep=sleep)  # fmt: skip
    answers = lookup.run(todo, on_progress=on_progress, cached=len(known), total=len(unique))
    return {**known, **answers}


class _Lookup:
    """One look-up run: worker threads taking values from a queue, paced by one limiter."""

    def __init__(
        self, client, journal, *, kind, org, base_url, badge_id, ceiling, retry, stop, sleep
    ) -> None:
        with_options = getattr(client, "with_options", None)
        self.client = with_options(max_retries=0) if with_options else client
        self.journal = journal
        self.kind, self.org, self.base_url, self.badge_id = kind, org, base_url, badge_id
        self.limiter = AdaptiveLimiter(LimiterSettings(ceiling=ceiling))
        self.workers = ceiling
        self.retry = retry
        self.stop = stop
        self.sleep = sleep
        self.rng = random.Random()
        self.lock = threading.Lock()
        self.answers: dict[str, Identity] = {}
        self.unsaved: list[tuple[str, int | None, int | None, str | None]] = []
        self.failure: BaseException | None = None

    def halted(self) -> bool:
        return self.failure is not None or self.stop()

    def run(self, todo: list[str], *, on_progress, cached: int, total: int) -> dict[str, Identity]:
        work: queue.SimpleQueue[str] = queue.SimpleQueue()
        for value in todo:
            work.put(value)
        threads = [
            threading.Thread(target=self._work, args=(work,), name=f"resolve-{n}", daemon=True)
            for n in range(min(self.workers, len(todo)))
        ]
        for thread in threads:
            thread.start()
        while alive := [t for t in threads if t.is_alive()]:
            alive[0].join(0.25)  # progress four times a second, however many threads look up
            if on_progress is not None:
                on_progress(self.progress(cached, total))
        self._save()
        if on_progress is not None:
            on_progress(self.progress(cached, total))
        if self.failure is not None:
            raise ResolveError(f"looking up customers stopped: {self.failure}") from self.failure
        if self.stop() and len(self.answers) < len(todo):
            raise ResolveError("looking up customers was interrupted; run again to continue")
        return self.answers

    def progress(self, cached: int, total: int) -> LookupProgress:
        with self.lock:
            found = sum(1 for a in self.answers.values() if a.customer_id is not None)
            return LookupProgress(total, cached, cached + len(self.answers), found, len(self.answers) - found)

    def _work(self, work: queue.SimpleQueue[str]) -> None:
        while not self.halted():
            try:
                value = work.get_nowait()
            except queue.Empty:
                return
            try:
                answer = self._one(value)
            except BadgesError as exc:
                with self.lock:
                    self.failure = self.failure or exc
                return
            if answer is None:
                return
            with self.lock:
                self.answers[value] = answer
                self.unsaved.append((value, answer.customer_id, answer.code, answer.message))
                save = len(self.unsaved) >= SAVE_EVERY
            if save:
                self._save()

    def _one(self, value: str) -> Identity | None:
        """One value's answer; None when the look-up is halting."""
        attempt = 0
        while True:
            attempt += 1
            if not self.limiter.acquire(stop=self.halted):
                return None
            started = time.monotonic()
            try:
                found = self.client.find_customer_id(
                    value=value, identifier=self.kind, badge_id=self.badge_id
                )
            except BadgesError as exc:
                self.limiter.release(load_signal(exc), time.monotonic() - started, retry_after_of(exc))
                codes = {exc.code, *exc.codes} if isinstance(exc, APIStatusError) else set()
                if codes & set(NOT_FOUND_CODES):
                    code = min(codes & set(NOT_FOUND_CODES))
                    return Identity(None, code, getattr(exc, "message", None) or str(exc))
                if isinstance(exc, AuthenticationError | PermissionDeniedError) or not _transient(exc):
                    raise
                if attempt >= ATTEMPTS:
                    raise
                self.sleep(max(retry_after_of(exc) or 0.0, backoff(attempt, self.retry, self.rng)))
                continue
            except BaseException:
                self.limiter.release(Signal.OK, time.monotonic() - started)
                raise
            self.limiter.release(Signal.OK, time.monotonic() - started)
            return Identity(found)

    def _save(self) -> None:
        with self.lock:
            batch, self.unsaved = self.unsaved, []
        if batch:
            self.journal.save_identities(org=self.org, base_url=self.base_url, kind=self.kind, answers=batch)


def _transient(error: BaseException) -> bool:
    if isinstance(error, APIConnectionError | ResponseValidationError):
        return True
    return isinstance(error, APIStatusError) and (error.status_code >= 500 or error.status_code in (408, 429))


def apply_identities(validated: ValidatedInput, found: dict[str, Identity]) -> ValidatedInput:
    """The checked upload with customer ids filled in: rows nobody answers to become errors carrying the
    server's code (1026), and two identifiers of one customer are sent once (the first row)."""
    valid = validated.valid
    if IDENTIFIER not in valid.columns:
        return validated
    header = validated.customer_column
    label = LABEL.get(validated.identifier, validated.identifier)
    identity = valid[IDENTIFIER].map(found)
    ids = pd.Series(
        pd.array([i.customer_id if isinstance(i, Identity) else None for i in identity], dtype="Int64"),
        index=valid.index,
    )  # never through float: customer ids go up to 2**63 - 1
    missing = ids.isna()
    lines = IssueLines()
    shown = valid[IDENTIFIER]
    codes = identity.map(lambda i: i.code if isinstance(i, Identity) and i.code else NOT_FOUND_CODES[0])
    codes = codes.set_axis(valid[ROW])
    by_row = shown.set_axis(valid[ROW])
    for code, rule in NOT_FOUND_RULES.items():
        lines.add(
            missing.set_axis(valid[ROW]) & (codes == code),
            column=header,
            values=by_row,
            severity=Severity.ERROR,
            rule=rule,
            detail=lambda rows, code=code: quoted(by_row[rows]) + (
                f" is not the {label} of a customer in this org ({code} customer not found)" if code == 1026
                else f" cannot be looked up: this org does not accept {label}s as identifiers ({code})"
            ),
        )  # fmt: skip
    resolved = valid.loc[~missing].copy()
    resolved[CUSTOMER_ID] = ids[~missing].astype("int64")
    key = duplicate_key(validated.operation)
    repeated = resolved.duplicated(subset=key)
    if repeated.any():
        first = resolved.groupby(key, sort=False)[ROW].transform("first")
        rows = resolved[ROW]
        lines.add(
            repeated.set_axis(rows),
            column=header,
            values=resolved[IDENTIFIER].set_axis(rows),
            severity=Severity.SKIPPED,
            rule="duplicate_in_file",
            detail=lambda index: (
                quoted(resolved[IDENTIFIER].set_axis(rows)[index])
                + " is customer " + resolved[CUSTOMER_ID].set_axis(rows)[index].astype("str")
                + ", the same customer as row " + first.set_axis(rows)[index].astype("str") + "; skipped"
            ),
        )  # fmt: skip
    kept = resolved.loc[~repeated].reset_index(drop=True)
    refused = valid.loc[missing, [ROW, IDENTIFIER]].rename(columns={IDENTIFIER: header})
    readings = validated.readings
    if len(readings) == len(valid):
        readings = (
            readings.loc[~missing].reset_index(drop=True).loc[~repeated.to_numpy()].reset_index(drop=True)
        )
    checked = replace(validated, valid=kept, readings=readings)
    return checked.with_refusals(lines.frame(), refused)
