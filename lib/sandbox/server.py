"""Running the sandbox: uvicorn on a background thread (tests, the console) or in the foreground (CLI).

`start_sandbox` binds the socket itself, so port 0 picks a free loopback port and `.base_url` is
known before the first request; it returns once the sandbox answers, and its handle hands out
clients of the demo orgs (`handle.client("demo")`). `embedded_sandbox` is the
console's default backend: one instance per process, data in a user-writable folder, demo data on
first start (made beside the console's own start by `lib.sandbox.prepare` when `app.py` asked for it).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from lib.api.client import BadgesClient
from lib.sandbox.app import create_app
from lib.sandbox.demo_orgs import demo_client
from lib.sandbox.faults import FaultRule
from lib.sandbox.network import NetworkProfile, NetworkSettings, NetworkStatus, resolve_network
from lib.sandbox.prepare import DATA_DIR_ENV, DB_NAME, default_data_dir, wait_prepared
from lib.sandbox.service import DEFAULT_MAX_BODY_BYTES, SandboxService


@dataclass
class SandboxHandle:
    """A running sandbox; the control helpers act in-process (no HTTP round trip)."""

    base_url: str
    host: str
    port: int
    db_path: str
    service: SandboxService = field(repr=False)
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def reset(self, *, empty: bool = True) -> None:
        self.service.reset(empty=empty)

    def seed(self) -> dict:
        return self.service.seed()

    def set_clock(self, now: datetime | None) -> None:
        self.service.clock.set(now)

    def now(self) -> datetime:
        return self.service.clock.now()

    def set_faults(self, rules: list[FaultRule | dict[str, Any]]) -> None:
        self.service.faults.set(
            [r if isinstance(r, FaultRule) else FaultRule.model_validate(r) for r in rules]
        )

    def clear_faults(self) -> None:
        self.service.faults.clear()

    def set_network(
        self, profile: str | NetworkProfile | NetworkSettings | None = "off", **values: Any
    ) -> NetworkProfile:
        """Simulate a remote cluster: `set_network("flaky")`, `set_network("remote", latency_ms=50, seed=1)`.

        Takes effect on the next request, with full rate-limit buckets and zeroed counters.
        """
        resolved = resolve_network(profile, **values)
        self.service.network.set(resolved)
        return resolved

    def network(self) -> NetworkStatus:
        """The profile in force and its counters (requests delayed, 429s, 503s, answers lost)."""
        return self.service.network.status()

    def add_customers(self, customers: list[dict[str, Any]], *, org: str = "demo") -> int:
        return self.service.add_customers(org, customers)

    def stats(self) -> dict:
        return self.service.stats.snapshot()

    def client(self, org: str = "demo", **options: Any) -> BadgesClient:
        """A `BadgesClient` of demo org `org` ("demo" or "demo2") wired to this sandbox; `options` go to
        `BadgesClient` (timeout, max_retries, sleep...). Close it, or use it in a `with`."""
        return demo_client(self.base_url, org, **options)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self.service.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def start_sandbox(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    empty: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    log_level: str = "warning",
    startup_timeout: float = 30.0,
    network: str | NetworkProfile | NetworkSettings | None = None,
) -> SandboxHandle:
    """Serve a sandbox on a background thread and wait until it answers.

    A new (or emptied) database gets the demo data unless `empty`; the demo orgs always exist.
    `network` ("remote", "flaky", a profile...) simulates a remote cluster from the first request.
    """
    service = SandboxService(db_path, max_body_bytes=max_body_bytes)
    service.network.set(resolve_network(network))
    if not empty and service.is_empty():
        service.seed()
    sock = _bind(host, port)
    actual_port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(service), log_level=log_level, access_log=False, lifespan="off", timeout_keep_alive=30
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="badges-sandbox", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            service.close()
            raise RuntimeError(f"the sandbox did not start on {host}:{actual_port}")
        time.sleep(0.01)
    shown_host = f"[{host}]" if ":" in host else host
    return SandboxHandle(
        f"http://{shown_host}:{actual_port}", host, actual_port, str(db_path), service, server, thread
    )


_embedded: SandboxHandle | None = None
_embedded_lock = threading.Lock()


def embedded_sandbox(data_dir: str | Path | None = None) -> SandboxHandle:
    """The console's own sandbox: started on first call, the same handle afterwards (per process).

    Data lives in `data_dir`, else `$BADGE_CONSOLE_DATA_DIR`, else `~/.local/share/badge-console`.
    """
    global _embedded
    with _embedded_lock:
        if _embedded is None or not _embedded.running:
            folder = Path(data_dir).expanduser() if data_dir else default_data_dir()
            folder.mkdir(parents=True, exist_ok=True)
            wait_prepared(folder / DB_NAME)  # demo data a child process may be making (lib.sandbox.prepare)
            _embedded = start_sandbox(folder / DB_NAME)
        return _embedded


__all__ = [
    "DATA_DIR_ENV",
    "DB_NAME",
    "SandboxHandle",
    "default_data_dir",
    "embedded_sandbox",
    "start_sandbox",
]
