"""What the bulk summaries say in words: counts with the right plural, blank lines, problems without
a repeated prefix, and the headline of an upload whose rows an earlier job already sent."""

import io

import pandas as pd
import pytest
from openpyxl import Workbook

from lib.bulk.contained import read_untrusted
from lib.bulk.journal import JobState
from lib.bulk.mapping import suggest_mapping
from lib.bulk.model import Operation
from lib.bulk.outlook import EarlierJob, Outlook, Tone, earlier_job
from lib.bulk.reader import read_table
from lib.bulk.validate import validate
from lib.bulk.wording import plural, plural_word, problem_table, row_list

JUNE_1_2025 = 1748736000


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "row", "0 rows"),
        (1, "row", "1 row"),
        (2, "row", "2 rows"),
        (1200, "data row", "1,200 data rows"),
        (1, "blank line", "1 blank line"),
        (3, "blank line", "3 blank lines"),
        (2, "match", "2 matches"),
        (2, "entry", "2 entries"),
    ],
)
def test_counts_agree_with_their_noun(count, noun, expected):
    assert plural(count, noun) == expected


def test_verbs_and_pronouns_agree_too():
    assert [plural_word(1, w) for w in ("was", "has", "is", "it")] == ["was", "has", "is", "it"]
    assert [plural_word(2, w) for w in ("was", "has", "is", "it")] == ["were", "have", "are", "they"]
    assert plural_word(1, "holds", "hold") == "holds" and plural_word(3, "holds", "hold") == "hold"


def test_row_lists_name_the_rows_and_how_many_more():
    assert row_list((5,)) == "row 5"
    assert row_list((5, 9)) == "rows 5 and 9"
    assert row_list((5, 9, 12)) == "rows 5, 9 and 12"
    assert row_list((5, 9), 14) == "rows 5, 9 and 12 more"


def enrol(ids: list[str], **options):
    frame = pd.DataFrame({"customerId": pd.Series(ids, dtype="str"), "issueEventDate": ""})
    frame.index = pd.RangeIndex(2, len(ids) + 2, name="row")
    return validate(frame, suggest_mapping(Operation.ENROL, list(frame.columns)), **options)


def test_leading_zeros_note_says_how_many_which_and_what_was_read():
    one = enrol(["007", "12"])
    assert one.notes == (
        "customerId: 1 id was written with leading zeros and read as a plain number: row 2, '007' as 7 "
        "(see the warnings).",
    )
    many = enrol(["007", "42.0", "0009", "00010"])
    assert many.notes == (
        "customerId: 4 ids were written with leading zeros or a decimal part (.0) and read as plain numbers: "
        "row 2, '007' as 7; row 3, '42.0' as 42; row 4, '0009' as 9; and 1 more (see the warnings).",
    )


def test_problem_table_keeps_row_and_column_beside_the_message_not_inside_it():
    checked = enrol(["ab12", "5", "5"])
    table = problem_table(checked)
    assert table.columns.tolist() == ["row", "severity", "column", "problem"]
    assert table.values.tolist() == [
        [2, "error", "customerId", "'ab12' is not a customer id; customer ids are positive whole numbers "
         "(the Capillary customer id), digits 0-9 only"],
        [4, "skipped", "customerId", "'5' same customer as row 3; skipped"],
    ]  # fmt: skip
    # The problems file keeps the full sentence, which must read on its own.
    assert checked.issues["message"].iloc[0].startswith("row 2, customerId: 'ab12'")


def test_a_file_done_before_is_information_with_the_job_and_its_date():
    checked = enrol([str(100 + i) for i in range(290)], already_done={100 + i for i in range(290)})
    job = EarlierJob("job-abc", JUNE_1_2025 + 3600 * 14 + 60 * 3)
    headline = Outlook.of(checked, job).headline()
    assert headline.tone is Tone.INFO
    assert headline.text == (
        "All 290 valid customers in this file were already enrolled (job job-abc, 2025-06-01 14:03 UTC); "
        "nothing to send."
    )
    assert Outlook.of(checked).headline().text == (
        "All 290 valid customers in this file were already enrolled by an earlier job on this badge; "
        "nothing to send."
    )


