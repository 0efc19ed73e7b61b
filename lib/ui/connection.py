"""The sidebar's connection panel and the per-session API client it builds.

The backend is the embedded sandbox by default (one per process, started on first use and shared,
because it holds no credentials), or a Capillary cluster preset, or a custom https:// URL. The
`BadgesClient` carries the credentials, so it lives in the session's `ConnectionState`: one per
browser session, never in a process-wide cache. Its request log belongs to it and therefore to this
session only.

Credentials come from `st.secrets["capillary"]` or are typed into password fields; they are never
drawn back, written to the log (the client redacts them) or put in a URL.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from lib.api.auth import BasicAuth, OAuthAuth
from lib.api.client import BadgesClient
from lib.api.clusters import CLUSTERS, resolve_base_url
from lib.api.errors import BadgesError, RequestValidationError
from lib.api.request_log import RequestLog
from lib.sandbox.server import SandboxHandle, default_data_dir, embedded_sandbox
from lib.ui.clock import clock_control
from lib.ui.errors import describe_error
from lib.ui.state import ConnectionState

SANDBOX = "Local sandbox"
CLUSTER = "Capillary cluster"
CUSTOM = "Custom URL"
BACKENDS = (SANDBOX, CLUSTER, CUSTOM)
SANDBOX_ORGS = ("demo", "demo2")
HEALTH_MAX_AGE = 60.0
"""Seconds a health check stays fresh; the panel re-checks after that, or on demand."""
NETWORK_CHOICES = ("off", "remote", "flaky")
"""Network profiles the sidebar offers for the embedded sandbox (all of them: `lib.sandbox.network`)."""
NETWORK_HELP = (
    "Puts a remote Capillary cluster's conditions between the console and the local sandbox. "
    "remote: about 150 ms per call and 20 calls per second per org (faster calls are answered 429); "
    "flaky: the same, plus 5% of calls answered 503 and 3% applied but never answered. "
    "The sandbox is shared, so this applies to every session of this console."
)


def _real_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ActiveConnection:
    """The backend this session talks to. The client and its log are this session's alone."""

    client: BadgesClient
    request_log: RequestLog
    base_url: str
    backend: str
    org: str
    is_sandbox: bool
    fingerprint: str
    clock: Callable[[], datetime] = _real_now
    """The backend's "now": the sandbox's own clock (it can be moved), else this machine's."""

    def now(self) -> datetime:
        return self.clock()


@dataclass(frozen=True)
class Health:
    ok: bool
    latency_ms: float
    detail: str
    checked_at: float
    fingerprint: str


def data_dir() -> Path:
    """The console's data folder (sandbox database, bulk job journals): `$BADGE_CONSOLE_DATA_DIR` wins."""
    return default_data_dir()


@st.cache_resource(show_spinner="Starting the local sandbox with demo data...")
def _sandbox(directory: str) -> SandboxHandle:
    """Start the embedded sandbox once per process; it holds data, never credentials."""
    return embedded_sandbox(Path(directory))


def _secrets() -> dict[str, Any]:
    try:
        section = st.secrets.get("capillary")
    except StreamlitSecretNotFoundError:
        return {}
    return dict(section) if section else {}


_FINGERPRINT_KEY = os.urandom(32)
"""Per-process key of the connection fingerprints, so a fingerprint cannot be used to test guesses."""


def _fingerprint(*parts: str) -> str:
    """Identifies a configuration (it keys this session's cached reads) without keeping its secret."""
    return hashlib.blake2b("\x1f".join(parts).encode(), key=_FINGERPRINT_KEY, digest_size=32).hexdigest()


def connection_fingerprint(*parts: str) -> str:
    """Identifies a configuration (backend, URL, credentials) without keeping its secret."""
    return _fingerprint(*parts)


def sandbox_handle() -> SandboxHandle:
    """The embedded sandbox every session of this process shares (started on first use)."""
    return _sandbox(str(data_dir()))


def new_connection(
    backend: str,
    base_url: str,
    auth: BasicAuth | OAuthAuth,
    org: str,
    fingerprint: str,
    clock: Callable[[], datetime] = _real_now,
    *,
    request_log: RequestLog | None = None,
) -> ActiveConnection:
    """A connection with its own client; `request_log` lets a second connection of the same session
    (the promotion target) write into the session's one log."""
    log = request_log if request_log is not None else RequestLog(maxlen=500)
    return ActiveConnection(
        client=BadgesClient(base_url, auth, request_log=log),
        request_log=log,
        base_url=base_url,
        backend=backend,
        org=org,
        is_sandbox=backend == SANDBOX,
        fingerprint=fingerprint,
        clock=clock,
    )


def _connect(
    backend: str,
    base_url: str,
    auth: BasicAuth | OAuthAuth,
    org: str,
    fingerprint: str,
    clock: Callable[[], datetime] = _real_now,
) -> None:
    ConnectionState.get().connect(new_connection(backend, base_url, auth, org, fingerprint, clock))


def _sandbox_panel() -> None:
    org = st.segmented_control("Org", SANDBOX_ORGS, key="conn_org", default="demo", required=True)
    sandbox = _sandbox(str(data_dir()))
    fingerprint = _fingerprint(SANDBOX, sandbox.base_url, org)
    if _current_fingerprint() != fingerprint:
        _connect(SANDBOX, sandbox.base_url, BasicAuth(org, org), org, fingerprint, clock=sandbox.now)
    _network_control(sandbox)
    clock_control(sandbox)


