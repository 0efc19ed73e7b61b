"""The contained reader's child process: `python -m lib.bulk.read_child` (started by `lib.bulk.contained`).

Reads its caps from stdin (a JSON line) and caps its own address space, CPU time and file writes, then
loads the parsers, so it can be started before the file is known (`lib.bulk.reader_process`). Then it
says so on stdout (`READY`), reads the request (a JSON line, then the file's bytes), reads the file
and answers on stdout: a JSON line, then, on success, the frame as an Arrow IPC stream. It leaves with `os._exit`, so native libraries'
threads are not torn down by the interpreter's shutdown (which can itself abort after a parse error).
"""

from __future__ import annotations

import json
import os
import sys

OUT_OF_MEMORY = 3
BROKEN_REQUEST = 4
READY = b"ready\n"
"""Written once the parsers are loaded, before the request is read; the answer follows it."""


def _limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: the parent's timeout still applies
        return
    caps = (
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_FSIZE, 0),  # a reader writes no files
        (resource.RLIMIT_CORE, 0),  # an abort leaves no core dump of the upload behind
    )
    for which, value in caps:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value if which != resource.RLIMIT_CPU else value + 5))


def _send(stdout, outcome: dict, body: bytes = b"") -> None:
    stdout.write(json.dumps(outcome).encode() + b"\n")
    stdout.write(body)
    stdout.flush()


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    caps = json.loads(stdin.readline())
    _limit_self(int(caps["memory_bytes"]), int(caps["cpu_seconds"]))

    import pyarrow as pa
    import pyarrow.ipc

    from lib.bulk.limits import UNREADABLE, FileReadError, ReadLimits
    from lib.bulk.reader import read_table

    stdout.write(READY)
    stdout.flush()
    request = json.loads(stdin.readline())  # a child started ahead waits here for its file
    data = stdin.read()

    try:
        table = read_table(
            data, request["filename"], sheet=request.get("sheet"), limits=ReadLimits(**request["limits"])
        )
        arrow = pa.Table.from_pandas(table.frame, preserve_index=True)
        outcome = {
            "ok": True,
            "file_kind": table.file_kind,
            "sheet": table.sheet,
            "sheets": list(table.sheets),
            "encoding": table.encoding,
            "separator": table.separator,
            "blank_rows": table.blank_rows,
            "blank_row_numbers": list(table.blank_row_numbers),
        }
        _send(stdout, outcome)
        with pa.ipc.new_stream(stdout, arrow.schema) as writer:  # straight into the pipe, no copy
            writer.write_table(arrow)
        stdout.flush()
    except FileReadError as exc:
        _send(stdout, {"ok": False, "message": str(exc)})
    except MemoryError:
        os._exit(OUT_OF_MEMORY)  # the parent words it: the file needs more memory than an upload may use
    except Exception as exc:  # noqa: BLE001 - the containment boundary: any failure is "the file cannot be read"
        print(f"read_child: {type(exc).__name__}: {exc}"[:2000], file=sys.stderr)
        _send(stdout, {"ok": False, "message": UNREADABLE})


if __name__ == "__main__":
    status = 0
    try:
        main()
    except BaseException:  # noqa: BLE001 - a broken request: the parent reads the status, never a traceback
        status = BROKEN_REQUEST
    finally:
        sys.stdout.flush()
        os._exit(status)
