"""Short ways to write UTC instants and cycles in test tables."""

from datetime import UTC, datetime


def utc(text: str) -> datetime:
    """'2024-04-15' or '2024-04-15T10:33:20' as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def api_days(cycles) -> list[tuple[str, str]]:
    """Cycles in the API's inclusive form: (startDate day, endDate day)."""
    return [(c.start.date().isoformat(), c.last_day.date().isoformat()) for c in cycles]
