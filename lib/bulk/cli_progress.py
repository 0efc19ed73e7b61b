"""The CLI's progress line, drawn in place at a terminal and written as whole lines everywhere else.

At a terminal the line is redrawn with a carriage return a few times a second. A scheduler's log, a CI
console or a file has no cursor to move: there every carriage-return update would pile up on one
endless line. Without a terminal a line is written only every `log_every` seconds (and at the end),
each ending with a newline, so an hour's job leaves a few hundred readable lines.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

LOG_EVERY_SECONDS = 10.0


class ProgressStream:
    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        log_every: float = LOG_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._stream = stream if stream is not None else sys.stderr
        self._quiet = quiet
        self._log_every = log_every
        self._clock = clock
        self._terminal = _is_terminal(self._stream)
        self._last_logged: float | None = None
        self._open = False  # a terminal line drawn without its newline yet
        self._unlogged: str | None = None  # the latest state a log has not seen yet

    def update(self, text: str) -> None:
        """The latest state: redrawn at a terminal, logged now and then elsewhere."""
        if self._quiet:
            return
        if self._terminal:
            self._stream.write("\r" + text + " ")
            self._open = True
        else:
            now = self._clock()
            if self._last_logged is not None and now - self._last_logged < self._log_every:
                self._unlogged = text
                return
            self._last_logged, self._unlogged = now, None
            self._stream.write(text + "\n")
        self._stream.flush()

    def finish(self, text: str | None = None) -> None:
        """The last state (`text`, else the latest update a log has not seen), always written, and the
        line closed so what follows starts on its own."""
        if self._quiet:
            return
        text = text if text is not None else self._unlogged
        if text is not None:
            self._stream.write(("\r" + text + " " if self._terminal else text) + "\n")
        elif self._open:
            self._stream.write("\n")
        self._open = False
        self._last_logged = self._unlogged = None
        self._stream.flush()

    def interrupt(self, message: str) -> None:
        """A message that must appear now, on its own line, whatever was drawn before it."""
        if self._open:
            self._stream.write("\n")
            self._open = False
        self._stream.write(message + "\n")
        self._stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False
