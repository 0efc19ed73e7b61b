"""Create or update a badge, seeing its cycles, expiries and rule checks before saving."""

import streamlit as st

from lib.console.badge_form import new_form
from lib.console.evaluation import evaluate
from lib.console.form_wire import from_body
from lib.ui import call_api, flash, open_performance, page_setup, reads
from lib.ui.badge_editor import draw_form, show_problems
from lib.ui.editor_panels import draw_checks, draw_what_if
from lib.ui.editor_preview import draw_preview
from lib.ui.editor_state import PICK_KEY, EditorState, follow_url, keep_values, load_form, picked

NEW = "__new__"
conn = page_setup("Badge editor", charts=True)
now = conn.now()

lists = call_api("Load badges, groups and custom fields", lambda: reads.editor_lists(conn))
names = dict(lists.badge_names) if lists else {}
wanted = st.query_params.get("badge", NEW)
if wanted not in names and wanted != NEW:  # newer than the cached list, or not of this org
    opened = call_api("Open badge", lambda: reads.badge_body(conn, wanted))
    if opened is None:
        wanted = NEW
    else:
        names[wanted] = opened["name"]
follow_url(wanted)  # the URL (?badge=<id>) decides which badge is open


def _follow_pick() -> None:
    pick = picked()
    if pick == NEW:
        st.query_params.pop("badge", None)
    else:
        st.query_params["badge"] = pick


with st.container(horizontal=True, vertical_alignment="bottom"):
    pick = st.selectbox(
        "Badge",
        [NEW, *names],
        key=PICK_KEY,
        on_change=_follow_pick,
        format_func=lambda i: "New badge" if i == NEW else names.get(i, i),
    )
    performance = pick != NEW and st.button("Performance", icon=":material/monitoring:", key="ed_performance")
badge_id = None if pick == NEW else pick
if performance:
    open_performance(pick)

state = EditorState.get()
if state.needs_load(pick):
    saved = call_api("Load badge", lambda: reads.badge_body(conn, badge_id)) if badge_id else None
    if badge_id and saved is None:
        st.stop()
    load_form(pick, from_body(saved) if saved else new_form(now), saved)
keep_values()
saved = state.saved

groups = lists.groups if lists else {}
custom_fields = lists.custom_fields if lists else []

left, right = st.columns([1, 1.15], gap="large")
with left:
    drawn = draw_form(groups, custom_fields)
# One evaluation of the drawn form: request, rule checks beside their fields, hints, planned rules.
evaluation = evaluate(drawn.form, saved, now, base=state.base)
show_problems(drawn, evaluation.by_section())
request = evaluation.request

with right:
    draw_preview(evaluation.preview, now)
    draw_what_if(evaluation.rules)
    draw_checks(conn, evaluation, saved)
    unchanged, hints, blocked = evaluation.unchanged, evaluation.hints, evaluation.blocked
    with st.container(horizontal=True):
        save = st.button(
            "Create badge" if badge_id is None else "Save changes",
            type="primary",
            disabled=blocked,
            key="ed_save",
            icon=":material/save:",
        )
        if badge_id:
            activate = st.button("Activate", key="ed_activate", disabled=bool(saved and saved.get("active")))
            deactivate = st.button(
                "Deactivate", key="ed_deactivate", disabled=not (saved and saved.get("active"))
            )
        else:
            activate = deactivate = False
    if unchanged:
        st.caption("No changes to save yet.")
    elif hints:
        st.caption("Fill in the fields above to create the badge; nothing is sent until then.")
    elif blocked:
        st.caption("Fix the problems above to save; nothing is sent until then.")

if save:
    send = conn.client.update_badge if badge_id else conn.client.create_badge
    result = call_api("Save badge", lambda: send(badge=request.model))
    if result is not None:
        reads.clear_reads()
        flash("success", f"Saved badge **{result.name}** ({result.id}).")
        state.reload()
        st.query_params["badge"] = result.id
        st.rerun()
for clicked, action, verb in (
    (activate, conn.client.activate_badge, "Activate"),
    (deactivate, conn.client.deactivate_badge, "Deactivate"),
):
    if clicked and call_api(f"{verb} badge", lambda action=action: action(badge_id=badge_id)) is not None:
        reads.clear_reads()
        flash("success", f"{verb}d the badge.")
        state.reload()
        st.rerun()
