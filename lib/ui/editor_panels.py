"""The badge editor's right-hand column: live timeline, what-if, checks, diff, request and curl."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from lib.api.request_log import curl_command
from lib.console.editor import EditorRequest, diff, what_if
from lib.console.evaluation import Evaluation
from lib.console.form_wire import from_body, to_body
from lib.domain import BadgeRules
from lib.domain.rules import RuleViolation
from lib.ui.connection import ActiveConnection


def draw_what_if(rules: BadgeRules | None) -> None:
    """The what-if panel; its simulation runs (and its widgets are drawn) only while it is open."""
    panel = st.expander(
        "What-if: an earn pattern against these limits", icon=":material/science:", key="ed_what_if",
        on_change="rerun",
    )  # fmt: skip
    if not panel.open:
        return
    with panel:
        if rules is None:
            st.caption("Complete the form first.")
            return
        first = rules.start.date()
        left, middle = st.columns(2)
        customers = left.number_input(
            "Customers", min_value=1, max_value=10_000, value=10, key="wi_customers"
        )
        per_day = middle.number_input(
            "Earns per customer per day", min_value=1, max_value=100, value=2, key="wi_per_day"
        )
        period = st.date_input("Period (UTC)", (first, first + timedelta(days=30)), key="wi_period")
        if not (isinstance(period, tuple) and len(period) == 2):
            return
        start = datetime.combine(period[0], time.min, tzinfo=UTC)
        end = datetime.combine(period[1], time(23, 59, 59), tzinfo=UTC)
        try:
            outcome = what_if(rules, customers=int(customers), per_day=int(per_day), start=start, end=end)
        except ValueError as exc:
            st.warning(str(exc))
            return
        with st.container(horizontal=True):
            st.metric("Attempts", f"{outcome.attempts:,}")
            st.metric("Allowed", f"{outcome.allowed:,}")
            st.metric("Blocked", f"{outcome.blocked:,}")
            st.metric("Outside the badge period", f"{outcome.outside_period:,}")
        st.dataframe(outcome.per_limit, hide_index=True, key="wi_table")
        if not outcome.per_cycle.empty:
            st.caption("Per fixed-window cycle (by event date):")
            st.dataframe(outcome.per_cycle, hide_index=True, key="wi_cycles", height=220)
        st.caption(
            "Computed by the same simulator the sandbox enforces limits with; limits are checked in "
            "order, customer limits first, and a refused attempt counts against none after it."
        )


def _problems(
    violations: Sequence[RuleViolation], request: EditorRequest, hints: Sequence[RuleViolation]
) -> None:
    if hints:
        fields = ", ".join(f"`{v.field}`" for v in hints)
        st.info(f"To create the badge, fill in {fields}. The checks run as you type.", icon=":material/edit:")
    for problem in request.problems:
        st.error(f"Not sendable: {problem}", icon=":material/block:")
    if violations:
        st.error(
            "\n".join(f"- **{v.code}** `{v.field}`: {v.message}" for v in violations), icon=":material/rule:"
        )
    elif request.sendable and not hints:
        st.success(
            "Passes the server's rules (720, 722, 723, 724, 826, enums, mandatory fields).",
            icon=":material/check_circle:",
        )


def _diff_frame(saved: Mapping[str, Any], request: EditorRequest) -> pd.DataFrame:
    saved_request = to_body(from_body(saved), badge_id=saved.get("id"))
    rows = [
        {"field": c.field, "saved": str(c.saved), "edited": str(c.edited)}
        for c in diff(saved_request, request.body)
    ]
    return pd.DataFrame(rows, columns=["field", "saved", "edited"])


def draw_checks(conn: ActiveConnection, evaluation: Evaluation, saved: Mapping[str, Any] | None) -> None:
    """Rule checks, diff, request and curl. The evaluation's hints are mandatory fields of a blank new
    badge: asked for, not flagged as errors."""
    request = evaluation.request
    st.subheader("Before saving")
    _problems(evaluation.violations, request, evaluation.hints)
    if saved is not None:
        changes = _diff_frame(saved, request)
        with st.expander(f"Changes against the saved badge ({len(changes)})", expanded=bool(len(changes))):
            if changes.empty:
                st.caption("No changes.")
            else:
                st.dataframe(changes, hide_index=True, key="ed_diff")
    # On demand, not in collapsed expanders: a code block makes a new tab load the syntax highlighter
    # (1.5 MB of JavaScript) before the editor's first paint, even when nobody opens it.
    if st.toggle(f"Show the request ({request.method} {request.path}) and curl", key="ed_show_request"):
        st.code(request.json_text(), language="json")
        headers = {**conn.client.auth.placeholder_headers(), "Content-Type": "application/json"}
        body = (
            None
            if request.body is None
            else json.dumps(request.body, separators=(",", ":"), ensure_ascii=False)
        )
        command = curl_command(
            request.method, conn.base_url + request.path, headers.items(), body, multiline=True
        )
        st.code(command, language="bash")
        st.caption("Secrets are shell variables: `export CAPILLARY_AUTH='Basic ...'` before running it.")
