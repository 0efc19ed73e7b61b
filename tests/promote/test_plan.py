"""Plans against hand-made targets: every action, the field diff, and every refusal code the rules
predict, each confirmed by sending the same request to the sandbox and getting the same code."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from lib.api.errors import APIStatusError
from lib.api.models import BadgeCreate
from lib.promote.document import BadgesDocument, BadgeSpec, FieldSpec, GroupSpec
from lib.promote.export import export_org, read_org
from lib.promote.plan import Action, Kind, create_request, make_plan, update_request
from tests.promote.conftest import badge_body, unique


def _plan(document, client2, now, **options):
    return make_plan(document, read_org(client2, document.badge_names), now, **options)


def _spec(now, **fields) -> BadgeSpec:
    group = fields.pop("group", None)
    return BadgeSpec(BadgeCreate.model_validate(badge_body(now, **fields)), group)


def _server_codes(call) -> tuple[int, ...]:
    with pytest.raises(APIStatusError) as refused:
        call()
    return refused.value.codes


def _copy_with(client, client2, make, now, source_fields=None, **target_fields):
    """The same-named badge in both orgs; the file (from `demo`) differs by `source_fields`."""
    name = unique("Shared")
    make(client2, name=name, **target_fields)
    make(client, name=name, **{**target_fields, **(source_fields or {})})
    return export_org(client, [name])


def test_create_update_unchanged_and_the_field_diff(client, client2, make, now):
    same = unique("Same")
    make(client, name=same)
    make(client2, name=same)
    changed = _copy_with(client, client2, make, now, source_fields={"description": "new words"},
                         customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 2}],
                         tags=[{"name": "t", "value": "1"}])  # fmt: skip
    only_source = make(client)
    make(client2, name=unique("Only in target"))
    document = export_org(client, [same, changed.badges[0].name, only_source.name])
    specs = [  # the file drops the tags the target's badge has
        replace(b, definition=b.definition.model_copy(update={"tags": None}))
        if b.name == changed.badges[0].name
        else b
        for b in document.badges
    ]

    plan = _plan(BadgesDocument(tuple(specs)), client2, now)

    actions = {item.name: item.action for item in plan.items}
    assert actions == {
        changed.badges[0].name: Action.UPDATE,
        same: Action.UNCHANGED,
        only_source.name: Action.CREATE,
    }
    update = plan.item(Kind.BADGE, changed.badges[0].name)
    assert [str(c) for c in update.changes] == [
        "description: 'promotion suite' -> 'new words'",
        "tags[0].name: 't' -> (none)",
        "tags[0].value: '1' -> (none)",
    ]
    assert plan.can_apply and len(plan.pending) == 2


def test_groups_and_custom_fields_are_matched_by_name(client2, now):
    client2.create_group(name="Spend", rank=1)
    client2.create_custom_field(name="Points", data_type="INTEGER", default_value="0")
    document = BadgesDocument(
        (_spec(now, customFields={"Points": "5", "Code": "X"}, group="Spend"),),
        (GroupSpec(name="Spend", rank=2),),
        (
            FieldSpec(name="Points", data_type="INTEGER", default_value="0"),
            FieldSpec(name="Code", data_type="STRING"),
        ),
    )
    plan = _plan(document, client2, now)
    assert [(i.kind, i.name, i.action) for i in plan.items] == [
        (Kind.GROUP, "Spend", Action.UPDATE),
        (Kind.CUSTOM_FIELD, "Code", Action.CREATE),
        (Kind.CUSTOM_FIELD, "Points", Action.UNCHANGED),
        (Kind.BADGE, document.badges[0].name, Action.CREATE),
    ]
    assert [str(c) for c in plan.items[0].changes] == ["rank: 1 -> 2"]


CREATE_REFUSALS = {
    720: dict(expiresOn="start"),
    722: dict(startOn=-1),
    724: dict(startOn=-3, expiresOn=-2),
    728: dict(ownership={"restrictedToOwners": []}),
    400: dict(earnedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS"}),
}


@pytest.mark.parametrize("code", list(CREATE_REFUSALS))
def test_a_create_the_server_would_refuse_cannot_apply(client2, now, code):
    fields = dict(CREATE_REFUSALS[code])
    for key in ("startOn", "expiresOn"):
        if isinstance(fields.get(key), int):
            fields[key] = now + timedelta(days=fields[key])
    if fields.get("expiresOn") == "start":
        fields["expiresOn"] = now + timedelta(days=2)
    spec = _spec(now, **fields)

    plan = _plan(BadgesDocument((spec,)), client2, now)

    item = plan.items[0]
    assert item.action is Action.BLOCKED and item.intended is Action.CREATE
    assert code in [r.code for r in item.refusals]
    assert code in _server_codes(lambda: client2.create_badge(badge=create_request(spec, None)))


def test_a_badge_in_a_group_nobody_has_cannot_apply(client2, now):
    plan = _plan(BadgesDocument((_spec(now, group="Nowhere"),)), client2, now)
    assert [(r.code, r.field) for r in plan.items[0].refusals] == [(404, "group")]


UPDATE_REFUSALS = {
    723: ({"startOn": 1}, {}),
    724: ({"expiresOn": -1}, {}),
    720: ({"expiresOn": -20}, {}),
    826: (
        {"customerConstraints": [{"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 1}]},
        {"customerConstraints": [{"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "durationType": "DAYS",
                                  "refreshRate": 1, "maxEarnLimit": 1}]},
    ),
    714: ({"ownership": {"restrictedToOwners": ["Loyalty"]}}, {"ownership": {"restrictedToOwners": ["Loyalty", "Journeys"]}}),
}  # fmt: skip


@pytest.mark.parametrize("code", list(UPDATE_REFUSALS))
def test_an_update_of_a_live_badge_the_server_would_refuse_cannot_apply(client2, make, now, code):
    """The target's badge is live since ten days (claimed by Journeys for 714); the file changes it."""
    change, base = UPDATE_REFUSALS[code]
    saved = make(client2, startOn=now - timedelta(days=10), **base)
    if code == 714:
        client2.claim_badge(badge_id=saved.id, owner_type="Journeys", reference_id="journey-1")
    edits = {k: now + timedelta(days=v) if isinstance(v, int) else v for k, v in change.items()}
    spec = _spec(now, name=saved.name, **{"startOn": saved.start_on, **base, **edits})

    plan = _plan(BadgesDocument((spec,)), client2, now)

    item = plan.items[0]
    assert item.action is Action.BLOCKED and item.intended is Action.UPDATE and item.target_id == saved.id
    assert code in [r.code for r in item.refusals]
    assert item.changes  # the diff is shown beside the refusal
    assert code in _server_codes(lambda: client2.update_badge(badge=update_request(spec, saved.id, None)))


