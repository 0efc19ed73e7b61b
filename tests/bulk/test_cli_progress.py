"""The CLI's progress: redrawn in place at a terminal, whole lines now and then in a log."""

from __future__ import annotations

import io

from lib.bulk.cli_progress import ProgressStream


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_redraws_one_line_and_closes_it_at_the_end():
    out = Terminal()
    progress = ProgressStream(out)
    progress.update("1 of 3")
    progress.update("2 of 3")
    progress.finish("3 of 3")
    assert out.getvalue() == "\r1 of 3 \r2 of 3 \r3 of 3 \n"


def test_a_log_gets_whole_lines_at_most_every_interval_and_the_last_state_at_the_end():
    out, clock = io.StringIO(), Clock()
    progress = ProgressStream(out, log_every=10, clock=clock)
    for second in range(25):
        clock.now = float(second)
        progress.update(f"at {second}")
    progress.finish()
    assert out.getvalue() == "at 0\nat 10\nat 20\nat 24\n"
    assert "\r" not in out.getvalue()


def test_a_log_does_not_repeat_a_state_it_already_wrote():
    out, clock = io.StringIO(), Clock()
    progress = ProgressStream(out, log_every=10, clock=clock)
    progress.update("looked up 5 of 5")
    progress.finish()
    assert out.getvalue() == "looked up 5 of 5\n"


def test_an_interruption_starts_on_its_own_line():
    out = Terminal()
    progress = ProgressStream(out)
    progress.update("40%")
    progress.interrupt("interrupted: pausing")
    assert out.getvalue() == "\r40% \ninterrupted: pausing\n"


def test_quiet_writes_nothing():
    out = Terminal()
    progress = ProgressStream(out, quiet=True)
    progress.update("1 of 3")
    progress.finish("3 of 3")
    assert out.getvalue() == ""
