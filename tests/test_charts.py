"""The chart builders as pure functions: DataFrame in, plotly Figure out."""

import ast
import inspect

import pandas as pd
import plotly.graph_objects as go

from lib import charts


def _windows(n_cycles: int) -> pd.DataFrame:
    starts = pd.date_range("2026-01-01", periods=n_cycles, freq="D")
    cycles = pd.DataFrame(
        {
            "lane": "Customer fixed window",
            "kind": "customer",
            "start": starts,
            "end": starts + pd.Timedelta(days=1),
            "label": [f"Cycle {i}" for i in range(1, n_cycles + 1)],
        }
    )
    period = pd.DataFrame(
        {
            "lane": ["Badge period"],
            "kind": ["period"],
            "start": [starts[0]],
            "end": [starts[-1]],
            "label": ["p"],
        }
    )
    return pd.concat([period, cycles], ignore_index=True)


MARKERS = pd.DataFrame(
    {"label": ["today", "sample earn"], "at": pd.to_datetime(["2026-03-01", "2026-04-01"])}
)


def test_timeline_has_one_trace_per_lane_whatever_the_number_of_cycles():
    small = charts.badge_timeline(_windows(10), MARKERS)
    large = charts.badge_timeline(_windows(1826), MARKERS)
    assert len(small.data) == len(large.data) == 2
    assert [trace.name for trace in large.data] == ["Badge period", "Customer fixed window"]
    assert len(large.data[1].x) == 1826


def test_timeline_markers_are_one_shapes_list():
    apart = pd.DataFrame(
        {"label": ["today", "sample earn"], "at": pd.to_datetime(["2026-03-01", "2027-03-01"])}
    )
    fig = charts.badge_timeline(_windows(1826), apart)
    assert len(fig.layout.shapes) == 2
    assert [a.text for a in fig.layout.annotations] == ["today", "sample earn"]


def test_timeline_bars_span_their_cycle():
    fig = charts.badge_timeline(_windows(3), MARKERS)
    cycles = fig.data[1]
    assert list(cycles.x) == [86_400_000] * 3
    assert str(cycles.base[0]).startswith("2026-01-01")
    assert list(cycles.customdata) == ["Cycle 1", "Cycle 2", "Cycle 3"]


def test_five_year_daily_timeline_stays_small():
    fig = charts.badge_timeline(_windows(1826), MARKERS)
    assert len(fig.to_json()) <= 1_500_000


def test_timeline_never_adds_shapes_in_a_loop():
    """Windows are bar traces and markers one shapes list: no add_vrect/add_shape per window."""
    tree = ast.parse(inspect.getsource(charts))
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert not calls & {"add_vrect", "add_hrect", "add_shape", "add_vline", "add_hline"}


def test_empty_timeline_explains_itself():
    fig = charts.badge_timeline(_windows(1).iloc[0:0], MARKERS)
    assert not fig.data
    assert "start" in fig.layout.annotations[0].text


def test_issued_vs_earned_keeps_the_busiest_badges_and_labels_what_it_counts():
    badges = pd.DataFrame({"name": list("abcd"), "issued": [1, 50, 3, 0], "earned": [0, 10, 30, 0]})
    fig = charts.issued_vs_earned(badges, top=2)
    assert isinstance(fig, go.Figure)
    assert [trace.name for trace in fig.data] == ["Enrolled", "Earned"]
    assert fig.layout.xaxis.title.text is None  # the legend and the title say what is counted
    assert all(trace.texttemplate for trace in fig.data)  # every bar carries its number
    assert fig.layout.title.text == "Enrolled and earned per badge"
    assert set(fig.data[0].y) == {"b", "c"}
    assert dict(zip(fig.data[1].y, fig.data[1].x, strict=True)) == {"b": 10, "c": 30}


def test_issued_vs_earned_paints_each_badge_in_its_colour_and_carries_its_id():
    badges = pd.DataFrame({"id": ["x1", "x2"], "name": ["A <b>", "B"], "issued": [5, 0], "earned": [3, 9]})
    colours = {"x1": "#111111", "x2": "#222222"}
    fig = charts.issued_vs_earned(badges, colours=colours)
    enrolled, earned = fig.data[0], fig.data[1]
    assert list(earned.marker.color) == ["#111111", "#222222"]  # the busiest last: drawn at the top
    assert enrolled.marker.opacity < earned.marker.opacity  # light = enrolled, solid = earned
    assert list(earned.customdata) == ["x1", "x2"]  # a click opens the badge
    assert "&lt;b&gt;" in earned.y[0] and "#111111" in earned.y[0]  # the name is escaped, led by its dot
    assert [t.name for t in fig.data if t.showlegend] == ["Enrolled (light)", "Earned (solid)"]


def test_status_and_owners_counts_each_value_in_one_light_figure():
    statuses = pd.Series(["LIVE", "LIVE", "EXPIRED"])
    owners = pd.Series(["Loyalty", "Journeys", "Loyalty"])
    fig = charts.status_and_owners(statuses, owners, colours={"LIVE": "#3aa05a"})
    by_status, by_owner = fig.data
    assert dict(zip(by_status.x, by_status.y, strict=True)) == {"EXPIRED": 1, "LIVE": 2}
    assert dict(zip(by_owner.x, by_owner.y, strict=True)) == {"Journeys": 1, "Loyalty": 2}
    assert list(by_status.marker.color) == ["#9aa0a6", "#3aa05a"]  # each status in its colour
    assert (by_status.xaxis, by_owner.xaxis) == ("x", "x2")  # two panels, one figure, no subplot grid
    assert not charts.status_and_owners(pd.Series([], dtype=str), pd.Series([], dtype=str)).data


