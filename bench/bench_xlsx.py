"""Read a 100,000-row XLSX upload with calamine (our path) beside openpyxl read-only, same file, same run.

Target (2-vCPU CI machine): <= 2 s for 100k rows x 3 columns through `read_untrusted`, the path every upload
takes (a child process with memory and time limits running the structural pre-check, calamine, text cells
and row numbers, answering in Arrow IPC); the same read in this process is printed beside it, so the cost
of containment is visible. The file is written straight as SpreadsheetML (openpyxl would need ~8 s to write
it), with ids as text cells, dates as text and expiries as numbers, like a typical export.
Run: python bench/bench_xlsx.py [rows]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.bulk.contained import read_untrusted  # noqa: E402
from lib.bulk.reader import read_table  # noqa: E402
from tests.bulk.hostile_files import SHEET_CLOSE, SHEET_OPEN, inline_cell, xlsx  # noqa: E402


def make_xlsx(rows: int) -> bytes:
    rng = np.random.default_rng(11)
    ids = rng.integers(1, 10**9, rows)
    events = rng.integers(1_600_000_000, 1_700_000_000, rows)
    event_text = np.datetime_as_string(events.astype("datetime64[s]"), unit="D")

    lines = [
        SHEET_OPEN,
        '<row r="1">'
        + inline_cell("A1", "customerId")
        + inline_cell("B1", "earnEventDate")
        + inline_cell("C1", "earnExpiresOn")
        + "</row>",
    ]
    for i in range(rows):
        r = i + 2
        lines.append(
            f'<row r="{r}">{inline_cell(f"A{r}", str(ids[i]))}{inline_cell(f"B{r}", event_text[i])}'
            f'<c r="C{r}"><v>{events[i] + 31_536_000}</v></c></row>'
        )
    lines.append(SHEET_CLOSE)
    return xlsx("".join(lines))


def peer_openpyxl(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.active.iter_rows(values_only=True))
    workbook.close()
    return time.perf_counter() - started, count - 1


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.xlsx"
        path.write_bytes(make_xlsx(rows))
        data = path.read_bytes()
        started = time.perf_counter()
        table = read_untrusted(data, path.name)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        read_table(data, path.name)
        in_process = time.perf_counter() - started
        peer, peer_rows = peer_openpyxl(path)
    print(f"file: {rows:,} rows x 3 columns, {len(data) / 1e6:.1f} MB xlsx")
    print(
        f"ours   read_untrusted (contained child, pre-check,     {ours:6.2f} s   target <= 2 s   ({len(table.frame):,} rows)\n"
        f"       calamine, text cells)"
    )
    print(f"       the same read in this process (no containment)  {in_process:6.2f} s")
    print(f"peer   openpyxl read-only, values only                 {peer:6.2f} s   ({peer_rows:,} rows)")
    print(f"ratio  openpyxl / ours                                 {peer / ours:6.1f} x")


if __name__ == "__main__":
    main()
