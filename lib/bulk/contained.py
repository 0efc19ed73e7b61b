"""Read untrusted uploads in a child process with memory and time limits.

Spreadsheet parsers are native code: a crafted 1.5 KB workbook can make one try to allocate 512 GB
and abort, which no `except` catches. In the console that would be the Streamlit server, every user's
session and every running job's worker; in the CLI, the job. So every file a person supplies is parsed
in a child process (`python -m lib.bulk.read_child`, one per file) whose address space, CPU time and
output files are capped with `setrlimit` before it imports any parser. Whatever the child does, the
caller gets a table or one sentence that says what is wrong with the file and what to do. Children
are started by `lib.bulk.reader_process`, which can start the next one before the file arrives.

The child answers on stdout: one JSON line (the outcome and the table's metadata), then the frame
as an Arrow IPC stream. Nothing it sends is unpickled or evaluated.
"""

from __future__ import annotations

import io
import json
import logging
import signal
import subprocess
import threading
from dataclasses import asdict, dataclass

import pyarrow as pa
import pyarrow.ipc

from lib.bulk import reader_process
from lib.bulk.limits import UNREADABLE, FileReadError, ReadLimits
from lib.bulk.read_child import OUT_OF_MEMORY, READY
from lib.bulk.reader import check_size
from lib.bulk.table import SheetTable

log = logging.getLogger(__name__)

_MAX_HEADER_BYTES = 64 * 1024
_MAX_STDERR_BYTES = 16 * 1024


@dataclass(frozen=True)
class Containment:
    """Limits for one child read. Defaults fit a 1,000,000-row file with room to spare."""

    memory_bytes: int = reader_process.DEFAULT_MEMORY_BYTES
    cpu_seconds: int = reader_process.DEFAULT_CPU_SECONDS
    wall_seconds: float = 180.0
    # Reads at once per process: each child may use `memory_bytes`, so a crowd of uploads cannot
    # exhaust the machine either.
    concurrent: int = 2

    @classmethod
    def from_env(cls) -> Containment:
        return cls(memory_bytes=reader_process.memory_from_env())

    @property
    def caps(self) -> reader_process.Caps:
        """What the child caps itself to (the wall time is the parent's to enforce)."""
        return (self.memory_bytes, self.cpu_seconds)


_ready = threading.Event()  # keep a child waiting for the next read (the console)
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _slot(containment: Containment) -> threading.BoundedSemaphore:
    with _slots_lock:
        return _slots.setdefault(containment.concurrent, threading.BoundedSemaphore(containment.concurrent))


def keep_reader_ready(containment: Containment | None = None) -> None:
    """Keep a child started and waiting, so an upload is read without waiting for Python and the
    parsers to load (the console: one idle process). After each read the next child is started."""
    _ready.set()
    reader_process.prepare((containment or Containment.from_env()).caps)


def read_untrusted(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
    containment: Containment | None = None,
) -> SheetTable:
    """`lib.bulk.reader.read_table`, run in a contained child; raises FileReadError for any failure."""
    limits = limits or ReadLimits()
    containment = containment or Containment.from_env()
    check_size(data, limits)  # cheap, and spares a child for the obvious cases
    request = {"filename": filename, "sheet": sheet, "limits": asdict(limits)}
    with _slot(containment):
        returncode, out, err = _run_child(json.dumps(request).encode() + b"\n" + data, containment)
    if _ready.is_set():
        reader_process.prepare(containment.caps)
    return _answer(returncode, out, err, containment)


def _run_child(payload: bytes, containment: Containment) -> tuple[int | None, bytes, bytes]:
    try:
        child = reader_process.take(containment.caps)
    except OSError as exc:
        log.error("could not start the file reader: %s", exc)
        raise FileReadError(
            "The console could not start its file reader (the machine may be out of processes or memory); "
            "try again in a minute."
        ) from exc
    out, err, expired = _exchange(child, payload, containment.wall_seconds)
    if expired:
        raise FileReadError(
            f"Reading the file took longer than {containment.wall_seconds:.0f} seconds and was stopped; "
            "split it into smaller files or export it as CSV, and upload again."
        )
    return child.returncode, out, err


