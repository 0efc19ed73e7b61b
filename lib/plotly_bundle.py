"""plotly.js's basic bundle, the one copy of plotly.js the console draws with (page and report alike).

The console's figures only use bar and scatter traces, which the basic bundle (1.2 MB, MIT licence beside
it in `static/`) draws; Streamlit serves the folder to the browser, and the HTML report inlines it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

BUNDLE = Path(__file__).resolve().parents[1] / "static" / "plotly-basic.min.js"
STATIC_PATH = "/app/static/plotly-basic.min.js"
"""Where Streamlit's static file serving puts `BUNDLE`."""
VERSION = hashlib.sha256(BUNDLE.read_bytes()).hexdigest()[:12]
STATIC_URL = f"{STATIC_PATH.lstrip('/')}?v={VERSION}"
"""The bundle's URL relative to the app's base URL; the version changes with the file's content, so a
browser may keep the bundle for good (`CachedBundle`)."""
IMMUTABLE = b"public, max-age=31536000, immutable"


@cache
def bundle_source() -> str:
    """The bundle's JavaScript, read once per process."""
    return BUNDLE.read_text(encoding="utf-8")


class CachedBundle:
    """ASGI middleware: the bundle, asked for at its versioned URL, may be kept by the browser for a
    year without asking again. Streamlit's static serving sends no caching header, so each new tab
    would otherwise wait for the (busy) server to confirm its copy before the first chart is drawn."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        versioned = (
            scope["type"] == "http"
            and scope.get("path") == STATIC_PATH
            and f"v={VERSION}".encode() in scope.get("query_string", b"")
        )
        if not versioned:
            await self.app(scope, receive, send)
            return

        async def send_cached(message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", IMMUTABLE)]}
            await send(message)

        await self.app(scope, receive, send_cached)