def _series() -> pd.DataFrame:
    days = pd.date_range("2026-01-05", periods=14, freq="D", tz="UTC")  # Monday 5 Jan .. Sunday 18 Jan
    daily = pd.DataFrame({"badge": "Daily", "badge_id": "d", "start": days, "end": days + pd.Timedelta(days=1),
                          "earns": 7})  # fmt: skip
    weekly = pd.DataFrame(
        {
            "badge": "Weekly",
            "badge_id": "w",
            "start": pd.to_datetime(["2026-01-05", "2026-01-12"], utc=True),
            "end": pd.to_datetime(["2026-01-12", "2026-01-19"], utc=True),
            "earns": [70, 140],
        }
    )
    monthly = pd.DataFrame({"badge": ["Monthly"], "badge_id": ["m"], "start": pd.to_datetime(["2026-01-01"], utc=True),
                            "end": pd.to_datetime(["2026-02-01"], utc=True), "earns": [31]})  # fmt: skip
    return pd.concat([daily, weekly, monthly], ignore_index=True)


def test_earns_over_time_puts_every_badge_on_one_axis_as_earns_per_day():
    fig = charts.earns_over_time(_series(), colours={"d": "#000001", "w": "#000002", "m": "#000003"})
    assert all(trace.yaxis in (None, "y") for trace in fig.data)  # one shared count axis: badges compare
    lines = {trace.name: trace for trace in fig.data}
    assert list(lines) == ["Weekly", "Daily", "Monthly"]  # busiest first
    assert list(lines["Weekly"].y) == [10, 20, 20]  # 70 and 140 earns in 7 days; the last step repeats
    assert list(lines["Daily"].y) == [7, 7, 7]  # 14 daily cycles summed per week (from Monday): 49 / 7
    assert list(lines["Monthly"].y) == [1, 1]
    assert lines["Weekly"].line.shape == "hv" and lines["Weekly"].line.color == "#000002"
    assert all(isinstance(trace, go.Scatter) for trace in fig.data)  # light: no subplot per badge


def test_earns_over_time_draws_the_busiest_badges_only_and_says_so():
    fig = charts.earns_over_time(_series(), top=1)
    assert [trace.name for trace in fig.data] == ["Weekly"]
    assert "the 1 busiest of 3 badges" in fig.layout.title.text


def test_a_running_cycle_counts_the_days_it_has_run():
    now = pd.Timestamp("2026-01-15T00:00", tz="UTC")  # the second week has run 3 of its 7 days
    rows = charts.per_day(_series(), now)
    weekly = rows[rows["badge"] == "Weekly"]
    assert weekly["days"].tolist() == [7.0, 3.0]
    assert weekly["rate"].tolist() == [10.0, 140 / 3]
    later = rows[rows["start"] >= now.tz_localize(None)]
    assert later.empty  # cycles that start after now are not drawn
    weekly_line = next(t for t in charts.earns_over_time(_series(), now=now).data if t.name == "Weekly")
    assert pd.Timestamp(weekly_line.x[-1]) == now.tz_localize(None)  # the running step ends at now


def test_empty_inputs_give_an_explained_empty_figure():
    empty = pd.DataFrame(columns=["badge", "start", "end", "earns"])
    assert "fixed window" in charts.earns_over_time(empty).layout.annotations[0].text
    assert not charts.issued_vs_earned(pd.DataFrame(columns=["name", "issued", "earned"])).data


def test_markers_on_the_same_day_share_one_label():
    markers = pd.DataFrame(
        {
            "label": ["today", "sample earn", "end"],
            "at": pd.to_datetime(["2026-03-01", "2026-03-01", "2026-12-01"]),
        }
    )
    span = (pd.Timestamp("2026-01-01"), pd.Timestamp("2027-01-01"))
    labels = charts.marker_labels(markers, span)
    assert [text for _, text in labels] == ["today · sample earn", "end"]
    assert labels[0][0].startswith("2026-03-01")


def test_timeline_annotations_never_print_two_labels_on_one_day():
    same_day = pd.DataFrame({"label": ["today", "sample earn"], "at": pd.to_datetime(["2026-03-01"] * 2)})
    fig = charts.badge_timeline(_windows(400), same_day)
    assert [a.text for a in fig.layout.annotations] == ["today · sample earn"]
    assert len(fig.layout.shapes) == 2


def test_the_first_cycles_carry_their_number_and_ticks_fall_on_boundaries():
    starts = pd.date_range("2023-09-25", periods=10, freq="7D")
    cycles = pd.DataFrame(
        {
            "lane": "Fixed window",
            "kind": "customer",
            "start": starts,
            "end": starts + pd.Timedelta(days=7),
            "label": "c",
        }
    )
    windows = pd.concat([_windows(3).iloc[:1], cycles], ignore_index=True)
    fig = charts.badge_timeline(windows, MARKERS, ticks=list(starts[:6]))
    assert list(fig.data[1].text) == ["1", "2", "3", "4", "5", "6", "7", "8", "", ""]
    assert fig.data[0].text is None  # the badge period is not a cycle
    assert [str(t.date()) for t in fig.layout.xaxis.tickvals] == [str(d.date()) for d in starts[:6]]
