"""Which column of the upload feeds which field of the request, suggested from the headers.

Headers are compared after normalising case, spaces, underscores, dashes and dots, so "Customer ID",
"customer_id" and "CUSTOMERID" all match. The user confirms or changes the suggestion before validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from lib.bulk.model import (
    BADGE,
    CUSTOMER_ID,
    EARN_EVENT_DATE,
    EARN_EXPIRES_ON,
    ISSUE_EVENT_DATE,
    IdentifierType,
    Operation,
)


@dataclass(frozen=True)
class FieldSpec:
    """A request field a column can feed. `name` is the normalised column name in `ValidatedInput.valid`."""

    name: str
    api_name: str
    required: bool
    synonyms: tuple[str, ...]
    help: str


CUSTOMER_FIELD = FieldSpec(
    CUSTOMER_ID,
    "customerId",
    True,
    ("customerid", "customer", "custid", "userid", "user", "memberid", "capillaryid", "id"),
    "Capillary customer id (digits only)",
)

FIELDS: dict[Operation, tuple[FieldSpec, ...]] = {
    Operation.ENROL: (
        CUSTOMER_FIELD,
        FieldSpec(
            ISSUE_EVENT_DATE,
            "issueEventDate",
            False,
            (
                "issueeventdate",
                "issuedate",
                "eventdate",
                "enroldate",
                "enrolmentdate",
                "enrollmentdate",
                "date",
            ),
            "When the enrolment happened (optional; empty = now). YYYY-MM-DD, ISO date-time or epoch seconds",
        ),
    ),
    Operation.IMPORT: (
        CUSTOMER_FIELD,
        FieldSpec(
            EARN_EVENT_DATE,
            "earnEventDate",
            True,
            ("earneventdate", "eventdate", "earndate", "earnedon", "earnedate", "date"),
            "When the badge was earned. YYYY-MM-DD, ISO date-time or epoch seconds",
        ),
        FieldSpec(
            EARN_EXPIRES_ON,
            "earnExpiresOn",
            True,
            (
                "earnexpireson",
                "expireson",
                "expiresat",
                "expirydate",
                "expiry",
                "expires",
                "validtill",
                "enddate",
            ),
            "When the earned badge expires (may be in the past). YYYY-MM-DD, ISO date-time or epoch seconds",
        ),
    ),
}

# A column naming each row's badge (its badgeMetaId or exact name): the file then needs no --badge.
BADGE_SYNONYMS = ("badgemetaid", "badgeid", "badge", "badgename")

IDENTIFIER_SYNONYMS: dict[IdentifierType, tuple[str, ...]] = {
    IdentifierType.EMAIL: ("email", "emailid", "emailaddress", "mail"),
    IdentifierType.MOBILE: ("mobile", "mobilenumber", "mobileno", "phone", "phonenumber", "msisdn", "cell"),
    IdentifierType.EXTERNAL_ID: ("externalid", "extid", "externalcustomerid"),
    IdentifierType.CARD_NUMBER: ("cardnumber", "card", "cardno", "loyaltycard"),
}

_SEPARATORS = re.compile(r"[\s_\-.]+")


def normalise_header(header: str) -> str:
    return _SEPARATORS.sub("", str(header).strip().lower())


@dataclass(frozen=True)
class ColumnMapping:
    """field name -> source header (None = not mapped), plus what the customer column holds."""

    operation: Operation
    columns: dict[str, str | None] = field(default_factory=dict)
    identifier: IdentifierType = IdentifierType.CUSTOMER_ID

    def source(self, field_name: str) -> str | None:
        return self.columns.get(field_name)

    def with_column(self, field_name: str, header: str | None) -> ColumnMapping:
        return ColumnMapping(self.operation, {**self.columns, field_name: header}, self.identifier)

    def with_identifier(self, identifier: IdentifierType) -> ColumnMapping:
        return ColumnMapping(self.operation, dict(self.columns), identifier)

    def mapped(self) -> dict[str, str]:
        return {name: header for name, header in self.columns.items() if header}


def fields_for(operation: Operation) -> tuple[FieldSpec, ...]:
    return FIELDS[operation]


def suggest_mapping(
    operation: Operation, headers: list[str], sample: pd.DataFrame | None = None
) -> ColumnMapping:
    """Best guess from the headers; each source column is used at most once, most specific synonym first."""
    normalised = {h: normalise_header(h) for h in headers}
    used: set[str] = set()
    columns: dict[str, str | None] = {}
    identifier = IdentifierType.CUSTOMER_ID
    for spec in FIELDS[operation]:
        columns[spec.name] = _best_match(spec.synonyms, normalised, used)
        if columns[spec.name]:
            used.add(columns[spec.name])
    if columns[CUSTOMER_ID] is None:
        for kind, synonyms in IDENTIFIER_SYNONYMS.items():
            header = _best_match(synonyms, normalised, used)
            if header:
                columns[CUSTOMER_ID], identifier = header, kind
                break
    if columns[CUSTOMER_ID] and sample is not None and columns[CUSTOMER_ID] in sample.columns:
        identifier = guess_identifier(sample[columns[CUSTOMER_ID]], default=identifier)
    badge = _best_match(BADGE_SYNONYMS, normalised, used | {h for h in columns.values() if h})
    if badge:
        columns[BADGE] = badge
    return ColumnMapping(operation, columns, identifier)


def _best_match(synonyms: tuple[str, ...], normalised: dict[str, str], used: set[str]) -> str | None:
    for synonym in synonyms:  # synonyms are ordered from most to least specific
        for header, norm in normalised.items():
            if header not in used and norm == synonym:
                return header
    return None


def guess_identifier(
    values: pd.Series, *, default: IdentifierType = IdentifierType.CUSTOMER_ID
) -> IdentifierType:
    """Look at the values: mostly emails -> EMAIL; otherwise keep what the header suggested."""
    cells = values.astype("str").fillna("").str.strip()
    cells = cells[cells != ""].head(200)
    if len(cells) and cells.str.contains("@", regex=False).mean() > 0.5:
        return IdentifierType.EMAIL
    if default is IdentifierType.CUSTOMER_ID and len(cells) and cells.str.startswith("+").mean() > 0.5:
        return IdentifierType.MOBILE  # "+91 98450 12345": a phone number, never a customer id
    return default


def mapping_problems(mapping: ColumnMapping, headers: list[str]) -> list[str]:
    """Reasons the mapping cannot be validated yet; empty when it can."""
    problems = []
    for spec in FIELDS[mapping.operation]:
        header = mapping.source(spec.name)
        if header is None:
            if spec.required:
                problems.append(
                    f"Choose the column that holds {spec.api_name} ({spec.help[0].lower()}{spec.help[1:]}); "
                    f"the file has {', '.join(repr(h) for h in headers) or 'no columns'}."
                )
        elif header not in headers:
            problems.append(f"The file has no column '{header}' for {spec.api_name}.")
    badge = mapping.source(BADGE)
    if badge is not None and badge not in headers:
        problems.append(f"The file has no column '{badge}' for the badge.")
    chosen = [h for h in mapping.mapped().values()]
    for header in sorted({h for h in chosen if chosen.count(h) > 1}):
        problems.append(f"The column '{header}' is chosen for more than one field.")
    return problems
