"""The paging table agrees with the endpoint table: each list endpoint's answer holds the named item
list and a pagination block, and its query model takes the named page-size parameter."""

import typing

import pytest

from lib.api.endpoints import ENDPOINTS_BY_NAME
from lib.api.resources import PAGED


@pytest.mark.parametrize("name", sorted(PAGED))
def test_paged_endpoint_answer_and_query_fit_the_table(name):
    endpoint = ENDPOINTS_BY_NAME[name]
    data_model = typing.get_args(endpoint.response_model.model_fields["data"].annotation)[0]
    assert PAGED[name].items in data_model.model_fields
    assert "pagination" in data_model.model_fields
    assert {PAGED[name].size_param, "page"} <= set(endpoint.query_model.model_fields)


def test_every_endpoint_with_a_pagination_block_is_in_the_table():
    paged = set()
    for name, endpoint in ENDPOINTS_BY_NAME.items():
        data = (
            endpoint.response_model.model_fields.get("data")
            if hasattr(endpoint.response_model, "model_fields")
            else None
        )
        if data is None:
            continue
        args = typing.get_args(data.annotation)
        if args and hasattr(args[0], "model_fields") and "pagination" in args[0].model_fields:
            paged.add(name)
    assert paged == set(PAGED)
