"""The first start of a new install: what the page shows while the demo data is being made.

`app.py` has a child process make the demo database (`lib.sandbox.prepare`) while the console
imports; a first visit can still arrive before it is done (about two seconds of work). Instead of a
bare spinner, the page shows what is coming, drawn with the same kinds of elements as the page
itself (KPI cards, a chart), so the browser loads and compiles their code during the wait rather
than after the numbers arrive. The placeholder holds no number and no data: it is cleared as soon
as the sandbox answers.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.charts import empty_figure
from lib.sandbox.prepare import preparing
from lib.ui.plotly_chart import plotly_chart

MESSAGE = (
    "First start: the local sandbox is making its demo data (12 badges, 20,000 customers, a year of "
    "enrolments and earns). This takes a few seconds, once."
)


def first_start_placeholder() -> DeltaGenerator | None:
    """Draw the placeholder when the console's demo database is still being made; None otherwise."""
    if not preparing():
        return None
    slot = st.empty()
    with slot.container():
        st.info(MESSAGE, icon=":material/hourglass_top:")
        with st.container(horizontal=True):
            for _ in range(4):
                st.metric("waiting", "\u2026", border=True, label_visibility="hidden")
        plotly_chart(
            empty_figure("", "Preparing the demo data\u2026", height=240), key="first_start_chart"
        )
    return slot
