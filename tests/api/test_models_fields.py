"""Field spellings shared by every model: the ISO twins and the alternative names the docs show."""

import inspect

import pytest
from pydantic import BaseModel

import lib.api.models as models
from lib.api.models import BadgeGroup, BadgeGroupRequest, CustomerBadgeDetail, FixedWindowCycle

MODELS = [
    obj
    for name in models.__all__
    if inspect.isclass(obj := getattr(models, name)) and issubclass(obj, BaseModel) and name != "Envelope"
]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_iso_twins_are_spelled_with_capitals_on_the_wire(model):
    for name, field in model.model_fields.items():
        if name.endswith("_iso"):
            assert field.alias is not None and field.alias.endswith("ISO"), (name, field.alias)
            assert not field.alias.endswith("IsoISO")


def test_change_stamps_and_their_iso_twins_read_from_the_answer():
    group = BadgeGroup.model_validate(
        {
            "id": "6630f4d2e4b0a1b2c3d4e5f6",
            "createdOn": 1714000000,
            "createdOnISO": "2024-04-24T23:06:40Z",
            "lastUpdatedBy": 75000001,
            "isActive": True,
        }
    )
    assert group.created_on == group.created_on_iso
    assert group.last_updated_by == 75000001
    assert group.to_wire()["createdOnISO"] == "2024-04-24T23:06:40Z"


def test_customer_badge_detail_reads_the_shared_view_fields():
    detail = CustomerBadgeDetail.model_validate(
        {
            "id": "b1",
            "startsOnISO": "2025-01-01T00:00:00Z",
            "lastEarnEventDate": 1735689600,
            "badgeType": "issue earn",
        }
    )
    assert detail.starts_on_iso == detail.last_earn_event_date
    assert detail.badge_type == "ISSUE_EARN"


def test_date_span_fields_of_a_cycle():
    cycle = FixedWindowCycle.model_validate({"startDate": 1735689600, "endDateISO": "2025-01-07T00:00:00Z"})
    assert cycle.to_wire()["startDate"] == 1735689600
    assert cycle.end_date_iso is not None and cycle.end_date_iso.day == 7


def test_alternative_spellings_are_read_and_the_documented_one_is_written():
    request = BadgeGroupRequest.model_validate({"Name": "Gold", "Rank": 2})
    assert request.to_wire() == {"name": "Gold", "rank": 2}
    assert BadgeGroup.model_validate({"id": "g", "active": False}).to_wire()["isActive"] is False
