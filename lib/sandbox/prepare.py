"""A new sandbox database with the demo data, made in a child process while the console starts.

Seeding the demo org (12 badges, 20,000 customers, a year of enrolments and earns) costs about 0.9
CPU-seconds, imports included, and the console's first page about as long to import its libraries.
Done one after the other, a first visit waits for both; `prepare_in_background(path)` starts
`python -m lib.sandbox.prepare <path>` when the database does not exist yet, so the two run side by
side. The indexes of the tables the child fills (another 0.6 CPU-seconds) are left out: the console
builds them in the background once it opens the file (`lib.sandbox.store_indexes`). The child writes
`<name>.seeding-<pid>` beside it and renames it into place only once complete, so a crash never
leaves a half-seeded database behind.

`wait_prepared(path)` is what the embedded sandbox calls before it opens the file: it waits for that
child, if one runs. When none ran, or it failed, the file is simply missing and the sandbox seeds it
itself, as it always did. This module imports nothing heavy: `app.py` calls it before the console's
own imports.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from pathlib import Path

DATA_DIR_ENV = "BADGE_CONSOLE_DATA_DIR"
DB_NAME = "sandbox.db"
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 180.0

_children: dict[str, subprocess.Popen] = {}
_lock = threading.Lock()


def default_data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".local" / "share" / "badge-console"


def default_db_path() -> Path:
    return default_data_dir() / DB_NAME


def prepare_in_background(path: Path | None = None) -> bool:
    """Start seeding a new sandbox database at `path` (default: the console's) in a child process.

    Does nothing when the file exists or a child already prepares it; True when one was started.
    """
    target = Path(path) if path is not None else default_db_path()
    with _lock:
        if str(target) in _children or target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        _children[str(target)] = subprocess.Popen(
            [sys.executable, "-m", "lib.sandbox.prepare", str(target)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        return True


def preparing(path: Path | None = None) -> bool:
    """True while a child of this process is still making the database at `path` (default: the console's)."""
    target = Path(path) if path is not None else default_db_path()
    with _lock:
        child = _children.get(str(target))
    return child is not None and child.poll() is None


def wait_prepared(path: Path, timeout: float = WAIT_SECONDS) -> bool:
    """Wait for the child preparing `path`, if any; True when the database file is there."""
    with _lock:
        child = _children.pop(str(path), None)
    if child is not None:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return Path(path).exists()


def prepare(target: Path) -> dict:
    """Seed a new database at `target` through a temporary file; what was created."""
    from lib.sandbox.service import SandboxService  # the heavy part, in the child only

    temp = target.with_name(f"{target.name}.seeding-{os.getpid()}")
    service = SandboxService(temp)
    service.repo.fill_quickly()  # a new file nobody reads yet, thrown away if anything fails
    try:
        created = service.seed()
    except BaseException:
        service.close()
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    service.close()  # the last connection: SQLite folds its WAL into the file and removes it
    if target.exists():  # another process was quicker: keep its database
        temp.unlink()
    else:
        os.replace(temp, target)
    return created


if __name__ == "__main__":
    gc.disable()  # a short-lived child building ~150k rows: collections would only rescan them
    prepare(Path(sys.argv[1]))
