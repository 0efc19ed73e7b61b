"""The sandbox's own answers are checked against the response models when the test suite asks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lib.api.endpoints import ENDPOINTS
from lib.sandbox import wire

GET_BADGE = next(e for e in ENDPOINTS if e.name == "get_badge")


def test_the_suite_checks_every_answer():
    assert wire.checks_answers()  # set by tests/conftest.py for every sandbox the tests start


def test_an_answer_the_console_cannot_read_is_refused_when_checked(monkeypatch):
    monkeypatch.setenv(wire.CHECK_ANSWERS_ENV, "1")
    with pytest.raises(ValidationError):
        wire.write_response(GET_BADGE, {"data": {"id": 12, "earnType": "NOT_A_TYPE"}, "errors": []})


def test_unchecked_answers_are_sent_as_built(monkeypatch):
    monkeypatch.delenv(wire.CHECK_ANSWERS_ENV)
    body = {"data": {"id": 12, "earnType": "NOT_A_TYPE"}, "errors": []}
    assert wire.write_response(GET_BADGE, body) is body
