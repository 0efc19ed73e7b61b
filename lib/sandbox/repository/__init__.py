"""The sandbox's storage seam: backends call `Repository` (one Protocol per aggregate), never SQL.

`protocols.py` says what can be stored and asked, `records.py` the typed rows, and the `sqlite*.py`
modules are the one implementation (over `lib.sandbox.store`, the schema and connections).
"""

from lib.sandbox.repository.protocols import Repository
from lib.sandbox.repository.records import BadgeView
from lib.sandbox.repository.sqlite import SqliteRepository

__all__ = ["BadgeView", "Repository", "SqliteRepository"]