def test_one_customer_done_before_and_a_repeat_read_in_the_singular():
    checked = enrol(["100", "100"], already_done={100})
    assert Outlook.of(checked).headline().text == (
        "The 1 valid customer in this file was already enrolled by an earlier job on this badge; nothing to "
        "send. 1 repeated row of the file was skipped as well."
    )


def test_rows_with_errors_and_nothing_else_to_send_ask_for_fixes():
    checked = enrol(["x", "100"], already_done={100})
    headline = Outlook.of(checked).headline()
    assert headline.tone is Tone.ERROR
    assert headline.text.startswith(
        "Nothing can be sent: 1 row has errors; 1 valid customer in this file was already enrolled"
    )


def test_some_done_before_is_said_beside_what_will_be_sent_and_plain_files_need_no_headline():
    checked = enrol(["100", "101", "102"], already_done={100})
    assert Outlook.of(checked).headline().text == (
        "1 valid customer in this file was already enrolled by an earlier job on this badge and is skipped; "
        "2 customers to send."
    )
    assert Outlook.of(enrol(["100", "101"])).headline() is None


def test_the_earlier_job_is_the_latest_completed_one_for_the_same_file_and_badge():
    class J:
        def __init__(self, job_id, sha, state=JobState.COMPLETED, badge="b1"):
            self.job_id, self.file_sha256, self.state, self.badge_id = job_id, sha, state, badge
            self.org, self.base_url, self.operation, self.finished_at = "demo", "http://x", "enrol", 1.0

    jobs = [J("new-running", "f", JobState.RUNNING), J("other-file", "g"), J("other-badge", "f", badge="b2"),
            J("mine", "f"), J("older", "f")]  # fmt: skip
    found = earlier_job(jobs, org="demo", base_url="http://x", badge_id="b1", operation=Operation.ENROL,
                        file_sha256="f")  # fmt: skip
    assert found == EarlierJob("mine", 1.0)
    assert earlier_job(jobs, org="demo", base_url="http://x", badge_id="b1", operation=Operation.ENROL,
                       file_sha256="zzz") is None  # fmt: skip


def test_blank_lines_between_rows_are_counted_and_named_with_file_row_numbers():
    table = read_table(b"customerId,issueEventDate\n101,\n\n102,\n,\n103,\n\n\n", "gaps.csv")
    assert list(table.frame.index) == [2, 4, 6]
    assert (table.blank_rows, table.blank_row_numbers) == (2, (3, 5))  # the trailing ones move no row
    assert table.describe() == (
        "CSV (UTF-8, comma-separated), 3 data rows, 2 columns; 2 blank lines ignored (rows 3 and 5)"
    )
    one = read_table(b"customerId\n1\n\n2\n", "one.csv")
    assert one.describe().endswith("2 data rows, 1 column; 1 blank line ignored (row 3)")
    assert read_table(b"customerId\n1\n", "x.csv").describe().endswith("1 data row, 1 column")


@pytest.mark.slow
def test_blank_workbook_rows_are_counted_and_survive_the_contained_reader():
    book = Workbook()
    sheet = book.active
    for row in (["customerId"], [101], [None], [102]):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    table = read_untrusted(data.getvalue(), "gaps.xlsx")
    assert list(table.frame.index) == [2, 4]
    assert (table.blank_rows, table.blank_row_numbers) == (1, (3,))
    assert table.describe().endswith("2 data rows, 1 column; 1 blank row ignored (row 3)")
    csv = read_untrusted(b"customerId\n1\n\n2\n", "gaps.csv")
    assert (csv.blank_rows, csv.blank_row_numbers) == (1, (3,))
