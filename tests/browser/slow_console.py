"""`python -m tests.browser.slow_console run app.py ...`: the console as it behaves on a remote cluster.

Streamlit runs in this process with every HTTP request made through httpx's default transport
(the console's API calls to its sandbox) delayed by `$BADGE_CONSOLE_TEST_LATENCY` seconds, so the
browser tests and `bench/bench_pages.py` see the pages at 150 ms per call instead of 1 ms.
"""

import os

from streamlit.web.cli import main

from tests.browser.conftest import LATENCY_ENV
from tests.latency import SlowNetwork

if __name__ == "__main__":
    SlowNetwork(float(os.environ[LATENCY_ENV])).install()
    main(prog_name="streamlit")
