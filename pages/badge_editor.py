"""Create or update a badge, seeing its cycles, expiries and rule checks before saving."""

from collections import defaultdict

import streamlit as st

from lib.console.badge_form import from_body, new_form
from lib.console.editor import build_request, rule_violations, section_of
from lib.ui import Key, call_api, flash, open_performance, page_setup, reads
from lib.ui.badge_editor import draw_form, fill_missing, form_from_state, load_form
from lib.ui.editor_panels import draw_checks, draw_what_if
from lib.ui.editor_preview import draw_preview

NEW = "__new__"
conn = page_setup("Badge editor")
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
if st.session_state.get("ed_pick") != wanted:
    st.session_state["ed_pick"] = wanted  # the URL (?badge=<id>) decides which badge is open


def _follow_pick() -> None:
    pick = st.session_state["ed_pick"]
    if pick == NEW:
        st.query_params.pop("badge", None)
    else:
        st.query_params["badge"] = pick


with st.container(horizontal=True, vertical_alignment="bottom"):
    pick = st.selectbox(
        "Badge",
        [NEW, *names],
        key="ed_pick",
        on_change=_follow_pick,
        format_func=lambda i: "New badge" if i == NEW else names.get(i, i),
    )
    performance = pick != NEW and st.button("Performance", icon=":material/monitoring:", key="ed_performance")
badge_id = None if pick == NEW else pick
if performance:
    open_performance(pick)

if st.session_state.get(Key.EDITOR_LOADED_ID) != pick or "ed_base" not in st.session_state:
    saved = call_api("Load badge", lambda: reads.badge_body(conn, badge_id)) if badge_id else None
    if badge_id and saved is None:
        st.stop()
    load_form(from_body(saved) if saved else new_form(now))
    st.session_state["ed_saved"] = saved
    st.session_state[Key.EDITOR_LOADED_ID] = pick
fill_missing()
saved = st.session_state["ed_saved"]

# Rule checks run on the values about to be drawn, so they can sit beside their fields.
drawn = form_from_state()
untouched = drawn == st.session_state["ed_base"]
violations = rule_violations(saved, build_request(drawn, badge_id=badge_id), now)
if badge_id is None and untouched:  # a blank form is not a mistake yet: ask, don't flag
    hints = [v for v in violations if v.code == 400 and v.message.endswith("is mandatory")]
    violations = [v for v in violations if v not in hints]
else:
    hints = []
by_section = defaultdict(list)
for violation in violations:
    by_section[section_of(violation.field)].append(violation)

groups = lists.groups if lists else {}
custom_fields = lists.custom_fields if lists else []

left, right = st.columns([1, 1.15], gap="large")
with left:
    form = draw_form(by_section, groups, custom_fields)
request = build_request(form, badge_id=badge_id)

with right:
    rules = draw_preview(request, saved, now)
    draw_what_if(rules)
    draw_checks(conn, request, saved, violations, hints)
    unchanged = badge_id is not None and untouched
    blocked = bool(violations) or bool(hints) or not request.sendable or unchanged
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
        st.session_state[Key.EDITOR_LOADED_ID] = None
        st.query_params["badge"] = result.id
        st.rerun()
for clicked, action, verb in (
    (activate, conn.client.activate_badge, "Activate"),
    (deactivate, conn.client.deactivate_badge, "Deactivate"),
):
    if clicked and call_api(f"{verb} badge", lambda action=action: action(badge_id=badge_id)) is not None:
        reads.clear_reads()
        flash("success", f"{verb}d the badge.")
        st.session_state[Key.EDITOR_LOADED_ID] = None
        st.rerun()
