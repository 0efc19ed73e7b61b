"""Reading uploads: encodings, separators, workbooks, and the refusals that protect the console."""

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from lib.bulk.reader import FileReadError, ReadLimits, decode_text, read_table, sheet_names, sniff_separator

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"


def read(name: str, **kwargs):
    return read_table((CORPUS / name).read_bytes(), name, **kwargs)


def cells(table) -> dict[int, dict[str, str]]:
    return table.frame.to_dict("index")


@pytest.mark.parametrize(
    ("name", "encoding", "separator"),
    [
        ("bom.csv", "UTF-8 with BOM", ","),
        ("semicolon.csv", "UTF-8", ";"),
        ("tab.tsv", "UTF-8", "\t"),
        ("pipe.csv", "UTF-8", "|"),
        ("latin1_names.csv", "Windows-1252", ";"),
        ("utf16.csv", "UTF-16", "\t"),
    ],
)
def test_csv_encodings_and_separators_are_detected(name, encoding, separator):
    table = read(name)
    assert (table.encoding, table.separator) == (encoding, separator)
    assert table.headers[0] == "customerId"  # no BOM left on the first header
    assert table.frame.loc[2, "customerId"] == "101"


def test_accented_and_non_latin_names_survive_decoding():
    assert cells(read("latin1_names.csv"))[3] == {"customerId": "102", "name": "Zoë Ørsted"}
    assert cells(read("utf16.csv"))[3] == {"customerId": "102", "name": "日本"}


def test_cells_are_text_so_leading_zeros_survive():
    table = read("leading_zeros.csv")
    assert table.frame["customerId"].tolist() == ["007", "0000123", "42.0", "8"]
    assert pd.api.types.is_string_dtype(table.frame["customerId"].dtype)


def test_index_is_the_spreadsheet_row_number_even_around_blank_lines():
    table = read("blank_lines.csv")
    # line 3 is blank and line 5 is ",": both dropped, the numbers of the other rows are kept
    assert list(table.frame.index) == [2, 4, 6]
    assert table.frame.loc[6, "customerId"] == "103"


def test_quoted_formula_with_commas_stays_one_cell():
    table = read("formulas.csv")
    assert table.frame.loc[2, "note"] == '=HYPERLINK("http://evil.example","x")'
    assert table.frame.loc[3, "customerId"] == "=1+2"


def test_empty_file_is_refused():
    with pytest.raises(FileReadError, match=r"^The file is empty\.$"):
        read("empty.csv")
    with pytest.raises(FileReadError, match=r"^The file is empty\.$"):
        read_table(b" \r\n \n", "blank.csv")


def test_header_only_file_is_refused():
    with pytest.raises(FileReadError) as info:
        read("header_only.csv")
    assert str(info.value) == "The file has a header row but no data rows."


def test_ragged_line_is_refused_with_the_line():
    with pytest.raises(FileReadError) as info:
        read("ragged.csv")
    assert str(info.value) == (
        "Line 3 has 3 cells where the header has 2 ('102,2025-03-01,extra'); "
        "make every line have as many cells as the header, then upload again."
    )


def test_sniffer_prefers_the_separator_that_splits_every_line_alike():
    assert sniff_separator('name,id\n"Smith; John",1\n"Doe; Jane",2\n') == ","
    assert sniff_separator("customerId\n1\n2\n") == ","


def test_decode_falls_back_from_utf8_to_windows_1252():
    assert decode_text("é".encode("cp1252")) == ("é", "Windows-1252")
    assert decode_text(b"\x81") == ("\x81", "Latin-1")  # 0x81 is undefined in Windows-1252


def test_workbook_skips_an_empty_first_sheet_and_lists_all_sheets():
    table = read("several_sheets.xlsx")
    assert table.sheet == "Customers"
    assert table.sheets == ("Notes", "Customers", "Archive")
    assert cells(table) == {
        2: {"customerId": "101", "earnEventDate": "2025-01-02T10:30:00", "earnExpiresOn": "2026-01-01"},
        3: {"customerId": "007", "earnEventDate": "2025-01-03", "earnExpiresOn": "1767225600"},
        5: {"customerId": "102", "earnEventDate": "1735776000000", "earnExpiresOn": "2026-01-01"},
    }
    assert sheet_names((CORPUS / "several_sheets.xlsx").read_bytes(), "x.xlsx") == [
        "Notes",
        "Customers",
        "Archive",
    ]


