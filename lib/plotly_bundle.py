"""plotly.js's basic bundle, the one copy of plotly.js the console draws with (page and report alike).

The console's figures only use bar and scatter traces, which the basic bundle (1.2 MB, MIT licence beside
it in `static/`) draws; Streamlit serves the folder to the browser, and the HTML report inlines it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

BUNDLE = Path(__file__).resolve().parents[1] / "static" / "plotly-basic.min.js"
STATIC_URL = "app/static/plotly-basic.min.js"
"""Where Streamlit's static file serving puts `BUNDLE`, relative to the app's base URL."""


@cache
def bundle_source() -> str:
    """The bundle's JavaScript, read once per process."""
    return BUNDLE.read_text(encoding="utf-8")
