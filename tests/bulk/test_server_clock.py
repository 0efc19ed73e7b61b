"""Telling an enrolment a lost attempt of this job made from one that was there before the job.

A resend of an unclear batch is answered 1040 with the existing issuedId for every enrolled customer,
whoever enrolled them; only the second the server made each id in tells them apart
(`lib.bulk.outcomes.ServerClock`).
"""

from __future__ import annotations

import random
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.bulk.outcomes import CLOCK_SLACK, ServerClock

T0 = 1_796_550_000.0  # our clock when the batch was first sent


def made_at(second: float) -> str:
    """An id as the server makes it: its creation second (server clock) in the first 8 hex digits."""
    return f"{int(second):08x}" + "0" * 16


def sent(at: float = T0):
    return SimpleNamespace(first_sent_at=at)


def test_before_anything_is_learned_the_window_is_wide():
    clock = ServerClock()
    assert clock.made_by(sent(), T0 - CLOCK_SLACK + 0.5)
    assert not clock.made_by(sent(), T0 - CLOCK_SLACK - 1)
    assert not clock.made_by(sent(None), T0) and not clock.made_by(sent(), None)


def test_with_the_offset_learned_an_enrolment_from_an_earlier_second_was_there_before():
    """Same clocks, answers 20 ms after the ids were made: customers enrolled by someone else 1.5 s
    before the batch went out are skipped, not claimed, even though that is within CLOCK_SLACK."""
    clock = ServerClock()
    for k in range(50):  # answers of other batches
        minted = T0 - 3 + k * 0.137
        clock.learn([made_at(minted)], minted + 0.02)
    assert not clock.made_by(sent(), int(T0 - 1.5))
    assert clock.made_by(sent(), int(T0 + 0.05))  # this batch's own lost attempt


@settings(max_examples=200, deadline=None)
@given(
    offset=st.floats(min_value=-30, max_value=30),
    latency=st.floats(min_value=0.0005, max_value=0.4),
    seed=st.integers(0, 2**32 - 1),
)
def test_an_enrolment_this_job_made_is_never_taken_for_an_older_one(offset, latency, seed):
    """Whatever the offset between the clocks and the latency: every id minted while a batch was in
    flight (after its first send) counts as made by it, once answers of other batches taught the clock."""
    rng = random.Random(seed)
    clock = ServerClock()
    at = T0
    for _ in range(rng.randint(1, 40)):
        sent_at = at + rng.uniform(0, 0.5)
        minted = sent_at + offset + rng.uniform(0, latency)  # server clock
        clock.learn([made_at(minted)], sent_at + (minted - offset - sent_at) + rng.uniform(0, latency))
        at = sent_at
        first_send = at + rng.uniform(0, 1)
        ours = first_send + offset + rng.uniform(0, latency)
        assert clock.made_by(sent(first_send), int(ours))
