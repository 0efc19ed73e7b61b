"""Field groups that several answers repeat: change stamps, date spans and a customer's latest earn.

Each timestamp comes as epoch seconds plus, in newer answers, its ``...ISO`` twin. Only answers use
these groups: request bodies list their fields in the documented order, which is the order we send.
"""

from __future__ import annotations

from lib.api.models.wire import IsoTimestamp, Timestamp, WireModel


class ChangeStamps(WireModel):
    """When the object was created and last changed."""

    created_on: Timestamp | None = None
    created_on_iso: IsoTimestamp | None = None
    last_updated_on: Timestamp | None = None
    last_updated_on_iso: IsoTimestamp | None = None


class Audited(ChangeStamps):
    """Change stamps plus who made the changes (Capillary user ids)."""

    created_by: int | None = None
    last_updated_by: int | None = None


class DateSpan(WireModel):
    """``startDate``/``endDate`` of a fixed-window config, a cycle or a cycle listing."""

    start_date: Timestamp | None = None
    end_date: Timestamp | None = None
    start_date_iso: IsoTimestamp | None = None
    end_date_iso: IsoTimestamp | None = None


class LastEarned(WireModel):
    """A customer's latest earn of the badge: when it was processed, and when the activity happened."""

    last_earned_on_date: Timestamp | None = None
    last_earned_on_date_iso: IsoTimestamp | None = None
    last_earn_event_date: Timestamp | None = None
    last_earn_event_date_iso: IsoTimestamp | None = None