def _network_control(sandbox: SandboxHandle) -> None:
    """The "Simulate a remote cluster" control: the embedded sandbox's network profile, set in-process.

    The sandbox (and so its profile) is shared by every session, so the control shows the profile in
    force, whoever set it (another session, the control plane, a script).
    """
    profile = sandbox.network().profile
    shown = NETWORK_CHOICES if profile.name in NETWORK_CHOICES else (*NETWORK_CHOICES, profile.name)
    ConnectionState.NETWORK.set(profile.name)
    st.segmented_control(
        "Simulate a remote cluster",
        shown,
        key=ConnectionState.NETWORK,
        required=True,
        on_change=_set_network,
        args=(sandbox,),
        help=NETWORK_HELP,
    )
    if not profile.is_off:
        st.caption(f":orange[Simulated network: {profile.summary()}]")


def _set_network(sandbox: SandboxHandle) -> None:
    choice = ConnectionState.NETWORK.value()
    if choice in NETWORK_CHOICES:
        sandbox.set_network(choice)
        _RECENT_HEALTH.forget()  # every session's next health line measures the new round trip


def _cluster_panel(backend: str) -> None:
    secrets = _secrets()
    if backend == CLUSTER:
        names = list(CLUSTERS)
        preset = secrets.get("base_url") if secrets.get("base_url") in names else names[0]
        target = st.selectbox(
            "Cluster",
            names,
            index=names.index(preset),
            format_func=lambda n: CLUSTERS[n].label,
            key="conn_cluster",
        )
    else:
        configured = str(secrets.get("base_url") or "")
        ConnectionState.URL.set_default(configured if "://" in configured else "")
        target = st.text_input(
            "Base URL", key=ConnectionState.URL, placeholder="https://eu.api.capillarytech.com"
        )
    try:
        base_url = resolve_base_url(target)
    except RequestValidationError as exc:
        st.caption(exc.problems[0].message if exc.problems else exc.message)
        return
    methods = ["Basic", "OAuth"]
    default_method = "OAuth" if secrets.get("auth") == "oauth" else "Basic"
    method = st.radio("Auth", methods, index=methods.index(default_method), horizontal=True, key="conn_auth")
    if method == "Basic":
        user = secrets.get("username") or st.text_input("Till username", key="conn_user")
        secret = secrets.get("password") or st.text_input("Password", type="password", key="conn_password")
    else:
        user = secrets.get("key") or st.text_input("Client key", key="conn_key")
        secret = secrets.get("secret") or st.text_input("Client secret", type="password", key="conn_secret")
    if secrets.get("username") or secrets.get("key"):
        st.caption("Credentials from secrets.")
    if not (user and secret):
        st.caption("Enter credentials to connect.")
        return
    fingerprint = _fingerprint(backend, base_url, method, user, secret)
    if _current_fingerprint() != fingerprint:
        try:
            auth = BasicAuth(user, secret) if method == "Basic" else OAuthAuth(user, secret)
        except RequestValidationError as exc:
            st.caption(exc.message)
            return
        _connect(f"{backend}: {target}", base_url, auth, user, fingerprint)


def _configured_backend() -> str:
    """A cluster configured in secrets is where the console connects first; else the sandbox."""
    configured = str(_secrets().get("base_url") or "")
    if not configured:
        return SANDBOX
    return CUSTOM if "://" in configured else CLUSTER


def _current_fingerprint() -> str | None:
    active = ConnectionState.get().active
    return active.fingerprint if active else None


def check_health(active: ActiveConnection) -> Health:
    """One cheap GET (the first badge of the org) tells whether backend and credentials work."""
    started = time.perf_counter()
    try:
        active.client.list_badges(limit=1)
    except BadgesError as exc:
        ok, detail = False, " ".join(describe_error(exc)[:2])
    else:
        ok, detail = True, "reachable"
    latency = (time.perf_counter() - started) * 1000
    return Health(ok, latency, detail, time.time(), active.fingerprint)


class _RecentHealth:
    """The last health check per connection fingerprint, shared by this process's sessions: a new
    tab on the same backend and credentials shows it instead of paying a round trip first. It holds
    no secret (reachable or not, the round trip, the error's wording)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_fingerprint: dict[str, Health] = {}

    def fresh(self, fingerprint: str) -> Health | None:
        with self._lock:
            health = self._by_fingerprint.get(fingerprint)
        return health if health is not None and time.time() - health.checked_at <= HEALTH_MAX_AGE else None

    def remember(self, health: Health) -> None:
        with self._lock:
            self._by_fingerprint[health.fingerprint] = health

    def forget(self) -> None:
        with self._lock:
            self._by_fingerprint.clear()


_RECENT_HEALTH = _RecentHealth()


def _health_line(active: ActiveConnection, *, force: bool) -> None:
    health = None if force else _RECENT_HEALTH.fresh(active.fingerprint)
    if health is None:
        health = check_health(active)
        _RECENT_HEALTH.remember(health)
    if health.ok:
        st.caption(f":green[●] {health.detail} · {health.latency_ms:.0f} ms")
    else:
        st.caption(f":red[●] {health.detail}")


def connection_panel() -> ActiveConnection | None:
    """Draw the sidebar panel; return the session's active connection (None until it has one)."""
    with st.sidebar:
        st.subheader("Connection")
        backend = st.radio(
            "Backend", BACKENDS, index=BACKENDS.index(_configured_backend()), key="conn_backend"
        )
        if backend == SANDBOX:
            _sandbox_panel()
        else:
            _cluster_panel(backend)
        active = ConnectionState.get().active
        if active is None or not active.backend.startswith(backend):
            return None
        st.caption(f"Org **{active.org}** on {active.backend} · `{active.base_url}`")
        _health_line(active, force=st.button("Check connection", key="conn_check"))
        return active
