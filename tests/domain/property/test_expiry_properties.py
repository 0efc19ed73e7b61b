"""Properties of expiry computation."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.domain import DurationUnit, ExpiryRule, ExpiryType, compute_expiry
from tests.domain.property.strategies import instants

FEW = settings(max_examples=200, deadline=None)


@FEW
@given(processed=instants, unit=st.sampled_from(list(DurationUnit)), value=st.integers(0, 240))
def test_relative_expiry_is_never_before_processing(processed, unit, value):
    expires = compute_expiry(ExpiryRule(ExpiryType.RELATIVE, unit=unit, value=value), processed, None)
    assert expires >= processed
    assert (expires == processed) == (value == 0)
    assert expires.time() == processed.time()


@FEW
@given(processed=instants, months=st.integers(1, 240))
def test_months_land_in_the_target_month_clamped(processed, months):
    expires = compute_expiry(
        ExpiryRule(ExpiryType.RELATIVE, unit=DurationUnit.MONTHS, value=months), processed, None
    )
    assert (expires.year * 12 + expires.month) - (processed.year * 12 + processed.month) == months
    assert expires.day == processed.day or (
        expires.day < processed.day and (expires + timedelta(days=1)).day == 1
    )


@FEW
@given(processed=instants)
def test_never_is_about_a_century_later(processed):
    expires = compute_expiry(ExpiryRule(ExpiryType.NEVER), processed, None)
    assert timedelta(days=36_524) <= expires - processed <= timedelta(days=36_525)
