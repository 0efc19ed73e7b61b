"""Shared fixtures: one local Badges API sandbox per test session, and clients of its two demo orgs.

Set `BADGES_TEST_BASE_URL`, `BADGES_TEST_USERNAME` and `BADGES_TEST_PASSWORD` (and optionally
`BADGES_TEST_USERNAME2`/`BADGES_TEST_PASSWORD2` for a second org) to run the client-driven tests
against a real Capillary cluster instead; tests that need the sandbox itself (clock, faults, demo
data) are skipped then.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from lib.api.auth import BasicAuth
from lib.api.client import BadgesClient

LIVE_BASE_URL = os.environ.get("BADGES_TEST_BASE_URL", "").strip()

# Every sandbox the tests start (in this process or as a child) checks each answer against the
# endpoint's response model: a shape the console cannot read fails the test that caused it.
os.environ["BADGES_SANDBOX_CHECK_ANSWERS"] = "1"

QUICK_SKIPS = ("slow", "browser")
"""Markers a plain `python -m pytest` leaves out so the developer loop stays short; `--all` (CI) runs them."""


def pytest_addoption(parser):
    parser.addoption(
        "--all",
        action="store_true",
        default=False,
        help="also run the tests marked slow and browser (the full suite, what CI runs)",
    )


def _quick(config) -> bool:
    """The quick default applies unless `--all` is given or `-m` chooses the tests by marker itself."""
    return not config.getoption("--all") and not config.getoption("markexpr")


def pytest_report_header(config):
    if _quick(config):
        return f"quick run: tests marked {' or '.join(QUICK_SKIPS)} are deselected; --all runs everything"
    return None


def pytest_collection_modifyitems(config, items):
    if not _quick(config):
        return
    kept, left_out = [], []
    for item in items:
        (left_out if any(item.get_closest_marker(name) for name in QUICK_SKIPS) else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def live_mode() -> bool:
    """True when the suite targets a real cluster rather than the local sandbox."""
    return bool(LIVE_BASE_URL)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """A running sandbox on a temporary database with the demo orgs and no demo data.

    `.base_url`, `.client(org="demo", **options)` (a wired `BadgesClient`), `.reset()`,
    `.set_clock(dt_or_None)`, `.now()`, `.set_faults(rules)`, `.clear_faults()`, `.stats()`, `.seed()`;
    skipped when the suite targets a real cluster.
    """
    if live_mode():
        pytest.skip("needs the local sandbox (BADGES_TEST_BASE_URL points the suite at a real cluster)")
    from lib.sandbox.server import start_sandbox

    handle = start_sandbox(tmp_path_factory.mktemp("sandbox") / "sandbox.db", empty=True)
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def api_base_url(request) -> str:
    return LIVE_BASE_URL if live_mode() else request.getfixturevalue("sandbox").base_url


def _client(base_url: str, username: str, password: str) -> BadgesClient:
    return BadgesClient(base_url, BasicAuth(username, password), sleep=lambda _: None)


@pytest.fixture
def client(api_base_url) -> Iterator[BadgesClient]:
    """A `BadgesClient` of org `demo` (or of the live test credentials)."""
    if live_mode():
        username, password = os.environ["BADGES_TEST_USERNAME"], os.environ["BADGES_TEST_PASSWORD"]
    else:
        username, password = "demo", "demo"
    with _client(api_base_url, username, password) as c:
        yield c


@pytest.fixture
def client2(api_base_url) -> Iterator[BadgesClient]:
    """A `BadgesClient` of a second org (`demo2`), for isolation checks."""
    if live_mode():
        username, password = os.environ.get("BADGES_TEST_USERNAME2"), os.environ.get("BADGES_TEST_PASSWORD2")
        if not username or not password:
            pytest.skip("needs BADGES_TEST_USERNAME2/BADGES_TEST_PASSWORD2 for a second org")
    else:
        username, password = "demo2", "demo2"
    with _client(api_base_url, username, password) as c:
        yield c


@pytest.fixture
def now(request) -> datetime:
    """The backend's "now": the sandbox clock, or the real time against a cluster."""
    if live_mode():
        return datetime.now(UTC)
    return request.getfixturevalue("sandbox").now()
