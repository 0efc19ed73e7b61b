"""Validation of mapped uploads: exact messages, row numbers, and what goes on to the job."""

from pathlib import Path

import pandas as pd
import pytest

from lib.bulk.mapping import ColumnMapping, IdentifierType, suggest_mapping
from lib.bulk.model import (
    CUSTOMER_ID,
    EARN_EVENT_DATE,
    EARN_EXPIRES_ON,
    ISSUE_EVENT_DATE,
    Operation,
    Severity,
)
from lib.bulk.reader import read_table
from lib.bulk.validate import (
    BadgePeriod,
    MappingError,
    apply_edits,
    error_report,
    ledger_already_done,
    preview,
    validate,
)

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"
JAN_2_2025 = 1735776000
JAN_1_2026 = 1767225600


def load(name: str, operation: Operation):
    table = read_table((CORPUS / name).read_bytes(), name)
    return table.frame, suggest_mapping(operation, table.headers, table.frame)


def check(name: str, operation: Operation, **options):
    frame, mapping = load(name, operation)
    return validate(frame, mapping, **options)


def messages(result, severity: Severity | None = None) -> list[str]:
    issues = result.issues
    if severity is not None:
        issues = issues[issues["severity"] == severity.value]
    return issues["message"].tolist()


def text_frame(rows: dict[str, list[str]], first_row: int = 2) -> pd.DataFrame:
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in rows.items()})
    frame.index = pd.RangeIndex(first_row, first_row + len(frame), name="row")
    return frame


ENROL = ColumnMapping(Operation.ENROL, {CUSTOMER_ID: "customerId", ISSUE_EVENT_DATE: "issueEventDate"})
IMPORT = ColumnMapping(
    Operation.IMPORT,
    {CUSTOMER_ID: "customerId", EARN_EVENT_DATE: "earnEventDate", EARN_EXPIRES_ON: "earnExpiresOn"},
)


def test_letters_formulas_emails_and_excel_notation_in_ids_are_refused():
    result = check("letters_in_ids.csv", Operation.ENROL)
    assert messages(result) == [
        "row 3, customerId: '12a' is not a customer id; customer ids are positive whole numbers "
        "(the Capillary customer id), digits 0-9 only",
        "row 4, customerId: 'abc' is not a customer id; customer ids are positive whole numbers "
        "(the Capillary customer id), digits 0-9 only",
        "row 5, customerId: '1.23E+11' is in scientific notation, so digits were lost; format the column "
        "as Text in the spreadsheet and export again",
        "row 6, customerId: 'a@b.com' looks like an email; this column needs numeric Capillary customer ids",
        "row 7, customerId: '0' is not a customer id; ids start at 1",
    ]
    assert result.valid["customer_id"].tolist() == [101]
    assert result.error_count == 5


def test_formula_looking_ids_fail_and_negative_numbers_are_not_called_formulas():
    result = check("formulas.csv", Operation.ENROL)
    how = "customer ids are positive whole numbers (the Capillary customer id)"
    assert messages(result) == [
        f"row 3, customerId: '=1+2' looks like a spreadsheet formula; {how}",
        f"row 4, customerId: '@SUM(A1)' looks like a spreadsheet formula; {how}",
        f"row 5, customerId: '+A1' looks like a spreadsheet formula; {how}",
        f"row 6, customerId: '-5' is not a positive number; {how}",
    ]
    assert result.valid["customer_id"].tolist() == [101]


def test_surrounding_whitespace_is_trimmed_but_a_formula_behind_it_is_caught():
    result = validate(text_frame({"customerId": ["\t12 ", "\t=SUM(A1)"], "issueEventDate": ["", ""]}), ENROL)
    assert result.valid["customer_id"].tolist() == [12]
    assert result.issues["rule"].tolist() == ["formula"]


def test_leading_zeros_are_accepted_with_a_warning_showing_the_reading():
    result = check("leading_zeros.csv", Operation.ENROL)
    assert result.valid["customer_id"].tolist() == [7, 123, 42, 8]
    assert messages(result, Severity.WARNING) == [
        "row 2, customerId: '007' read as customer id 7",
        "row 3, customerId: '0000123' read as customer id 123",
        "row 4, customerId: '42.0' read as customer id 42",
    ]
    assert result.error_count == 0 and result.warning_count == 3
    assert result.notes == (
        "customerId: 3 ids were written with leading zeros or a decimal part (.0) and read as plain "
        "numbers: row 2, '007' as 7; row 3, '0000123' as 123; row 4, '42.0' as 42 (see the warnings).",
    )


