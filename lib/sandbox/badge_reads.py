"""The filtered, paged reads of badge definitions: #3 list badges and #8 fixed-window cycles.

Both take the endpoint's validated query model (`lib.api.models.queries`), so every filter arrives
typed; what is left here is the server's defaults (`sortOn=ID`, newest first...) and the filtering.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lib.api.models.enums import ActivationAction, FixedWindowScope, SortOrder
from lib.api.models.queries import BadgeListQuery, BadgeSort, FixedWindowQuery
from lib.sandbox import errors as E
from lib.sandbox.common import epoch, from_epoch, page_of, query_instant, with_iso
from lib.sandbox.context import Context
from lib.sandbox.customer_lookup import resolve_customer
from lib.sandbox.repository import BadgeView, Repository
from lib.sandbox.views import load_badge, render_summary

_SORT_KEYS = {
    BadgeSort.ID: lambda v: v.doc["id"],
    BadgeSort.NAME: lambda v: str(v.doc.get("name", "")),
    BadgeSort.START_DATE: lambda v: v.doc["startOn"],
}


def _kept(
    view: BadgeView, query: BadgeListQuery, now: datetime, bounds: tuple[float | None, float | None]
) -> bool:
    """Whether a badge passes every filter of #3 (an unset filter keeps everything)."""
    doc = view.doc
    earn_type = query.earn_type or query.badge_type
    active_claims = [c for c in doc["ownership"].get("claims", []) if c.get("isActive")]
    start_from, expires_by = bounds
    name = (query.name or "").strip().lower()
    return not (
        (query.status and view.status(now) not in query.status)
        or (earn_type and doc.get("earnType") != earn_type)
        or (query.action and bool(doc.get("active")) != (query.action is ActivationAction.ACTIVATED))
        or (query.owner and query.owner not in doc["ownership"]["restrictedToOwners"])
        or (query.claimed_by and all(c["ownerType"] != query.claimed_by for c in active_claims))
        or (query.unclaimed and active_claims)
        or (name and name not in str(doc.get("name", "")).lower())
        or (start_from is not None and doc["startOn"] < start_from)
        or (expires_by is not None and doc["expiresOn"] > expires_by)
    )


def list_badges(ctx: Context, org_id: int, query: BadgeListQuery) -> dict[str, Any]:
    """#3. Sorted by `sortOn` (ID, newest first, when not sent; NAME and START_DATE ascending unless
    `order` says otherwise); `limit` is the page size (`size` also read)."""
    now = ctx.now()
    start_from, expires_by = query_instant(query, "start_on"), query_instant(query, "expires_on")
    bounds = (epoch(start_from) if start_from else None, epoch(expires_by) if expires_by else None)
    sort_on = query.sort_on or BadgeSort.ID
    order = query.order or (SortOrder.DESC if sort_on is BadgeSort.ID else SortOrder.ASC)
    page = page_of(query.page, query.limit or query.size)
    repo = ctx.repo
    with repo.snapshot():
        views = [view for view in repo.badges.all_of(org_id) if _kept(view, query, now, bounds)]
        views.sort(key=_SORT_KEYS[sort_on], reverse=order is SortOrder.DESC)
        chosen = views[page.offset : page.offset + page.size]
        items = render_summary(repo, org_id, chosen, ctx.now())
    return {"metaBasicDetails": items, "pagination": page.pagination(len(views))}


def fixed_window_details(
    ctx: Context, org_id: int, query: FixedWindowQuery, sent_customer: Any, identifier: str | None
) -> dict[str, Any]:
    """#8. `sent_customer` is `customerId` as sent: an email, mobile... when `X-CAP-CUSTOMER-IDENTIFIER`
    says so (the query model reads a number there, which would drop a mobile's leading zeros)."""
    if not query.badge_meta_id:
        raise E.InvalidRequest("badgeMetaId is mandatory", reference="badgeMetaId")
    scope = query.constraint_type or FixedWindowScope.ALL
    include_counts = bool(query.include_earn_count)
    needs_customer = scope in (FixedWindowScope.CUSTOMER, FixedWindowScope.ALL)
    if include_counts and needs_customer and query.customer_id is None:
        raise E.CustomerIdMissing(reference="customerId")
    page = page_of(query.page, query.size)
    repo = ctx.repo
    with repo.snapshot():
        customer_id = None
        if query.customer_id is not None:
            customer_id = resolve_customer(repo, org_id, sent_customer, identifier)
        view = load_badge(repo, org_id, query.badge_meta_id)
        start = query_instant(query, "start_date") or from_epoch(view.doc["startOn"])
        end = query_instant(query, "end_date") or from_epoch(view.doc["expiresOn"])
        rows = []
        for config in view.configs():
            if scope is not FixedWindowScope.ALL and config.level != scope:
                continue
            reference = query.fixed_window_cycle_reference_id
            if reference and config.reference_id != reference:
                continue
            for cycle in config.layout(view.start, view.end).between(start, end, inc=True):
                rows.append((cycle, config))
        rows.sort(key=lambda item: (item[0].start, item[1].level))
        shown = rows[page.offset : page.offset + page.size]
        counts = _earn_counts(repo, org_id, view.doc["id"], shown, customer_id) if include_counts else []
        cycles = []
        for index, (cycle, config) in enumerate(shown):
            item: dict[str, Any] = {"fixedWindowCycleReferenceId": config.reference_id}
            with_iso(item, "startDate", epoch(cycle.start))
            with_iso(item, "endDate", epoch(cycle.last_day))
            item["constraintType"] = config.level
            if include_counts:
                item["earnCount"] = counts[index]
            cycles.append(item)
    data: dict[str, Any] = {"badgeMetaId": view.doc["id"], "orgId": org_id}
    with_iso(data, "startDate", epoch(start))
    with_iso(data, "endDate", epoch(end))
    if customer_id is not None:
        data["customerId"] = customer_id
    data["fixedWindowCycles"] = cycles
    data["pagination"] = page.pagination(len(rows))
    return data


def _earn_counts(
    repo: Repository, org_id: int, badge_id: str, rows: list[tuple], customer_id: int | None
) -> list[int]:
    """Each cycle's earns (event axis) for `rows` of (cycle, config): one read per scope (the badge's,
    the customer's) rather than one per cycle, which a year of daily cycles made hundreds of."""
    counts = [0] * len(rows)
    scoped: dict[int | None, list[int]] = {}
    for index, (_, config) in enumerate(rows):
        scoped.setdefault(customer_id if config.level == "CUSTOMER" else None, []).append(index)
    for scope, indexes in scoped.items():
        windows = [(epoch(rows[i][0].start), epoch(rows[i][0].end)) for i in indexes]
        found = repo.earns.counts_by_event_window(org_id, badge_id, windows, customer_id=scope)
        for index, count in zip(indexes, found, strict=True):
            counts[index] = count
    return counts
