"""What sending a checked upload would do, said in one headline before anyone runs a dry run.

A file whose customers were all enrolled by an earlier job is not a broken file: the work is done, and
the page should say so (and by which job) instead of asking for fixes. A file with rows to send gets
no headline unless some of its rows were done before, which the user may not expect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from lib.bulk.journal import Job, JobState
from lib.bulk.model import Operation, Severity, ValidatedInput
from lib.bulk.wording import plural, plural_word

ALREADY_DONE_RULE = "already_done"  # the rule `validate` gives rows an earlier job did
DUPLICATE_RULE = "duplicate_in_file"


class Tone(StrEnum):
    INFO = "info"  # nothing is wrong; read this
    ERROR = "error"  # nothing can be sent until the file is fixed


@dataclass(frozen=True)
class Headline:
    tone: Tone
    text: str


@dataclass(frozen=True)
class EarlierJob:
    """The job that sent this same file before: its id and when it finished (epoch seconds)."""

    job_id: str
    finished_at: float | None

    def describe(self) -> str:
        when = (
            pd.Timestamp(self.finished_at, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M UTC")
            if self.finished_at
            else "not finished"
        )
        return f"job {self.job_id}, {when}"


@dataclass(frozen=True)
class Outlook:
    """The counts of a checked upload that decide what a job would send."""

    operation: Operation
    to_send: int
    with_errors: int
    already_done: int  # rows an earlier job enrolled or imported (skipped)
    repeats: int  # rows that repeat an earlier row of the same file (skipped)
    earlier_job: EarlierJob | None = None

    @classmethod
    def of(cls, validated: ValidatedInput, earlier_job: EarlierJob | None = None) -> Outlook:
        skipped = validated.issues[validated.issues["severity"] == Severity.SKIPPED.value]
        return cls(
            operation=validated.operation,
            to_send=validated.valid_count,
            with_errors=validated.error_count,
            already_done=int(skipped.loc[skipped["rule"] == ALREADY_DONE_RULE, "row"].nunique()),
            repeats=int(skipped.loc[skipped["rule"] == DUPLICATE_RULE, "row"].nunique()),
            earlier_job=earlier_job,
        )

    @property
    def nothing_to_send(self) -> bool:
        return self.to_send == 0

    @property
    def all_done_before(self) -> bool:
        """Every row that could be sent was sent by an earlier job, and no row needs fixing."""
        return self.to_send == 0 and self.with_errors == 0 and self.already_done > 0

    def _done(self) -> str:
        """ "290 valid customers in this file were already enrolled (job …, date)"."""
        noun = "valid customer" if self.operation is Operation.ENROL else "valid row"
        verb = "enrolled" if self.operation is Operation.ENROL else "imported"
        by = f" ({self.earlier_job.describe()})" if self.earlier_job else " by an earlier job on this badge"
        return f"{plural(self.already_done, noun)} in this file {plural_word(self.already_done, 'was')} already {verb}{by}"

    def _repeats(self) -> str:
        if not self.repeats:
            return ""
        return f" {plural(self.repeats, 'repeated row')} of the file {plural_word(self.repeats, 'was')} skipped as well."

    def headline(self) -> Headline | None:
        if self.all_done_before:
            everything = "All " if self.already_done > 1 else "The "
            return Headline(Tone.INFO, f"{everything}{self._done()}; nothing to send.{self._repeats()}")
        if self.nothing_to_send:
            errors = f"{plural(self.with_errors, 'row')} {plural_word(self.with_errors, 'has')} errors"
            done = f"; {self._done()}" if self.already_done else ""
            return Headline(
                Tone.ERROR,
                f"Nothing can be sent: {errors}{done}. Fix the rows with errors (see Problems and Fix rows) "
                "to send them.",
            )
        if self.already_done:
            unit = "customer" if self.operation is Operation.ENROL else "row"
            return Headline(
                Tone.INFO,
                f"{self._done()[0].upper()}{self._done()[1:]} and {plural_word(self.already_done, 'is')} "
                f"skipped; {plural(self.to_send, unit)} to send.{self._repeats()}",
            )
        return None


def earlier_job(
    jobs: Iterable[Job], *, org: str, base_url: str, badge_id: str, operation: Operation, file_sha256: str
) -> EarlierJob | None:
    """The latest finished job that sent this same file to this badge (jobs newest first, as the
    journal lists them); None when the rows were done by jobs from other files."""
    for job in jobs:
        if (
            job.file_sha256 == file_sha256
            and job.org == org
            and job.base_url == base_url
            and job.badge_id == badge_id
            and job.operation == operation.value
            and job.state is JobState.COMPLETED
        ):
            return EarlierJob(job.job_id, job.finished_at)
    return None
