"""A file's badge column matched against the org's badges: by id, by exact name, and refused with the
reason when a value names nothing or more than one badge."""

from __future__ import annotations

import pandas as pd

from lib.bulk.badge_column import BadgeRef, match_badges, split_by_badge

GOLD = BadgeRef("6b02840669cc92a24b311327", "Gold welcome")
SILVER = BadgeRef("6b02840669cc92a24b311328", "Silver welcome")
TWIN_A = BadgeRef("6b02840669cc92a24b311329", "Spring")
TWIN_B = BadgeRef("6b02840669cc92a24b31132a", "Spring")
ORG = [GOLD, SILVER, TWIN_A, TWIN_B]


def test_ids_in_any_case_and_exact_names_match():
    found = match_badges(["6B02840669CC92A24B311327", " Silver welcome "], ORG)
    assert found == {"6B02840669CC92A24B311327": GOLD, " Silver welcome ": SILVER}


def test_a_name_two_badges_share_is_refused_with_both_ids():
    reason = match_badges(["Spring"], ORG)["Spring"]
    assert isinstance(reason, str)
    assert "names 2 badges" in reason and TWIN_A.badge_id in reason and TWIN_B.badge_id in reason


def test_a_name_in_the_wrong_case_is_refused_with_a_hint():
    reason = match_badges(["gold WELCOME"], ORG)["gold WELCOME"]
    assert "case-sensitive" in reason and "did you mean 'Gold welcome'" in reason


def test_an_unknown_id_and_an_unknown_name_say_which_they_are():
    found = match_badges(["6b02840669cc92a24b3113ff", "Platinum"], ORG)
    assert found["6b02840669cc92a24b3113ff"] == "is not the badgeMetaId of a badge in this org"
    assert found["Platinum"].startswith("matches no badge name of this org")


def test_rows_are_split_per_badge_and_the_others_refused_by_row():
    frame = pd.DataFrame(
        {
            "customerId": ["1", "2", "3", "4", "5"],
            "badge": ["Gold welcome", "Spring", "", "Silver welcome", "Gold welcome"],
        },
        index=pd.RangeIndex(2, 7),
    )
    split = split_by_badge(frame, "badge", match_badges(frame["badge"].unique(), ORG))
    assert {b: rows.index.tolist() for b, (_, rows) in split.parts.items()} == {
        GOLD.badge_id: [2, 6],
        SILVER.badge_id: [5],
    }
    assert split.refused_rows.tolist() == [3, 4]
    assert (
        split.refused["message"]
        .str.startswith(("row 3, badge: 'Spring' names 2 badges", "row 4, badge: missing"))
        .all()
    )
