"""`python -m lib.promote export|plan|apply ...` (see `lib.promote.cli`)."""

import sys

from lib.promote.cli import main

sys.exit(main())
