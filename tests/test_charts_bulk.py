"""The bulk results' charts as values: every one titled, axes that say what is counted and in which
unit, numbers on compared bars, counts from zero, and a time axis in the unit the job's length needs."""

import pandas as pd
import pytest

from lib import charts_bulk
from lib.charts_bulk import HOURS, MINUTES, SECONDS


def _points(seconds_after_start: list[float], rows_per_batch: int = 100, start: float = 1_750_000_000.0):
    finished = [start + s for s in seconds_after_start]
    return pd.DataFrame(
        {
            "at": pd.to_datetime(finished, unit="s", utc=True),
            "cumulative": [rows_per_batch * (i + 1) for i in range(len(finished))],
        }
    ), start


@pytest.mark.parametrize(
    ("span", "unit"),
    [
        (0.2, SECONDS),
        (1.0, SECONDS),
        (119, SECONDS),
        (120, MINUTES),
        (3600, MINUTES),
        (7200, HOURS),
        (86_400, HOURS),
    ],
)
def test_the_time_unit_follows_the_span(span, unit):
    assert charts_bulk.time_unit(span) is unit


def test_rows_over_time_of_a_one_second_job_reads_in_seconds_from_zero():
    points, start = _points([0.25, 0.5, 0.75, 1.0], rows_per_batch=226)  # 904 rows, as in the issue
    fig = charts_bulk.rows_over_time(points, started_at=start)
    assert fig.layout.title.text == "Rows sent over time"
    assert fig.layout.title.subtitle.text == "904 rows in 1.0 s (904 rows/s)"
    assert fig.layout.xaxis.title.text == "time since the job started (seconds)"
    assert fig.layout.yaxis.title.text == "rows answered (running total)"
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= 904  # not "from 100, one tick"
    assert list(fig.data[0].x) == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert list(fig.data[0].y) == [0, 226, 452, 678, 904]


def test_rows_over_time_of_long_jobs_reads_in_minutes_or_hours():
    points, start = _points([600, 1200, 1800])
    minutes = charts_bulk.rows_over_time(points, started_at=start)
    assert minutes.layout.xaxis.title.text == "time since the job started (minutes)"
    assert list(minutes.data[0].x) == pytest.approx([0, 10, 20, 30])
    assert minutes.layout.title.subtitle.text == "300 rows in 30.0 min (10.0 rows/min)"
    points, start = _points([3 * 3600, 6 * 3600])
    hours = charts_bulk.rows_over_time(points, started_at=start)
    assert hours.layout.xaxis.title.text == "time since the job started (hours)"
    assert list(hours.data[0].x) == pytest.approx([0, 3, 6])


def test_a_job_that_sent_nothing_says_so():
    empty = pd.DataFrame({"at": pd.Series(dtype="datetime64[ns, UTC]"), "cumulative": []})
    fig = charts_bulk.rows_over_time(empty)
    assert fig.layout.title.text == "Rows sent over time"
    assert "No rows were sent" in fig.layout.annotations[0].text


def test_outcome_bars_are_titled_numbered_and_coloured_by_outcome():
    labels = pd.Series(["succeeded"] * 3 + ["failed · invalid-row"] + ["skipped · 1040"] * 2)
    fig = charts_bulk.outcome_bars(labels)
    assert fig.layout.title.text == "Rows by outcome"
    assert fig.layout.title.subtitle.text == "6 rows in the job"
    assert fig.layout.xaxis.title.text == "outcome · error code or reason"
    assert fig.layout.yaxis.title.text == "rows"
    bar = fig.data[0]
    assert list(bar.x) == ["failed · invalid-row", "skipped · 1040", "succeeded"]
    assert list(bar.text) == ["1", "2", "3"]
    assert list(bar.marker.color) == ["#e45756", "#bab0ac", "#54a24b"]
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.dtick == 1  # whole rows, no "0.5 rows"


def test_badge_totals_are_two_numbered_bars_labelled_by_what_they_count():
    fig = charts_bulk.badge_totals("Store Visitor", issued=20_000, earned=14_812)
    assert fig.layout.title.text == "The badge's totals now"
    assert "Store Visitor" in fig.layout.title.subtitle.text
    assert len(fig.data) == 1  # one trace: nothing drawn over anything else
    bar = fig.data[0]
    assert list(bar.y) == ["Earns", "Enrolments (issued)"]
    assert list(bar.text) == ["14,812", "20,000"]
    assert fig.layout.xaxis.title.text == "enrolments or earns"
    assert "customers" not in fig.layout.xaxis.title.text


def test_every_bulk_chart_has_a_title_and_titled_axes():
    points, start = _points([1.0])
    figures = [
        charts_bulk.outcome_bars(pd.Series(["succeeded"])),
        charts_bulk.rows_over_time(points, started_at=start),
        charts_bulk.badge_totals("b", issued=0, earned=0),
    ]
    for fig in figures:
        assert fig.layout.title.text
        assert fig.layout.xaxis.title.text
    assert [f.layout.yaxis.title.text for f in figures[:2]] == ["rows", "rows answered (running total)"]
