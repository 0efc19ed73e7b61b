"""Badge Console: the router and frame.

`streamlit run app.py` opens the console against the embedded sandbox with demo data. Streamlit runs
this file as the script of every session: it sets the page config and routes to the page the URL
names (the pages are listed in `lib.ui.navigation`); each page begins with `lib.ui.page_setup`, which
draws the sidebar connection panel, so a page run on its own (AppTest, a direct URL) looks and works
the same.

The server imports it once too, as a module, to serve it as an `st.App`. That import starts making
the demo data of a new install (a child process, on the core the server's own start leaves idle),
and the app's lifespan imports the console's modules as the server starts, so the first visit does
not wait for either from the beginning. Its middleware lets browsers keep the chart library
(`lib.plotly_bundle.CachedBundle`).
"""

import threading
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from lib.plotly_bundle import CachedBundle
from lib.sandbox.prepare import prepare_in_background


def _import_console() -> None:
    import lib.ui.navigation  # noqa: F401  (pandas, plotly, the API models: a first visit finds them loaded)


@asynccontextmanager
async def _console_started(_app):
    threading.Thread(target=_import_console, name="console-imports", daemon=True).start()
    yield


if __name__ == "__main__":  # a session's run of the script
    prepare_in_background()  # a first start: the demo data is made on another core while the console imports
    from lib.ui.navigation import run_console

    st.set_page_config(page_title="Badge Console", page_icon=":material/military_tech:", layout="wide")
    run_console()
else:  # `streamlit run app.py` serving the console
    prepare_in_background()
    app = st.App(__file__, lifespan=_console_started, middleware=[Middleware(CachedBundle)])
