"""Which customer a path or body value names: a numeric id, or an email, mobile, external id or card
number when `X-CAP-CUSTOMER-IDENTIFIER` says so (looked up in the org's registered customers)."""

from __future__ import annotations

from typing import Any

from lib.api.models.wire import parse_customer_id
from lib.api.request_parts import CustomerIdentifier
from lib.sandbox import errors as E
from lib.sandbox.repository import Repository

_IDENTIFIERS = frozenset(kind.value for kind in CustomerIdentifier)


def resolve_customer(repo: Repository, org_id: int, raw: Any, identifier: str | None) -> int:
    """The numeric customer id for a path/body value read the way the identifier header says.

    Without the header the value must be a customer id as the API models read one (1..2**63-1, ASCII
    digits): anything else is a 400 naming `customerId`, never another customer or an overflow.
    """
    if identifier is None or identifier == "":
        try:
            return parse_customer_id(raw)
        except ValueError as exc:
            raise E.InvalidRequest(
                f"Invalid value for the field: 'customerId': {exc}", reference="customerId"
            ) from None
    if identifier not in _IDENTIFIERS:
        raise E.InvalidCustomerIdentifier(reference="X-CAP-CUSTOMER-IDENTIFIER")
    customer_id = repo.customers.find(org_id, identifier, str(raw).strip())
    if customer_id is None:
        raise E.CustomerNotFound(reference="customerId")
    return customer_id
