"""Ids written as numbers: every documented payload still reads when its numeric-text ids are numbers.

The docs type most ids String, yet examples write some of them as numbers (``"requestId": 23432``,
``"referenceId": 123``). So that no example, present or future, fails on that alone, every documented
request and answer under tests/fixtures is read a second time with each id that holds digits written
as a JSON number; the reading must succeed and give the same ids as text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lib.api import parse_request, parse_response
from lib.api.models import ClaimRequest, EarnRequest
from tests.api.test_fixtures import UNREADABLE, concrete_path, fixture_files, fixture_id


def _is_id(key: str) -> bool:
    return key == "id" or key.endswith(("Id", "ID"))


def numbers_for_ids(value: Any) -> tuple[Any, int]:
    """`value` with every digits-only id text written as a number, and how many were changed."""
    if isinstance(value, dict):
        out, changed = {}, 0
        for key, item in value.items():
            if _is_id(key) and isinstance(item, str) and item.isascii() and item.isdigit() and len(item) < 19:
                out[key], changed = int(item), changed + 1
            else:
                out[key], more = numbers_for_ids(item)
                changed += more
        return out, changed
    if isinstance(value, list):
        items = [numbers_for_ids(item) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    return value, 0


WITH_DIGIT_IDS = [
    path
    for path in fixture_files("*-*.json")
    if fixture_id(path) not in UNREADABLE and numbers_for_ids(json.loads(path.read_bytes()))[1]
]


def test_examples_with_digit_ids_are_found():
    assert len(WITH_DIGIT_IDS) >= 10


@pytest.mark.parametrize("path", WITH_DIGIT_IDS, ids=fixture_id)
def test_a_documented_payload_reads_with_its_ids_written_as_numbers(path: Path):
    method, url = concrete_path(path.parent.name)
    numeric, _ = numbers_for_ids(json.loads(path.read_bytes()))
    parse = parse_request if path.name.startswith("request-") else parse_response
    assert parse(method, url, json.dumps(numeric)) is not None


def test_ids_written_as_numbers_are_read_as_text():
    claim = ClaimRequest.model_validate({"ownerType": "Loyalty", "referenceId": 123})
    assert claim.reference_id == "123"
    earn = EarnRequest.model_validate(
        {
            "badgeMetaId": "692e7e739b3ca00e4bbf7c06",
            "customerId": "23423",
            "requestId": 23432,
            "triggeredBy": {"ownerType": "Loyalty", "referenceId": 123},
        }
    )
    assert (earn.request_id, earn.triggered_by.reference_id, earn.customer_id) == ("23432", "123", 23423)
