"""Customer columns of mobile numbers, emails, external ids and card numbers: checked and normalised
before any look-up, one kind per column."""

from __future__ import annotations

import pandas as pd

from lib.bulk.mapping import ColumnMapping, IdentifierType, suggest_mapping
from lib.bulk.model import CUSTOMER_ID, ISSUE_EVENT_DATE, Operation
from lib.bulk.validate import validate


def frame_of(header: str, values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({header: values}, index=pd.RangeIndex(2, 2 + len(values)), dtype="str")


def check(kind: IdentifierType, values: list[str], header: str = "who"):
    mapping = ColumnMapping(Operation.ENROL, {CUSTOMER_ID: header, ISSUE_EVENT_DATE: None}, kind)
    return validate(frame_of(header, values), mapping)


def messages(result) -> dict[int, str]:
    errors = result.issues[result.issues["severity"] == "error"]
    return dict(zip(errors["row"].tolist(), errors["message"].tolist(), strict=True))


def test_headers_say_which_identifier_a_column_holds():
    for header, kind in (("Mobile Number", IdentifierType.MOBILE), ("e-mail", IdentifierType.EMAIL),
                         ("External ID", IdentifierType.EXTERNAL_ID), ("card_no", IdentifierType.CARD_NUMBER)):  # fmt: skip
        mapping = suggest_mapping(Operation.ENROL, [header], frame_of(header, ["x"]))
        assert (mapping.source(CUSTOMER_ID), mapping.identifier) == (header, kind)


def test_values_override_a_generic_header():
    sample = frame_of("customer", ["+91 98450 12345", "+91 98450 12346"])
    assert suggest_mapping(Operation.ENROL, ["customer"], sample).identifier is IdentifierType.MOBILE
    sample = frame_of("customer", ["ana@example.com", "bo@example.com"])
    assert suggest_mapping(Operation.ENROL, ["customer"], sample).identifier is IdentifierType.EMAIL


def test_mobiles_are_read_as_digits_with_the_country_code():
    result = check(IdentifierType.MOBILE, ["+91 98450-12345", "0091 (984) 501.2346", "919845012347", "919845012348.0"])
    assert result.valid["identifier"].tolist() == ["919845012345", "919845012346", "919845012347", "919845012348"]
    assert not messages(result)
    assert any("read as digits only" in note for note in result.notes)


def test_bad_mobiles_are_refused_with_the_reason():
    result = check(IdentifierType.MOBILE, ["12345", "ana@example.com", "9.19845E+11", "=HYPERLINK(1)", "", "98450abc12"])
    found = messages(result)
    assert "is not a mobile number; write 7-15 digits" in found[2]
    assert "is an email, but this column holds mobile numbers" in found[3]
    assert "scientific notation" in found[4]
    assert "spreadsheet formula" in found[5]
    assert "missing" in found[6]
    assert "is not a mobile number" in found[7]
    assert result.valid.empty


def test_emails_mixed_with_numbers_are_refused():
    result = check(IdentifierType.EMAIL, ["ana@example.com", "919845012345", "not an email", "bo@example"])
    found = messages(result)
    assert set(found) == {3, 4, 5}
    assert "is a number, but this column holds emails" in found[3]
    assert "is not an email address" in found[4]
    assert result.valid["identifier"].tolist() == ["ana@example.com"]


def test_repeated_identifiers_are_sent_once():
    result = check(IdentifierType.MOBILE, ["919845012345", "+91 98450 12345", "919845012399"])
    skipped = result.issues[result.issues["severity"] == "skipped"]
    assert skipped["row"].tolist() == [3]
    assert "same customer as row 2" in skipped["message"].iloc[0]
    assert result.valid["identifier"].tolist() == ["919845012345", "919845012399"]


def test_card_numbers_and_external_ids_are_free_text():
    result = check(IdentifierType.CARD_NUMBER, ["CARD-0001", " 0042 ", "x" * 101])
    assert result.valid["identifier"].tolist() == ["CARD-0001", "0042"]
    assert "longer than 100 characters" in messages(result)[4]
