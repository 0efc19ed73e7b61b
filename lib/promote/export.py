"""Reading an org's badge configuration: the snapshot a plan compares against, and the export.

The list of badges (#3) carries no limits or benefits, so every badge that matters is read in full
(#4); groups (#20) and custom fields (#24) are read whole. The full reads are independent, so the
caller may pass `read_many` to run them side by side (the console and the command line pass the
console's fan-out); by default they run one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

from lib.api.client import BadgesClient
from lib.api.models import Badge, BadgeGroup, BadgeSummary, CustomField
from lib.api.read_many import Progress, ReadMany, one_by_one
from lib.promote.document import BadgesDocument, document_of


class UnknownBadgeError(LookupError):
    """An export asked for a badge the org does not have (by id or by name)."""


@dataclass(frozen=True)
class OrgSnapshot:
    """What one org holds: every badge's id by name, the full badges that were read, groups and
    custom fields by name. Names are the keys everywhere, as they are the API's unique keys."""

    badge_ids: Mapping[str, str]
    badges: Mapping[str, Badge]
    groups: Mapping[str, BadgeGroup] = field(default_factory=dict)
    custom_fields: Mapping[str, CustomField] = field(default_factory=dict)

    @property
    def group_names(self) -> dict[str, str]:
        """Group id -> name."""
        return {group.id: name for name, group in self.groups.items()}

    def document(self, names: Iterable[str] | None = None) -> BadgesDocument:
        """These badges (all that were read when None) as a badges document."""
        chosen = self.badges if names is None else {n: self.badges[n] for n in names if n in self.badges}
        return document_of(chosen.values(), self.groups.values(), self.custom_fields.values())


def read_org(
    client: BadgesClient,
    names: Iterable[str] | None = None,
    *,
    read_many: ReadMany = one_by_one,
    on_progress: Progress | None = None,
) -> OrgSnapshot:
    """The org's badge ids, groups and custom fields, and in full the badges named (all when None)."""
    summaries: list[BadgeSummary] = list(client.iter_badges(page_size=100))
    groups = list(client.iter_groups(page_size=100))
    fields = list(client.iter_custom_fields(page_size=100))
    ids = _first_by_name((s.name or "", s.id) for s in summaries)
    wanted = list(ids) if names is None else [name for name in dict.fromkeys(names) if name in ids]
    calls = [partial(client.get_badge, badge_id=ids[name]) for name in wanted]
    full = read_many(calls, on_progress=on_progress) if calls else []
    return OrgSnapshot(
        badge_ids=ids,
        badges={badge.name or "": badge for badge in full},
        groups={g.name or "": g for g in groups},
        custom_fields={f.name or "": f for f in fields},
    )


def names_for(client: BadgesClient, wanted: Iterable[str]) -> list[str]:
    """Badge names for values given as ids or names (`--badge`); UnknownBadgeError for any other."""
    ids = _first_by_name((s.name or "", s.id) for s in client.iter_badges(page_size=100))
    by_id = {badge_id: name for name, badge_id in ids.items()}
    out, missing = [], []
    for value in wanted:
        name = by_id.get(value) or (value if value in ids else None)
        (out if name is not None else missing).append(name if name is not None else value)
    if missing:
        raise UnknownBadgeError(f"no badge with the id or name {', '.join(map(repr, missing))} in this org")
    return list(dict.fromkeys(out))


def export_org(
    client: BadgesClient,
    wanted: Iterable[str] | None = None,
    *,
    read_many: ReadMany = one_by_one,
    on_progress: Progress | None = None,
) -> BadgesDocument:
    """The document of the org's badges named or numbered in `wanted` (all when None or empty)."""
    wanted = list(wanted or [])
    names = names_for(client, wanted) if wanted else None
    return read_org(client, names, read_many=read_many, on_progress=on_progress).document(names)


def _first_by_name(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, badge_id in pairs:
        out.setdefault(name, badge_id)
    return out
