"""The server's rules for what surrounds a badge definition: owners with claims, groups, custom fields.

`check_badge` judges a badge body on its own; these rules need one more fact about the org (the
badge's active claims) or concern the org-level objects a badge refers to. The sandbox enforces them
and the promotion plan predicts refusals with them, so both answer with the same codes.
"""

from collections.abc import Iterable

from lib.domain.rules import RuleViolation

OWNER_NOT_ALLOWED = 714
GROUP_RANK_MISSING = 732
GROUP_NAME_MISSING = 735
CUSTOM_FIELD_TYPE_MISSING = 741
MANDATORY_FIELD_NEEDS_DEFAULT = 742
DEFAULT_NOT_A_NUMBER = 744

_CUSTOM_FIELD_TYPES = ("INTEGER", "BOOLEAN", "DATE", "STRING")


def check_claimed_owners(claimed: Iterable[str], owners: Iterable[str]) -> list[RuleViolation]:
    """714 when an update drops an owner module that holds an active claim on the badge.

    A claim is a module's live use of the badge (its earns name it in `triggeredBy`); taking the owner
    away under it would orphan those earns, so the server keeps the owner until the claim is gone.
    """
    removed = sorted(set(claimed) - set(owners))
    if not removed:
        return []
    return [
        RuleViolation(
            OWNER_NOT_ALLOWED,
            "ownership.restrictedToOwners",
            f"Owner type {removed[0]} has an active claim and cannot be removed",
        )
    ]


def check_group(name: str | None, rank: int | None) -> list[RuleViolation]:
    """735 without a name, 732 without a rank (create and update of a group)."""
    out = []
    if name is None or not name.strip():
        out.append(RuleViolation(GROUP_NAME_MISSING, "name", "Group name is mandatory."))
    if rank is None:
        out.append(RuleViolation(GROUP_RANK_MISSING, "rank", "Group Rank is Mandatory."))
    return out


def check_custom_field(
    data_type: str | None, is_mandatory: bool | None, default_value: str | None
) -> list[RuleViolation]:
    """741 without a data type, 742 for a mandatory field without a default (badges that leave it
    empty get the default), 744 for an INTEGER field whose default is not a whole number."""
    out = []
    if data_type is None or data_type not in _CUSTOM_FIELD_TYPES:
        out.append(
            RuleViolation(CUSTOM_FIELD_TYPE_MISSING, "dataType", "Custom field Data Type is mandatory")
        )
    if is_mandatory and default_value in (None, ""):
        out.append(
            RuleViolation(
                MANDATORY_FIELD_NEEDS_DEFAULT,
                "defaultValue",
                "Mandatory custom field should have default Value",
            )
        )
    if data_type == "INTEGER" and default_value not in (None, ""):
        try:
            int(str(default_value))
        except ValueError:
            out.append(
                RuleViolation(
                    DEFAULT_NOT_A_NUMBER, "defaultValue", "Custom field default value should be a number"
                )
            )
    return out
