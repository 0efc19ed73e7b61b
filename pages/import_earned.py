"""Import badges customers earned elsewhere (import/customerBadges, in batches, never sent twice)."""

from lib.bulk.model import Operation
from lib.ui import page_setup
from lib.ui.bulk import bulk_page

conn = page_setup("Import earned badges")
bulk_page(conn, Operation.IMPORT)