def _exchange(child: subprocess.Popen, payload: bytes, wall_seconds: float) -> tuple[bytes, bytes, bool]:
    """Feed the request and collect the answer with large writes and reads (`communicate` writes in
    512-byte pieces: seconds for a 40 MB file); a timer kills the child when its time is up."""
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        child.kill()

    def feed() -> None:
        try:
            child.stdin.write(payload)
            child.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the child ended early; its status tells why

    errors = bytearray()

    def drain() -> None:
        while chunk := child.stderr.read(65536):
            errors.extend(chunk)
            del errors[:-_MAX_STDERR_BYTES]

    timer = threading.Timer(wall_seconds, expire)
    helpers = [threading.Thread(target=feed, daemon=True), threading.Thread(target=drain, daemon=True)]
    timer.start()
    for helper in helpers:
        helper.start()
    try:
        out = child.stdout.read().removeprefix(READY)  # unless `reader_process.wait_ready` read it
        child.wait()
    finally:
        timer.cancel()
        for helper in helpers:
            helper.join(timeout=5)
        child.stdout.close()
        child.stderr.close()
    return out, bytes(errors), expired.is_set()


def _answer(returncode: int | None, out: bytes, err: bytes, containment: Containment) -> SheetTable:
    header, _, body = out.partition(b"\n")
    outcome = _header(header)
    if outcome is not None and outcome.get("ok") is False:
        raise FileReadError(str(outcome.get("message", ""))[:1000] or UNREADABLE)
    if outcome is not None and outcome.get("ok") is True and returncode == 0:
        try:
            return _table(outcome, body)
        except (pa.ArrowException, ValueError, KeyError, TypeError) as exc:
            log.error("the file reader's answer could not be decoded: %s", exc)
            raise FileReadError(UNREADABLE) from exc
    log.warning(
        "the file reader stopped with status %s: %s", returncode, err[-2000:].decode("utf-8", "replace")
    )
    raise FileReadError(_death_message(returncode, containment))


def _header(line: bytes) -> dict | None:
    if not line or len(line) > _MAX_HEADER_BYTES:
        return None
    try:
        outcome = json.loads(line)
    except ValueError:
        return None
    return outcome if isinstance(outcome, dict) else None


def _table(outcome: dict, body: bytes) -> SheetTable:
    with pa.ipc.open_stream(io.BytesIO(body)) as stream:
        frame = stream.read_all().to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    sheets = outcome.get("sheets") or []
    return SheetTable(
        frame,
        str(outcome["file_kind"]),
        sheet=outcome.get("sheet"),
        sheets=tuple(str(s) for s in sheets),
        encoding=outcome.get("encoding"),
        separator=outcome.get("separator"),
        blank_rows=int(outcome.get("blank_rows") or 0),
        blank_row_numbers=tuple(int(r) for r in outcome.get("blank_row_numbers") or ()),
    )


def _death_message(returncode: int | None, containment: Containment) -> str:
    """What the child's end says about the file, in the uploader's terms."""
    killed_by = -returncode if returncode is not None and returncode < 0 else None
    if killed_by == signal.SIGXCPU:
        return (
            f"Reading the file used more than {containment.cpu_seconds} seconds of processing and was stopped; "
            "split it into smaller files or export it as CSV, and upload again."
        )
    if returncode == OUT_OF_MEMORY or killed_by in (signal.SIGABRT, signal.SIGKILL):
        return (
            f"Reading the file needed more than the {containment.memory_bytes / 1024**3:.0f} GB of memory an "
            "upload may use: it describes a far larger sheet than the data it holds (often a stray cell far "
            "from the table). Copy the table to a new workbook or export it as CSV, and upload again."
        )
    return UNREADABLE
