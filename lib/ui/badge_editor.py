"""The badge editor's widgets: every field of the update-badge page, outside any `st.form`.

Each widget is keyed by its form path (`widget_key("customer.fixed_window.max_earn")`), its value kept
in session state by `lib.ui.editor_state`. The form is drawn first, with an empty slot at the top of
each section; the rule checks of the drawn form then fill those slots (`show_problems`), so they sit
beside the fields they concern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from lib.console.badge_form import (
    ABSOLUTE_KINDS,
    BENEFIT_FIELDS,
    BENEFIT_TYPES,
    EARN_TYPES,
    EXPIRY_TYPES,
    ROLL_UNITS,
    UNITS,
    WEEKDAYS,
    BadgeForm,
    widget_key,
)
from lib.domain import OwnerType
from lib.domain.rules import RuleViolation
from lib.ui.editor_state import (
    TABLE_KEYS,
    EditorState,
    form_from_widgets,
    keep_table,
    kept_table,
    table_rows,
    widget_value,
)

EARN_TYPE_LABELS = {"EARN": "Direct (EARN)", "ISSUE_EARN": "Enrol, then earn (ISSUE_EARN)"}
EXPIRY_LABELS = {"RELATIVE": "Relative", "ABSOLUTE": "Absolute", "NEVER": "Never"}
KIND_LABELS = {"WITH_BADGE_META": "With the badge end", "FIXED_DATE": "On a fixed date"}
SECTIONS = {
    "Basics": ("basics",),
    "Dates & expiry": ("period", "expiry"),
    "Customer limits": ("customer",),
    "Badge limits": ("badge",),
    "More": (),
}
"""The editor's tabs and the form sections (`lib.console.editor.section_of`) each one shows."""


TAB_KEY = "ed_tab"
"""The open tab's label."""


def _k(path: str) -> str:
    return widget_key(path)


@dataclass(frozen=True)
class DrawnForm:
    """The form as the user left it in this run, and where its problems are to be shown."""

    form: BadgeForm
    notice: Any
    """Above the tabs: which tabs have problems."""
    slots: Mapping[str, Any]
    """Tab label -> the container at the top of that tab."""


def _problems(violations: Sequence[RuleViolation]) -> None:
    for v in violations:
        st.error(f"**{v.code}** `{v.field}`: {v.message}", icon=":material/block:")


def _basics(groups: dict[str, str]) -> None:
    st.text_input("Name (unique, case-sensitive)", key=_k("name"))
    st.text_area("Description", key=_k("description"), height=80)
    st.radio("Earn type", EARN_TYPES, format_func=EARN_TYPE_LABELS.get, key=_k("earn_type"), horizontal=True)
    st.multiselect("Owners (restrictedToOwners)", [o.value for o in OwnerType], key=_k("owners"))
    left, middle, right = st.columns(3)
    group_options = [None, *groups]
    if widget_value("group_id") not in group_options:
        group_options.append(widget_value("group_id"))
    left.selectbox(
        "Group",
        group_options,
        format_func=lambda g: "No group" if g is None else groups.get(g, g),
        key=_k("group_id"),
    )
    middle.number_input("Rank", min_value=0, step=1, key=_k("rank"), placeholder="none")
    right.toggle("Active", key=_k("active"))
    base = EditorState.get().base
    if base is not None and base.group_id and widget_value("group_id") is None:
        st.warning(
            "An update without `badgeGroupId` keeps the badge in its group: the API has no documented "
            "way to take a badge out of a group, so this change will not be saved. Move it to another "
            "group instead.",
            icon=":material/info:",
        )


def _expiry(prefix: str, title: str) -> None:
    kind = st.radio(
        title, EXPIRY_TYPES, format_func=EXPIRY_LABELS.get, key=_k(f"{prefix}.type"), horizontal=True
    )
    if kind == "RELATIVE":
        left, right = st.columns(2)
        left.number_input("After", min_value=0, step=1, key=_k(f"{prefix}.value"))
        right.selectbox("Unit", UNITS, key=_k(f"{prefix}.unit"))
    elif kind == "ABSOLUTE":
        absolute = st.radio(
            "Expires", ABSOLUTE_KINDS, format_func=KIND_LABELS.get, key=_k(f"{prefix}.kind"), horizontal=True
        )
        if absolute == "FIXED_DATE":
            st.datetime_input("Expiry date (UTC)", key=_k(f"{prefix}.fixed_at"), format="YYYY-MM-DD")


def _period() -> None:
    left, right = st.columns(2)
    left.datetime_input("Start (UTC)", key=_k("start"), format="YYYY-MM-DD")
    right.datetime_input("End (UTC)", key=_k("end"), format="YYYY-MM-DD")
    st.caption("Expiry is counted from when an earn or enrolment is processed, not from its event date.")
    _expiry("earned", "Earned badge expiry")
    if widget_value("earn_type") == "ISSUE_EARN":
        _expiry("issued", "Enrolment expiry (issuedBadgeExpiry)")


def _fixed_window(level: str) -> None:
    window = f"{level}.fixed_window"
    if not st.toggle("Fixed window (cycles)", key=_k(f"{window}.on")):
        return
    left, middle, right = st.columns(3)
    left.number_input("Max earns per cycle", min_value=0, step=1, key=_k(f"{window}.max_earn"))
    unit = middle.selectbox("Cycle", UNITS, key=_k(f"{window}.unit"))
    if unit == "DAYS":
        right.number_input(
            "Days per cycle (refreshRate)", min_value=0, step=1, key=_k(f"{window}.refresh_rate")
        )
    elif unit == "WEEKS":
        right.selectbox("Week starts on", WEEKDAYS, key=_k(f"{window}.week_start"))


