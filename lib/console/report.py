"""A shareable report: one self-contained HTML file for people who will not open the console.

The report holds what the page showed: a title line (org, backend, the data's "as of" time and
whether that was the sandbox's moved clock), the KPIs, the same plotly figures (interactive: zoom,
hover), the tables, and under each chart where its numbers come from and what the API cannot tell.
plotly.js (its basic bundle, `lib/plotly_bundle.py`) is inlined once, before the first chart, so
the file opens offline, in any browser, years later. All text is escaped: badge names and table cells are data, never markup (plotly escapes the
figures' own JSON).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from lib.console.display import readable
from lib.plotly_bundle import bundle_source

REPORT_TEMPLATE = "plotly_white"
"""The figures' look in the file (the console draws them in Streamlit's theme, light or dark)."""

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px;
       padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
.line { color: #57606a; margin: 0 0 1.2rem 0; } .clock { color: #9a6700; font-weight: 600; }
.kpis { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.kpi { border: 1px solid #d0d7de; border-radius: .5rem; padding: .6rem 1rem; min-width: 9rem; }
.kpi .label { color: #57606a; font-size: .85rem; } .kpi .value { font-size: 1.6rem; font-weight: 600; }
.kpi .note { color: #57606a; font-size: .75rem; }
.note { color: #57606a; font-size: .9rem; margin: .3rem 0 1rem 0; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; }
th { background: #f6f8fa; } .figure { margin: .5rem 0; }
footer { color: #57606a; font-size: .8rem; margin-top: 3rem; }
"""


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    frame: pd.DataFrame
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    figures: Sequence[go.Figure] = ()
    tables: Sequence[Table] = ()
    notes: Sequence[str] = ()
    """Where the numbers come from, what the API cannot tell: printed under the section's charts."""


@dataclass(frozen=True)
class Report:
    title: str
    org: str
    backend: str
    as_of: datetime
    generated_at: datetime
    kpis: Sequence[Kpi] = ()
    sections: Sequence[Section] = ()
    clock_note: str | None = None
    """Set when the numbers are as of a sandbox clock that is not real time."""
    subtitle: str = ""
    extra_lines: Sequence[str] = field(default_factory=tuple)


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _moment(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _figure_html(figure: go.Figure, *, with_library: bool) -> str:
    shown = go.Figure(figure)
    shown.update_layout(template=REPORT_TEMPLATE)
    library = f"<script>{bundle_source()}</script>" if with_library else ""
    return library + pio.to_html(
        shown,
        full_html=False,
        include_plotlyjs=False,
        config={"displaylogo": False, "responsive": True},
        default_height=f"{int(shown.layout.height or 420)}px",
    )


def _table_html(table: Table) -> str:
    parts = [f"<h3>{_text(table.title)}</h3>"] if table.title else []
    if table.frame.empty:
        parts.append('<p class="note">None.</p>')
    else:
        parts.append(readable(table.frame).to_html(index=False, escape=True, border=0, na_rep=""))
    if table.note:
        parts.append(f'<p class="note">{_text(table.note)}</p>')
    return "\n".join(parts)


def render_report(report: Report) -> str:
    """The whole HTML document (UTF-8 text)."""
    line = f"Org <b>{_text(report.org)}</b> on {_text(report.backend)} · numbers as of {_text(_moment(report.as_of))}"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="Badge Console">',
        f"<title>{_text(report.title)} · {_text(report.org)} · {_text(f'{report.as_of:%Y-%m-%d}')}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_text(report.title)}</h1>",
    ]
    if report.subtitle:
        head.append(f'<p class="line">{_text(report.subtitle)}</p>')
    head.append(f'<p class="line">{line}</p>')
    if report.clock_note:
        head.append(f'<p class="line clock">{_text(report.clock_note)}</p>')
    head += [f'<p class="line">{_text(extra)}</p>' for extra in report.extra_lines]
    body = []
    if report.kpis:
        cards = [
            f'<div class="kpi"><div class="label">{_text(k.label)}</div><div class="value">{_text(k.value)}</div>'
            + (f'<div class="note">{_text(k.note)}</div>' if k.note else "")
            + "</div>"
            for k in report.kpis
        ]
        body.append(f'<div class="kpis">{"".join(cards)}</div>')
    library_sent = False
    for section in report.sections:
        body.append(f"<section><h2>{_text(section.title)}</h2>")
        for figure in section.figures:
            body.append(f'<div class="figure">{_figure_html(figure, with_library=not library_sent)}</div>')
            library_sent = True
        body += [f'<p class="note">{_text(note)}</p>' for note in section.notes]
        body += [_table_html(table) for table in section.tables]
        body.append("</section>")
    footer = (
        f"<footer>Made by Badge Console on {_text(_moment(report.generated_at))} from Capillary's Badges API. "
        "The charts are interactive: hover for values, drag to zoom, double-click to reset.</footer>"
    )
    return "\n".join([*head, *body, footer, "</body></html>"])


def report_bytes(report: Report) -> bytes:
    return render_report(report).encode("utf-8")
