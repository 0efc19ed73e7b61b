"""A limit's cycles counted in one read (`Earns.counts_by_event_window`) give what `Earns.count` gives
cycle by cycle: event dates in [start, end), revoked earns left out, the customer's alone when named."""

from __future__ import annotations

import random

import pytest

from lib.domain import CountAxis
from lib.sandbox.repository.sqlite import SqliteRepository

ORG, BADGE, DAY = 7, "b1", 86_400.0
T0 = 1_700_000_000.0


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    repository = SqliteRepository(tmp_path_factory.mktemp("counts") / "s.db")
    pick = random.Random(5)
    rows = []
    for n in range(3_000):
        event = (
            T0 + pick.randrange(0, 60) * DAY + pick.choice([0.0, 1.0, DAY / 2, DAY - 1])
        )  # on the edges too
        rows.append(
            (f"{n:024x}", ORG, pick.choice([BADGE, "b2"]), pick.randrange(1, 30), event, event, event + 90 * DAY,
             event + 1 if n % 7 == 0 else None)
        )  # fmt: skip
    with repository.store.write() as conn:
        conn.executemany(
            "INSERT INTO earns (id, org_id, badge_id, customer_id, earned_on, event_date, expires_on, revoked_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    yield repository
    repository.close()


@pytest.mark.parametrize("customer_id", [None, 3])
@pytest.mark.parametrize("length", [1, 7, 30])
def test_each_cycle_counts_what_count_counts(repository, customer_id, length):
    windows = [(T0 + start * DAY, T0 + (start + length) * DAY) for start in range(-3, 65, length)]
    windows += [(T0 + 5 * DAY, T0 + 5 * DAY), (T0 + 10 * DAY + 1, T0 + 40 * DAY - 1)]  # empty, overlapping
    counted = repository.earns.counts_by_event_window(ORG, BADGE, windows, customer_id=customer_id)
    one_by_one = [
        repository.earns.count(
            ORG, BADGE, axis=CountAxis.EVENT, start=start, end=end, customer_id=customer_id
        )
        for start, end in windows
    ]
    assert counted == one_by_one
    assert sum(one_by_one) > 0


def test_no_cycles_no_read(repository):
    assert repository.earns.counts_by_event_window(ORG, BADGE, []) == []
