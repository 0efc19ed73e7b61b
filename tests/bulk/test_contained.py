"""Uploads are read in a contained child: crafted files end in one sentence, and this process lives on.

Each case here once crashed, hung or leaked a library's words; they stay as regression cases.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lib.bulk import reader_process
from lib.bulk.contained import Containment, keep_reader_ready, read_untrusted
from lib.bulk.limits import FileReadError, ReadLimits
from lib.bulk.reader import read_table
from tests.bulk import hostile_files as hf

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"

# Words that only a library would use; a message for the uploader never has them.
LIBRARY_WORDS = re.compile(
    r"Traceback|Error\b|Exception|calamine|pyarrow|Arrow|pandas|straddl|XmlError|zipfile|errno|0x[0-9a-f]{4}",
    re.IGNORECASE,
)


def assert_plain_sentence(message: str) -> None:
    assert message and len(message) <= 600, message
    assert message.rstrip().endswith("."), message
    assert "\n" not in message, message
    assert not LIBRARY_WORDS.search(message), message


def refused(data: bytes, filename: str, **kwargs) -> str:
    with pytest.raises(FileReadError) as info:
        read_untrusted(data, filename, **kwargs)
    assert_plain_sentence(str(info.value))
    return str(info.value)


def test_a_good_workbook_reads_exactly_as_in_process():
    data = (CORPUS / "several_sheets.xlsx").read_bytes()
    contained, direct = read_untrusted(data, "x.xlsx"), read_table(data, "x.xlsx")
    assert contained.frame.equals(direct.frame)
    assert list(contained.frame.index) == list(direct.frame.index) == [2, 3, 5]
    assert contained.frame.index.name == "row"
    assert (contained.sheet, contained.sheets) == (direct.sheet, direct.sheets)
    assert all(str(dtype) == "str" for dtype in contained.frame.dtypes)


def test_a_good_csv_keeps_its_encoding_and_separator():
    data = (CORPUS / "semicolon.csv").read_bytes()
    contained, direct = read_untrusted(data, "s.csv"), read_table(data, "s.csv")
    assert contained.frame.equals(direct.frame)
    assert contained.describe() == direct.describe()


def test_a_far_corner_cell_is_refused_before_any_parser_allocates():
    message = refused(hf.far_corner_xlsx(), "corner.xlsx")
    assert "XFD1048576" in message and "100 columns" in message


def test_a_grid_too_large_to_hold_is_refused_by_its_cell_count():
    message = refused(hf.far_corner_xlsx("CV1000000"), "tall.xlsx")
    assert "CV1000000" in message and "cells" in message


def test_when_the_parser_aborts_the_child_dies_alone_and_the_user_gets_a_sentence():
    # Limits wide enough to let the crafted sheet through the pre-check: the native parser then tries
    # to allocate 512 GB and aborts; only the child goes.
    wide_open = ReadLimits(max_columns=20_000, max_cells=10**13)
    message = refused(hf.far_corner_xlsx(), "corner.xlsx", limits=wide_open)
    assert "memory" in message
    assert read_untrusted((CORPUS / "customers.ods").read_bytes(), "c.ods").file_kind == "ods"


def test_a_zip_header_that_understates_a_part_is_refused():
    message = refused(hf.understating_xlsx(), "lying.xlsx")
    assert "does not match the size its header declares" in message


def test_entity_expansion_is_refused():
    assert "entities" in refused(hf.entity_xlsx(), "laughs.xlsx")


def test_a_dimension_beyond_any_spreadsheet_is_refused_but_a_large_one_is_ignored():
    impossible = hf.xlsx(hf.sheet_xml({1: [hf.inline_cell("A1", "c")]}, dimension="A1:XFE1"))
    assert "more than any spreadsheet program allows" in refused(impossible, "d.xlsx")
    assert read_untrusted(hf.lying_dimension_xlsx(), "d.xlsx").frame["customerId"].tolist() == ["5"]


def test_a_repeated_valued_ods_cell_is_refused():
    assert "100 columns" in refused(hf.repeated_ods(), "repeat.ods")


def test_a_forty_megabyte_line_is_refused_by_its_line_number():
    data = b"customerId,issueEventDate\n1,2025-01-01\n2," + b"x" * (40 * 1024 * 1024) + b"\n3,2025-01-01\n"
    message = refused(data, "long.csv")
    assert message.startswith("Line 3 of the file is 40.0 MB long")


def test_a_line_the_parser_cannot_split_gets_plain_words():
    data = b"customerId,issueEventDate\n1,2025-01-01\n2," + b"x" * (3 * 1024 * 1024) + b"\n"
    message = refused(data, "long.csv", limits=ReadLimits(max_line_bytes=10**9))
    assert "could not be read as a table" in message


def test_a_header_of_thousands_of_columns_is_refused_before_parsing():
    data = ",".join(f"c{i}" for i in range(20_000)).encode() + b"\n" + b"," * 19_999 + b"\n"
    assert refused(data, "wide.csv").startswith("The file has 20,000 columns; the limit is 100.")


def test_damaged_zip_and_random_bytes_get_plain_words():
    refused(b"PK\x03\x04" + b"\x00" * 200, "broken.xlsx")
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, "broken.xls")


def test_a_read_that_outlasts_its_time_is_stopped():
    message = refused(b"customerId\n1\n", "slow.csv", containment=Containment(wall_seconds=0.001))
    assert "longer than" in message


def test_the_child_gets_no_credentials_from_the_environment():
    env = reader_process.child_env(
        {"PATH": "/usr/bin", "BADGES_PASSWORD": "secret", "BADGES_OAUTH_SECRET": "s", "HOME": "/h"}
    )
    assert "BADGES_PASSWORD" not in env and "BADGES_OAUTH_SECRET" not in env
    assert env["PATH"] == "/usr/bin" and env["PYTHONPATH"]


def test_the_memory_cap_can_be_set_but_not_below_a_floor(monkeypatch):
    monkeypatch.setenv("BADGE_CONSOLE_READER_MEMORY_MB", "1024")
    assert Containment.from_env().memory_bytes == 1024 * 1024 * 1024
    monkeypatch.setenv("BADGE_CONSOLE_READER_MEMORY_MB", "1")
    assert Containment.from_env() == Containment()


def test_a_child_started_ahead_reads_the_next_file_and_another_is_started_after_it():
    containment = Containment(memory_bytes=2 * 1024**3)  # caps of their own: no other test's child
    keep_reader_ready(containment)
    waiting = reader_process._waiting[containment.caps]
    assert reader_process.wait_ready(containment.caps)  # capped, parsers loaded, no file yet
    table = read_untrusted(b"customerId\n1\n2\n", "a.csv", containment=containment)
    assert table.frame["customerId"].tolist() == ["1", "2"]
    assert waiting.returncode == 0  # the read was the waiting child's
    after = reader_process._waiting[containment.caps]
    assert after is not waiting and after.poll() is None
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, "broken.xls", containment=containment)
    assert reader_process._waiting[containment.caps] is not after  # a refused file uses up its child too


def test_a_waiting_child_that_died_is_replaced_not_used():
    caps = (2 * 1024**3 + 1, 120)
    reader_process.prepare(caps)
    waiting = reader_process._waiting[caps]
    waiting.kill()
    waiting.wait()
    child = reader_process.take(caps)
    try:
        assert child is not waiting and child.poll() is None
    finally:
        child.kill()
        reader_process._close(child)


def test_an_unused_child_ends_when_its_parent_closes_its_stdin():
    child = reader_process.start_child((2 * 1024**3, 120))
    child.stdin.close()
    assert child.wait(timeout=30) == 4  # BROKEN_REQUEST: no file ever came, nothing was read
    reader_process._close(child)
