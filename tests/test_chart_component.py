"""The console's chart element: figures reach the browser as Plotly JSON, themed, with the basic bundle."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs_version

from lib.chart_theme import chart_template
from lib.palette import BADGE_PALETTE
from lib.plotly_bundle import BUNDLE
from lib.ui.plotly_chart import figure_json

ROOT = Path(__file__).resolve().parents[1]


def test_the_vendored_bundle_is_the_plotly_js_that_plotly_py_builds_for():
    header = BUNDLE.read_text(encoding="utf-8")[:400]
    version = re.search(r"plotly\.js \(basic - minified\) v(\S+)", header)
    assert version and version.group(1) == get_plotlyjs_version()
    assert (ROOT / "static" / "plotly-basic.LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_static_serving_is_on_so_the_bundle_is_reachable():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r"^enableStaticServing = true", config, re.MULTILINE)


def test_figure_json_drops_plotly_py_s_default_template_and_keeps_the_figure():
    when = datetime(2026, 1, 1, tzinfo=UTC)
    figure = go.Figure(go.Bar(x=np.array([1, 2]), y=[when, when], customdata=["a", "b"]))
    figure.update_layout(title="Earned", height=300)
    sent = json.loads(figure_json(figure))
    assert "template" not in sent["layout"]
    assert sent["layout"]["height"] == 300 and sent["layout"]["title"]["text"] == "Earned"
    assert sent["data"][0]["x"]["dtype"] == "i1"  # numpy arrays travel as typed arrays, which plotly.js reads
    assert sent["data"][0]["customdata"] == ["a", "b"]
    assert sent["data"][0]["y"][0].startswith("2026-01-01")


def test_the_theme_reads_on_light_and_dark_pages():
    light, dark = chart_template("light")["layout"], chart_template("dark")["layout"]
    assert light["font"]["color"] != dark["font"]["color"]
    assert light["paper_bgcolor"] == dark["paper_bgcolor"] == "rgba(0,0,0,0)"
    assert light["colorway"] == list(BADGE_PALETTE)
    assert chart_template("anything else") == chart_template("light")


def _served(query: str) -> dict[bytes, bytes]:
    """The response headers `CachedBundle` lets out for the bundle's path with `query`."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from lib.plotly_bundle import STATIC_PATH, CachedBundle

    async def static_files(scope, receive, send):  # what Streamlit's static serving answers
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"cache-control", b"no-cache")]}
        )
        await send({"type": "http.response.body", "body": b"/* plotly */"})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": STATIC_PATH, "query_string": query.lstrip("?").encode()}
    with ThreadPoolExecutor(1) as thread:  # a loop of its own: the browser tests leave one running here
        thread.submit(asyncio.run, CachedBundle(static_files)(scope, None, send)).result()
    return dict(sent[0]["headers"])


def test_the_versioned_bundle_may_be_kept_by_the_browser():
    from lib.plotly_bundle import STATIC_URL, VERSION

    assert STATIC_URL.endswith(f"?v={VERSION}") and len(VERSION) == 12
    assert _served(f"?v={VERSION}")[b"cache-control"] == b"public, max-age=31536000, immutable"
    assert _served("")[b"cache-control"] == b"no-cache"  # an unversioned URL is left alone
    assert _served("?v=000000000000")[b"cache-control"] == b"no-cache"  # nor another version
