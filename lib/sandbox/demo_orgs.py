"""The sandbox's demo orgs and a `BadgesClient` wired to one of them: the one way tests, benches and
scripts talk to a sandbox (in this process through `SandboxHandle.client`, or any running one by URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lib.api.auth import BasicAuth

if TYPE_CHECKING:  # the client (httpx) is imported only when one is asked for: the seeding child needs none
    from lib.api.client import BadgesClient

DEMO_ORGS = (
    # (org id, name, username, password): printed at start, documented in the README
    (50001, "demo", "demo", "demo"),
    (50002, "demo2", "demo2", "demo2"),
)


def demo_auth(org: str = "demo") -> BasicAuth:
    """The Basic credentials of demo org `org` ("demo" or "demo2")."""
    for _, name, username, password in DEMO_ORGS:
        if org in (name, username):
            return BasicAuth(username, password)
    raise KeyError(f"no demo org {org!r} (the sandbox has {', '.join(o[1] for o in DEMO_ORGS)})")


def demo_client(base_url: str, org: str = "demo", **options: Any) -> BadgesClient:
    """A `BadgesClient` of demo org `org` on the sandbox at `base_url`; `options` go to `BadgesClient`
    (timeout, max_retries, sleep, request_log...). Close it (or use it in a `with`) when done."""
    from lib.api.client import BadgesClient

    return BadgesClient(base_url, demo_auth(org), **options)
