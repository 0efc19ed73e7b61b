"""What one customer has and can get: #15 badges for a customer, #16 all customer badges (filtered),
#17 one badge for one customer with its enrolment/earn history and limit usage.

`X-CAP-CUSTOMER-IDENTIFIER` (email, mobile, externalId, cardNumber) is looked up in the org's
customer table (1026 when nobody matches, 1028 for another identifier type). A plain numeric id
needs no lookup: any id from 1 to 2**63-1 is a customer, as bulk files enrol ids the sandbox never saw.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lib.api.models.wire import parse_customer_id
from lib.domain import BadgeStatus, FixedValueLimit, FixedWindowLimit, RollingWindowLimit, count_window
from lib.sandbox import errors as E
from lib.sandbox.awards import count_earns
from lib.sandbox.badge_rules import rules_of
from lib.sandbox.common import Context, epoch, page_of, parse_instant, query_bool, query_enum, with_iso
from lib.sandbox.views import BadgeView, group_names, load_badge, load_badges, render_constraints

IDENTIFIER_COLUMNS = {
    "email": "email",
    "mobile": "mobile",
    "externalId": "external_id",
    "cardNumber": "card_number",
}


def resolve_customer(conn, org_id: int, raw: Any, identifier: str | None) -> int:
    """The numeric customer id for a path/body value read the way the identifier header says.

    Without the header the value must be a customer id as the API models read one (1..2**63-1, ASCII
    digits): anything else is a 400 naming `customerId`, never another customer or an overflow.
    """
    if identifier is None or identifier == "":
        try:
            return parse_customer_id(raw)
        except ValueError as exc:
            raise E.InvalidRequest(
                f"Invalid value for the field: 'customerId': {exc}", reference="customerId"
            ) from None
    column = IDENTIFIER_COLUMNS.get(identifier)
    if column is None:
        raise E.InvalidCustomerIdentifier(reference="X-CAP-CUSTOMER-IDENTIFIER")
    row = conn.execute(
        f"SELECT customer_id FROM customers WHERE org_id = ? AND {column} = ?",  # noqa: S608 - column from the table above
        (org_id, str(raw).strip()),
    ).fetchone()
    if row is None:
        raise E.CustomerNotFound(reference="customerId")
    return row[0]


def _seconds(raw: str | None) -> float | None:
    """A numeric date filter: epoch seconds, or milliseconds as the text says (told apart by size)."""
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        raise E.InvalidRequest(f"Invalid date filter '{raw}'") from None
    return value / 1000 if value > 10**11 else value


class _History:
    """A customer's earn and enrolment aggregates per badge."""

    def __init__(self, conn, org_id: int, customer_id: int, now: float) -> None:
        self.earns: dict[str, Any] = {
            row["badge_id"]: row
            for row in conn.execute(
                "SELECT badge_id, SUM(revoked_on IS NULL AND expires_on > ?) AS active,"
                " SUM(revoked_on IS NULL AND expires_on <= ?) AS expired, SUM(revoked_on IS NULL) AS total,"
                " MAX(CASE WHEN revoked_on IS NULL THEN earned_on END) AS last_earned_on,"
                " MAX(CASE WHEN revoked_on IS NULL THEN event_date END) AS last_event"
                " FROM earns INDEXED BY earns_of_customer WHERE org_id = ? AND customer_id = ? GROUP BY badge_id",
                (now, now, org_id, customer_id),
            )
        }
        self.issues: dict[str, Any] = {}
        for row in conn.execute(
            "SELECT badge_id, issued_on, expires_on, revoked_on FROM issues WHERE org_id = ? AND customer_id = ?"
            " ORDER BY issued_on",
            (org_id, customer_id),
        ):
            self.issues[row["badge_id"]] = row  # the latest enrolment per badge
        self.now = now

    def active_earns(self, badge_id: str) -> int:
        row = self.earns.get(badge_id)
        return int(row["active"] or 0) if row else 0

    def expired_earns(self, badge_id: str) -> int:
        row = self.earns.get(badge_id)
        return int(row["expired"] or 0) if row else 0

    def issue_status(self, badge_id: str) -> str | None:
        row = self.issues.get(badge_id)
        if row is None:
            return None
        if row["revoked_on"] is not None:
            return "REVOKED"
        return "ACTIVE" if row["expires_on"] > self.now else "EXPIRED"

    def last(self, badge_id: str, key: str) -> float | None:
        row = self.earns.get(badge_id)
        return row[key] if row else None