def test_ids_longer_than_int64_are_refused():
    result = validate(text_frame({"customerId": ["1234567890123456789"], "issueEventDate": [""]}), ENROL)
    assert messages(result) == [
        "row 2, customerId: '1234567890123456789' has more than 18 digits; it is not a Capillary customer id"
    ]


def test_missing_ids_are_refused():
    result = validate(text_frame({"customerId": ["5", "  "], "issueEventDate": ["", ""]}), ENROL)
    assert messages(result) == ["row 3, customerId: missing; every row needs a customer id"]


def test_duplicates_keep_the_first_row_and_skip_the_rest_with_the_row_they_repeat():
    result = check("duplicates.csv", Operation.ENROL)
    assert result.valid["row"].tolist() == [2, 3, 6]
    assert messages(result, Severity.SKIPPED) == [
        "row 4, customerId: '101' same customer as row 2; skipped",
        "row 5, customerId: '0101' same customer as row 2; skipped",
        "row 7, customerId: '102' same customer as row 3; skipped",
    ]
    assert result.skipped_count == 3


def test_import_duplicates_are_keyed_by_customer_and_event_date():
    frame = text_frame(
        {
            "customerId": ["5", "5", "5"],
            "earnEventDate": ["2025-01-02", "2025-01-03", "1735776000"],
            "earnExpiresOn": ["2026-01-01"] * 3,
        }
    )
    result = validate(frame, IMPORT)
    assert result.valid["row"].tolist() == [2, 3]
    assert messages(result, Severity.SKIPPED) == [
        "row 4, customerId: '5' same customer and earnEventDate as row 2; skipped"
    ]


def test_rows_done_by_earlier_jobs_are_skipped_set_or_callback():
    frame = text_frame({"customerId": ["1", "2", "3"], "issueEventDate": ["", "", ""]})
    by_set = validate(frame, ENROL, already_done={2})
    assert by_set.valid["customer_id"].tolist() == [1, 3]
    assert messages(by_set) == ["row 3, customerId: '2' was already enrolled by an earlier job; skipped"]

    seen = []

    def done(rows: pd.DataFrame) -> pd.Series:
        seen.append(rows["customer_id"].tolist())
        return rows["customer_id"] >= 2

    by_callback = validate(frame, ENROL, already_done=done)
    assert seen == [[1, 2, 3]]
    assert by_callback.valid["customer_id"].tolist() == [1]


def test_invalid_rows_are_not_offered_to_the_already_done_callback():
    frame = text_frame({"customerId": ["1", "x"], "issueEventDate": ["", ""]})
    offered = []
    validate(frame, ENROL, already_done=lambda rows: offered.append(rows["row"].tolist()) or rows["row"] < 0)
    assert offered == [[2]]


def test_garbage_dates_and_expiry_before_event():
    result = check("garbage_dates.csv", Operation.IMPORT)
    assert messages(result) == [
        "row 2, earnEventDate: 'abc' is not a date; use YYYY-MM-DD or epoch seconds",
        "row 3, earnEventDate: '02/01/2025' is not a date; use YYYY-MM-DD or epoch seconds",
        "row 4, earnEventDate: '45658' is too small to be epoch seconds (a spreadsheet day number?); "
        "use YYYY-MM-DD or epoch seconds",
        "row 5, earnExpiresOn: missing; every row needs earnExpiresOn (use YYYY-MM-DD or epoch seconds)",
        "row 6, earnExpiresOn: 2025-01-01 00:00:00 UTC is not after earnEventDate 2025-06-01 00:00:00 UTC; "
        "an earned badge must expire after it was earned",
    ]
    assert result.valid.empty
    assert result.invalid["row"].tolist() == [2, 3, 4, 5, 6]


