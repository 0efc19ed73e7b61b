"""`python -m tests.hostile_gateway UPSTREAM PORT SEED`: a gateway in front of the sandbox that misbehaves
the way real ones do, rather than the way the sandbox's own network profile does.

Every request waits 80-250 ms (seeded); a shared token bucket (20/s, burst 10) refuses with 429 and an
HTML page, with `Retry-After` in seconds, as an HTTP date, or missing. Of the requests let through, on a
fixed schedule (so that every run meets each fault): one in 17 gets a 502 HTML page before forwarding
(nothing applied); one in 13 a 504 HTML page and one in 23 a bare 500 after forwarding (applied, the
answer lost); one in 29 a 3 s latency spike. `GET /_gateway/stats` says how often each happened.
Tests start it with `running_gateway`.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
RATE_PER_S, BURST = 20.0, 10.0
_FORWARDED_BACK = ("content-type", "retry-after")


@dataclass
class Tally:
    throttled: int = 0
    refused_before: int = 0  # 502 without forwarding
    lost_after: int = 0  # 504 or 500 after the sandbox answered
    spikes: int = 0
    answered: int = 0


def _html(status: int, title: str, headers: dict[str, str] | None = None) -> Response:
    return Response(f"<html><body><h1>{status} {title}</h1></body></html>", status, headers=headers,
                    media_type="text/html")  # fmt: skip


def gateway(upstream: str, seed: int) -> Starlette:
    rng = random.Random(seed)
    tally = Tally()
    bucket = {"tokens": BURST, "at": time.monotonic()}
    passed = [0]  # requests let through the bucket so far
    forward = httpx.AsyncClient(base_url=upstream, timeout=60)

    def take_token() -> bool:
        now = time.monotonic()
        bucket["tokens"] = min(BURST, bucket["tokens"] + (now - bucket["at"]) * RATE_PER_S)
        bucket["at"] = now
        if bucket["tokens"] < 1:
            return False
        bucket["tokens"] -= 1
        return True

    async def handle(request: Request) -> Response:
        await asyncio.sleep(rng.uniform(0.08, 0.25))
        if not take_token():
            tally.throttled += 1
            form = rng.random()
            headers = {}
            if form < 0.4:
                headers["Retry-After"] = "1"
            elif form < 0.7:
                headers["Retry-After"] = email.utils.formatdate(time.time() + 2, usegmt=True)
            return _html(429, "Too Many Requests", headers)
        passed[0] += 1
        number = passed[0]
        if number % 17 == 3:
            tally.refused_before += 1
            return _html(502, "Bad Gateway")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = await forward.request(request.method, request.url.path, params=request.query_params,
                                       content=await request.body(), headers=headers)  # fmt: skip
        if number % 13 == 5:
            tally.lost_after += 1
            return _html(504, "Gateway Time-out")
        if number % 23 == 7:
            tally.lost_after += 1
            return Response("Internal Server Error", 500, media_type="text/plain")
        if number % 29 == 11:
            tally.spikes += 1
            await asyncio.sleep(3)
        tally.answered += 1
        kept = {k: v for k, v in answer.headers.items() if k.lower() in _FORWARDED_BACK}
        return Response(answer.content, answer.status_code, headers=kept)

    async def counts(_: Request) -> Response:
        return Response(json.dumps(asdict(tally)), media_type="application/json")

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[Route("/_gateway/stats", counts), Route("/{path:path}", handle, methods=methods)]
    )


@contextmanager
def running_gateway(upstream: str, seed: int, *, startup_timeout: float = 30.0) -> Iterator[str]:
    """The gateway in its own process in front of `upstream`; yields its URL, stops it on exit."""
    port = free_port()
    command = [sys.executable, "-m", "tests.hostile_gateway", upstream, str(port), str(seed)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the gateway did not start: {process.stderr.read().decode()[-2000:]}"
                    ) from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def stats(url: str) -> dict[str, int]:
    """How often the gateway at `url` did each thing (`Tally`)."""
    with urllib.request.urlopen(f"{url}/_gateway/stats", timeout=5) as answer:
        return json.load(answer)


if __name__ == "__main__":
    upstream, port, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    uvicorn.run(gateway(upstream, seed), host="127.0.0.1", port=port, log_level="warning")
