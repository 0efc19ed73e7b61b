"""Check a mapped upload row by row, the way the Badges API would, before anything is sent.

All rules run as pandas column operations, so a million-row file validates in seconds; Python code per
row only runs to word the messages of rows that failed, and even that is string arithmetic on columns.
Each message names the row (as the spreadsheet numbers it), the column (as the file names it), the value,
and how to fix it: "row 42, earnEventDate: 'abc' is not a date; use YYYY-MM-DD or epoch seconds".

Policies:
- Customer ids must be positive whole numbers. Leading zeros are accepted and reported (007 -> 7);
  values that look like spreadsheet formulas, emails or Excel's scientific notation are refused.
- A customer id repeated in the file is sent once (the first row); later rows are skipped with the row
  they repeat. For imports the key is (customer, earnEventDate), since one customer can have earned the
  same badge on different days.
- Enrolment event dates outside the badge period are refused (the API answers 816); for imports they
  are only flagged, since the import API does not document that check.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.bulk import dates
from lib.bulk.identifiers import check_identifiers
from lib.bulk.issue_lines import IssueLines, quoted
from lib.bulk.mapping import ColumnMapping, FieldSpec, IdentifierType, fields_for, mapping_problems
from lib.bulk.model import (
    CUSTOMER_ID,
    EARN_EVENT_DATE,
    EARN_EXPIRES_ON,
    IDENTIFIER,
    ISSUE_EVENT_DATE,
    ROW,
    VALID_COLUMNS,
    Operation,
    Severity,
    ValidatedInput,
)
from lib.bulk.wording import plural, reformatted_ids_note

MAX_ID_DIGITS = 18  # int64 holds every 18-digit number

# Given the valid rows (columns VALID_COLUMNS), say which were already done by an earlier job.
AlreadyDone = Callable[[pd.DataFrame], pd.Series] | Collection[int]


class MappingError(ValueError):
    """The column mapping is incomplete or refers to columns the file does not have."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class BadgePeriod:
    """The badge's active period in epoch seconds (end None = open-ended); event dates must fall inside."""

    start: int
    end: int | None = None

    def contains(self, seconds: pd.Series) -> pd.Series:
        inside = seconds >= self.start
        if self.end is not None:
            inside &= seconds <= self.end
        return inside.fillna(True)

    def describe(self) -> str:
        end = dates.format_one(self.end) if self.end is not None else "open-ended"
        return f"{dates.format_one(self.start)} .. {end}"


def validate(
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    *,
    badge_period: BadgePeriod | None = None,
    already_done: AlreadyDone | None = None,
) -> ValidatedInput:
    """Check every row of `frame` (text cells, index = spreadsheet row number) against the mapping."""
    problems = mapping_problems(mapping, [str(c) for c in frame.columns])
    if problems:
        raise MappingError(problems)
    operation = mapping.operation
    issues = IssueLines()
    failed = pd.Series(False, index=frame.index)
    valid = pd.DataFrame({ROW: frame.index.to_numpy(dtype="int64")}, index=frame.index)
    notes: list[str] = []
    readings = pd.DataFrame({ROW: valid[ROW]}, index=frame.index)

    customer_header = mapping.source(CUSTOMER_ID)
    by_identifier = mapping.identifier is not IdentifierType.CUSTOMER_ID
    if by_identifier:
        # Customer ids come later, from the look-up (`lib.bulk.resolve`); rows are told apart by identifier.
        text, id_failed = check_identifiers(
            frame[customer_header], customer_header, mapping.identifier.value, issues, notes
        )
        valid[CUSTOMER_ID] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
        valid[IDENTIFIER] = text
    else:
        ids, id_failed = _check_customer_ids(frame[customer_header], customer_header, issues, notes)
        valid[CUSTOMER_ID] = ids
    failed |= id_failed

    for spec in fields_for(operation)[1:]:
        header = mapping.source(spec.name)
        if header is None:
            valid[spec.name] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
            continue
        seconds, kinds, date_failed = _check_dates(frame[header], header, spec, issues, notes)
        valid[spec.name] = seconds
        readings[spec.name] = kinds
        failed |= date_failed

    if operation is Operation.IMPORT:
        failed |= _check_expiry_after_event(valid, frame, mapping, failed, issues)
    if badge_period is not None:
        failed |= _check_badge_period(valid, frame, mapping, badge_period, failed, issues)

    skipped = _skip_repeats(valid, frame, mapping, failed, issues)
    if already_done is not None and not by_identifier:  # identifier files meet the ledger once resolved
        skipped |= _skip_already_done(valid, frame, mapping, failed | skipped, already_done, issues)

    keep = ~(failed | skipped)
    columns = [*VALID_COLUMNS[operation], *([IDENTIFIER] if by_identifier else [])]
    valid_rows = valid.loc[keep, columns].reset_index(drop=True)
    if not by_identifier:
        valid_rows[CUSTOMER_ID] = valid_rows[CUSTOMER_ID].astype("int64")
    if operation is Operation.IMPORT:
        for name in (EARN_EVENT_DATE, EARN_EXPIRES_ON):
            valid_rows[name] = valid_rows[name].astype("int64")
    invalid = frame.loc[failed, list(dict.fromkeys(mapping.mapped().values()))].reset_index()
    return ValidatedInput(
        operation=operation,
        valid=valid_rows,
        issues=issues.frame(),
        invalid=invalid,
        customer_column=mapping.mapped().get(CUSTOMER_ID, ""),
        identifier=mapping.identifier.value,
        source_rows=len(frame),
        notes=tuple(notes),
        readings=readings.loc[keep].reset_index(drop=True),
    )