def _rolling_pairs(level: str) -> None:
    for unit in ROLL_UNITS:
        left, right = st.columns(2)
        left.number_input(
            f"Max earns in the last N {unit}",
            min_value=0,
            step=1,
            key=_k(f"{level}.rolling.{unit}.max_earn"),
            placeholder="off",
        )
        right.number_input(
            f"N ({unit})", min_value=0, step=1, key=_k(f"{level}.rolling.{unit}.span"), placeholder="off"
        )


def _limits(level: str, who: str) -> None:
    st.caption(f"Limits on {who}; an earn must pass every one of them.")
    _fixed_window(level)
    if st.toggle("Rolling window (counted back from processing time)", key=_k(f"{level}.rolling.on")):
        _rolling_pairs(level)
    if st.toggle("Fixed value (lifetime total)", key=_k(f"{level}.fixed_value.on")):
        st.number_input("Max earns in total", min_value=0, step=1, key=_k(f"{level}.fixed_value.max_earn"))
    st.toggle("No limit (explicit)", key=_k(f"{level}.no_limit"))


def _table(
    name: str, loaded: list[dict[str, Any]], columns: Sequence[str], config: dict
) -> list[dict[str, Any]]:
    frame = pd.DataFrame(table_rows(name, loaded), columns=list(columns))
    edited = st.data_editor(
        frame, key=TABLE_KEYS[name], num_rows="dynamic", column_config=config, hide_index=True
    )
    rows = edited.to_dict("records")
    keep_table(name, rows)
    return rows


def _loaded_tables(base: BadgeForm, custom_field_names: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The tables' rows as loaded; the org's custom fields are all listed, set or not."""
    known = dict.fromkeys(custom_field_names, "") | base.custom_fields
    custom = [{"name": name, "value": value} for name, value in known.items()]
    return {"benefits": base.benefits, "tags": base.tags, "custom_fields": custom}


def _extras(base: BadgeForm, custom_field_names: Sequence[str], *, drawn: bool) -> dict[str, Any]:
    """The "More" tab's tables: drawn when the tab is open, else as last edited (or loaded)."""
    loaded = _loaded_tables(base, custom_field_names)
    if drawn:
        st.markdown("**Benefits**")
        number = {f: st.column_config.NumberColumn(f, step=1, format="%d") for f in BENEFIT_FIELDS[1:]}
        types = {"benefitType": st.column_config.SelectboxColumn("benefitType", options=BENEFIT_TYPES)}
        benefits = _table("benefits", loaded["benefits"], BENEFIT_FIELDS, types | number)
        st.markdown("**Tags**")
        tags = _table("tags", loaded["tags"], ("name", "value"), {})
        st.markdown("**Custom fields**")
        st.caption(
            "The org's custom fields are listed; a field left empty is not sent (its default applies)."
        )
        rows = _table("custom_fields", loaded["custom_fields"], ("name", "value"), {})
    else:
        benefits, tags, rows = (
            kept_table(name, loaded[name]) for name in ("benefits", "tags", "custom_fields")
        )
    custom = {
        str(r["name"]): str(r["value"])
        for r in rows
        if r.get("name") and (r.get("value") not in (None, "") or r["name"] in base.custom_fields)
    }
    return {"benefits": benefits, "tags": tags, "custom_fields": custom}


def draw_form(groups: dict[str, str], custom_field_names: Sequence[str]) -> DrawnForm:
    """Draw every field; return the form as the user left it in this run, with a slot at the top of
    each tab for its problems (`show_problems`).

    Number fields accept 0 so that any badge the API returns can be loaded; values the server would
    refuse (a 0-day cycle) are reported by the rule checks instead.
    """
    base = EditorState.get().base
    assert base is not None, "load_form first"
    notice = st.container()  # always drawn, so the tabs below keep their place (and their selection)
    # Labels never change with the checks: a tab whose label changes is a new tab to the browser,
    # which would jump back to the first one while the user is typing. Only the open tab's widgets
    # are drawn (the page then paints sooner); the others' values are kept by `keep_values`.
    tabs = st.tabs(list(SECTIONS), key=TAB_KEY, on_change="rerun")
    slots = {}
    for label, tab in zip(list(SECTIONS)[:4], tabs, strict=False):
        with tab:
            slots[label] = st.container()
    sections = (
        lambda: _basics(groups),
        _period,
        lambda: _limits("customer", "each customer"),
        lambda: _limits("badge", "all customers together"),
    )
    for tab, draw in zip(tabs, sections, strict=False):
        if tab.open:
            with tab:
                draw()
    with tabs[4]:
        extras = _extras(base, custom_field_names, drawn=bool(tabs[4].open))
    return DrawnForm(replace(form_from_widgets(base), **extras), notice, slots)


def show_problems(drawn: DrawnForm, violations: Mapping[str, Sequence[RuleViolation]]) -> None:
    """Each tab's violations at its top, and which tabs have any above the tabs."""
    flagged = {}
    for label, names in SECTIONS.items():
        found = [v for name in names for v in violations.get(name, [])]
        if found:
            flagged[label] = len(found)
            with drawn.slots[label]:
                _problems(found)
    if flagged:
        where = ", ".join(f"**{label}** ({count})" for label, count in flagged.items())
        drawn.notice.caption(f":material/warning: Problems to fix on the tabs {where}.")
