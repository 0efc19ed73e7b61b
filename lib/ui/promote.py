"""The "Badges as code" page's steps: the source, the side-by-side comparison, export, and promotion.

Reads are kept in the session (`PromoteState`, with the target connection) until something changes
them: the source or target connection, the file, or a promotion that just ran. Promoting plans the
selected badges against the target, shows that plan to be confirmed, then applies it on a worker
thread (`BackgroundTask`) that a fragment polls, like the bulk pages' dry run; a click meanwhile loses
nothing. The run plans again against the target as it is then (`lib.promote.apply`), so what it sends
is what still differs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import ClassVar

import streamlit as st

from lib.console.display import readable
from lib.console.fanout import fan_out
from lib.console.promote import Presence, changes_frame, compare, compare_frame, plan_frame, results_frame
from lib.console.tasks import BackgroundTask
from lib.promote.apply import ApplyResult, apply
from lib.promote.document import BadgesDocument, DocumentError, dumps, loads
from lib.promote.export import OrgSnapshot, read_org
from lib.promote.plan import Plan, make_plan
from lib.promote.report import HISTORICAL_HINT
from lib.ui import reads
from lib.ui.connection import ActiveConnection
from lib.ui.errors import call_api
from lib.ui.state import PageState, StateKey, WidgetKey

POLL_SECONDS = 0.5
FROM_CONNECTION = "This session's connection"
FROM_FILE = "An exported file"


@dataclass
class PromoteState(PageState):
    """What the page read and started, kept across reruns of this session."""

    KEY: ClassVar[str] = StateKey.PROMOTE
    PICK: ClassVar[WidgetKey] = WidgetKey("pr_pick")
    """The "Badges to promote" multiselect."""

    target_connection: ActiveConnection | None = field(default=None, repr=False)
    """The promotion target's connection (`lib.ui.promote_target`); its credentials stay in this session
    (and out of the repr)."""
    source_key: tuple = ()
    source: BadgesDocument | None = None
    target_key: tuple = ()
    target: OrgSnapshot | None = None
    plan: Plan | None = None
    plan_for: tuple = ()
    task: BackgroundTask[ApplyResult] | None = None
    result: ApplyResult | None = None
    result_for: str = ""
    selected: list[str] = field(default_factory=list)
    pick_for: tuple[str, ...] = ()
    """The badges the picker was last offered."""

    def forget_reads(self) -> None:
        self.source_key, self.target_key, self.source, self.target = (), (), None, None

    def offer_picks(self, choices: list[str]) -> None:
        """Another source or target: nothing is picked for the user."""
        if self.pick_for != tuple(choices):
            self.pick_for = tuple(choices)
            self.PICK.set([])


def source_document(conn: ActiveConnection, state: PromoteState) -> BadgesDocument | None:
    """The badges to promote: every badge of the sidebar's org, or an exported file."""
    kind = st.radio("Source", [FROM_CONNECTION, FROM_FILE], horizontal=True, key="pr_source",
                    label_visibility="collapsed")  # fmt: skip
    if kind == FROM_FILE:
        upload = st.file_uploader(
            "Exported file (YAML or JSON)", type=["yaml", "yml", "json"], key="pr_upload"
        )
        if upload is None:
            return None
        data = upload.getvalue()
        key = ("file", hashlib.sha256(data).hexdigest())
        if state.source_key != key:
            try:
                state.source = loads(data.decode("utf-8", errors="replace"))
            except DocumentError as exc:
                st.error(
                    f"**{upload.name} is not a badges file.**\n\n" + "\n".join(f"- {p}" for p in exc.problems)
                )
                return None
            state.source_key = key
        st.caption(f"{len(state.source.badges)} badge(s) from **{upload.name}**")
        return state.source
    key = ("org", conn.fingerprint)
    if state.source_key != key or state.source is None:
        with st.spinner("Reading the source org's badges..."):
            snapshot = call_api("Read the source org", lambda: read_org(conn.client, read_many=fan_out))
        if snapshot is None:
            return None
        state.source, state.source_key = snapshot.document(), key
    st.caption(f"Org **{conn.org}** on {conn.backend} · {len(state.source.badges)} badge(s)")
    return state.source


def target_snapshot(
    target: ActiveConnection, document: BadgesDocument, state: PromoteState
) -> OrgSnapshot | None:
    """The target's badges named in the document (read in full), groups and custom fields."""
    key = (target.fingerprint, tuple(document.badge_names))
    if state.target_key != key or state.target is None:
        with st.spinner(f"Reading org {target.org}..."):
            snapshot = call_api(
                "Read the target org",
                lambda: read_org(target.client, document.badge_names, read_many=fan_out),
            )
        if snapshot is None:
            return None
        state.target, state.target_key = snapshot, key
    return state.target