def test_millisecond_dates_are_converted_and_the_reading_is_shown():
    result = check("millis_dates.csv", Operation.IMPORT)
    assert (
        result.valid[["earn_event_date", "earn_expires_on"]].values.tolist() == [[JAN_2_2025, JAN_1_2026]] * 2
    )
    assert result.notes == (
        "earnEventDate: 1 value read as epoch milliseconds.",
        "earnExpiresOn: 1 value read as epoch milliseconds.",
    )
    shown = preview(result)
    assert shown.columns.tolist() == ["row", "customerId", "earnEventDate", "earnExpiresOn"]
    assert shown["earnEventDate"].tolist() == [
        "2025-01-02 00:00:00 UTC (epoch milliseconds)",
        "2025-01-02 00:00:00 UTC (epoch seconds)",
    ]


def test_iso_dates_with_and_without_offsets():
    result = check("iso_offsets.csv", Operation.IMPORT)
    assert result.valid["earn_event_date"].tolist() == [1735792200, 1735812000, 1735792200]
    assert preview(result)["earnEventDate"].tolist() == [
        "2025-01-02 04:30:00 UTC (date-time with offset)",
        "2025-01-02 10:00:00 UTC (date-time without offset, taken as UTC)",
        "2025-01-02 04:30:00 UTC (date-time with offset)",
    ]


def test_enrol_event_date_is_optional_and_checked_against_the_badge_period():
    frame = text_frame({"customerId": ["1", "2", "3"], "issueEventDate": ["", "2024-12-31", "2025-06-01"]})
    period = BadgePeriod(start=JAN_2_2025, end=JAN_1_2026)
    result = validate(frame, ENROL, badge_period=period)
    assert result.valid["customer_id"].tolist() == [1, 3]
    assert result.valid["issue_event_date"].isna().tolist() == [True, False]
    assert messages(result) == [
        "row 3, issueEventDate: 2024-12-31 00:00:00 UTC is outside the badge period "
        "2025-01-02 00:00:00 UTC .. 2026-01-01 00:00:00 UTC (the API would answer 816)"
    ]


def test_import_event_date_outside_the_badge_period_is_only_a_warning():
    frame = text_frame(
        {"customerId": ["1"], "earnEventDate": ["2024-12-31"], "earnExpiresOn": ["2026-01-01"]}
    )
    result = validate(frame, IMPORT, badge_period=BadgePeriod(start=JAN_2_2025))
    assert result.valid_count == 1
    assert messages(result, Severity.WARNING) == [
        "row 2, earnEventDate: 2024-12-31 00:00:00 UTC is outside the badge period "
        "2025-01-02 00:00:00 UTC .. open-ended; it is imported as given"
    ]


def test_valid_frame_has_the_contract_columns_and_types():
    enrol = check("bom.csv", Operation.ENROL)
    assert enrol.valid.columns.tolist() == ["row", "customer_id", "issue_event_date"]
    assert str(enrol.valid["customer_id"].dtype) == "int64"
    assert str(enrol.valid["issue_event_date"].dtype) == "Int64"
    imported = check("millis_dates.csv", Operation.IMPORT)
    assert imported.valid.columns.tolist() == ["row", "customer_id", "earn_event_date", "earn_expires_on"]
    assert [str(t) for t in imported.valid.dtypes] == ["int64"] * 4


def test_extra_columns_are_ignored_and_headers_are_matched_loosely():
    frame, mapping = load("extra_columns.csv", Operation.ENROL)
    assert mapping.columns == {CUSTOMER_ID: "Customer ID", ISSUE_EVENT_DATE: "Issue Event Date"}
    result = validate(frame, mapping)
    assert result.valid["customer_id"].tolist() == [101, 102]


def test_missing_required_column_is_a_mapping_error():
    frame, mapping = load("missing_column.csv", Operation.ENROL)
    with pytest.raises(MappingError) as info:
        validate(frame, mapping)
    assert info.value.problems == [
        "Choose the column that holds customerId (capillary customer id (digits only)); "
        "the file has 'member', 'issueEventDate'."
    ]


def test_email_column_is_recognised_and_kept_for_the_look_up():
    frame, mapping = load("emails.csv", Operation.ENROL)
    assert mapping.identifier is IdentifierType.EMAIL
    result = validate(frame, mapping)
    assert result.identifier == "email"
    assert result.valid["identifier"].tolist()[:2] == ["ana@example.com", "bo@example.com"]
    assert result.valid["customer_id"].isna().all()  # ids come from the look-up, not the file


