"""FIDELITY.md must not go stale: its coverage table and error list follow the code."""

from __future__ import annotations

import re
from pathlib import Path

from lib.api.endpoints import ENDPOINTS
from lib.sandbox.errors import ERROR_TABLE
from lib.sandbox.routes import HANDLERS, UNAUTHENTICATED

FIDELITY = (Path(__file__).resolve().parents[2] / "lib" / "sandbox" / "FIDELITY.md").read_text(
    encoding="utf-8"
)


def test_every_endpoint_has_a_handler():
    assert {e.name for e in ENDPOINTS} == set(HANDLERS) | UNAUTHENTICATED


def test_the_coverage_table_lists_exactly_the_endpoints():
    table = FIDELITY.split("## Endpoint coverage", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", table))
    assert listed == {e.name for e in ENDPOINTS}


def test_every_error_code_is_written_down():
    missing = sorted(
        {spec.code for spec in ERROR_TABLE.values()} - {int(c) for c in re.findall(r"\b\d{3,6}\b", FIDELITY)}
    )
    assert missing == []
