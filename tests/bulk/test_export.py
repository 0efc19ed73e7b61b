"""Files handed back to people: formula cells neutralised in CSV and XLSX; templates read back cleanly."""

import io

import openpyxl
import pandas as pd
import pytest

from lib.bulk.export import csv_bytes, neutralise, neutralise_frame, xlsx_bytes
from lib.bulk.mapping import suggest_mapping
from lib.bulk.model import CUSTOMER_ID, EARN_EVENT_DATE, EARN_EXPIRES_ON, ISSUE_EVENT_DATE, Operation
from lib.bulk.reader import FileReadError, read_table
from lib.bulk.templates import template_csv, template_filename, template_headers, template_xlsx
from lib.bulk.validate import error_report, validate


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\0x", "'\0x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(value, safe):
    assert neutralise(value) == safe


def sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "message": pd.Series(["=1+1", "ok", None], dtype="str"),
            "delta": [-3, 4, 5],
            "mixed": pd.Series(["@x", 7, None], dtype=object),
            "=header": ["a", "b", "c"],
        }
    )


def test_frame_text_cells_and_headers_are_neutralised_numbers_untouched():
    safe = neutralise_frame(sample())
    assert safe.columns.tolist() == ["message", "delta", "mixed", "'=header"]
    assert safe["message"].tolist()[:2] == ["'=1+1", "ok"]
    assert pd.isna(safe["message"].iloc[2])
    assert safe["delta"].tolist() == [-3, 4, 5]
    assert safe["mixed"].tolist() == ["'@x", 7, None]


def test_csv_is_utf8_with_bom_and_safe():
    data = csv_bytes(sample())
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "message,delta,mixed,'=header",
        "'=1+1,-3,'@x,a",
        "ok,4,7,b",
        ",5,,c",
    ]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"row": [2, 3], "customerId": pd.array([7, None], dtype="Int64"), "status": ["ok", ""]}),
        pd.DataFrame({"id": pd.array([1, 2], dtype="Int64"), "text": pd.array(["a", None], dtype="string")}),
        pd.DataFrame({"message": ["a, b", "x"], "n": [1, 2]}),  # needs quoting
        pd.DataFrame({"message": ['say "hi"', "x"]}),
        pd.DataFrame({"message": ["line\nbreak", "x"]}),
        pd.DataFrame({"mixed": ["a", 7, None]}),  # objects of several types
        pd.DataFrame({"ratio": [1.0, 2.5], "flag": [True, False]}),
        pd.DataFrame({"at": pd.to_datetime([0, 1], unit="s", utc=True)}),
        pd.DataFrame({"a, b": [1]}),  # a header that needs quoting
        pd.DataFrame({"empty": pd.Series([], dtype="object")}),
        pd.DataFrame({"value": ["=1+1", "-2", "ünï"]}),
    ],
)
def test_csv_bytes_match_pandas_whichever_writer_is_used(frame):
    """The fast writer is taken only when it writes exactly what pandas writes."""
    assert csv_bytes(frame) == neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def test_xlsx_cells_are_strings_not_formulas():
    data = xlsx_bytes({"Errors": sample()})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Errors"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        ["message", "delta", "mixed", "'=header"],
        ["'=1+1", -3, "'@x", "a"],
        ["ok", 4, 7, "b"],
        [None, 5, None, "c"],
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_drops_control_characters_it_cannot_store():
    data = xlsx_bytes(pd.DataFrame({"v": pd.Series(["a\x01b"], dtype="str")}))
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value == "ab"


def test_error_file_from_a_hostile_upload_is_safe_to_open():
    frame = pd.DataFrame({"customerId": pd.Series(['=HYPERLINK("http://evil","x")'], dtype="str")})
    frame.index = pd.RangeIndex(2, 3, name="row")
    mapping = suggest_mapping(Operation.ENROL, ["customerId"])
    report = error_report(validate(frame, mapping))
    text = csv_bytes(report).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ',"=HYPERLINK' not in text and "\n=HYPERLINK" not in text


@pytest.mark.parametrize(
    ("operation", "fields"),
    [
        (Operation.ENROL, {CUSTOMER_ID: "customerId", ISSUE_EVENT_DATE: "issueEventDate"}),
        (
            Operation.IMPORT,
            {CUSTOMER_ID: "customerId", EARN_EVENT_DATE: "earnEventDate", EARN_EXPIRES_ON: "earnExpiresOn"},
        ),
    ],
)
def test_templates_map_themselves_and_are_empty(operation, fields):
    assert template_headers(operation) == list(fields.values())
    for data, name in ((template_csv(operation), "t.csv"), (template_xlsx(operation), "t.xlsx")):
        with pytest.raises(FileReadError, match="header row but no data rows"):
            read_table(data, name)
        assert suggest_mapping(operation, list(fields.values())).columns == fields
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(operation)))
    assert workbook.sheetnames == ["Customers", "How to fill"]
    assert workbook["Customers"]["A2"].number_format == "@"
    assert template_filename(operation, "xlsx").endswith("-template.xlsx")


def test_filled_xlsx_template_keeps_typed_leading_zeros():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(Operation.ENROL)))
    workbook["Customers"]["A2"] = "007"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "filled.xlsx")
    assert table.frame.loc[2, "customerId"] == "007"
