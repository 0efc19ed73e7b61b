"""Customer columns that hold mobile numbers, emails, external ids or card numbers instead of ids.

Operations files are keyed by what the brand knows about a customer. Each value is checked and
normalised the way a look-up needs it, column-wise like every other rule, before anything is sent:

- mobile: digits with the country code. Spaces, dashes, dots, brackets, a leading "+" or "00" and a
  spreadsheet's trailing ".0" are dropped (and reported); 7 to 15 digits remain (E.164 allows 15).
- email: one "@", no spaces, a dot in the domain. Case is kept: the server decides what matches.
- externalId, cardNumber: any text up to 100 characters without control characters.

A value of another kind in the column (an email among mobile numbers, a number among emails) is an
error naming both kinds: one column holds one kind of identifier.
"""

from __future__ import annotations

import pandas as pd

from lib.api.models.enums import CustomerIdentifier
from lib.bulk.issue_lines import IssueLines, quoted
from lib.bulk.model import Severity
from lib.bulk.wording import plural

MOBILE_DIGITS = (7, 15)
MAX_TEXT_ID = 100

_EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s.]+"
_MOBILE_NOISE = r"[\s\-.()/\u00a0]"
_CONTROL = r"[\x00-\x1f\x7f]"

LABEL = {
    CustomerIdentifier.MOBILE: "mobile number",
    CustomerIdentifier.EMAIL: "email",
    CustomerIdentifier.EXTERNAL_ID: "external id",
    CustomerIdentifier.CARD_NUMBER: "card number",
}
"""How a problem line names each identifier kind (a member compares and hashes as its text)."""


def check_identifiers(
    raw: pd.Series, header: str, kind: str, issues: IssueLines, notes: list[str]
) -> tuple[pd.Series, pd.Series]:
    """(normalised text per row, failed mask) for a column of `kind` values."""
    text = raw.astype("str").fillna("")
    stripped = text.str.strip()
    missing = stripped == ""
    formula = ~missing & (stripped.str.slice(0, 1).isin(["=", "@"]) | text.str.slice(0, 1).isin(["\t", "\r"]))
    control = ~missing & ~formula & stripped.str.contains(_CONTROL, regex=True)
    label = LABEL[kind]
    add = issues.add
    add(missing, column=header, values=stripped, severity=Severity.ERROR, rule="required",
        detail=f"missing; every row needs a customer {label}")  # fmt: skip
    add(formula, column=header, values=stripped, severity=Severity.ERROR, rule="formula",
        detail=lambda i: quoted(stripped[i]) + f" looks like a spreadsheet formula, not a {label}")  # fmt: skip
    add(control, column=header, values=stripped, severity=Severity.ERROR, rule="identifier",
        detail=lambda i: quoted(stripped[i]) + " contains invisible control characters")  # fmt: skip
    failed = missing | formula | control
    if kind == "mobile":
        values, bad = _mobiles(stripped, failed, header, issues, notes)
    elif kind == "email":
        values, bad = _emails(stripped, failed, header, issues)
    else:
        values, bad = _free_text(stripped, failed, header, label, issues)
    return values.where(~(failed | bad), ""), failed | bad


def _mobiles(
    stripped: pd.Series, failed: pd.Series, header: str, issues: IssueLines, notes: list[str]
) -> tuple[pd.Series, pd.Series]:
    email = ~failed & stripped.str.contains("@", regex=False)
    scientific = ~failed & stripped.str.fullmatch(r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+")
    digits = stripped.str.replace(r"\.0+$", "", regex=True).str.replace(_MOBILE_NOISE, "", regex=True)
    digits = digits.str.replace(r"^(\+|00)", "", regex=True)
    shape = digits.str.fullmatch(r"[0-9]+")
    low, high = MOBILE_DIGITS
    length = digits.str.len()
    unreadable = ~failed & ~email & ~scientific & (~shape | (length < low) | (length > high))
    how = f"write {low}-{high} digits with the country code, e.g. 919876543210"
    add = issues.add
    add(email, column=header, values=stripped, severity=Severity.ERROR, rule="identifier_kind",
        detail=lambda i: quoted(stripped[i]) + " is an email, but this column holds mobile numbers; "
        "use one kind of identifier per file")  # fmt: skip
    add(scientific, column=header, values=stripped, severity=Severity.ERROR, rule="scientific",
        detail=lambda i: quoted(stripped[i]) + " is in scientific notation, so digits were lost; format the "
        "column as Text in the spreadsheet and export again")  # fmt: skip
    add(unreadable, column=header, values=stripped, severity=Severity.ERROR, rule="identifier",
        detail=lambda i: quoted(stripped[i]) + " is not a mobile number; " + how)  # fmt: skip
    bad = email | scientific | unreadable
    reformatted = ~failed & ~bad & (digits != stripped)
    add(reformatted, column=header, values=stripped, severity=Severity.WARNING, rule="id_reformatted",
        detail=lambda i: quoted(stripped[i]) + " read as mobile " + digits[i])  # fmt: skip
    if reformatted.any():
        first = reformatted[reformatted].index[0]
        notes.append(
            f"{header}: {plural(int(reformatted.sum()), 'mobile number')} written with spaces, signs or "
            f"a trunk prefix, read as digits only (row {int(first)}: '{stripped[first]}' -> {digits[first]})."
        )
    return digits, bad


def _emails(
    stripped: pd.Series, failed: pd.Series, header: str, issues: IssueLines
) -> tuple[pd.Series, pd.Series]:
    number = ~failed & stripped.str.fullmatch(r"\+?[0-9][0-9\s\-.]*")
    unreadable = ~failed & ~number & ~stripped.str.fullmatch(_EMAIL)
    issues.add(number, column=header, values=stripped, severity=Severity.ERROR, rule="identifier_kind",
               detail=lambda i: quoted(stripped[i]) + " is a number, but this column holds emails; "
               "use one kind of identifier per file")  # fmt: skip
    issues.add(unreadable, column=header, values=stripped, severity=Severity.ERROR, rule="identifier",
               detail=lambda i: quoted(stripped[i]) + " is not an email address (name@domain.tld)")  # fmt: skip
    return stripped, number | unreadable


def _free_text(
    stripped: pd.Series, failed: pd.Series, header: str, label: str, issues: IssueLines
) -> tuple[pd.Series, pd.Series]:
    long = ~failed & (stripped.str.len() > MAX_TEXT_ID)
    issues.add(long, column=header, values=stripped, severity=Severity.ERROR, rule="identifier",
               detail=f"longer than {MAX_TEXT_ID} characters; not a {label}")  # fmt: skip
    return stripped, long
