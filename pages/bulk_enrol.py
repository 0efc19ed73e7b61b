"""Enrol many customers into an enrol & issue badge from a file (issueBulk, in batches, resumable)."""

from lib.bulk.model import Operation
from lib.ui import page_setup
from lib.ui.bulk import bulk_page

conn = page_setup("Bulk enrol")
bulk_page(conn, Operation.ENROL)
