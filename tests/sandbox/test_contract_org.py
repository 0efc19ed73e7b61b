"""Contract: groups (#18-#21), custom fields (#22-#25), org meta (#26-#28) and OAuth tokens."""

from __future__ import annotations

import pytest

from lib.api.auth import OAuthAuth
from lib.api.client import BadgesClient
from lib.api.errors import APIStatusError, AuthenticationError, BadRequestError, ConflictError, NotFoundError
from tests.sandbox.conftest import rid

GROUP = "/api_gateway/v1/badges/group"
FIELD = "/api_gateway/v1/badges/customField"


def test_groups(client):
    first = client.create_group(name=rid("Engagement"), rank=2)
    second = client.create_group(name=rid("Spend"), rank=1)
    assert first.is_active is True and len(first.id) == 24 and first.rank == 2
    renamed = client.update_group(group_id=first.id, name=rid("Engagement+"), rank=3)
    assert (renamed.name, renamed.rank) == (rid("Engagement+"), 3)
    assert client.get_group(group_id=second.id).name == rid("Spend")
    listed = client.list_groups(size=1)
    assert len(listed.badge_groups) == 1 and listed.pagination.total >= 2
    names = [g.name for g in client.iter_groups(page_size=1)]
    assert names.index(rid("Spend")) < names.index(rid("Engagement+"))  # by rank
    with pytest.raises(BadRequestError) as duplicate:
        client.create_group(name=rid("Spend"), rank=5)
    assert duplicate.value.code == 733
    with pytest.raises(NotFoundError):
        client.get_group(group_id="0" * 24)


@pytest.mark.parametrize("body, code", [({"rank": 1}, 735), ({"name": "No rank"}, 732)])
def test_group_mandatory_fields(client, body, code):
    with pytest.raises(BadRequestError) as info:
        client.send_raw("POST", GROUP, json=body)
    assert info.value.code == code


def test_custom_fields(client, make_badge):
    name = rid("Campaign")
    field = client.create_custom_field(name=name, data_type="STRING", is_mandatory=True, default_value="NONE")
    assert client.request_log.entries()[-1].status == 201
    assert (field.name, field.data_type, field.is_mandatory, field.default_value) == (
        name,
        "STRING",
        True,
        "NONE",
    )
    badge = make_badge()
    assert badge.custom_fields[name] == "NONE"  # mandatory fields get their default
    updated = client.update_custom_field(custom_field_id=field.id, name=name, data_type="STRING",
                                         is_mandatory=False, default_value="X")  # fmt: skip
    assert updated.is_mandatory is False
    assert client.get_custom_field(custom_field_id=field.id).default_value == "X"
    assert field.id in [f.id for f in client.iter_custom_fields()]
    with pytest.raises(BadRequestError) as duplicate:
        client.create_custom_field(name=name, data_type="INTEGER")
    assert duplicate.value.code == 740


@pytest.mark.parametrize(
    "body, code",
    [
        ({"name": "No type"}, 741),
        ({"name": "Mandatory", "dataType": "STRING", "isMandatory": True}, 742),
        ({"name": "Number", "dataType": "INTEGER", "defaultValue": "ten"}, 744),
    ],
)
def test_custom_field_rules(client, body, code):
    with pytest.raises(BadRequestError) as info:
        client.send_raw("POST", FIELD, json=body)
    assert info.value.code == code


def test_org_meta(client):
    try:
        created = client.create_org_meta(tags=[{"key": "region", "dataType": "STRING", "mandatory": False}])
        assert [t.key for t in created.tags] == ["region"]
    except ConflictError:  # a real org may have its document already
        pass
    with pytest.raises(ConflictError) as again:
        client.create_org_meta(tags=[])
    assert again.value.code == 999999
    client.update_org_meta(tags=[{"key": "tier", "dataType": "STRING"}])
    assert [t.key for t in client.get_org_meta().tags] == ["tier"]


def test_org_meta_missing_is_404(client, sandbox):
    with pytest.raises(NotFoundError):
        client.get_org_meta()


def test_oauth_token_works_like_basic_auth(api_base_url, sandbox):
    with BadgesClient(api_base_url, OAuthAuth("demo", "demo")) as oauth:
        assert oauth.list_groups().badge_groups == []
    assert sandbox.stats()["by_path"]["/v3/oauth/token/generate"] == 1
    with (
        BadgesClient(api_base_url, OAuthAuth("demo", "wrong")) as wrong,
        pytest.raises((AuthenticationError, APIStatusError)),
    ):
        wrong.list_groups()
