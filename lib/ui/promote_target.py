"""The promotion target: a second connection in the same session, beside the sidebar's.

A test org on one cluster and the production org on another are compared and promoted between in one
session, so the "Badges as code" page has its own small connection panel: the local sandbox (one of
its demo orgs, by default the one the sidebar is not on), a Capillary cluster preset, or a custom
https URL, with Basic or OAuth credentials typed in. Like the sidebar's, the credentials stay in this
session's widget state and inside the target's client; they are never drawn back, logged or put in a
URL. The target's client writes into the session's request log, so that log keeps every call.
"""

from __future__ import annotations

import streamlit as st

from lib.api.auth import BasicAuth, OAuthAuth
from lib.api.clusters import CLUSTERS, resolve_base_url
from lib.api.errors import RequestValidationError
from lib.ui.connection import (
    BACKENDS,
    CLUSTER,
    SANDBOX,
    SANDBOX_ORGS,
    ActiveConnection,
    connection_fingerprint,
    new_connection,
    sandbox_handle,
)
from lib.ui.promote import PromoteState


def target_panel(main: ActiveConnection) -> ActiveConnection | None:
    """Draw the target's connection widgets; the target connection, or None until it is complete."""
    backend = st.radio("Target backend", BACKENDS, horizontal=True, key="pr_t_backend")
    target = _sandbox_target(main) if backend == SANDBOX else _cluster_target(main, backend)
    if target is None:
        return None
    st.caption(f"Org **{target.org}** on {target.backend} · `{target.base_url}`")
    if target.base_url == main.base_url and target.org == main.org:
        st.warning("The target is the org the sidebar is connected to: choose another org to compare with.")
    return target


def _sandbox_target(main: ActiveConnection) -> ActiveConnection:
    others = [org for org in SANDBOX_ORGS if not (main.is_sandbox and org == main.org)]
    org = st.segmented_control("Target org", SANDBOX_ORGS, key="pr_t_org", default=others[0], required=True)
    sandbox = sandbox_handle()
    wanted = connection_fingerprint("target", SANDBOX, sandbox.base_url, org, main.fingerprint)
    return _kept(
        wanted,
        lambda: new_connection(
            SANDBOX,
            sandbox.base_url,
            BasicAuth(org, org),
            org,
            wanted,
            sandbox.now,
            request_log=main.request_log,
        ),
    )


def _cluster_target(main: ActiveConnection, backend: str) -> ActiveConnection | None:
    if backend == CLUSTER:
        names = list(CLUSTERS)
        where = st.selectbox(
            "Target cluster", names, format_func=lambda n: CLUSTERS[n].label, key="pr_t_cluster"
        )
    else:
        where = st.text_input(
            "Target base URL", key="pr_t_url", placeholder="https://eu.api.capillarytech.com"
        )
    try:
        base_url = resolve_base_url(where)
    except RequestValidationError as exc:
        st.caption(exc.problems[0].message if exc.problems else exc.message)
        return None
    method = st.radio("Target auth", ["Basic", "OAuth"], horizontal=True, key="pr_t_auth")
    basic = method == "Basic"
    user = st.text_input("Till username" if basic else "Client key", key="pr_t_user")
    secret = st.text_input("Password" if basic else "Client secret", type="password", key="pr_t_secret")
    if not (user and secret):
        st.caption("Enter the target's credentials to compare.")
        return None
    wanted = connection_fingerprint("target", backend, base_url, method, user, secret, main.fingerprint)
    try:
        auth = BasicAuth(user, secret) if basic else OAuthAuth(user, secret)
    except RequestValidationError as exc:
        st.caption(exc.message)
        return None
    return _kept(
        wanted,
        lambda: new_connection(
            f"{backend}: {where}", base_url, auth, user, wanted, request_log=main.request_log
        ),
    )


def _kept(wanted: str, build) -> ActiveConnection:
    """The session's target connection, built again only when its configuration changed."""
    state = PromoteState.get()
    current = state.target_connection
    if current is None or current.fingerprint != wanted:
        current = build()
        state.target_connection = current
    return current
