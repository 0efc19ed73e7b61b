"""Every documented example payload under tests/fixtures/ reads through the endpoint table.

Fixtures are copied from Capillary's docs (see tests/fixtures/SOURCES.md), never produced by our
models, so they are the independent check that the models accept what the real service writes.
Layout: ``tests/fixtures/<endpoint name>/request-*.json`` | ``response-*.json``; a ``.txt`` file is a
doc example that is not valid JSON, and must be refused with an error that says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.api import ENDPOINTS_BY_NAME, parse_request, parse_response
from lib.api.errors import RequestValidationError, ResponseValidationError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE_PATH_VALUES = {
    "badgeId": "662749408fe258516a88fe89",
    "customerId": "62090013",
    "groupId": "66e2a1b55abea9582ae4f1e1",
    "customFieldId": "66f27dc7a8647e03dc526a39",
}

# Documented payloads that are valid JSON but cannot be read, with the field that does not fit.
UNREADABLE: dict[str, str] = {
    "update_group/response-2024-export-no-envelope.json": "not a {data, errors, warnings} envelope",
}


def concrete_path(endpoint_name: str) -> tuple[str, str]:
    endpoint = ENDPOINTS_BY_NAME[endpoint_name]
    return endpoint.method, endpoint.path(**SAMPLE_PATH_VALUES)


def fixture_files(pattern: str) -> list[Path]:
    return sorted(p for p in FIXTURES.glob(f"*/{pattern}") if p.parent.name != "bulk")


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_every_fixture_folder_names_an_endpoint():
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "bulk"}
    assert folders - set(ENDPOINTS_BY_NAME) == set()


@pytest.mark.parametrize("path", fixture_files("request-*.json"), ids=fixture_id)
def test_documented_request_parses(path):
    method, url = concrete_path(path.parent.name)
    body = path.read_bytes()
    if fixture_id(path) in UNREADABLE:
        with pytest.raises(RequestValidationError) as info:
            parse_request(method, url, body)
        assert UNREADABLE[fixture_id(path)] in str(info.value)
        return
    model = parse_request(method, url, body)
    assert model is not None


@pytest.mark.parametrize("path", fixture_files("response-*.json"), ids=fixture_id)
def test_documented_response_parses(path):
    method, url = concrete_path(path.parent.name)
    body = path.read_bytes()
    if fixture_id(path) in UNREADABLE:
        with pytest.raises(ResponseValidationError) as info:
            parse_response(method, url, body)
        assert UNREADABLE[fixture_id(path)] in str(info.value)
        return
    envelope = parse_response(method, url, body)
    envelopes = envelope if isinstance(envelope, list) else [envelope]
    assert envelopes
    for item in envelopes:
        assert item.data is not None or item.errors


@pytest.mark.parametrize("path", fixture_files("request-*.txt"), ids=fixture_id)
def test_invalid_json_request_example_is_refused_clearly(path):
    method, url = concrete_path(path.parent.name)
    with pytest.raises(RequestValidationError) as info:
        parse_request(method, url, path.read_text(encoding="utf-8"))
    message = str(info.value)
    assert "not valid JSON" in message and "line" in message


@pytest.mark.parametrize("path", fixture_files("response-*.txt"), ids=fixture_id)
def test_invalid_json_response_example_is_refused_clearly(path):
    method, url = concrete_path(path.parent.name)
    with pytest.raises(ResponseValidationError) as info:
        parse_response(method, url, path.read_bytes())
    message = str(info.value)
    assert "not valid JSON" in message and "line" in message
    assert info.value.body == path.read_text(encoding="utf-8")
