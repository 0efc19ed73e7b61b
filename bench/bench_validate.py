"""Validate a 1,000,000-row import file: parse + every rule, beside per-row peers measured in the same run.

Targets (2-vCPU CI machine): parse <= 1.5 s, full validation <= 5 s, peak RSS <= 1.5 GB.
Peers: the csv module reading the same file row by row, and per-row pydantic validation of a 100k-row
sample (extrapolated to 1M), the usual way such checks are written.
Run: python bench/bench_validate.py [rows]
"""

from __future__ import annotations

import csv
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, ValidationError, field_validator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.bulk.contained import read_untrusted  # noqa: E402
from lib.bulk.mapping import suggest_mapping  # noqa: E402
from lib.bulk.model import Operation  # noqa: E402
from lib.bulk.reader import ReadLimits, read_table  # noqa: E402
from lib.bulk.validate import validate  # noqa: E402

PEER_SAMPLE = 100_000


def make_file(path: Path, rows: int) -> None:
    rng = np.random.default_rng(7)
    ids = rng.integers(1, 10**9, rows).astype(str).astype(object)
    events = rng.integers(1_600_000_000, 1_700_000_000, rows)
    expiry = (events + 86_400 * 365).astype(str).astype(object)
    event_text = pd.to_datetime(events, unit="s").strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy(dtype=object)
    bad = rng.choice(rows, rows // 100, replace=False)  # 1% broken rows of several kinds
    ids[bad[0::4]] = "12a"
    event_text[bad[1::4]] = "31/12/2024"
    expiry[bad[2::4]] = "1600000000"
    ids[bad[3::4]] = "=1+1"
    frame = pd.DataFrame({"customerId": ids, "earnEventDate": event_text, "earnExpiresOn": expiry})
    frame.to_csv(path, index=False)


class Row(BaseModel):
    customer_id: int = Field(gt=0)
    earn_event_date: datetime
    earn_expires_on: int

    @field_validator("customer_id", mode="before")
    @classmethod
    def digits_only(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("not a customer id")
        return value


def peer_csv_loop(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    return time.perf_counter() - started, rows


def peer_pydantic(path: Path) -> tuple[float, int]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        sample = [row for _, row in zip(range(PEER_SAMPLE), reader, strict=False)]
    started = time.perf_counter()
    errors = 0
    for row in sample:
        try:
            Row(
                customer_id=row["customerId"],
                earn_event_date=row["earnEventDate"],
                earn_expires_on=row["earnExpiresOn"],
            )
        except ValidationError:
            errors += 1
    return time.perf_counter() - started, errors


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "earned.csv"
        make_file(path, rows)
        data = path.read_bytes()
        limits = ReadLimits(max_bytes=200 * 1024 * 1024, max_rows=rows)

        started = time.perf_counter()
        table = read_table(data, path.name, limits=limits)
        parsed = time.perf_counter()
        mapping = suggest_mapping(Operation.IMPORT, table.headers, table.frame)
        result = validate(table.frame, mapping)
        validated = time.perf_counter()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        contained_started = time.perf_counter()
        read_untrusted(data, path.name, limits=limits)
        contained_s = time.perf_counter() - contained_started
        csv_seconds, csv_rows = peer_csv_loop(path)
        pydantic_seconds, _ = peer_pydantic(path)

    parse_s, validate_s = parsed - started, validated - parsed
    print(f"file: {rows:,} rows, {len(data) / 1e6:.1f} MB, 1% broken rows")
    print(f"ours   parse (read_table, Arrow CSV, text cells)   {parse_s:6.2f} s   target <= 1.5 s")
    print(f"ours   parse in the contained child (uploads' path) {contained_s:6.2f} s")
    print(f"ours   validate (every rule, messages)              {validate_s:6.2f} s")
    print(
        f"ours   parse + validate                             {parse_s + validate_s:6.2f} s   target <= 5 s"
    )
    print(
        f"ours   result: {result.valid_count:,} valid, {result.error_count:,} rows with errors, "
        f"{len(result.issues):,} issue lines; peak RSS {peak_mb:,.0f} MB (target <= 1,500 MB)"
    )
    print(f"peer   csv.DictReader loop, no checks               {csv_seconds:6.2f} s   ({csv_rows:,} rows)")
    print(
        f"peer   pydantic per row, {PEER_SAMPLE:,} sample            {pydantic_seconds:6.2f} s   "
        f"-> {pydantic_seconds * rows / PEER_SAMPLE:6.2f} s extrapolated to {rows:,} (plus the csv loop)"
    )


if __name__ == "__main__":
    main()
