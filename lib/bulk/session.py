"""One bulk upload from file to jobs, the same steps for the console and the command line.

upload -> mapping (suggested, overridable: identifier kind, columns) -> badges (one given, or a badge
column matched against the org) -> checked rows per badge (each against its own badge period) ->
customers looked up when the file names them by mobile, email... -> dry run (reads only) -> jobs
(one per badge, sharing a run id) that the runner sends.

Nothing here imports Streamlit; the pages keep a `BulkSession` in their state and show its steps, the
CLI calls them in order. Every refusal is a `SessionError` with the words a person needs to fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from lib.api.errors import BadgesError, NotFoundError
from lib.bulk.badge_column import BadgeRef, badge_ref, match_badges, split_by_badge
from lib.bulk.contained import read_untrusted
from lib.bulk.dryrun import DryRunReport, dry_run
from lib.bulk.journal import Job, Journal
from lib.bulk.mapping import ColumnMapping, IdentifierType, mapping_problems, suggest_mapping
from lib.bulk.model import BADGE, CUSTOMER_ID, IDENTIFIER, ROW, Operation, ValidatedInput
from lib.bulk.planner import PlanSettings, file_key, plan_job
from lib.bulk.reader import FileReadError, SheetTable
from lib.bulk.resolve import LookupProgress, apply_identities, resolve_identities
from lib.bulk.validate import AlreadyDone, MappingError, ledger_already_done, validate


class SessionError(ValueError):
    """Something the person must fix before anything is sent."""


@dataclass(frozen=True)
class BadgePart:
    """The rows of the file that go to one badge, checked."""

    badge: BadgeRef
    validated: ValidatedInput


class BulkSession:
    """The state of one upload; each step reads the previous one's result."""

    def __init__(
        self, operation: Operation, data: bytes, file_name: str, *, sheet: str | None = None
    ) -> None:
        self.operation = operation
        self.data = data
        self.file_name = file_name
        self.file_sha256 = file_key(data)
        try:
            self.table = read_untrusted(data, file_name, sheet=sheet)
        except FileReadError as exc:
            raise SessionError(str(exc)) from None
        self.frame = self.table.frame  # the rows as read (a page may hand in its fixed copy)
        self.mapping: ColumnMapping = suggest_mapping(operation, self.table.headers, self.frame.head(200))
        self.parts: list[BadgePart] = []
        self.no_badge_rows: list[int] = []  # rows whose badge column names no badge of the org

    @classmethod
    def of_table(
        cls, operation: Operation, data: bytes, file_name: str, table: SheetTable, mapping: ColumnMapping,
        frame: pd.DataFrame | None = None,
    ) -> BulkSession:  # fmt: skip
        """A session over a file a page has already read (and perhaps fixed), with its chosen mapping."""
        session = cls.__new__(cls)
        session.operation, session.data, session.file_name = operation, data, file_name
        session.file_sha256 = file_key(data)
        session.table = table
        session.frame = table.frame if frame is None else frame
        session.mapping = mapping
        session.parts, session.no_badge_rows = [], []
        return session

    # ---- mapping -----------------------------------------------------------------------------------

    def use_identifier(self, kind: IdentifierType | str) -> None:
        """Say what the customer column holds, overriding what the headers and values suggested."""
        self.mapping = self.mapping.with_identifier(IdentifierType(kind))

    @property
    def by_identifier(self) -> bool:
        return self.mapping.identifier is not IdentifierType.CUSTOMER_ID

    @property
    def badge_column(self) -> str | None:
        return self.mapping.source(BADGE)

    # ---- badges and rows ---------------------------------------------------------------------------

    def check(
        self,
        client,
        *,
        badge: str | BadgeRef | None = None,
        badges: Sequence[BadgeRef] | None = None,
        already_done: Callable[[BadgeRef], AlreadyDone | None] | None = None,
    ) -> list[BadgePart]:
        """Validate the rows per badge: `badge` (an id, read here, or a badge already read) for the whole
        file, else the file's badge column, matched against `badges` (the org's, listed here when not
        given). `already_done` gives a badge's rows sent by earlier jobs (the journal's ledger), which
        are then skipped and said so before anything is planned."""
        problems = mapping_problems(self.mapping, self.table.headers)
        if problems:
            raise SessionError(" ".join(problems))
        frame = self.frame
        if badge:
            ref = badge if isinstance(badge, BadgeRef) else self._one_badge(client, badge.strip().lower())
            parts = {ref.badge_id: (ref, frame)}
            refused, refused_rows = None, pd.Index([])
        elif self.badge_column:
            listed = list(badges) if badges is not None else [badge_ref(b) for b in client.iter_badges()]
            matches = match_badges(frame[self.badge_column].astype("str").fillna("").unique(), listed)
            split = split_by_badge(frame, self.badge_column, matches)
            if not split.parts:
                raise SessionError(
                    f"No row of the column '{self.badge_column}' names a badge of this org: "
                    + "; ".join(split.refused["message"].head(3))
                )
            parts, refused, refused_rows = split.parts, split.refused, split.refused_rows
            self.no_badge_rows = [int(r) for r in refused_rows]
        else:
            raise SessionError(
                "Name the badge: --badge <badgeMetaId>, or a badgeMetaId (or badge name) column."
            )
        checked = []
        for ref, rows in parts.values():
            try:
                done = already_done(ref) if already_done is not None else None
                validated = validate(rows, self.mapping, badge_period=ref.period, already_done=done)
            except MappingError as exc:
                raise SessionError(" ".join(exc.problems)) from None
            checked.append(BadgePart(ref, replace(validated, source_rows=len(rows))))
        if refused is not None and not refused.empty:
            # Rows naming no badge are accounted for in the first badge's job, so the results list them.
            first = checked[0]
            cells = frame.loc[refused_rows, list(dict.fromkeys(self.mapping.mapped().values()))].reset_index()
            cells = cells.rename(columns={"index": ROW})
            grown = first.validated.with_refusals(refused, cells)
            checked[0] = BadgePart(
                first.badge, replace(grown, source_rows=grown.source_rows + len(refused_rows))
            )
        self.parts = checked
        return checked

    def _one_badge(self, client, badge_id: str) -> BadgeRef:
        try:
            return badge_ref(client.get_badge(badge_id=badge_id))
        except NotFoundError as exc:
            raise SessionError(f"No badge {badge_id} in this org ({exc.code}: {exc.message}).") from None
        except BadgesError as exc:
            if getattr(exc, "problems", None):  # not a badgeMetaId at all
                raise SessionError(f"--badge: {exc}") from None
            raise

    # ---- customers ---------------------------------------------------------------------------------

    def identifiers_to_look_up(self) -> list[str]:
        values: list[str] = []
        for part in self.parts:
            if IDENTIFIER in part.validated.valid.columns:
                values.extend(part.validated.valid[IDENTIFIER].tolist())
        return list(dict.fromkeys(values))

    def resolve(
        self,
        client,
        journal: Journal | None,
        *,
        org: str,
        base_url: str,
        on_progress: Callable[[LookupProgress], None] | None = None,
        stop: Callable[[], bool] = lambda: False,
    ) -> LookupProgress | None:
        """Look the file's identifiers up (once each; answers kept in `journal` unless it is None, as in a
        dry run) and give every part its customer ids. None when the file holds customer ids."""
        if not self.by_identifier or not self.parts:
            return None
        values = self.identifiers_to_look_up()
        last: list[LookupProgress] = []

        def progress(p: LookupProgress) -> None:
            last[:] = [p]
            if on_progress is not None:
                on_progress(p)

        found = resolve_identities(
            client, journal if journal is not None else _NoCache(), values,
            kind=self.mapping.identifier.value, org=org, base_url=base_url,
            badge_id=self.parts[0].badge.badge_id, on_progress=progress, stop=stop,
        )  # fmt: skip
        self.parts = [BadgePart(p.badge, apply_identities(p.validated, found)) for p in self.parts]
        return last[0] if last else None

    # ---- dry run and jobs --------------------------------------------------------------------------

    def dry_run(self, client, **options) -> list[tuple[BadgePart, DryRunReport]]:
        """The dry run of each badge's rows (reads only)."""
        self._need_ids()
        return [(p, dry_run(client, p.validated, badge_id=p.badge.badge_id, **options)) for p in self.parts]

    def plan(
        self, journal: Journal, *, org: str, base_url: str, job_key: str | None = None,
        settings: PlanSettings | None = None,
    ) -> list[Job]:  # fmt: skip
        """One job per badge (planned once; planning again returns the same jobs), sharing a run id."""
        self._need_ids()
        key = job_key or self.file_sha256
        run_id = f"run-{self.file_sha256[:12]}-{key[:24]}" if len(self.parts) > 1 else None
        return [
            plan_job(
                journal, part.validated, org=org, base_url=base_url, badge_id=part.badge.badge_id,
                job_key=key, file_sha256=self.file_sha256, file_name=self.file_name, settings=settings,
                run_id=run_id,
            )
            for part in self.parts
        ]  # fmt: skip

    def _need_ids(self) -> None:
        if not self.parts:
            raise SessionError("Check the file first.")
        for part in self.parts:
            valid = part.validated.valid
            if CUSTOMER_ID in valid.columns and valid[CUSTOMER_ID].isna().any():
                raise SessionError(
                    "Look the customers up first: the file names them by " + self.mapping.identifier.value
                )


class _NoCache:
    """A journal stand-in that remembers nothing: a dry run writes nothing, not even look-up answers."""

    def now(self) -> float:
        import time

        return time.time()

    def identities(self, **_: object) -> dict:
        return {}

    def save_identities(self, **_: object) -> None:
        return None


def journal_ledger(
    journal: Journal, *, org: str, base_url: str, operation: Operation
) -> Callable[[BadgeRef], AlreadyDone | None]:
    """What earlier jobs of this journal already sent per badge, for `BulkSession.check`."""

    def done(badge: BadgeRef) -> AlreadyDone | None:
        ledger = journal.ledger_lookup(
            org=org, base_url=base_url, badge_id=badge.badge_id, operation=operation.value
        )
        return ledger_already_done(ledger, operation) if ledger else None

    return done
