"""The contained reader's child processes: started with a clean environment, and one started ahead of need.

A child spends about a third of a second starting Python and loading pandas, pyarrow and the parsers
before it can read a byte, longer on a busy machine. Its caps come first on its stdin, the file later,
so a child can be started before the file is known and load its parsers (already capped) meanwhile:
the command line starts one while it loads itself, and the console keeps one waiting for the next
upload. An unused child ends when its stdin closes, at the latest when this process ends.

Standard library only: the command line starts its child before it imports anything heavy.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from lib.bulk.read_child import READY

ROOT = Path(__file__).resolve().parents[2]
# The environment a child needs to start Python and nothing else: credentials stay with the parent.
_KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "VIRTUAL_ENV", "PYTHONHOME")
_SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

Caps = tuple[int, int]
"""(address-space bytes, CPU seconds) a child is started with."""
MEMORY_ENV = "BADGE_CONSOLE_READER_MEMORY_MB"
DEFAULT_MEMORY_BYTES = 3 * 1024 * 1024 * 1024  # fits a 1,000,000-row file with room to spare
DEFAULT_CPU_SECONDS = 120

_waiting: dict[Caps, subprocess.Popen] = {}
_lock = threading.Lock()


def memory_from_env() -> int:
    """The address space a child may use: `BADGE_CONSOLE_READER_MEMORY_MB` (256 or more), else 3 GB."""
    configured = os.environ.get(MEMORY_ENV, "").strip()
    if configured.isascii() and configured.isdigit() and int(configured) >= 256:
        return int(configured) * 1024 * 1024
    return DEFAULT_MEMORY_BYTES


def child_env(parent: Mapping[str, str]) -> dict[str, str]:
    """Only what starting Python needs: the console's credentials and tokens never reach a parser."""
    env = {name: parent[name] for name in _KEPT_ENV if name in parent}
    search_path = os.pathsep.join(filter(None, [str(ROOT), parent.get("PYTHONPATH", "")]))
    env.update(_SINGLE_THREADED, PYTHONPATH=search_path, PYTHONDONTWRITEBYTECODE="1")
    return env


def start_child(caps: Caps) -> subprocess.Popen:
    """A new child, told its caps at once so it caps itself and loads its parsers; raises OSError."""
    child = subprocess.Popen(
        [sys.executable, "-m", "lib.bulk.read_child"],
        cwd=ROOT,
        env=child_env(os.environ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a signal meant for the console never reaches the child, nor back
    )
    memory_bytes, cpu_seconds = caps
    try:
        child.stdin.write(
            json.dumps({"memory_bytes": memory_bytes, "cpu_seconds": cpu_seconds}).encode() + b"\n"
        )
        child.stdin.flush()
    except OSError:
        pass  # the child is already gone; the read that takes it reports why
    return child


def prepare(caps: Caps) -> None:
    """Have a child with these caps waiting for the next read (at most one waits per set of caps)."""
    with _lock:
        waiting = _waiting.get(caps)
        if waiting is not None and waiting.poll() is None:
            return
        try:
            _waiting[caps] = start_child(caps)
        except OSError:
            _waiting.pop(caps, None)  # the read itself will try again and say what is wrong
        if waiting is not None:
            _close(waiting)


def wait_ready(caps: Caps, timeout: float = 30.0) -> bool:
    """Wait until the waiting child with these caps has loaded its parsers (for measurements and
    tests: a read needs no wait, it sends its file when it likes); False if there is none or it died."""
    with _lock:
        waiting = _waiting.get(caps)
    if waiting is None:
        return False
    said: list[bytes] = []
    reading = threading.Thread(target=lambda: said.append(waiting.stdout.readline()), daemon=True)
    reading.start()
    reading.join(timeout)
    return bool(said) and said[0] == READY


def take(caps: Caps) -> subprocess.Popen:
    """The waiting child with these caps if it is still alive, else a new one; raises OSError."""
    with _lock:
        waiting = _waiting.pop(caps, None)
    if waiting is not None:
        if waiting.poll() is None:
            return waiting
        _close(waiting)
    return start_child(caps)


def _close(child: subprocess.Popen) -> None:
    """Let a child that ended (or was never used) go, leaving no zombie and no open pipe behind."""
    for pipe in (child.stdin, child.stdout, child.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
