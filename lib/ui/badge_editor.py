"""The badge editor's widgets: every field of the update-badge page, outside any `st.form`.

Widgets are keyed `ed_<BadgeForm field>` and never given a `value=`: their values are put into
session state when a badge is loaded (`load_form`) and filled in again from that badge whenever a
conditional widget comes back (`fill_missing`). So the form can be read from session state before
it is drawn (`form_from_state`), which lets the rule checks appear beside the fields they concern.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

import pandas as pd
import streamlit as st

from lib.console.badge_form import (
    ABSOLUTE_KINDS,
    BENEFIT_FIELDS,
    BENEFIT_TYPES,
    EARN_TYPES,
    EXPIRY_TYPES,
    UNITS,
    WEEKDAYS,
    WIDGET_PREFIX,
    BadgeForm,
    form_fields,
    widget_values,
)
from lib.domain import OwnerType
from lib.domain.rules import RuleViolation

BASE = "ed_base"
"""The `BadgeForm` the editor was loaded with (the saved badge, or the defaults of a new one)."""
TABLES = {"benefits": "ed_benefits_table", "tags": "ed_tags_table", "custom_fields": "ed_custom_fields_table"}
EARN_TYPE_LABELS = {"EARN": "Direct (EARN)", "ISSUE_EARN": "Enrol, then earn (ISSUE_EARN)"}
EXPIRY_LABELS = {"RELATIVE": "Relative", "ABSOLUTE": "Absolute", "NEVER": "Never"}
KIND_LABELS = {"WITH_BADGE_META": "With the badge end", "FIXED_DATE": "On a fixed date"}


def _k(name: str) -> str:
    return WIDGET_PREFIX + name


def load_form(form: BadgeForm) -> None:
    """Show `form` in the editor, replacing whatever was being edited."""
    st.session_state[BASE] = form
    for key, value in widget_values(form).items():
        st.session_state[key] = value
    for key in TABLES.values():
        st.session_state.pop(key, None)


def fill_missing() -> None:
    """Give widgets that were not drawn in the last run (a closed section) their loaded value."""
    for key, value in widget_values(st.session_state[BASE]).items():
        st.session_state.setdefault(key, value)


def form_from_state() -> BadgeForm:
    """The form as the widgets will show it in this run (tables as loaded)."""
    base: BadgeForm = st.session_state[BASE]
    return replace(base, **{name: st.session_state.get(_k(name)) for name in form_fields()})


def _problems(violations: Sequence[RuleViolation]) -> None:
    for v in violations:
        st.error(f"**{v.code}** `{v.field}`: {v.message}", icon=":material/block:")


def _basics(groups: dict[str, str], problems: Sequence[RuleViolation]) -> None:
    _problems(problems)
    st.text_input("Name (unique, case-sensitive)", key=_k("name"))
    st.text_area("Description", key=_k("description"), height=80)
    st.radio("Earn type", EARN_TYPES, format_func=EARN_TYPE_LABELS.get, key=_k("earn_type"), horizontal=True)
    st.multiselect("Owners (restrictedToOwners)", [o.value for o in OwnerType], key=_k("owners"))
    left, middle, right = st.columns(3)
    group_options = [None, *groups]
    if st.session_state.get(_k("group_id")) not in group_options:
        group_options.append(st.session_state[_k("group_id")])
    left.selectbox(
        "Group",
        group_options,
        format_func=lambda g: "No group" if g is None else groups.get(g, g),
        key=_k("group_id"),
    )
    middle.number_input("Rank", min_value=0, step=1, key=_k("rank"), placeholder="none")
    right.toggle("Active", key=_k("active"))
    if st.session_state[BASE].group_id and st.session_state.get(_k("group_id")) is None:
        st.warning(
            "An update without `badgeGroupId` keeps the badge in its group: the API has no documented "
            "way to take a badge out of a group, so this change will not be saved. Move it to another "
            "group instead.",
            icon=":material/info:",
        )


def _expiry(prefix: str, title: str) -> None:
    kind = st.radio(
        title, EXPIRY_TYPES, format_func=EXPIRY_LABELS.get, key=_k(f"{prefix}_type"), horizontal=True
    )
    if kind == "RELATIVE":
        left, right = st.columns(2)
        left.number_input("After", min_value=0, step=1, key=_k(f"{prefix}_value"))
        right.selectbox("Unit", UNITS, key=_k(f"{prefix}_unit"))
    elif kind == "ABSOLUTE":
        absolute = st.radio(
            "Expires", ABSOLUTE_KINDS, format_func=KIND_LABELS.get, key=_k(f"{prefix}_kind"), horizontal=True
        )
        if absolute == "FIXED_DATE":
            st.datetime_input("Expiry date (UTC)", key=_k(f"{prefix}_fixed_at"), format="YYYY-MM-DD")


def _period(problems: Sequence[RuleViolation]) -> None:
    _problems(problems)
    left, right = st.columns(2)
    left.datetime_input("Start (UTC)", key=_k("start"), format="YYYY-MM-DD")
    right.datetime_input("End (UTC)", key=_k("end"), format="YYYY-MM-DD")
    st.caption("Expiry is counted from when an earn or enrolment is processed, not from its event date.")
    _expiry("earned", "Earned badge expiry")
    if st.session_state.get(_k("earn_type")) == "ISSUE_EARN":
        _expiry("issued", "Enrolment expiry (issuedBadgeExpiry)")


def _fixed_window(p: str) -> None:
    if not st.toggle("Fixed window (cycles)", key=_k(f"{p}fw_on")):
        return
    left, middle, right = st.columns(3)
    left.number_input("Max earns per cycle", min_value=0, step=1, key=_k(f"{p}fw_max"))
    unit = middle.selectbox("Cycle", UNITS, key=_k(f"{p}fw_unit"))
    if unit == "DAYS":
        right.number_input("Days per cycle (refreshRate)", min_value=0, step=1, key=_k(f"{p}fw_rate"))
    elif unit == "WEEKS":
        right.selectbox("Week starts on", WEEKDAYS, key=_k(f"{p}fw_week_start"))


def _rolling_pairs(p: str) -> None:
    for unit in ("days", "weeks", "months"):
        left, right = st.columns(2)
        left.number_input(
            f"Max earns in the last N {unit}",
            min_value=0,
            step=1,
            key=_k(f"{p}rw_{unit}_max"),
            placeholder="off",
        )
        right.number_input(
            f"N ({unit})", min_value=0, step=1, key=_k(f"{p}rw_{unit}_span"), placeholder="off"
        )


def _limits(p: str, who: str, problems: Sequence[RuleViolation]) -> None:
    _problems(problems)
    st.caption(f"Limits on {who}; an earn must pass every one of them.")
    _fixed_window(p)
    if st.toggle("Rolling window (counted back from processing time)", key=_k(f"{p}rw_on")):
        _rolling_pairs(p)
    if st.toggle("Fixed value (lifetime total)", key=_k(f"{p}fv_on")):
        st.number_input("Max earns in total", min_value=0, step=1, key=_k(f"{p}fv_max"))
    st.toggle("No limit (explicit)", key=_k(f"{p}nl_on"))


def _table(
    name: str, rows: list[dict[str, Any]], columns: Sequence[str], config: dict
) -> list[dict[str, Any]]:
    frame = pd.DataFrame(rows, columns=list(columns))
    edited = st.data_editor(
        frame, key=TABLES[name], num_rows="dynamic", column_config=config, hide_index=True
    )
    return edited.to_dict("records")


def _extras(base: BadgeForm, custom_field_names: Sequence[str]) -> dict[str, Any]:
    st.markdown("**Benefits**")
    number = {f: st.column_config.NumberColumn(f, step=1, format="%d") for f in BENEFIT_FIELDS[1:]}
    benefits = _table(
        "benefits",
        base.benefits,
        BENEFIT_FIELDS,
        {"benefitType": st.column_config.SelectboxColumn("benefitType", options=BENEFIT_TYPES)} | number,
    )
    st.markdown("**Tags**")
    tags = _table("tags", base.tags, ("name", "value"), {})
    st.markdown("**Custom fields**")
    st.caption("The org's custom fields are listed; a field left empty is not sent (its default applies).")
    known = dict.fromkeys(custom_field_names, "") | base.custom_fields
    rows = _table("custom_fields", [{"name": k, "value": v} for k, v in known.items()], ("name", "value"), {})
    custom = {
        str(r["name"]): str(r["value"])
        for r in rows
        if r.get("name") and (r.get("value") not in (None, "") or r["name"] in base.custom_fields)
    }
    return {"benefits": benefits, "tags": tags, "custom_fields": custom}


def draw_form(
    violations: dict[str, list[RuleViolation]], groups: dict[str, str], custom_field_names: Sequence[str]
) -> BadgeForm:
    """Draw every field; return the form as the user left it in this run.

    Number fields accept 0 so that any badge the API returns can be loaded; values the server would
    refuse (a 0-day cycle) are reported by the rule checks instead.
    """

    sections = {
        "Basics": ("basics",),
        "Dates & expiry": ("period", "expiry"),
        "Customer limits": ("customer",),
        "Badge limits": ("badge",),
        "More": (),
    }
    flagged = {
        label: count
        for label, names in sections.items()
        if (count := sum(len(violations.get(name, [])) for name in names))
    }
    notice = st.container()  # always drawn, so the tabs below keep their place (and their selection)
    if flagged:
        where = ", ".join(f"**{label}** ({count})" for label, count in flagged.items())
        notice.caption(f":material/warning: Problems to fix on the tabs {where}.")
    # Labels never change with the checks: a tab whose label changes is a new tab to the browser,
    # which would jump back to the first one while the user is typing.
    tabs = st.tabs(list(sections), key="ed_tab")
    with tabs[0]:
        _basics(groups, violations.get("basics", []))
    with tabs[1]:
        _period(violations.get("period", []) + violations.get("expiry", []))
    with tabs[2]:
        _limits("c", "each customer", violations.get("customer", []))
    with tabs[3]:
        _limits("b", "all customers together", violations.get("badge", []))
    with tabs[4]:
        extras = _extras(st.session_state[BASE], custom_field_names)
    values = asdict(form_from_state()) | extras
    return BadgeForm(**values)
