"""One customer's badges: what they can enrol in or earn, what they earned, and one badge's history."""

import streamlit as st

from lib.console.customers import IDENTIFIERS, VIEWS, earns, enrolments, limit_usage, read_views
from lib.console.display import DAY, readable
from lib.ui import call_api, open_in_editor, page_setup
from lib.ui.progress import read_progress

conn = page_setup("Customer view")

with st.container(horizontal=True, vertical_alignment="bottom"):
    identifier = st.selectbox(
        "Look up by", list(IDENTIFIERS), format_func=IDENTIFIERS.get, key="cv_identifier"
    )
    customer = st.text_input(
        "Customer", key="cv_customer", placeholder="e.g. 100001 (demo ids run 100001-120000) or EXT-100001"
    ).strip()
if not customer:
    st.info("Enter a customer to see their badges.", icon=":material/person_search:")
    st.stop()
if identifier is None and not customer.isdigit():
    st.error(
        "A customer id is a number; choose Email, Mobile, External id or Card number to look up by those."
    )
    st.stop()

with read_progress("Reading the customer's badges") as progress:
    tables = call_api(
        "Load the customer's badges",
        lambda: read_views(conn.client, customer, identifier, on_progress=progress),
    )
if tables is None:
    st.stop()

with st.container(horizontal=True):
    for badge_type, title in VIEWS.items():
        st.metric(title, len(tables[badge_type]), border=True)

days = {"starts": DAY, "expires": DAY}
for tab, (badge_type, table) in zip(st.tabs(list(VIEWS.values())), tables.items(), strict=True):
    with tab:
        if table.empty:
            st.caption("None.")
        else:
            st.dataframe(readable(table, formats=days), hide_index=True, key=f"cv_table_{badge_type}")

st.subheader("One badge: history and limit usage")
known = {}  # badges with history first: earned, expired, then the ones still open to the customer
for badge_type in ("EARNED", "EXPIRED", "AVAILABLE", "AVAILABLE_TO_ISSUE"):
    table = tables[badge_type]
    known |= {k: v for k, v in zip(table["badge_id"], table["name"], strict=True) if k not in known}
if not known:
    st.caption("This customer has no badges to inspect.")
    st.stop()
with st.container(horizontal=True, vertical_alignment="bottom"):
    badge_id = st.selectbox("Badge", list(known), format_func=lambda i: f"{known[i]} ({i})", key="cv_badge")
    if st.button("Open in editor", icon=":material/edit_note:", key="cv_edit"):
        open_in_editor(badge_id)
detail = call_api(
    "Load the customer's badge",
    lambda: conn.client.get_customer_badge(
        customer_id=customer, identifier=identifier, badge_id=badge_id, include_statistics=True
    ),
)
if detail is None:
    st.stop()

with st.container(horizontal=True):
    st.metric("Status", str(getattr(detail.badge_status, "value", detail.badge_status) or "?"), border=True)
    st.metric("Active earns", detail.active_earned_count or 0, border=True)
    st.metric("Enrolments", detail.issual_details.issued_count if detail.issual_details else 0, border=True)
    st.metric("Earns", detail.earn_details.earn_count if detail.earn_details else 0, border=True)

st.markdown("**Limit usage** (includeStatistics)")
usage = limit_usage(detail)
if usage.empty:
    st.caption("No limits.")
else:
    st.dataframe(readable(usage), hide_index=True, key="cv_usage")
left, right = st.columns(2)
with left:
    st.markdown("**Enrolments**")
    st.dataframe(readable(enrolments(detail)), hide_index=True, key="cv_enrolments")
with right:
    st.markdown("**Earns**")
    st.dataframe(readable(earns(detail)), hide_index=True, key="cv_earns")