def test_xlsx_rows_keep_sheet_row_numbers():
    result = check("several_sheets.xlsx", Operation.IMPORT)
    assert result.valid["row"].tolist() == [2, 3, 5]
    assert result.valid["customer_id"].tolist() == [101, 7, 102]


def test_error_report_lists_errors_then_skips_then_warnings_per_row():
    frame = text_frame({"customerId": ["007", "x", "7"], "issueEventDate": ["", "", ""]})
    report = error_report(validate(frame, ENROL))
    assert report[["row", "severity", "rule"]].values.tolist() == [
        [2, "warning", "id_reformatted"],
        [3, "error", "id_format"],
        [4, "skipped", "duplicate_in_file"],
    ]
    assert error_report(validate(frame, ENROL), include_warnings=False)["row"].tolist() == [3, 4]


def test_fix_in_place_round_trip():
    frame = text_frame({"customerId": ["1", "x1", "y2", "3"], "issueEventDate": ["", "", "", ""]})
    first = validate(frame, ENROL)
    editable = first.invalid
    assert editable.columns.tolist() == ["row", "customerId", "issueEventDate"]
    assert editable["row"].tolist() == [3, 4]

    edited = editable.copy()
    edited.loc[edited["row"] == 3, "customerId"] = "11"
    patched = apply_edits(frame, edited, removed=[4])
    second = validate(patched, ENROL)
    assert second.valid["customer_id"].tolist() == [1, 11, 3]
    assert second.issues.empty
    assert list(patched.index) == [2, 3, 5]


def test_fixing_a_row_into_a_duplicate_is_caught():
    frame = text_frame({"customerId": ["1", "bad"], "issueEventDate": ["", ""]})
    edited = validate(frame, ENROL).invalid.assign(customerId="1")
    result = validate(apply_edits(frame, edited), ENROL)
    assert messages(result) == ["row 3, customerId: '1' same customer as row 2; skipped"]


def test_edits_for_rows_not_in_the_file_are_refused():
    frame = text_frame({"customerId": ["1"], "issueEventDate": [""]})
    with pytest.raises(ValueError, match=r"Edited rows \[99\] are not in the file\."):
        apply_edits(frame, pd.DataFrame({"row": [99], "customerId": ["2"]}))


def test_long_values_are_cut_in_messages():
    result = validate(text_frame({"customerId": ["x" * 100], "issueEventDate": [""]}), ENROL)
    assert result.issues["message"].iloc[0].startswith("row 2, customerId: '" + "x" * 40 + "…' is not")


def test_journal_ledger_keys_skip_enrolled_customers_and_imported_earns():
    ledger = {(1, 0): "issue-a", (2, JAN_2_2025): "earn-b"}
    enrol = validate(text_frame({"customerId": ["1", "2", "3"], "issueEventDate": ["", "", ""]}), ENROL,
                     already_done=ledger_already_done(ledger, Operation.ENROL))  # fmt: skip
    assert enrol.valid["customer_id"].tolist() == [3]
    frame = text_frame(
        {
            "customerId": ["2", "2"],
            "earnEventDate": ["2025-01-02", "2025-01-03"],
            "earnExpiresOn": ["2026-01-01"] * 2,
        }
    )
    imported = validate(frame, IMPORT, already_done=ledger_already_done(ledger, Operation.IMPORT))
    assert imported.valid["row"].tolist() == [3]
    assert messages(imported) == ["row 2, customerId: '2' was already imported by an earlier job; skipped"]


def test_error_file_carries_the_uploaded_cells_of_each_row():
    frame = text_frame({"customerId": ["1", "x"], "issueEventDate": ["", "2025-01-02"]})
    report = error_report(validate(frame, ENROL), source=frame)
    assert report.columns.tolist() == [
        "row",
        "column",
        "value",
        "severity",
        "rule",
        "message",
        "file: customerId",
        "file: issueEventDate",
    ]
    assert report[["row", "file: customerId", "file: issueEventDate"]].values.tolist() == [
        [3, "x", "2025-01-02"]
    ]
