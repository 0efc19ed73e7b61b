"""The request log as a table: one row per attempt, newest first."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lib.api.request_log import LogEntry

LOG_COLUMNS = ("time", "method", "path", "status", "latency_ms", "codes", "attempt", "problem")


def log_frame(entries: Sequence[LogEntry]) -> pd.DataFrame:
    """Rows for the log table; `status` is empty when no answer arrived (see `problem`)."""
    rows = [
        {
            "time": entry.timestamp,
            "method": entry.method,
            "path": entry.path + (f"?{_query(entry)}" if entry.query else ""),
            "status": entry.status,
            "latency_ms": round(entry.latency_ms, 1),
            "codes": ", ".join(str(code) for code in entry.error_codes),
            "attempt": entry.attempt,
            "problem": entry.failure or "",
        }
        for entry in entries
    ]
    return pd.DataFrame(rows, columns=list(LOG_COLUMNS)).astype({"status": "Int64"})


def _query(entry: LogEntry) -> str:
    return "&".join(f"{name}={value}" for name, value in entry.query)
