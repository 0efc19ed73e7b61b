"""Every page runs without an exception, alone and through the app's navigation."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(path.name for path in (ROOT / "pages").glob("*.py"))


def test_the_console_opens_on_the_overview(run_app):
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert any("Org **demo**" in caption.value for caption in at.sidebar.caption)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_alone(run_page, page):
    at = run_page(page)
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_through_the_navigation(run_app, page):
    at = run_app()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, at.exception
