"""The shareable report: one self-contained, escaped HTML file with the page's figures and tables."""

from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go

from lib.console.report import Kpi, Report, Section, Table, render_report, report_bytes

AS_OF = datetime(2026, 12, 13, 0, 0, tzinfo=UTC)
HOSTILE = "</script><script>alert('x')</script><b>"


def _report(**extra) -> Report:
    figures = [
        go.Figure(go.Bar(x=[HOSTILE, "B"], y=[1, 2], name=HOSTILE)),
        go.Figure(go.Scatter(x=[1], y=[2])),
    ]
    values = {
        "title": "Badge performance overview",
        "org": "demo <org>",
        "backend": "Local sandbox",
        "as_of": AS_OF,
        "generated_at": AS_OF,
        "kpis": [Kpi("Earned", "81,813", "earns not revoked"), Kpi(HOSTILE, "1")],
        "sections": [
            Section("Charts", figures=figures, notes=("Earned comes from earnedCount.",)),
            Section("Badges", tables=[Table("The table", pd.DataFrame({"name": [HOSTILE], "earned": [3]}))]),
        ],
    }
    return Report(**(values | extra))


def test_the_report_is_one_document_with_plotly_inlined_once():
    page = render_report(_report())
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>")
    assert page.count("Plotly.newPlot") == 2  # both figures, interactive
    assert page.count("plotly.js (basic - minified) v") == 1  # the library once, before the first chart
    assert page.index("plotly.js (basic") < page.index("Plotly.newPlot")  # so it opens offline
    assert '<script src="http' not in page  # nothing fetched from a CDN
    assert "81,813" in page and "earns not revoked" in page
    assert "Earned comes from earnedCount." in page
    assert "as of 2026-12-13 00:00 UTC" in page


def test_every_text_is_escaped():
    page = render_report(_report())
    assert "<script>alert(" not in page  # neither in the HTML nor in the figures' JSON
    assert "&lt;/script&gt;&lt;script&gt;alert(&#x27;x&#x27;)" in page  # the KPI label and the table cell
    assert "demo &lt;org&gt;" in page


def test_a_moved_clock_is_said_and_the_file_is_utf8():
    note = "Sandbox clock: Sun 13 Dec 2026 00:00 UTC, 7 days ahead of real time."
    data = report_bytes(_report(clock_note=note))
    assert note.encode() in data
    assert data.decode("utf-8")


def test_an_empty_table_says_none():
    page = render_report(_report(sections=[Section("Jobs", tables=[Table("", pd.DataFrame())])]))
    assert "None." in page and "Plotly.newPlot" not in page
