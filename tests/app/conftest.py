"""AppTest fixtures: the console's pages run in-process against a fresh embedded sandbox.

The sandbox the console starts by itself (`lib.ui.connection`) keeps its database in
`BADGE_CONSOLE_DATA_DIR`; pointing that at a temp dir for the whole session gives these tests a fresh
org with demo data and keeps the developer's own sandbox untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
"""Seconds for one script run: the first one starts the sandbox and seeds the demo org."""


@pytest.fixture(scope="session", autouse=True)
def app_env(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("console-data")
    previous = os.environ.get("BADGE_CONSOLE_DATA_DIR")
    os.environ["BADGE_CONSOLE_DATA_DIR"] = str(data_dir)
    yield data_dir
    if previous is None:
        os.environ.pop("BADGE_CONSOLE_DATA_DIR", None)
    else:
        os.environ["BADGE_CONSOLE_DATA_DIR"] = previous


def page_path(name: str) -> str:
    return str(ROOT / "pages" / name)


@pytest.fixture
def run_page():
    """`run_page("overview.py")`: that page alone, after its first run."""

    def _run(name: str, **query: str) -> AppTest:
        at = AppTest.from_file(page_path(name), default_timeout=TIMEOUT)
        for key, value in query.items():
            at.query_params[key] = value
        return at.run()

    return _run


@pytest.fixture
def run_app():
    """The whole console through `app.py` (navigation included), after its first run."""

    def _run() -> AppTest:
        return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()

    return _run