def _check_customer_ids(
    raw: pd.Series, header: str, issues: IssueLines, notes: list[str]
) -> tuple[pd.Series, pd.Series]:
    all_text = raw.astype("str").fillna("")
    all_stripped = all_text.str.strip()
    # The common case (a plain positive number) is decided for every row in one pass; the rules below
    # only look at the rest, usually a handful of rows.
    plain = all_stripped.str.fullmatch(r"[1-9][0-9]{0,17}").to_numpy(dtype=bool, na_value=False)
    values = np.zeros(len(raw), dtype="int64")
    have = plain.copy()
    if plain.any():
        values[plain] = _to_int64(all_stripped[plain])
    failed = pd.Series(False, index=raw.index)
    if plain.all():
        return pd.Series(pd.arrays.IntegerArray(values, ~have), index=raw.index), failed

    text, stripped = all_text[~plain], all_stripped[~plain]
    position = pd.Series(np.flatnonzero(~plain), index=stripped.index)

    def value(index: pd.Index) -> pd.Series:
        return quoted(stripped[index])

    missing = stripped == ""
    formula = ~missing & _looks_like_formula(text, stripped)
    email = ~missing & ~formula & stripped.str.contains("@", regex=False)
    scientific = ~formula & stripped.str.fullmatch(r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+").fillna(False)
    signed = ~formula & stripped.str.fullmatch(r"[+-][0-9]+(?:\.0*)?").fillna(False)
    number = stripped.str.fullmatch(r"[0-9]+(?:\.0*)?").fillna(False)
    other = ~(missing | formula | email | scientific | signed | number)

    digits = stripped.where(number, "").str.replace(r"\.0*$", "", regex=True).str.lstrip("0")
    zero = number & (digits == "")
    too_long = number & (digits.str.len() > MAX_ID_DIGITS)
    readable = number & ~zero & ~too_long
    if readable.any():
        values[position[readable].to_numpy()] = _to_int64(digits[readable])
        have[position[readable].to_numpy()] = True
    reformatted = readable & (stripped != digits)

    how = "customer ids are positive whole numbers (the Capillary customer id)"
    add = issues.add
    add(missing, column=header, values=stripped, severity=Severity.ERROR, rule="required",
        detail="missing; every row needs a customer id")  # fmt: skip
    add(formula, column=header, values=stripped, severity=Severity.ERROR, rule="formula",
        detail=lambda i: value(i) + " looks like a spreadsheet formula; " + how)  # fmt: skip
    add(email, column=header, values=stripped, severity=Severity.ERROR, rule="identifier",
        detail=lambda i: value(i) + " looks like an email; this column needs numeric Capillary customer ids")  # fmt: skip
    add(scientific, column=header, values=stripped, severity=Severity.ERROR, rule="scientific",
        detail=lambda i: value(i) + " is in scientific notation, so digits were lost; format the column as Text "
        "in the spreadsheet and export again")  # fmt: skip
    add(signed, column=header, values=stripped, severity=Severity.ERROR, rule="id_format",
        detail=lambda i: value(i) + " is not a positive number; " + how)  # fmt: skip
    odd = stripped[other].map(_oddity)
    add(other, column=header, values=stripped, severity=Severity.ERROR, rule="id_format",
        detail=lambda i: value(i) + " is not a customer id" + odd[i] + "; " + how + ", digits 0-9 only")  # fmt: skip
    add(zero, column=header, values=stripped, severity=Severity.ERROR, rule="id_format",
        detail=lambda i: value(i) + " is not a customer id; ids start at 1")  # fmt: skip
    add(too_long, column=header, values=stripped, severity=Severity.ERROR, rule="id_format",
        detail=lambda i: value(i) + f" has more than {MAX_ID_DIGITS} digits; it is not a Capillary customer id")  # fmt: skip
    add(reformatted, column=header, values=stripped, severity=Severity.WARNING, rule="id_reformatted",
        detail=lambda i: value(i) + " read as customer id " + digits[i])  # fmt: skip
    if reformatted.any():
        first = reformatted[reformatted].index[:3]
        examples = [(int(r), str(stripped[r]), str(digits[r])) for r in first]
        notes.append(reformatted_ids_note(header, examples, int(reformatted.sum())))
    failed[stripped.index] = (
        missing | formula | email | scientific | signed | other | zero | too_long
    ).to_numpy()
    return pd.Series(pd.arrays.IntegerArray(values, ~have), index=raw.index), failed


def _oddity(text: str) -> str:
    """What makes a value that looks like a number unreadable, when it is something a person cannot see."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f" (it contains the invisible character U+{ord(char):04X})"
    if any(char.isdigit() and not char.isascii() for char in text):
        return " (it uses non-ASCII digits, e.g. full-width or another script's)"
    return ""


def _to_int64(digits: pd.Series) -> np.ndarray:
    """Digit strings (already checked) to int64 through Arrow, ~10x faster than pandas' own cast."""
    return pc.cast(pa.array(digits, from_pandas=True), pa.int64()).to_numpy(zero_copy_only=False)


def _looks_like_formula(text: pd.Series, stripped: pd.Series) -> pd.Series:
    """Cells a spreadsheet would evaluate: = @ first, tab/CR first, or + - before something not numeric."""
    first = stripped.str.slice(0, 1)
    raw_first = text.str.slice(0, 1)
    signed_number = stripped.str.fullmatch(r"[+-][0-9]+(?:\.[0-9]*)?").fillna(False)
    return first.isin(["=", "@"]) | raw_first.isin(["\t", "\r"]) | (first.isin(["+", "-"]) & ~signed_number)


def _check_dates(
    raw: pd.Series, header: str, spec: FieldSpec, issues: IssueLines, notes: list[str]
) -> tuple[pd.Series, pd.Series, pd.Series]:
    parsed = dates.parse_dates(raw)
    stripped = raw.astype("str").fillna("").str.strip()
    failed = parsed.invalid.copy()
    issues.add(parsed.invalid, column=header, values=stripped, severity=Severity.ERROR, rule="date",
               detail=lambda i: quoted(stripped[i]) + " " + parsed.problem[i].astype("str"))  # fmt: skip
    if spec.required:
        issues.add(parsed.missing, column=header, values=stripped, severity=Severity.ERROR, rule="required",
                   detail=f"missing; every row needs {spec.api_name} ({dates.HOW_TO_WRITE})")  # fmt: skip
        failed |= parsed.missing
    counts = parsed.kind_counts()
    for kind in (dates.DateKind.EPOCH_MILLIS, dates.DateKind.ISO_UTC):
        if counts.get(kind.value):
            notes.append(f"{header}: {plural(counts[kind.value], 'value')} read as {kind.value}.")
    return parsed.seconds, parsed.kind.astype("category"), failed


def _check_expiry_after_event(
    valid: pd.DataFrame, frame: pd.DataFrame, mapping: ColumnMapping, failed: pd.Series, issues: IssueLines
) -> pd.Series:
    event, expiry = valid[EARN_EVENT_DATE], valid[EARN_EXPIRES_ON]
    bad = (~failed & (expiry <= event)).fillna(False)
    header = mapping.source(EARN_EXPIRES_ON)

    def detail(index: pd.Index) -> pd.Series:
        return (
            dates.format_instant(expiry[index])
            + " is not after "
            + mapping.source(EARN_EVENT_DATE)
            + " "
            + dates.format_instant(event[index])
            + "; an earned badge must expire after it was earned"
        )

    issues.add(bad, column=header, values=frame[header], severity=Severity.ERROR, rule="expiry_before_event",
               detail=detail)  # fmt: skip
    return bad


def _check_badge_period(
    valid: pd.DataFrame,
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    period: BadgePeriod,
    failed: pd.Series,
    issues: IssueLines,
) -> pd.Series:
    name = ISSUE_EVENT_DATE if mapping.operation is Operation.ENROL else EARN_EVENT_DATE
    header = mapping.source(name)
    if header is None:
        return pd.Series(False, index=frame.index)
    outside = ~failed & ~period.contains(valid[name])

    def detail(suffix: str) -> Callable[[pd.Index], pd.Series]:
        return lambda index: (
            dates.format_instant(valid.loc[index, name])
            + f" is outside the badge period {period.describe()}"
            + suffix
        )

    if mapping.operation is Operation.ENROL:
        issues.add(outside, column=header, values=frame[header], severity=Severity.ERROR, rule="outside_badge_period",
                   detail=detail(" (the API would answer 816)"))  # fmt: skip
        return outside
    issues.add(outside, column=header, values=frame[header], severity=Severity.WARNING, rule="outside_badge_period",
               detail=detail("; it is imported as given"))  # fmt: skip
    return pd.Series(False, index=frame.index)


def duplicate_key(operation: Operation, customer: str = CUSTOMER_ID) -> list[str]:
    """What makes two rows the same work: the customer (id or identifier), and for imports the day."""
    return [customer, EARN_EVENT_DATE] if operation is Operation.IMPORT else [customer]


def _skip_repeats(
    valid: pd.DataFrame, frame: pd.DataFrame, mapping: ColumnMapping, failed: pd.Series, issues: IssueLines
) -> pd.Series:
    key = duplicate_key(mapping.operation, IDENTIFIER if IDENTIFIER in valid.columns else CUSTOMER_ID)
    kept = ~failed.to_numpy()
    # Rows that passed have no missing key values, so plain int64 columns hash several times faster.
    candidates = pd.DataFrame(
        {
            name: (valid[name].to_numpy(dtype="object") if name == IDENTIFIER
                   else valid[name].to_numpy(dtype="int64", na_value=0))[kept]
            for name in (ROW, *key)
        },
        index=valid.index[kept],
    )  # fmt: skip
    repeated = candidates[key[0]].duplicated() if len(key) == 1 else candidates.duplicated(subset=key)
    skipped = pd.Series(False, index=frame.index)
    if not repeated.any():
        return skipped
    first_row = candidates.groupby(key, sort=False)[ROW].transform("first")
    skipped[repeated[repeated].index] = True
    what = "customer" if mapping.operation is Operation.ENROL else "customer and earnEventDate"
    header = mapping.source(CUSTOMER_ID)

    def detail(index: pd.Index) -> pd.Series:
        return (
            quoted(frame.loc[index, header].astype("str").str.strip())
            + f" same {what} as row "
            + first_row[index].astype("str")
            + "; skipped"
        )

    issues.add(skipped, column=header, values=frame[header], severity=Severity.SKIPPED, rule="duplicate_in_file",
               detail=detail)  # fmt: skip
    return skipped


def _skip_already_done(
    valid: pd.DataFrame,
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    excluded: pd.Series,
    already_done: AlreadyDone,
    issues: IssueLines,
) -> pd.Series:
    candidates = valid.loc[~excluded, list(VALID_COLUMNS[mapping.operation])]
    if callable(already_done):
        done = pd.Series(np.asarray(already_done(candidates), dtype=bool), index=candidates.index)
    else:
        done = candidates[CUSTOMER_ID].isin(list(already_done)).astype(bool)
    skipped = pd.Series(False, index=frame.index)
    skipped[done[done].index] = True
    verb = "enrolled" if mapping.operation is Operation.ENROL else "imported"
    header = mapping.source(CUSTOMER_ID)
    issues.add(skipped, column=header, values=frame[header], severity=Severity.SKIPPED, rule="already_done",
               detail=lambda i: quoted(frame.loc[i, header].astype("str").str.strip())
               + f" was already {verb} by an earlier job; skipped")  # fmt: skip
    return skipped


def ledger_already_done(ledger: Collection[tuple[int, int]], operation: Operation) -> AlreadyDone:
    """Adapt the job journal's ledger ((customer id, event date) keys) to the `already_done` check.

    Enrolments are keyed by customer alone (an active enrolment blocks a second one whatever its date);
    imports by customer and earnEventDate, the same key the in-file duplicate check uses.
    """
    if operation is Operation.ENROL:
        return {customer for customer, _ in ledger}
    keys = set(ledger)

    def done(rows: pd.DataFrame) -> pd.Series:
        pairs = zip(rows[CUSTOMER_ID].tolist(), rows[EARN_EVENT_DATE].tolist(), strict=True)
        return pd.Series([pair in keys for pair in pairs], index=rows.index, dtype=bool)

    return done


# --- Fixing rows in place ------------------------------------------------------------------------------


def apply_edits(source: pd.DataFrame, edited: pd.DataFrame, *, removed: Iterable[int] = ()) -> pd.DataFrame:
    """The source with edited cells replaced (edited: column `row` + source columns) and removed rows dropped.

    The source stays the single truth: validating the patched source again re-checks duplicates across the
    whole file, which validating the edited rows alone could not.
    """
    patched = source.copy()
    if not edited.empty:
        rows = edited[ROW].astype("int64").to_numpy()
        unknown = sorted(int(r) for r in set(rows) - set(patched.index))
        if unknown:
            raise ValueError(f"Edited rows {unknown[:5]} are not in the file.")
        for column in edited.columns:
            if column != ROW and column in patched.columns:
                patched.loc[rows, column] = edited[column].astype("str").fillna("").to_numpy()
    drop = [r for r in removed if r in patched.index]
    return patched.drop(index=drop) if drop else patched


# --- Views for people ----------------------------------------------------------------------------------


def error_report(
    validated: ValidatedInput, *, include_warnings: bool = True, source: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The issue lines for a table or an error file; with `source`, each line also carries its row's
    cells as uploaded, so the file can be fixed and uploaded again without the original at hand."""
    issues = validated.issues
    if not include_warnings:
        issues = issues[issues["severity"] != Severity.WARNING.value]
    issues = issues.reset_index(drop=True)
    if source is None or issues.empty:
        return issues
    cells = source.loc[source.index.isin(issues["row"].unique())]
    cells = cells.rename(columns=lambda c: f"file: {c}").rename_axis(ROW).reset_index()
    return issues.merge(cells, on=ROW, how="left")


def preview(validated: ValidatedInput, *, limit: int = 1000) -> pd.DataFrame:
    """The first valid rows as they will be sent, with each date shown and how it was read."""
    head = validated.valid.head(limit)
    shown = pd.DataFrame({"row": head[ROW], "customerId": head[CUSTOMER_ID]})
    readings = validated.readings.head(limit)
    for spec in fields_for(validated.operation)[1:]:
        if spec.name in head.columns:
            text = dates.format_instant(head[spec.name])
            if spec.name in readings.columns:
                kind = readings[spec.name].astype("str").fillna("")
                text = (text + " (" + kind + ")").where(kind != "", text)
            shown[spec.api_name] = text.to_numpy()
    return shown
