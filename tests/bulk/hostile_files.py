"""Builders of spreadsheet files from raw XML, for the reader's containment tests and the XLSX bench.

Everything is built in memory from raw XML, so a test can write what no spreadsheet program would:
cells at the far corner of the sheet, zip headers that lie, DTDs, repeat counts of a million.
"""

from __future__ import annotations

import io
import struct
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"


def inline_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: dict[int, list[str]], *, prefix: str = "", dimension: str | None = None) -> str:
    """rows: row number -> cells (already XML); `prefix` goes before <worksheet> (a DTD, say)."""
    head = SHEET_OPEN
    if prefix:
        head = head.replace("<worksheet", prefix + "<worksheet", 1)
    if dimension:
        head = head.replace("<sheetData>", f'<dimension ref="{dimension}"/><sheetData>', 1)
    body = "".join(f'<row r="{r}">{"".join(cells)}</row>' for r, cells in sorted(rows.items()))
    return head + body + SHEET_CLOSE


def xlsx(sheet: str | bytes, *, shared_strings: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def far_corner_xlsx(corner: str = "XFD1048576") -> bytes:
    """The 1.5 KB workbook that made the reader try to allocate 512 GB."""
    row = int("".join(c for c in corner if c.isdigit()))
    return xlsx(sheet_xml({1: [inline_cell("A1", "customerId")], row: [inline_cell(corner, "x")]}))


def understating_xlsx(declared: int = 100) -> bytes:
    """A workbook whose sheet part's headers (local and central) declare fewer bytes than it holds."""
    rows = {1: [inline_cell("A1", "customerId")]} | {r: [inline_cell(f"A{r}", str(r))] for r in range(2, 200)}
    data = bytearray(xlsx(sheet_xml(rows)))
    name = b"xl/worksheets/sheet1.xml"
    local = _header_of(data, b"PK\x03\x04", name, name_at=30, name_len_at=26)
    central = _header_of(data, b"PK\x01\x02", name, name_at=46, name_len_at=28)
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def _header_of(data: bytearray, signature: bytes, name: bytes, *, name_at: int, name_len_at: int) -> int:
    start = 0
    while (at := data.find(signature, start)) >= 0:
        (length,) = struct.unpack_from("<H", data, at + name_len_at)
        if data[at + name_at : at + name_at + length] == name:
            return at
        start = at + 4
    raise AssertionError(f"no {signature!r} header for {name!r}")


def entity_xlsx() -> bytes:
    """Billion laughs, shortened: entities that expand into each other."""
    dtd = (
        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    rows = {1: [inline_cell("A1", "customerId")], 2: [inline_cell("A2", "&c;")]}
    return xlsx(sheet_xml(rows, prefix=dtd))


def lying_dimension_xlsx() -> bytes:
    rows = {1: [inline_cell("A1", "customerId")], 2: [inline_cell("A2", "5")]}
    return xlsx(sheet_xml(rows, dimension="A1:XFD1048576"))


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_cell(text: str, *, repeat: int | None = None, value_type: str = "string") -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat else ""
    return f'<table:table-cell office:value-type="{value_type}"{repeated}><text:p>{text}</text:p></table:table-cell>'


def ods_row(cells: str, *, repeat: int | None = None) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat else ""
    return f"<table:table-row{repeated}>{cells}</table:table-row>"


def ods(rows: str | bytes) -> bytes:
    if isinstance(rows, bytes):
        rows = rows.decode("utf-8", "replace")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        + rows
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def repeated_ods() -> bytes:
    """One valued cell repeated across every column of a million rows."""
    return ods(ods_row(ods_cell("customerId")) + ods_row(ods_cell("1", repeat=16384), repeat=1048575))