def _selected(
    view: BadgeView, kind: str, history: _History, now: datetime, include_expired: bool = False
) -> bool:
    doc = view.doc
    available = doc.get("active", True) and view.status(now) is BadgeStatus.LIVE
    enrolled = history.issue_status(view.id) == "ACTIVE"
    if kind == "AVAILABLE_TO_ISSUE":
        return bool(available and doc["earnType"] == "ISSUE_EARN" and not enrolled)
    if kind == "AVAILABLE":
        return bool(available and (doc["earnType"] == "EARN" or enrolled))
    if kind == "EARNED":
        return history.active_earns(view.id) > 0 or (include_expired and history.expired_earns(view.id) > 0)
    return history.expired_earns(view.id) > 0 and history.active_earns(view.id) == 0  # EXPIRED


def _rank_key(view: BadgeView, groups: dict[str, tuple[str, int | None]]):
    """Groups by group rank, then badge rank (1 first), unranked by expiry, latest first (reference 5.1)."""
    doc = view.doc
    group = groups.get(doc.get("badgeGroupId") or "")
    rank = doc.get("badgeRank")
    return (
        group is None,
        (group[1] if group and group[1] is not None else 0),
        rank is None,
        rank or 0,
        -doc["expiresOn"],
    )


class CustomerViewBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---- #15 ---------------------------------------------------------------------------------
    def customer_badges(
        self, org_id: int, raw_customer: str, identifier: str | None, query: Any
    ) -> dict[str, Any]:
        now = self.ctx.now()
        kind = query_enum(
            query.get("badgeType"),
            ("AVAILABLE", "EARNED", "AVAILABLE_TO_ISSUE", "EXPIRED"),
            "badgeType",
            "AVAILABLE",
        )
        include_expired = query_bool(query.get("includeExpired"))
        sort_on = query_enum(
            query.get("sortOn"), ("RANK", "LAST_EARNED_ON_DATE", "LAST_EARNED_EVENT_DATE"), "sortOn", "RANK"
        )
        group_id = query.get("groupId")
        earned_since = _seconds(query.get("lastEarnedOnDate"))
        event_since = _seconds(query.get("lastEarnEventDate"))
        page = page_of(query, size_key="limit")
        with self.ctx.store.read() as conn:
            customer_id = resolve_customer(conn, org_id, raw_customer, identifier)
            history = _History(conn, org_id, customer_id, epoch(now))
            groups = group_names(conn, org_id)
            views = [
                v
                for v in load_badges(conn, org_id)
                if _selected(v, kind, history, now, include_expired)
                and (not group_id or v.doc.get("badgeGroupId") == group_id)
                and (earned_since is None or (history.last(v.id, "last_earned_on") or 0) >= earned_since)
                and (event_since is None or (history.last(v.id, "last_event") or 0) >= event_since)
            ]
            if sort_on == "RANK":
                views.sort(key=lambda v: _rank_key(v, groups))
            else:
                key = "last_earned_on" if sort_on == "LAST_EARNED_ON_DATE" else "last_event"
                views.sort(key=lambda v: -(history.last(v.id, key) or 0))
            items = [
                self._badge_item(v, history, groups, now)
                for v in views[page.offset : page.offset + page.size]
            ]
        return {"badges": items, "pagination": page.pagination(len(views))}

    @staticmethod
    def _badge_item(view: BadgeView, history: _History, groups, now: datetime) -> dict[str, Any]:
        doc = view.doc
        item: dict[str, Any] = {"badgeMetaId": view.id, "orgId": doc["orgId"], "name": doc.get("name")}
        item["description"] = doc.get("description")
        with_iso(item, "startOn", doc["startOn"])
        with_iso(item, "expiresOn", doc["expiresOn"])
        for key in ("images", "tags", "badgeGroupId", "badgeRank", "ownership", "earnType", "benefits"):
            item[key] = doc.get(key)
        item["badgeGroupName"] = groups.get(doc.get("badgeGroupId") or "", (None, None))[0]
        item.update(render_constraints(view, now, with_current_cycle=False))
        item["earnedCount"] = history.active_earns(view.id)
        with_iso(item, "lastEarnedOnDate", history.last(view.id, "last_earned_on"))
        with_iso(item, "lastEarnEventDate", history.last(view.id, "last_event"))
        item["customFields"] = doc.get("customFields")
        item["active"] = doc.get("active", True)
        return item

    # ---- #16 ---------------------------------------------------------------------------------
    def management_list(
        self, org_id: int, raw_customer: str, identifier: str | None, query: Any
    ) -> dict[str, Any]:
        now = self.ctx.now()
        kind = query_enum(
            query.get("badgeType"),
            ("AVAILABLE_TO_ISSUE", "AVAILABLE", "EARNED", "EXPIRED"),
            "badgeType",
            "AVAILABLE_TO_ISSUE",
        )
        sorts = {
            "EXPIRES_ON": lambda v, h: v.doc["expiresOn"],
            "LAST_MODIFIED_DATE": lambda v, h: v.doc["lastUpdatedOn"],
            "LAST_ISSUED_DATE": lambda v, h: h.issues[v.id]["issued_on"] if v.id in h.issues else 0,
            "LAST_EXPIRED_BADGE": lambda v, h: v.doc["expiresOn"] if v.doc["expiresOn"] <= h.now else 0,
            "LAST_EARNED_EVENT_DATE": lambda v, h: h.last(v.id, "last_event") or 0,
            "LAST_EARNED_ON_DATE": lambda v, h: h.last(v.id, "last_earned_on") or 0,
        }
        sort_on = query_enum(query.get("sortOn"), tuple(sorts), "sortOn", "EXPIRES_ON")
        order = query_enum(query.get("order"), ("ASC", "DESC"), "order", "DESC")
        name = (query.get("name") or "").strip().lower()
        action = query.get("action")
        action = "DE_ACTIVATED" if action == "DEACTIVATED" else action
        status = query.get("badgeStatus") or query.get("badgeStatu")
        owner, claimed_by, group_id = query.get("owner"), query.get("claimedBy"), query.get("groupId")
        start_on = _iso_filter(query.get("startOn"))
        start_op = query.get("startOnOperator") or "GREATER_THAN"
        expires_on = _iso_filter(query.get("expiresOn"))
        expires_op = query.get("expiresOnOperator") or query.get("endOnOperator") or "LESS_THAN"
        earned_since = _seconds(query.get("lastEarnedOnDate"))
        event_since = _seconds(query.get("lastEarnEventDate"))
        page = page_of(query)
        with self.ctx.store.read() as conn:
            customer_id = resolve_customer(conn, org_id, raw_customer, identifier)
            history = _History(conn, org_id, customer_id, epoch(now))
            groups = group_names(conn, org_id)
            views = []
            for v in load_badges(conn, org_id):
                doc = v.doc
                claims = [c["ownerType"] for c in doc["ownership"].get("claims", []) if c.get("isActive")]
                keep = (
                    _selected(v, kind, history, now)
                    and (not name or name in str(doc.get("name", "")).lower())
                    and (not action or (action == "ACTIVATED") == bool(doc.get("active", True)))
                    and (not status or v.status(now).value == status)
                    and (not owner or owner in doc["ownership"]["restrictedToOwners"])
                    and (not claimed_by or claimed_by in claims)
                    and (not group_id or doc.get("badgeGroupId") == group_id)
                    and _compare(doc["startOn"], start_on, start_op)
                    and _compare(doc["expiresOn"], expires_on, expires_op)
                    and (earned_since is None or (history.last(v.id, "last_earned_on") or 0) >= earned_since)
                    and (event_since is None or (history.last(v.id, "last_event") or 0) >= event_since)
                )
                if keep:
                    views.append(v)
            views.sort(key=lambda v: sorts[sort_on](v, history), reverse=order == "DESC")
            items = [
                self._summary_item(v, history, groups, now)
                for v in views[page.offset : page.offset + page.size]
            ]
        return {"customerBadges": items, "pagination": page.pagination(len(views))}

    @staticmethod
    def _summary_item(view: BadgeView, history: _History, groups, now: datetime) -> dict[str, Any]:
        doc = view.doc
        item: dict[str, Any] = {"name": doc.get("name"), "description": doc.get("description")}
        item["badgeMetaId"] = view.id
        item["badgeType"] = doc["earnType"]
        item["badgeGroupId"] = doc.get("badgeGroupId")
        item["badgeGroupName"] = groups.get(doc.get("badgeGroupId") or "", (None, None))[0]
        item["badgeRank"] = doc.get("badgeRank")
        with_iso(item, "createdOn", doc["createdOn"])
        with_iso(item, "lastUpdatedOn", doc["lastUpdatedOn"])
        item["images"] = doc.get("images")
        item["badgeStatus"] = view.status(now).value
        with_iso(item, "lastEarnedOn", history.last(view.id, "last_earned_on"))
        with_iso(item, "startsOn", doc["startOn"])
        with_iso(item, "expiresOn", doc["expiresOn"])
        item["earnCount"] = history.active_earns(view.id)
        item["ownership"] = doc.get("ownership")
        item["issueStatus"] = history.issue_status(view.id)
        with_iso(item, "lastEarnedOnDate", history.last(view.id, "last_earned_on"))
        with_iso(item, "lastEarnEventDate", history.last(view.id, "last_event"))
        item["active"] = doc.get("active", True)
        return item

    # ---- #17 ---------------------------------------------------------------------------------
    def management_detail(
        self, org_id: int, raw_customer: str, badge_id: str, identifier: str | None, query: Any
    ) -> dict[str, Any]:
        now = self.ctx.now()
        with_statistics = query_bool(query.get("includeStatistics"))
        with self.ctx.store.read() as conn:
            customer_id = resolve_customer(conn, org_id, raw_customer, identifier)
            view = load_badge(conn, org_id, badge_id)
            history = _History(conn, org_id, customer_id, epoch(now))
            doc = view.doc
            out: dict[str, Any] = {
                "id": view.id,
                "name": doc.get("name"),
                "description": doc.get("description"),
            }
            with_iso(out, "createdOn", doc["createdOn"])
            with_iso(out, "lastUpdatedOn", doc["lastUpdatedOn"])
            with_iso(out, "startsOn", doc["startOn"])
            with_iso(out, "expiresOn", doc["expiresOn"])
            out["action"] = "ACTIVATED" if doc.get("active", True) else "DE_ACTIVATED"
            out["badgeType"] = doc["earnType"]
            out["badgeStatus"] = view.status(now).value
            out["owner"] = doc["ownership"]["restrictedToOwners"]
            out["claimedBy"] = [c for c in doc["ownership"].get("claims", []) if c.get("isActive")]
            out["images"] = doc.get("images")
            out["earnExpiry"] = doc.get("earnedBadgeExpiry")
            out["issueExpiry"] = doc.get("issuedBadgeExpiry")
            for key in ("tags", "badgeRank", "customFields"):
                out[key] = doc.get(key)
            out["activeEarnedCount"] = history.active_earns(view.id)
            out["issuedStatus"] = history.issue_status(view.id)
            with_iso(out, "lastEarnedOn", history.last(view.id, "last_earned_on"))
            with_iso(out, "lastEarnedOnDate", history.last(view.id, "last_earned_on"))
            with_iso(out, "lastEarnEventDate", history.last(view.id, "last_event"))
            if with_statistics:
                out.update(self._usage(conn, org_id, view, customer_id, now))
                out["issualDetails"] = self._issuals(conn, org_id, view.id, customer_id, now)
                out["earnDetails"] = self._earns(conn, org_id, view.id, customer_id, now)
        return out

    @staticmethod
    def _usage(conn, org_id: int, view: BadgeView, customer_id: int, now: datetime) -> dict[str, list]:
        """Each limit with the earns counted in its window right now (`OVERALL` = fixed value)."""
        rules = rules_of(view.doc, view.fixed_windows)
        references = {c.limit: c.reference_id for c in view.configs()}
        out: dict[str, list] = {"customerConstraints": [], "badgeConstraints": []}
        for limit in rules.limits:
            level = str(limit.level)
            window = count_window(
                limit, event_time=now, processed_at=now, badge_start=rules.start, badge_end=rules.end
            )
            count = 0
            if window is not None:
                count = count_earns(
                    conn, org_id, view.id, window, customer_id if level == "CUSTOMER" else None
                )
            item: dict[str, Any] = {
                "constraintLevel": level,
                "maxEarnLimit": getattr(limit, "max_earn", None),
            }
            stats: dict[str, Any] = {"currentEarnCount": count}
            if isinstance(limit, FixedWindowLimit):
                item["constraintType"] = "FIXED_WINDOW"
                item["durationType"] = limit.rule.unit.value
                item["refreshRate"] = limit.rule.refresh_rate
                item["startDayOfTheWeek"] = limit.rule.week_start.value
                item["fixedWindowReferenceId"] = references.get(limit)
                if window is not None and window.cycle is not None:
                    bounds: dict[str, Any] = {}
                    with_iso(bounds, "startDate", epoch(window.cycle.start))
                    with_iso(bounds, "endDate", epoch(window.cycle.last_day))
                    item["fixedWindowCycle"] = bounds
                    item["cycleStatus"] = "ACTIVE"
                else:
                    item["cycleStatus"] = "UPCOMING" if now < view.start else "EXPIRED"
            elif isinstance(limit, RollingWindowLimit):
                item["constraintType"] = "ROLLING_WINDOW"
                item["rollType"] = limit.unit.value
                item["rollValue"] = limit.span
                stats[f"currentEarnCount{limit.unit.value.title()}"] = count
            elif isinstance(limit, FixedValueLimit):
                item["constraintType"] = "OVERALL"
            else:
                continue
            item["earnConstraintBlockStatistics"] = stats
            out["customerConstraints" if level == "CUSTOMER" else "badgeConstraints"].append(item)
        return out

    @staticmethod
    def _issuals(conn, org_id: int, badge_id: str, customer_id: int, now: datetime) -> dict[str, Any]:
        rows = conn.execute(
            "SELECT * FROM issues WHERE org_id = ? AND badge_id = ? AND customer_id = ? ORDER BY issued_on DESC",
            (org_id, badge_id, customer_id),
        ).fetchall()
        issuals = []
        for row in rows:
            status = (
                "REVOKED"
                if row["revoked_on"]
                else ("ACTIVE" if row["expires_on"] > epoch(now) else "EXPIRED")
            )
            issuals.append(
                {
                    "issueId": row["id"],
                    "issuedOn": row["issued_on"],
                    "issuedStatus": status,
                    "issueExpiresOn": row["expires_on"],
                    "issueEventDate": row["event_date"],
                    "revokedOn": row["revoked_on"],
                    "ownerType": row["owner_type"],
                    "ownerReferenceId": row["owner_reference_id"],
                }
            )
        return {"issuedCount": len(issuals), "issuals": issuals}

    @staticmethod
    def _earns(conn, org_id: int, badge_id: str, customer_id: int, now: datetime) -> dict[str, Any]:
        rows = conn.execute(
            "SELECT * FROM earns WHERE org_id = ? AND badge_id = ? AND customer_id = ? ORDER BY earned_on DESC",
            (org_id, badge_id, customer_id),
        ).fetchall()
        earns = []
        for row in rows:
            status = (
                "REVOKED"
                if row["revoked_on"]
                else ("ACTIVE" if row["expires_on"] > epoch(now) else "EXPIRED")
            )
            earns.append(
                {
                    "earnedBadgeId": row["id"],
                    "earnedOn": row["earned_on"],
                    "earnedStatus": status,
                    "earnExpiresOn": row["expires_on"],
                    "earnEventDate": row["event_date"],
                    "revokedOn": row["revoked_on"],
                    "ownerType": row["owner_type"],
                    "ownerReferenceId": row["owner_reference_id"],
                }
            )
        return {"earnCount": len(earns), "earns": earns}


def _iso_filter(raw: str | None) -> float | None:
    instant = parse_instant(raw, "date filter")
    return epoch(instant) if instant else None


def _compare(value: float, bound: float | None, operator: str) -> bool:
    if bound is None:
        return True
    return value < bound if operator == "LESS_THAN" else value > bound
