"""Export -> apply to an org that has none of the badges -> export again gives the same file."""

from __future__ import annotations

from datetime import timedelta

from lib.promote.apply import Outcome, apply
from lib.promote.document import dumps
from lib.promote.export import export_org
from lib.promote.plan import Action
from tests.promote.conftest import unique


def _source_org(client, make, now):
    """Badges of every shape in `demo`: a group, custom fields, limits of every kind, both expiries."""
    group = client.create_group(name=unique("Group"), rank=3)
    client.create_custom_field(name="Campaign", data_type="STRING", is_mandatory=True, default_value="ALWAYS")
    client.create_custom_field(name="Points", data_type="INTEGER", default_value="0")
    weekly = make(
        client,
        badgeGroupId=group.id,
        badgeRank=2,
        customFields={"Points": "25"},
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "WEEKS",
                              "maxEarnLimit": 2, "startDayOfTheWeek": "WEDNESDAY"}],
        badgeConstraints=[{"constraintType": "BADGE_ROLLING_WINDOW", "rollType": "DAYS", "rollValue": 7,
                           "maxEarnLimit": 300}, {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 900}],
        tags=[{"name": "season", "value": "summer"}],
    )  # fmt: skip
    enrol = make(
        client,
        earnType="ISSUE_EARN",
        startOn=now + timedelta(days=3, microseconds=250_000),
        earnedBadgeExpiry={"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": now + timedelta(days=90)},
        issuedBadgeExpiry={"expiryType": "ABSOLUTE", "type": "WITH_BADGE_META", "expireWithBadgeMeta": True},
        ownership={"restrictedToOwners": ["Loyalty", "Journeys"]},
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1,
                              "rollForDays": 1, "maxEarnForWeeks": 3, "rollForWeeks": 1}],
        active=False,
    )  # fmt: skip
    return [weekly, enrol]


def test_export_apply_export_gives_the_same_file(client, client2, make, now):
    badges = _source_org(client, make, now)
    names = [badge.name for badge in badges]
    exported = export_org(client, names)
    assert sorted(exported.badge_names) == sorted(names)
    assert [g.rank for g in exported.groups] == [3] and [f.name for f in exported.custom_fields] == [
        "Campaign",
        "Points",
    ]

    result = apply(client2, exported, now=now)
    assert result.complete, result
    assert [step.outcome for step in result.steps] == [Outcome.APPLIED] * 5  # group, 2 fields, 2 badges

    again = export_org(client2, names)
    assert dumps(again) == dumps(exported)
    assert dumps(again, as_json=True) == dumps(exported, as_json=True)


def test_a_second_apply_sends_nothing(client, client2, make, now):
    exported = export_org(client, [b.name for b in _source_org(client, make, now)])
    assert apply(client2, exported, now=now).complete
    client2.request_log.clear()

    rerun = apply(client2, exported, now=now)

    assert rerun.complete and rerun.steps == ()
    assert {item.action for item in rerun.plan.items} == {Action.UNCHANGED}
    assert {entry.method for entry in client2.request_log.latest()} == {"GET"}


def test_a_live_badge_is_copied_as_a_historical_badge(client, client2, make, now):
    live = make(client, startOn=now - timedelta(days=10))
    exported = export_org(client, [live.id])  # by id, as `--badge` allows

    refused = apply(client2, exported, now=now)
    assert not refused.complete and refused.steps == ()
    assert [r.code for r in refused.plan.item(refused.plan.items[0].kind, live.name).refusals] == [722]

    copied = apply(client2, exported, now=now, historical=True)
    assert copied.complete
    assert dumps(export_org(client2, [live.name])) == dumps(exported)


def test_the_request_log_keeps_every_call_of_an_apply(client, client2, make, now):
    exported = export_org(client, [b.name for b in _source_org(client, make, now)])
    client2.request_log.clear()
    apply(client2, exported, now=now)
    writes = [
        (e.method, e.path.rsplit("/", 1)[-1], e.status)
        for e in client2.request_log.latest()
        if e.method != "GET"
    ]
    assert sorted(writes) == sorted(
        [("POST", "group", 200), ("POST", "customField", 201), ("POST", "customField", 201),
         ("POST", "badgeMeta", 201), ("POST", "badgeMeta", 201)]
    )  # fmt: skip
