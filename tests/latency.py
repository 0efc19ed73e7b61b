"""A slow network for tests and benches: every HTTP exchange waits as a remote cluster would.

Real Capillary clusters answer in 100-300 ms per call; the local sandbox in about 1 ms. Installing
`SlowNetwork(0.15)` makes every request sent through httpx's default transport wait 150 ms before it
goes out, and counts how many were in flight at once, so a test can tell a concurrent fan-out from a
sequential one without asserting wall-clock times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


class SlowNetwork:
    """Adds `delay` seconds to each request and records the overlap of requests in flight."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls = 0
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._original = None

    def reset_counts(self) -> None:
        with self._lock:
            self.calls = 0
            self.peak = self.in_flight

    def install(self) -> None:
        """Patch httpx's default transport for the whole process (every client, every thread)."""
        if self._original is not None:
            return
        original = self._original = httpx.HTTPTransport.handle_request
        network = self

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            with network._lock:
                network.calls += 1
                network.in_flight += 1
                network.peak = max(network.peak, network.in_flight)
            try:
                time.sleep(network.delay)
                return original(transport, request)
            finally:
                with network._lock:
                    network.in_flight -= 1

        httpx.HTTPTransport.handle_request = handle_request

    def uninstall(self) -> None:
        if self._original is not None:
            httpx.HTTPTransport.handle_request = self._original
            self._original = None


@contextmanager
def slow_network(delay: float = 0.15) -> Iterator[SlowNetwork]:
    network = SlowNetwork(delay)
    network.install()
    try:
        yield network
    finally:
        network.uninstall()
