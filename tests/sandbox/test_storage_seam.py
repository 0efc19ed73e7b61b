"""The sandbox's storage seam: backends speak the repository's Protocols, only the SQLite
implementation (and the store under it) writes SQL, and that implementation has every method the
Protocols promise, with the same parameters."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from lib.sandbox.repository import protocols
from lib.sandbox.repository.sqlite import SqliteRepository

SANDBOX = Path(__file__).resolve().parents[2] / "lib" / "sandbox"
SQL = re.compile(r"\.execute(many|script)?\(|\b(SELECT|INSERT|UPDATE|DELETE)\s+\w", re.IGNORECASE)
AGGREGATES = {
    "orgs": protocols.Orgs,
    "badges": protocols.Badges,
    "issues": protocols.Issues,
    "earns": protocols.Earns,
    "customers": protocols.Customers,
    "request_ids": protocols.RequestIds,
    "groups": protocols.Groups,
    "custom_fields": protocols.CustomFields,
    "org_meta": protocols.OrgMeta,
}


def _code(path: Path) -> str:
    """The module without its docstrings and comments (prose may say "update" or "select")."""
    text = re.sub(r'"""[\s\S]*?"""', "", path.read_text())
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_no_sql_outside_the_repository():
    allowed = {SANDBOX / "store.py", SANDBOX / "store_indexes.py"}
    offenders = [
        str(path.relative_to(SANDBOX))
        for path in sorted(SANDBOX.glob("*.py"))
        if path not in allowed and SQL.search(_code(path))
    ]
    assert offenders == []


def _methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize("name", sorted(AGGREGATES))
def test_the_sqlite_repository_keeps_every_promise(name, tmp_path):
    repository = SqliteRepository(tmp_path / "seam.db")
    try:
        implementation = type(getattr(repository, name))
        promised = _methods(AGGREGATES[name])
        assert promised
        for method, signature in promised.items():
            assert hasattr(implementation, method), f"{implementation.__name__}.{method} is missing"
            actual = inspect.signature(getattr(implementation, method))
            assert list(actual.parameters) == list(signature.parameters), f"{name}.{method}"
    finally:
        repository.close()


def test_the_repository_itself_keeps_its_promise(tmp_path):
    repository = SqliteRepository(tmp_path / "seam.db")
    try:
        for method in _methods(protocols.Repository):
            assert callable(getattr(repository, method, None)), method
    finally:
        repository.close()
