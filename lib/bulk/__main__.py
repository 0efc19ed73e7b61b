"""``python -m lib.bulk enrol|import FILE ...``: see ``lib.bulk.cli``."""

from lib.bulk.cli import main

raise SystemExit(main())