def test_workbook_sheet_can_be_chosen():
    table = read("several_sheets.xlsx", sheet="Archive")
    assert cells(table) == {2: {"customerId": "999"}}
    with pytest.raises(FileReadError) as info:
        read("several_sheets.xlsx", sheet="Missing")
    assert str(info.value) == "The workbook has no sheet 'Missing'; it has Notes, Customers, Archive."
    with pytest.raises(FileReadError, match=r"^The sheet 'Notes' is empty\.$"):
        read("several_sheets.xlsx", sheet="Notes")


def test_formula_cells_give_their_cached_result_and_text_formulas_stay_text():
    table = read("formula_cells.xlsx")
    assert table.frame["customerId"].tolist() == ["100", "101", "", "=1+1"]


def test_file_named_xlsx_that_is_not_a_workbook_is_refused():
    with pytest.raises(FileReadError) as info:
        read_table(b"customerId\n1\n", "customers.xlsx")
    assert str(info.value) == (
        "'customers.xlsx' is named like a spreadsheet but is not one; save it again from your "
        "spreadsheet program, or upload it as CSV."
    )


def test_csv_named_upload_that_is_a_workbook_is_read_as_a_workbook():
    table = read_table((CORPUS / "several_sheets.xlsx").read_bytes(), "export.csv")
    assert table.file_kind == "xlsx"


def test_oversize_file_is_refused_before_parsing():
    data = b"customerId\n" + b"123456789\n" * 200
    with pytest.raises(FileReadError) as info:
        read_table(data, "big.csv", limits=ReadLimits(max_bytes=1024))
    assert str(info.value) == "The file is 0.0 MB; the limit is 0 MB. Split it into smaller files."


def test_too_many_rows_is_refused():
    data = b"customerId\n" + b"1\n" * 11
    with pytest.raises(FileReadError) as info:
        read_table(data, "rows.csv", limits=ReadLimits(max_rows=10))
    assert str(info.value) == "The file has 11 rows; the limit is 10. Split it into smaller files."


def test_too_many_workbook_rows_is_refused():
    workbook = Workbook()
    for i in range(30):
        workbook.active.append([i + 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(
        FileReadError, match=r"^The file has 29 rows; the limit is 5\. Split it into smaller files\.$"
    ):
        read_table(buffer.getvalue(), "rows.xlsx", limits=ReadLimits(max_rows=5))


def _zip_bomb(part_size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * part_size)
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_inflate_ratio_before_parsing():
    with pytest.raises(FileReadError) as info:
        read_table(_zip_bomb(4 * 1024 * 1024), "bomb.xlsx")
    assert str(info.value).startswith("The workbook part 'xl/worksheets/sheet1.xml' inflates ")
    assert str(info.value).endswith("times, which real spreadsheets never do (limit 100); it was not opened.")


def test_zip_bomb_is_refused_by_total_size_before_parsing():
    limits = ReadLimits(max_unzipped_bytes=1024 * 1024, max_inflate_ratio=10_000)
    with pytest.raises(FileReadError) as info:
        read_table(_zip_bomb(2 * 1024 * 1024), "bomb.xlsx", limits=limits)
    assert (
        str(info.value) == "The workbook unpacks to 2 MB, over the 1 MB limit; split it or upload it as CSV."
    )


def test_damaged_workbook_is_refused():
    with pytest.raises(FileReadError, match="damaged"):
        read_table(b"PK\x03\x04 not really a zip", "broken.xlsx")


def test_ods_workbook_is_read():
    table = read("customers.ods")
    assert (table.file_kind, table.sheet) == ("ods", "Customers")
    assert table.frame["customerId"].tolist() == ["007", "8"]
