"""``python -m lib.bulk enrol|import FILE ...``: see ``lib.bulk.cli``."""

import sys

from lib.bulk import reader_process

if sys.argv[1:2] in (["enrol"], ["import"]):
    # The file is read first, in a child process: start it now, so Python and the parsers load in it
    # while this process loads the rest of the command line.
    reader_process.prepare((reader_process.memory_from_env(), reader_process.DEFAULT_CPU_SECONDS))

from lib.bulk.cli import main  # noqa: E402

raise SystemExit(main())
