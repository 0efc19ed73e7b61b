"""The chart builders as pure functions: DataFrame in, Vega-Lite spec out (checked as data)."""

import json

import pandas as pd

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


def _spec(chart) -> dict:
    return chart.to_dict()


def _rows(spec: dict) -> list[list[dict]]:
    """The inline datasets of a spec, in the order the layers use them."""
    names = [layer["data"]["name"] for layer in spec.get("layer", []) if "data" in layer]
    if not names:
        names = [spec["data"]["name"]]
    return [spec["datasets"][name] for name in names]


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _marked(spec: dict, mark: str, field: str) -> list[list[dict]]:
    """Rows of the layers drawing `mark` whose rows carry `field`."""
    return [
        spec["datasets"][layer["data"]["name"]]
        for layer in _layers(spec)
        if layer["mark"]["type"] == mark and field in spec["datasets"][layer["data"]["name"]][0]
    ]


def _day(millis: int) -> str:
    return str(pd.Timestamp(millis, unit="ms", tz="UTC").date())


def test_timeline_is_one_bar_layer_with_a_row_per_cycle_and_lanes_in_order():
    spec = _spec(charts.badge_timeline(_windows(1826), MARKERS))
    bars = _layers(spec)[0]
    rows = _rows(spec)[0]
    assert bars["mark"]["type"] == "bar" and len(rows) == 1827
    assert bars["encoding"]["y"]["sort"] == ["Badge period", "Customer fixed window"]
    assert bars["encoding"]["x"]["scale"]["type"] == "utc"  # the same dates in every time zone


def test_timeline_bars_span_their_cycle_and_alternate_shades():
    spec = _spec(charts.badge_timeline(_windows(3), MARKERS))
    cycles = [r for r in _rows(spec)[0] if r["lane"] == "Customer fixed window"]
    assert [r["end"] - r["start"] for r in cycles] == [86_400_000] * 3
    assert _day(cycles[0]["start"]) == "2026-01-01"
    assert [r["label"] for r in cycles] == ["Cycle 1", "Cycle 2", "Cycle 3"]
    assert [r["tone"] for r in cycles] == ["customer:0", "customer:1", "customer:0"]


def test_timeline_markers_are_one_rule_layer_and_one_label_layer():
    apart = pd.DataFrame(
        {"label": ["today", "sample earn"], "at": pd.to_datetime(["2026-03-01", "2027-03-01"])}
    )
    spec = _spec(charts.badge_timeline(_windows(1826), apart))
    assert [layer["mark"]["type"] for layer in _layers(spec)] == ["bar", "text", "rule", "text"]
    (rules,), (labels,) = _marked(spec, "rule", "at"), _marked(spec, "text", "text")
    assert len(rules) == 2 and [r["text"] for r in labels] == ["today", "sample earn"]


def test_timeline_keeps_the_given_range():
    span = (pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-20"))
    spec = _spec(charts.badge_timeline(_windows(30), MARKERS, x_range=span))
    domain = _layers(spec)[0]["encoding"]["x"]["scale"]["domain"]
    assert [_day(d) for d in domain] == ["2026-01-05", "2026-01-20"]


def test_five_year_daily_timeline_stays_small():
    assert len(json.dumps(_spec(charts.badge_timeline(_windows(1826), MARKERS)))) <= 1_500_000


def test_empty_timeline_explains_itself():
    spec = _spec(charts.badge_timeline(_windows(1).iloc[0:0], MARKERS))
    assert spec["mark"]["type"] == "text"
    assert "start" in _rows(spec)[0][0]["message"]


def test_issued_vs_earned_keeps_the_busiest_badges_and_labels_what_it_counts():
    badges = pd.DataFrame({"name": list("abcd"), "issued": [1, 50, 3, 0], "earned": [0, 10, 30, 0]})
    spec = _spec(charts.issued_vs_earned(badges, top=2))
    rows = _rows(spec)[0]
    assert {r["badge"] for r in rows} == {"b", "c"}
    assert {(r["badge"], r["measure"]): r["count"] for r in rows}[("c", "Earns")] == 30
    bars, numbers = _layers(spec)
    assert "customers" not in bars["encoding"]["x"]["title"]  # earns are events, not distinct customers
    assert numbers["mark"]["type"] == "text"  # every bar carries its number
    assert spec["title"] == "Enrolments and earns per badge"


def test_count_by_counts_each_value_with_numbers_on_the_bars():
    spec = _spec(
        charts.count_by(pd.Series(["LIVE", "LIVE", "EXPIRED"]), title="By status", category="status")
    )
    assert {r["value"]: r["badges"] for r in _rows(spec)[0]} == {"EXPIRED": 1, "LIVE": 2}
    bars, numbers = _layers(spec)
    assert bars["encoding"]["x"]["title"] == "status" and bars["encoding"]["y"]["title"] == "badges"
    assert numbers["encoding"]["text"]["field"] == "badges"


def test_earns_over_time_draws_each_cycle_at_its_width_on_a_shared_axis():
    series = pd.DataFrame(
        {
            "badge": ["A", "A", "B"],
            "start": pd.to_datetime(["2026-01-01", "2026-01-08", "2026-01-01"], utc=True),
            "end": pd.to_datetime(["2026-01-08", "2026-01-15", "2026-02-01"], utc=True),
            "earns": [3, 4, 9],
        }
    )
    spec = _spec(charts.earns_over_time(series))
    rows = spec["datasets"][spec["data"]["name"]]
    assert spec["facet"]["row"]["field"] == "badge" and spec["resolve"]["scale"]["y"] == "shared"
    week = 7 * 86_400_000
    assert [r["end"] - r["start"] for r in rows if r["badge"] == "A"] == [round(week * 0.92)] * 2
    assert [(r["first_day"], r["last_day"]) for r in rows if r["badge"] == "B"] == [
        ("2026-01-01", "2026-01-31")
    ]
    assert spec["spec"]["encoding"]["y"]["title"] == "earns"


def test_empty_inputs_give_an_explained_empty_chart():
    empty = pd.DataFrame(columns=["badge", "start", "end", "earns"])
    assert "fixed window" in _rows(_spec(charts.earns_over_time(empty)))[0][0]["message"]
    spec = _spec(charts.issued_vs_earned(pd.DataFrame(columns=["name", "issued", "earned"])))
    assert spec["mark"]["type"] == "text"


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


def test_timeline_labels_never_print_two_on_one_day():
    same_day = pd.DataFrame({"label": ["today", "sample earn"], "at": pd.to_datetime(["2026-03-01"] * 2)})
    spec = _spec(charts.badge_timeline(_windows(400), same_day))
    (rules,), (labels,) = _marked(spec, "rule", "at"), _marked(spec, "text", "text")
    assert [r["text"] for r in labels] == ["today · sample earn"] and len(rules) == 2


def test_the_first_cycles_carry_their_number_and_ticks_fall_on_boundaries():
    starts = pd.date_range("2023-09-25", periods=6, freq="7D")
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
    spec = _spec(charts.badge_timeline(windows, MARKERS, ticks=list(starts)))
    (numbers,) = _marked(spec, "text", "number")
    assert [r["number"] for r in numbers] == [1, 2, 3, 4, 5, 6]
    values = _layers(spec)[0]["encoding"]["x"]["axis"]["values"]
    assert [(v["year"], v["month"], v["date"], v["utc"]) for v in values] == [
        (d.year, d.month, d.day, True) for d in starts
    ]
