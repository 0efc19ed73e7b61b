"""What a checked upload hands to the job planner: the rows worth sending, and why the others are not.

The upload half (reader -> mapping -> validate) produces a `ValidatedInput`; the job half (planner ->
runner -> results) consumes it. Both sides rely on the column names below, so they are spelled once here.
Frames rather than lists of models keep a million-row file cheap: only the rows that need a message
get one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

import pandas as pd

from lib.api.models.enums import CustomerIdentifier


class Operation(StrEnum):
    """The bulk writes a job can drive: the two a file drives, and the undo of each."""

    ENROL = "enrol"  # issueBulk: admit customers to an ISSUE_EARN badge
    IMPORT = "import"  # import/customerBadges: record badges already earned elsewhere
    UNDO_ENROL = "undo-enrol"  # revokeIssue: revoke exactly the enrolments an enrol job created
    UNDO_IMPORT = "undo-import"  # revokeEarn: revoke exactly the earns an import job created


IdentifierType = StrEnum(
    "IdentifierType",
    [("CUSTOMER_ID", "id"), *((kind.name, kind.value) for kind in CustomerIdentifier)],
    module=__name__,
    qualname="IdentifierType",
)
IdentifierType.__doc__ = """What a file's customer column holds: the numeric customer id (``id``) or one of
the API's `CustomerIdentifier` kinds (``email``, ``mobile``, ``externalId``, ``cardNumber``), derived
from that one list."""


class Severity(StrEnum):
    ERROR = "error"  # the row is not sent; the user can fix it and re-validate
    SKIPPED = (
        "skipped"  # the row is fine but would repeat work (duplicate in the file, done by an earlier job)
    )
    WARNING = "warning"  # the row is sent, read the way the message says


# Columns of `ValidatedInput.valid` (normalised values, ready for request bodies).
ROW = "row"  # the row number a spreadsheet shows: the header is row 1, the first data row is row 2
CUSTOMER_ID = "customer_id"  # int64, > 0
ISSUE_EVENT_DATE = "issue_event_date"  # enrol only; nullable Int64, epoch seconds
EARN_EVENT_DATE = "earn_event_date"  # import only; int64 epoch seconds
EARN_EXPIRES_ON = "earn_expires_on"  # import only; int64 epoch seconds
# Present only when the file names customers by another identifier or carries a badge column:
IDENTIFIER = "identifier"  # str: a `CustomerIdentifier` value as normalised; customer_id NA
BADGE = "badge"  # str: the badgeMetaId or exact badge name the row gives

VALID_COLUMNS: dict[Operation, tuple[str, ...]] = {
    Operation.ENROL: (ROW, CUSTOMER_ID, ISSUE_EVENT_DATE),
    Operation.IMPORT: (ROW, CUSTOMER_ID, EARN_EVENT_DATE, EARN_EXPIRES_ON),
}

# Columns of `ValidatedInput.issues`: one line per problem, several lines per row are possible.
ISSUE_COLUMNS: tuple[str, ...] = ("row", "column", "value", "severity", "rule", "message")


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "column": pd.Series(dtype="str"),
            "value": pd.Series(dtype="str"),
            "severity": pd.Series(dtype="str"),
            "rule": pd.Series(dtype="str"),
            "message": pd.Series(dtype="str"),
        }
    )


@dataclass(frozen=True)
class ValidatedInput:
    """A checked upload.

    valid:   one line per row to send, columns `VALID_COLUMNS[operation]`, in source order.
    issues:  `ISSUE_COLUMNS`; rows with an ERROR or SKIPPED line are absent from `valid`,
             rows with only WARNING lines are in `valid`.
    invalid: the ERROR rows as the user wrote them (column `row` + the mapped source columns, text),
             the shape a fix-in-place editor needs; see `validate.revalidate_edits`.
    notes:   file-level readings worth showing once, e.g. "earnEventDate: read as epoch milliseconds".
    readings: aligned with `valid`: `row` + one categorical column per date field saying how each
             value was read (see `dates.DateKind`); for previews, not for requests.
    customer_column: the source column mapped to the customer id, so rows refused by validation
             can still name their customer as the file wrote it in the results.
    """

    operation: Operation
    valid: pd.DataFrame
    issues: pd.DataFrame = field(default_factory=empty_issues)
    invalid: pd.DataFrame = field(default_factory=pd.DataFrame)
    source_rows: int = 0
    notes: tuple[str, ...] = ()
    readings: pd.DataFrame = field(default_factory=pd.DataFrame)
    customer_column: str = ""
    identifier: str = IdentifierType.CUSTOMER_ID  # what the customer column holds (an IdentifierType)

    def with_refusals(self, lines: pd.DataFrame, cells: pd.DataFrame) -> ValidatedInput:
        """This input plus rows refused by a later step (a customer or badge that does not resolve):
        `lines` are their issue lines, `cells` their cells as written (column `row` + source columns)."""
        if lines.empty:
            return self
        issues = pd.concat([self.issues, lines], ignore_index=True)
        issues = issues.sort_values("row", kind="stable").reset_index(drop=True)[list(ISSUE_COLUMNS)]
        invalid = pd.concat([self.invalid, cells], ignore_index=True) if len(cells) else self.invalid
        return replace(self, issues=issues, invalid=invalid, source_rows=self.source_rows)

    def raw_customers_of_invalid_rows(self) -> dict[int, str]:
        """Row number -> the customer id text of each row validation refused (blank ones left out)."""
        if self.invalid.empty or self.customer_column not in self.invalid.columns:
            return {}
        raw = self.invalid.set_index("row")[self.customer_column].astype("string").str.strip()
        return {int(row): str(text) for row, text in raw.items() if not pd.isna(text) and text}

    @property
    def valid_count(self) -> int:
        return len(self.valid)

    def rows_with(self, severity: Severity) -> int:
        """Number of distinct source rows with at least one issue of this severity."""
        if self.issues.empty:
            return 0
        return int(self.issues.loc[self.issues["severity"] == severity.value, "row"].nunique())

    @property
    def error_count(self) -> int:
        return self.rows_with(Severity.ERROR)

    @property
    def skipped_count(self) -> int:
        return self.rows_with(Severity.SKIPPED)

    @property
    def warning_count(self) -> int:
        return self.rows_with(Severity.WARNING)

    @property
    def customer_ids(self) -> pd.Series:
        return self.valid[CUSTOMER_ID]
