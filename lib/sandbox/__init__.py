"""A local stand-in for Capillary's Badges API: routes (`routes.py`, `control.py`) -> backends on the
validated request (`badges.py`, `enrolments.py`, `awards.py`, `customer_views.py`, `catalog.py`) ->
a repository (`repository/`, one SQLite implementation); demo data, and a control plane for tests
(`/_sandbox/...`). What it models and leaves out: `FIDELITY.md`.

Start one with `lib.sandbox.server.start_sandbox(...)` (tests, scripts), `embedded_sandbox()` (the
console) or `python -m lib.sandbox` (standalone); `handle.client("demo")` (or `demo_client(url)` for
one running elsewhere) is a `BadgesClient` of a demo org wired to it.
"""
