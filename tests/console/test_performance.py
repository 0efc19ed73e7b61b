"""The badge performance page's numbers as pure functions: cycles, caps, usage, KPIs, boundaries,
what expires soon, this console's activity, and the reports."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.api.models import Badge, FixedWindowCycle
from lib.charts_performance import earned_and_enrolled, limit_usage
from lib.console.expiring import expiring_soon
from lib.console.overview import Kpis, filter_summary, overview_kpis, percent
from lib.console.performance import (
    ConsoleJob,
    badge_caps,
    badge_cycle_frame,
    badge_facts,
    badge_figures,
    boundaries_table,
    console_activity,
    cycle_usage,
    jobs_table,
    overall_cap,
)
from lib.domain import (
    AbsoluteExpiryKind,
    BadgeRules,
    ConstraintLevel,
    DurationUnit,
    EarnType,
    ExpiryRule,
    ExpiryType,
    FixedWindowLimit,
    FixedWindowRule,
    Weekday,
)

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
NOW = MONDAY + timedelta(days=14, hours=12)  # Monday 19 Jan, noon: the third week runs
WEEKLY = FixedWindowLimit(
    ConstraintLevel.BADGE, 100, FixedWindowRule(DurationUnit.WEEKS, week_start=Weekday.MONDAY)
)


def _badge(**extra) -> Badge:
    wire = {
        "id": "a" * 24,
        "name": "Weekend Warrior",
        "startOn": MONDAY.timestamp(),
        "expiresOn": (MONDAY + timedelta(days=365)).timestamp(),
        "earnType": "EARN",
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "WEEKS", "value": 2},
        "badgeConstraints": [
            {"constraintType": "BADGE_FIXED_WINDOW", "durationType": "WEEKS", "startDayOfTheWeek": "MONDAY",
             "maxEarnLimit": 100, "referenceId": "ref-1"},
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 5000},
        ],
    } | extra  # fmt: skip
    return Badge.model_validate(wire)


def _cycles(*earns: int) -> pd.DataFrame:
    found = [
        FixedWindowCycle.model_validate(
            {
                "fixedWindowCycleReferenceId": "ref-1",
                "startDate": (MONDAY + timedelta(weeks=i)).timestamp(),
                "endDate": (MONDAY + timedelta(weeks=i, days=6)).timestamp(),
                "earnCount": n,
                "constraintType": "BADGE",
            }
        )
        for i, n in enumerate(earns)
    ]
    return badge_cycle_frame(found)


def _rules(**extra) -> BadgeRules:
    values = {
        "start": MONDAY,
        "end": MONDAY + timedelta(days=365),
        "badge_limits": (WEEKLY,),
        "earned_expiry": ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.WEEKS, value=2),
    }
    return BadgeRules(**(values | extra))


def test_cycles_get_exclusive_ends_and_their_limits_maximum():
    cycles = _cycles(80, 100, 7)
    assert cycles["end"][0] == pd.Timestamp(MONDAY + timedelta(days=7))
    usage = cycle_usage(cycles, badge_caps(_badge()), NOW)
    assert usage["max"].tolist() == [100, 100, 100]
    assert usage["usage"].tolist() == [0.8, 1.0, 0.07]
    assert usage["running"].tolist() == [False, False, True]
    assert overall_cap(_badge()) == 5000


def test_a_cycle_of_a_replaced_config_takes_the_only_cap_there_is():
    cycles = _cycles(50).assign(reference_id="old-config")
    assert cycle_usage(cycles, badge_caps(_badge()), NOW)["max"].tolist() == [100]
    assert cycle_usage(cycles, {}, NOW)["max"].isna().all()  # no cap known: no percentage invented


def test_the_kpis_name_what_they_count():
    usage = cycle_usage(_cycles(80, 100, 7), badge_caps(_badge()), NOW)
    figures = {
        f.label: f for f in badge_figures(issued=0, earned=187, enrol_type=False, usage=usage, overall=5000)
    }
    assert figures["Enrolled"].value == "n/a" and "without enrolment" in figures["Enrolled"].help
    assert figures["Earn rate"].value == "n/a"
    assert figures["This cycle"].value == "7 of 100"
    assert figures["Busiest cycle"].value == "100% of max"  # the finished cycles only
    assert figures["Overall limit"].value == "187 of 5,000"
    rate = {
        f.label: f.value
        for f in badge_figures(issued=200, earned=150, enrol_type=True, usage=usage, overall=None)
    }
    assert rate["Earn rate"] == "75%" and rate["Enrolled"] == "200"


def test_next_boundaries_come_from_the_domain_cycle_layout():
    table = boundaries_table("b", "Weekly", _rules(), NOW, count=2)
    assert table["New cycle starts"].tolist() == ["Mon 26 Jan 2026 00:00 UTC", "Mon 02 Feb 2026 00:00 UTC"]
    assert table["In"].tolist() == ["6 days", "13 days"]
    assert "per week (from Monday)" in table["Limit"][0]
    assert boundaries_table("b", "None", _rules(badge_limits=()), NOW).empty


def test_earns_expiring_a_fixed_time_after_processing_are_estimated_from_the_cycles():
    cycles = _cycles(70, 140, 14)  # 10 a day, then 20 a day, then 14 in the 1.5 days of the running week
    table = expiring_soon(_rules(), issued=0, earned=224, cycles=cycles, console=pd.DataFrame(), now=NOW)
    row = table.iloc[0]
    # expiring in the next 30 days = earned in the last 2 weeks (they expire 2 weeks after): the last 6.5
    # days of the first week, the whole second week and the half day the third one has run
    assert row["What"] == "Earned badges" and row["Expiring"].startswith("about ")
    assert int(row["Expiring"].removeprefix("about ").replace(",", "")) == round(70 * 6.5 / 7 + 140 + 14)
    assert "Estimate" in row["How we know"]


def test_expiry_on_a_date_is_exact_and_never_is_zero():
    end_soon = MONDAY + timedelta(days=30)
    rules = _rules(
        end=end_soon,
        earn_type=EarnType.ISSUE_EARN,
        earned_expiry=ExpiryRule(ExpiryType.NEVER),
        issued_expiry=ExpiryRule(ExpiryType.ABSOLUTE, kind=AbsoluteExpiryKind.WITH_BADGE_META),
    )
    table = expiring_soon(rules, issued=40, earned=9, cycles=pd.DataFrame(), console=pd.DataFrame(), now=NOW)
    rows = {r["What"]: r for r in table.to_dict("records")}
    assert rows["Earned badges"]["Expiring"] == "0"
    assert rows["Enrolments"]["Expiring"] == "up to 40"
    assert rows["Enrolments"]["When"] == "Wed 04 Feb 2026 00:00 UTC"


def test_without_cycles_the_page_says_it_cannot_tell():
    table = expiring_soon(
        _rules(), issued=0, earned=9, cycles=pd.DataFrame(), console=pd.DataFrame(), now=NOW
    )
    assert table.iloc[0]["Expiring"] == "unknown"


def test_what_this_console_sent_is_counted_exactly():
    enrol = ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.DAYS, value=10)
    rules = _rules(earn_type=EarnType.ISSUE_EARN, issued_expiry=enrol)
    console = pd.DataFrame(
        {
            "job_id": ["j1", "j1", "j2"],
            "operation": ["enrol", "enrol", "import"],
            "at": pd.to_datetime([NOW - timedelta(days=2), NOW - timedelta(days=20), NOW], utc=True),
            "expires": [None, None, (NOW + timedelta(days=3)).timestamp()],
        }
    )
    table = expiring_soon(rules, issued=2, earned=1, cycles=_cycles(1), console=console, now=NOW)
    rows = {r["What"]: r["Expiring"] for r in table.to_dict("records")}
    assert rows["Enrolments made by this console"] == "1"  # the one made 2 days ago expires in 8
    assert rows["Earns imported by this console"] == "1"


def test_console_activity_is_counted_in_the_same_cycles_as_the_earns():
    console = pd.DataFrame(
        {
            "job_id": "j",
            "operation": ["enrol", "enrol", "enrol", "import"],
            "at": pd.to_datetime(
                [
                    MONDAY + timedelta(days=1),
                    MONDAY + timedelta(days=8),
                    MONDAY + timedelta(days=9),
                    MONDAY + timedelta(days=9),
                ],
                utc=True,
            ),  # fmt: skip
            "expires": None,
        }
    )
    counted = console_activity(console, _cycles(1, 2, 3))
    assert counted.set_index(["start", "operation"])["count"].to_dict() == {
        (pd.Timestamp(MONDAY), "enrol"): 1,
        (pd.Timestamp(MONDAY + timedelta(weeks=1)), "enrol"): 2,
        (pd.Timestamp(MONDAY + timedelta(weeks=1)), "import"): 1,
    }
    weekly = console_activity(console)  # no cycles: ISO weeks
    assert weekly["start"].min() == pd.Timestamp(MONDAY) and weekly["count"].sum() == 4


def test_the_performance_charts_are_light_and_explain_an_empty_badge():
    cycles = _cycles(80, 100, 7)
    usage = cycle_usage(cycles, badge_caps(_badge()), NOW)
    fig = limit_usage(usage, colour="#4e79a7")
    assert len(fig.data) == 1 and list(fig.data[0].y) == pytest.approx([80, 100, 7])
    assert fig.layout.shapes[0].y0 == 100  # the maximum
    assert list(fig.data[0].marker.opacity) == [1.0, 1.0, 0.45]  # the running cycle is still counting
    activity = pd.DataFrame({"start": [cycles["start"][0]], "end": [cycles["end"][0]], "operation": ["enrol"],
                             "count": [3]})  # fmt: skip
    over_time = earned_and_enrolled(cycles, activity, colour="#4e79a7")
    assert [t.name for t in over_time.data] == ["Earned (API, per cycle)", "Enrolled by this console"]
    empty = earned_and_enrolled(cycles.iloc[0:0], activity.iloc[0:0], colour="#4e79a7")
    assert not empty.data and "no badge-level fixed window" in empty.layout.annotations[0].text
    assert not limit_usage(usage.iloc[0:0], colour="#000").data


def test_jobs_table_and_facts():
    job = ConsoleJob("j1", "enrol", "COMPLETED", MONDAY, "members.csv", 10, 8, 1, 1)
    assert jobs_table([job]).iloc[0].to_dict()["Succeeded"] == 8
    assert badge_facts(_rules()) == "Earned directly · 05 Jan 2026 to 05 Jan 2027 · 1 limit"


def test_overview_kpis_use_business_words():
    numbers = Kpis(badges=3, live=2, active=3, issued=200, earned=500, enrol_earned=150)
    assert [k.label for k in overview_kpis(numbers)] == ["Badges", "Live", "Enrolled", "Earned", "Earn rate"]
    assert overview_kpis(numbers)[-1].value == "75%"  # earns of enrol-then-earn badges per enrolment
    assert percent(None) == "n/a" and percent(0.056) == "5.6%"
    assert filter_summary(3, 12, status=["LIVE"], search="", groups=()) == "3 of 12 badges (status LIVE)"


def test_figures_are_plotly():
    assert isinstance(limit_usage(pd.DataFrame(columns=["max"]), colour="#000"), go.Figure)
