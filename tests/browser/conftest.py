"""Real-browser fixtures: `streamlit run app.py` in a subprocess, driven by headless Debian Chromium.

`playwright install` cannot download browsers on our machines, so the tests use `/usr/bin/chromium`.
Without it they are skipped, unless `BADGE_CONSOLE_REQUIRE_BROWSER=1` (CI) turns the skip into a
failure. Each test session gets a fresh sandbox database (`BADGE_CONSOLE_DATA_DIR` in a temp dir).

Waiting: after every interaction, wait until the app reports `data-test-script-state="notRunning"`
(Streamlit's own e2e pattern), never a bare sleep.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "docs" / "screenshots"
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
STARTUP_SECONDS = 180
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LATENCY_ENV = "BADGE_CONSOLE_TEST_LATENCY"
"""Seconds `tests.browser.slow_console` adds to every API call of the console it starts."""


def _browser_required() -> bool:
    return os.environ.get("BADGE_CONSOLE_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() or _browser_required():
        return  # when required, the `console_url` fixture fails instead of skipping
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1000}}


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def running_console(data_dir: Path, *, latency: float | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port with its own sandbox data; yields its URL.

    With `latency`, every API call of the console waits that many seconds first, as on a remote
    cluster (`tests.browser.slow_console` patches httpx's transport in the Streamlit process).
    """
    if not CHROMIUM.exists():
        if _browser_required():
            pytest.fail(f"BADGE_CONSOLE_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing")
    port = free_port()
    log_path = data_dir / "streamlit.log"
    env = {
        **os.environ,
        "BADGE_CONSOLE_DATA_DIR": str(data_dir),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    if latency is not None:
        env[LATENCY_ENV] = str(latency)
    command = [
        sys.executable,
        "-m",
        "tests.browser.slow_console" if latency is not None else "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def console_url(tmp_path_factory) -> Iterator[str]:
    """The console shared by the browser tests, with a fresh sandbox database."""
    with running_console(tmp_path_factory.mktemp("console-data")) as url:
        yield url


def wait_for_run(page, timeout: float = 120_000) -> None:
    """Wait until the script run triggered by the last interaction has finished."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_timeout(150)  # let a debounced widget change start its rerun
    page.wait_for_selector(APP_IDLE, timeout=timeout)


@pytest.fixture
def open_page(page, console_url):
    """`open_page("badge_editor")` loads that page (by its URL path) and waits for its first run."""

    def _open(path: str = ""):
        page.goto(f"{console_url}/{path}")
        wait_for_run(page)
        return page

    return _open


SCREENSHOT_NAMES = {
    "overview.png",
    "overview_dark.png",
    "badge_performance.png",
    "report.png",
    "editor.png",
    "editor_cycles.png",
    "customer_view.png",
    "request_log.png",
    "promote.png",
    "bulk_enrol_summary.png",
    "bulk_enrol_results.png",
    "bulk_results.png",
    "bulk_enrol_done_before.png",
}
"""The pictures in docs/screenshots, rewritten by every browser run (the README shows some of them)."""


def save_screenshot(page, name: str, *, width: int = 1500, height: int) -> None:
    """`docs/screenshots/<name>` of the page as a reader first sees it: run finished, scrolled to the top.

    Streamlit scrolls its main area, not the document, so the picture is the viewport of this size.
    """
    assert name in SCREENSHOT_NAMES, name
    page.set_viewport_size({"width": width, "height": height})
    wait_for_run(page)
    page.evaluate(
        "() => document.querySelectorAll('[data-testid=\"stMain\"]').forEach(e => e.scrollTo(0, 0))"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