def test_an_upcoming_badge_may_move_its_start(client2, make, now):
    saved = make(client2)
    spec = _spec(now, name=saved.name, startOn=now + timedelta(days=5))
    item = _plan(BadgesDocument((spec,)), client2, now).items[0]
    assert item.action is Action.UPDATE and [c.path for c in item.changes] == ["startOn"]


@pytest.mark.parametrize(
    ("field", "code"),
    [
        (FieldSpec(name="Tier", data_type="STRING", is_mandatory=True), 742),
        (FieldSpec(name="Count", data_type="INTEGER", default_value="many"), 744),
    ],
)
def test_a_custom_field_the_server_would_refuse_cannot_apply(client2, now, field, code):
    plan = _plan(BadgesDocument((), (), (field,)), client2, now)
    assert [r.code for r in plan.items[0].refusals] == [code]
    call = lambda: client2.create_custom_field(  # noqa: E731
        name=field.name,
        data_type=field.data_type,
        is_mandatory=field.is_mandatory,
        default_value=field.default_value,
    )
    assert code in _server_codes(call)


def test_a_group_without_a_name_cannot_apply(client2, now):
    plan = _plan(BadgesDocument((), (GroupSpec(name=" ", rank=1),)), client2, now)
    assert [r.code for r in plan.items[0].refusals] == [735]
    assert 735 in _server_codes(lambda: client2.create_group(name=" ", rank=1))
