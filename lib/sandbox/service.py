"""One sandbox instance: its repository, clock, credentials, fault rules, network profile, request
counts and backends."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from lib.sandbox.auth import Authenticator, Credential, md5_hex
from lib.sandbox.awards import AwardBackend
from lib.sandbox.badges import BadgeBackend
from lib.sandbox.catalog import CatalogBackend
from lib.sandbox.clock import SandboxClock
from lib.sandbox.context import Context
from lib.sandbox.customer_views import CustomerViewBackend
from lib.sandbox.demo_orgs import DEMO_ORGS
from lib.sandbox.enrolments import EnrolmentBackend
from lib.sandbox.faults import FaultInjector
from lib.sandbox.network import OFF, NetworkSimulator
from lib.sandbox.repository import SqliteRepository
from lib.sandbox.repository.records import CustomerRow

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024


class RequestStats:
    """Requests seen per path and per `METHOD path`, so tests can tell what reached the server.

    Distinct keys are capped (`MAX_KEYS`; later ones count under `OTHER`): every path a caller makes up
    is a new key, and a long-running sandbox must not grow without bound under a fuzzer.
    """

    MAX_KEYS = 10_000
    OTHER = "(other paths)"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_path: Counter[str] = Counter()
        self.by_endpoint: Counter[str] = Counter()

    def count(self, method: str, path: str) -> None:
        with self._lock:
            self._add(self.by_path, path)
            self._add(self.by_endpoint, f"{method} {path}")

    def _add(self, counter: Counter[str], key: str) -> None:
        if key not in counter and len(counter) >= self.MAX_KEYS:
            key = self.OTHER
        counter[key] += 1

    def clear(self) -> None:
        with self._lock:
            self.by_path.clear()
            self.by_endpoint.clear()

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": sum(self.by_path.values()),
                "by_path": dict(self.by_path),
                "by_endpoint": dict(self.by_endpoint),
            }


class SandboxService:
    def __init__(self, db_path: str | Path, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.db_path = str(db_path)
        self.max_body_bytes = max_body_bytes
        self.repo = SqliteRepository(db_path)
        self.store = self.repo.store  # the SQLite file under the repository, for tests that read it
        self.clock = SandboxClock()
        self.auth = Authenticator()
        self.faults = FaultInjector()
        self.network = NetworkSimulator()
        self.stats = RequestStats()
        ctx = Context(self.repo, self.clock)
        self.badges = BadgeBackend(ctx)
        self.enrolments = EnrolmentBackend(ctx)
        self.awards = AwardBackend(ctx)
        self.customers = CustomerViewBackend(ctx)
        self.catalog = CatalogBackend(ctx)
        self._ensure_demo_orgs()

    def _ensure_demo_orgs(self) -> None:
        """Create the demo orgs a file lacks; a file that has them is only read (no write at start)."""
        with self.repo.snapshot():
            logins = self.repo.orgs.logins()
        if {org_id for org_id, *_ in DEMO_ORGS} - {login.org_id for login in logins}:
            with self.repo.unit_of_work():
                self.repo.orgs.ensure(
                    (org_id, name, username, md5_hex(password))
                    for org_id, name, username, password in DEMO_ORGS
                )
                logins = self.repo.orgs.logins()
        self.auth.load([Credential(login.org_id, login.username, login.password_md5) for login in logins])

    def is_empty(self) -> bool:
        with self.repo.snapshot():
            return not self.repo.badges.any()

    def reset(self, *, empty: bool = True) -> None:
        """Forget every org's data, fault rules and counts; real time and no network profile again.

        With `empty=False` the demo data is generated again.
        """
        self.repo.forget_all()
        self.faults.clear()
        self.network.set(OFF)
        self.stats.clear()
        self.clock.set(None)
        if not empty:
            self.seed()

    def add_customers(self, username: str, customers: list[dict]) -> int:
        """Register customers (`customerId` plus any of email, mobile, externalId, cardNumber, firstName,
        lastName) so `X-CAP-CUSTOMER-IDENTIFIER` look-ups find them; the API itself has no such call."""
        with self.repo.unit_of_work():
            org_id = self.repo.orgs.org_of(username)
            if org_id is None:
                raise KeyError(f"no sandbox org with username {username!r}")
            self.repo.customers.put_many(
                [
                    CustomerRow(org_id, int(c["customerId"]), c.get("firstName"), c.get("lastName"),
                                c.get("email"), c.get("mobile"), c.get("externalId"), c.get("cardNumber"))
                    for c in customers
                ]
            )  # fmt: skip
        return len(customers)

    def seed(self) -> dict:
        from lib.sandbox.demo_data import seed_demo_org

        return seed_demo_org(self)

    def close(self) -> None:
        self.repo.close()