def draw_compare(
    document: BadgesDocument, snapshot: OrgSnapshot, target: ActiveConnection, historical: bool
) -> list[str]:
    """The side-by-side table and each differing badge's fields; returns the badges picked to promote."""
    plan = make_plan(document, snapshot, target.now(), historical=historical)
    rows = compare(document, snapshot, plan)
    counts = {presence: sum(row.presence is presence for row in rows) for presence in Presence}
    st.caption(" · ".join(f"{counts[p]} {p.value}" for p in Presence))
    st.dataframe(readable(compare_frame(rows)), hide_index=True, key="pr_compare",
                 column_config={"detail": st.column_config.TextColumn("detail", width="large")})  # fmt: skip
    for row in rows:
        if row.item is not None and row.item.changes and row.presence is Presence.DIFFERS:
            with st.expander(f"{row.name}: {len(row.item.changes)} field(s) differ"):
                st.dataframe(changes_frame(row.item), hide_index=True, key=f"pr_diff_{row.name}")
                for refusal in row.item.refusals:
                    st.error(f"{refusal.code} {refusal.field}: {refusal.message}", icon=":material/block:")
    choices = [row.name for row in rows if row.item is not None]
    PromoteState.get().offer_picks(choices)
    return st.multiselect(
        "Badges to promote", choices, key=PromoteState.PICK, placeholder="Choose the badges to promote",
        help="Only in source: created in the target. Differs: updated to the source's values.",
    )  # fmt: skip


def draw_export(document: BadgesDocument, selected: list[str], label: str) -> None:
    chosen = document.select(selected) if selected else document
    what = f"{len(chosen.badges)} selected" if selected else f"all {len(chosen.badges)}"
    st.download_button(
        f"Download {what} badge(s) as YAML",
        data=dumps(chosen),
        file_name=f"badges-{label}.yaml",
        mime="application/x-yaml",
        icon=":material/download:",
        key="pr_download",
        on_click="ignore",
    )


def draw_promotion(
    state: PromoteState,
    document: BadgesDocument,
    snapshot: OrgSnapshot,
    target: ActiveConnection,
    selected: list[str],
    historical: bool,
) -> None:
    """Promote selected -> the plan to confirm -> apply on a worker thread -> the results table."""
    _pick_up(state, target)
    if state.task is not None:
        st.fragment(run_every=POLL_SECONDS)(_follow)(state)
        return
    wanted = (tuple(selected), historical, state.target_key)
    if st.button("Promote selected", key="pr_promote", type="primary", disabled=not selected,
                 icon=":material/move_up:"):  # fmt: skip
        state.plan = make_plan(document.select(selected), snapshot, target.now(), historical=historical)
        state.plan_for, state.result = wanted, None
    if state.plan is not None and state.plan_for == wanted:
        _confirm(state, document, target, selected, historical)
    if state.result is not None:
        _results(state.result, state.result_for)


def _confirm(state, document, target, selected, historical) -> None:
    plan = state.plan
    with st.container(border=True):
        st.subheader(f"Plan for org {target.org}")
        st.caption(plan.summary())
        st.dataframe(plan_frame(plan), hide_index=True, key="pr_plan")
        if plan.blocked:
            st.error("Some items cannot be applied, so nothing will be sent. Deselect them or fix the source.",
                     icon=":material/block:")  # fmt: skip
            if any(r.code == 722 for item in plan.blocked for r in item.refusals) and not historical:
                st.caption(
                    HISTORICAL_HINT.replace("plan and apply with --historical", "switch on the toggle above")
                )
            return
        if not plan.pending:
            st.info(f"Org {target.org} already has these badges as they are in the source.")
            return
        if st.button(f"Apply {len(plan.pending)} change(s) to org {target.org}", key="pr_apply",
                     icon=":material/check:"):  # fmt: skip
            chosen, client, clock = document.select(selected), target.client, target.clock
            state.task = BackgroundTask.start(
                lambda progress: apply(client, chosen, now=clock, historical=historical, read_many=fan_out,
                                       on_progress=progress),
                name="console-promote",
            )  # fmt: skip
            state.plan, state.result, state.result_for = None, None, target.org
            st.rerun()


def _pick_up(state: PromoteState, target: ActiveConnection) -> None:
    """Take the result of a finished promotion; the target's reads are stale after it."""
    task = state.task
    if task is None or not task.finished:
        return
    state.task = None
    state.result = call_api("Promote", task.result)
    state.target, state.target_key = None, ()
    reads.clear_reads()
    st.rerun()


def _follow(state: PromoteState) -> None:
    task = state.task
    if task is None or task.finished:
        st.rerun()
    done = task.progress()
    text = (
        f"Promoting: {done.done} of {done.total} change(s) applied ({done.seconds:.0f} s)"
        if done.total
        else "Promoting: reading the target and planning again..."
    )
    st.progress(done.fraction, text=text)


def _results(result: ApplyResult, org: str) -> None:
    with st.container(border=True):
        st.subheader(f"Results in org {org}")
        if not result.plan.can_apply:
            st.warning(
                "The target changed since the plan: something cannot be applied now, and nothing was sent."
            )
        elif result.failed is not None:
            failed = result.failed
            st.error(f"Stopped at {failed.item.kind.value} **{failed.item.name}**: {failed.message}. "
                     f"{len(result.applied)} change(s) were applied before it; promote again to continue.",
                     icon=":material/error:")  # fmt: skip
        elif result.steps:
            st.success(f"Promoted: {len(result.applied)} change(s) applied.", icon=":material/check_circle:")
        else:
            st.info("Nothing to apply: the target already matched.")
        st.dataframe(results_frame(result), hide_index=True, key="pr_results")
