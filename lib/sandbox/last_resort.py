"""The sandbox's one catch-all: an exception no route turned into a typed error still gets an answer.

Input never should reach it (every reading rule answers its own 400); it exists so that a sandbox bug
answers the API's generic 500 envelope, with no traceback or exception name on the wire, while the
traceback goes to the `lib.sandbox` log where a bug belongs.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lib.sandbox import errors as E
from lib.sandbox.routes import error_response

log = logging.getLogger("lib.sandbox")


class LastResort:
    """ASGI middleware around every route (the API, the control plane, the docs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:  # noqa: BLE001 - the documented last resort
            if started:  # an answer is on its way (or a fault rule dropped it): nothing left to say
                raise
            log.exception("sandbox failed on %s %s", scope.get("method"), scope.get("path"))
            await error_response(E.InternalError())(scope, receive, send)
