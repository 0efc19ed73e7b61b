"""Blank files to fill in, one per operation, with the headers the column mapping recognises at once.

The XLSX template formats the customer id column as Text, so ids typed into it keep leading zeros and
are never turned into scientific notation; its second sheet explains each column.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lib.bulk.mapping import fields_for
from lib.bulk.model import Operation

TEMPLATE_NAMES = {Operation.ENROL: "enrol-customers", Operation.IMPORT: "import-earned-badges"}


def template_headers(operation: Operation) -> list[str]:
    return [spec.api_name for spec in fields_for(operation)]


def template_csv(operation: Operation) -> bytes:
    return (",".join(template_headers(operation)) + "\n").encode("utf-8")


def template_xlsx(operation: Operation) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Customers"
    specs = fields_for(operation)
    for position, spec in enumerate(specs, start=1):
        cell = sheet.cell(row=1, column=position, value=spec.api_name)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 24
        if position == 1:
            for row in range(2, 1002):  # Text format on the first thousand id cells
                sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet("How to fill")
    help_sheet.append(["Column", "Required", "What to put in it"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for spec in specs:
        help_sheet.append([spec.api_name, "yes" if spec.required else "no", spec.help])
    help_sheet.append([])
    help_sheet.append(
        ["Dates", "", "2025-01-31, 2025-01-31T14:30:00+05:30 or epoch seconds; no offset means UTC"]
    )
    help_sheet.append(["Duplicates", "", "A customer listed twice is sent once; the later rows are skipped"])
    help_sheet.append(["customerId", "", "Instead of the customer id, the column may hold mobile numbers (with the "
                       "country code), emails, external ids or card numbers: name it mobile, email, externalId or "
                       "cardNumber. Each is looked up to its customer; unknown ones fail with 1026"])  # fmt: skip
    help_sheet.append(["badgeMetaId", "no", "To send rows to several badges from one file, add this column with "
                       "each row's badgeMetaId or exact badge name (case-sensitive) instead of choosing one badge"])  # fmt: skip
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["C"].width = 90

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_filename(operation: Operation, extension: str) -> str:
    return f"{TEMPLATE_NAMES[operation]}-template.{extension}"
