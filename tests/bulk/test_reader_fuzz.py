"""Generated files against the reader: a table or one clear message, never a crash.

CSV text is fuzzed in process (its parsers are pandas and Arrow, and the examples are small);
workbooks go through the contained reader, the path a user's upload takes, because their parser is
native code. Bounded for CI: a fixed number of examples, derandomised.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.bulk.contained import read_untrusted
from lib.bulk.limits import FileReadError
from lib.bulk.reader import SheetTable, read_table
from tests.bulk import hostile_files as hf
from tests.bulk.test_contained import assert_plain_sentence

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"
FUZZ = settings(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def read_or_refuse(read, data: bytes, filename: str) -> SheetTable | None:
    try:
        table = read(data, filename)
    except FileReadError as exc:
        assert_plain_sentence(str(exc))
        return None
    assert table.frame.index.name == "row"
    assert len(table.frame) >= 1
    assert all(str(dtype) == "str" for dtype in table.frame.dtypes)
    assert table.frame.index.is_monotonic_increasing and table.frame.index.min() >= 2
    return table


# --- CSV ------------------------------------------------------------------------------------------------

cell_text = st.text(
    alphabet=st.sampled_from(
        list('0123456789abc,;\t|"\r\n =+-@.\x00') + ["１", "é", "\u200b", "\ufeff", "😀"]
    ),
    max_size=30,
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])


@st.composite
def csv_files(draw) -> bytes:
    separator = draw(st.sampled_from([",", ";", "\t", "|"]))
    lines = draw(st.lists(st.lists(cell_text, min_size=1, max_size=5), min_size=1, max_size=12))
    text = "\n".join(separator.join(cells) for cells in lines)
    encoding = draw(encodings)
    return text.encode(encoding, errors="replace")


@FUZZ
@given(csv_files())
def test_generated_csv_text_reads_or_is_refused_in_plain_words(data):
    read_or_refuse(read_table, data, "fuzz.csv")


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes_named_csv_read_or_are_refused_in_plain_words(data):
    read_or_refuse(read_table, data, "fuzz.csv")


# --- XLSX from random sheet XML ---------------------------------------------------------------------------

# Mostly plausible references, so that many examples are tables; now and then one far out of bounds.
columns = st.sampled_from(["A"] * 6 + ["B"] * 4 + ["C", "Z", "AA", "CV", "CW", "XFD", "XFE", "ZZZZ"])
row_numbers = st.one_of(
    st.integers(min_value=2, max_value=9),
    st.integers(min_value=2, max_value=9),
    st.integers(min_value=2, max_value=9),
    st.sampled_from([1, 1000, 1_000_001, 1_048_576, 1_048_577, 999_999_999]),
)
cell_types = st.sampled_from(['t="inlineStr"', 't="s"', 't="n"', 't="b"', 't="e"', 't="d"', 't="str"', ""])
values = st.one_of(
    st.text(max_size=12), st.sampled_from(["1", "-1", "1e308", "nan", "99999999999", "&amp;", "<"])
)


@st.composite
def xlsx_cells(draw) -> str:
    ref = draw(columns) + str(draw(row_numbers))
    kind = draw(cell_types)
    value = draw(values).replace("<", "&lt;") if draw(st.booleans()) else draw(values)
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        return f'<c r="{ref}" {kind}/>'
    if kind == 't="s"':
        value = str(draw(st.integers(min_value=-1, max_value=3)))
    if kind == 't="inlineStr"':
        return f'<c r="{ref}" {kind}><is><t>{value}</t></is></c>'
    return f'<c r="{ref}" {kind}><v>{value}</v></c>'


@st.composite
def xlsx_files(draw) -> bytes:
    rows = {1: [hf.inline_cell("A1", "customerId")]}
    for cell in draw(st.lists(xlsx_cells(), max_size=8)):
        row = int("".join(c for c in cell.split('"')[1] if c.isdigit()))
        rows.setdefault(row, []).append(cell)
    sheet = hf.sheet_xml(rows, dimension=draw(st.sampled_from([None, "A1:B2", "A1:XFD1048576", "A1:ZZZZ9"])))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        cut = draw(st.integers(min_value=0, max_value=len(sheet)))
        sheet = sheet[:cut] + draw(st.text(max_size=20)) + sheet[cut:]
    shared = draw(st.sampled_from([None, "<sst/>", "<sst><si><t>x</t></si></sst>", "<sst><si>"]))
    return hf.xlsx(sheet, shared_strings=shared)


# Dozens of generated workbooks, each parsed in a contained child process: about a minute on a busy machine.
@pytest.mark.slow
@pytest.mark.timeout(240)
@settings(FUZZ, max_examples=40)
@given(xlsx_files())
def test_generated_workbooks_read_or_are_refused_in_plain_words(data):
    read_or_refuse(read_untrusted, data, "fuzz.xlsx")


# Dozens of generated workbooks, each parsed in a contained child process: about a minute on a busy machine.
@pytest.mark.slow
@pytest.mark.timeout(240)
@settings(FUZZ, max_examples=25)
@given(st.integers(min_value=0), st.binary(min_size=1, max_size=8))
def test_a_damaged_real_workbook_reads_or_is_refused_in_plain_words(position, garbage):
    data = bytearray((CORPUS / "several_sheets.xlsx").read_bytes())
    at = position % len(data)
    data[at : at + len(garbage)] = garbage
    read_or_refuse(read_untrusted, bytes(data), "damaged.xlsx")


# --- ODS -----------------------------------------------------------------------------------------------


@st.composite
def ods_files(draw) -> bytes:
    rows = [hf.ods_row(hf.ods_cell("customerId"))]
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        cells = "".join(
            hf.ods_cell(
                draw(values).replace("<", "&lt;"),
                repeat=draw(st.sampled_from([None, 2, 101, 16384, 10**9])),
                value_type=draw(st.sampled_from(["string", "float", "date", "boolean", "nonsense"])),
            )
            for _ in range(draw(st.integers(min_value=0, max_value=3)))
        )
        rows.append(hf.ods_row(cells, repeat=draw(st.sampled_from([None, 3, 1_048_575, 10**12]))))
    return hf.ods("".join(rows))


# Dozens of generated workbooks, each parsed in a contained child process: about a minute on a busy machine.
@pytest.mark.slow
@pytest.mark.timeout(240)
@settings(FUZZ, max_examples=30)
@given(ods_files())
def test_generated_ods_read_or_are_refused_in_plain_words(data):
    read_or_refuse(read_untrusted, data, "fuzz.ods")


def test_the_generators_make_files_the_reader_accepts():
    """Guards the fuzz tests themselves: a plain generated workbook is a table, not always a refusal."""
    plain = hf.xlsx(hf.sheet_xml({1: [hf.inline_cell("A1", "customerId")], 2: [hf.inline_cell("A2", "5")]}))
    assert read_untrusted(plain, "plain.xlsx").frame["customerId"].tolist() == ["5"]
    ods = hf.ods(hf.ods_row(hf.ods_cell("customerId")) + hf.ods_row(hf.ods_cell("7")))
    assert read_untrusted(ods, "plain.ods").frame["customerId"].tolist() == ["7"]
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        assert "xl/worksheets/sheet1.xml" in archive.namelist()
