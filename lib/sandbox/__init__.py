"""A local stand-in for Capillary's Badges API: routes -> backend -> SQLite store, demo data, and a
control plane for tests (`/_sandbox/...`). What it models and leaves out: `FIDELITY.md`.

Start one with `lib.sandbox.server.start_sandbox(...)` (tests, scripts), `embedded_sandbox()` (the
console) or `python -m lib.sandbox` (standalone).
"""
