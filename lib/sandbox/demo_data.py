"""Demo data for the `demo` org (filled in below)."""

from __future__ import annotations


def seed_demo_org(service) -> dict:
    return {}
