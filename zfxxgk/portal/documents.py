"""Attachment files for the sample portal, written from a report's blocks without any
office software: a text-layer PDF (CJK text in the standard, non-embedded STSong-Light font,
as WPS exports do) and a minimal DOCX (WordprocessingML with real tables and merged cells).
Old binary .doc files cannot be produced here: the portal serves a clearly marked
placeholder for them."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from zfxxgk.portal.reports import SampleReport

PLACEHOLDER_MARK = "样例占位附件（非真实 DOC 文件）/ sample placeholder, not a real .doc file"

# ---------------------------------------------------------------------------- PDF
_PAGE_W, _PAGE_H, _MARGIN, _SIZE, _LEADING = 595, 842, 56, 10.5, 16
_CHARS_PER_LINE = int((_PAGE_W - 2 * _MARGIN) / _SIZE)


def _wrap(line: str) -> list[str]:
    if not line:
        return [""]
    return [line[i:i + _CHARS_PER_LINE] for i in range(0, len(line), _CHARS_PER_LINE)]


def _cid(ch: str, cache: dict[str, int] = {}) -> int:  # noqa: B006 - deliberate memo
    """The Adobe-GB1 CID of a character (what STSong-Light draws), via pdfminer's CMap data."""
    if ch not in cache:
        try:
            from pdfminer.cmapdb import CMapDB

            cids = list(CMapDB.get_cmap("UniGB-UCS2-H").decode(ch.encode("utf-16-be")))
        except Exception:  # noqa: BLE001 - no CMap data: a private code still extracts right
            cids = []
        cache[ch] = cids[0] if len(cids) == 1 and cids[0] else 0xE000 + (ord(ch) % 0x1000)
    return cache[ch]


def _to_unicode(chars: set[str]) -> bytes:
    """ToUnicode CMap for the CIDs used, so extractors need no external CMap files."""
    pairs = sorted({(_cid(c), c) for c in chars})
    chunks = [pairs[i:i + 100] for i in range(0, len(pairs), 100)]
    body = "".join(
        f"{len(c)} beginbfchar\n" + "\n".join(f"<{cid:04X}> <{ord(ch):04X}>" for cid, ch in c) + "\nendbfchar\n"
        for c in chunks)
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + body
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend").encode("ascii")


def _hex_cids(text: str) -> str:
    return "".join(f"{_cid(c):04X}" for c in text if 0x20 <= ord(c) < 0x10000)


def make_pdf(report: SampleReport) -> bytes:
    """A text-layer PDF of the report: STSong-Light (Adobe-GB1 CIDs, Identity-H), one line per
    table row, with a ToUnicode map."""
    lines = [w for line in report.lines() for w in _wrap(line)]
    chars = {c for line in lines for c in line if 0x20 <= ord(c) < 0x10000}
    to_unicode_data = _to_unicode(chars)
    per_page = int((_PAGE_H - 2 * _MARGIN) / _LEADING)
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    objects: list[bytes] = []

    def add(obj: bytes) -> int:
        objects.append(obj)
        return len(objects)

    def ref(n: int) -> bytes:
        return f"{n} 0 R".encode()

    catalog = add(b"")  # filled below
    pages_id = add(b"")
    to_unicode = add(b"<< /Length " + str(len(to_unicode_data)).encode() + b" >>\nstream\n"
                     + to_unicode_data + b"\nendstream")
    descriptor = add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
                     b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    cid = add(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
              b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
              b"/FontDescriptor " + ref(descriptor) + b" /DW 1000 >>")
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
               b"/ToUnicode " + ref(to_unicode) + b" /DescendantFonts [" + ref(cid) + b"] >>")
    kids = []
    for page_lines in pages:
        ops = [f"BT /F1 {_SIZE} Tf {_LEADING} TL {_MARGIN} {_PAGE_H - _MARGIN} Td"]
        ops += [f"<{_hex_cids(line)}> Tj T*" for line in page_lines]
        ops.append("ET")
        stream = "\n".join(ops).encode("ascii")
        content = add(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
        kids.append(add(
            b"<< /Type /Page /Parent " + ref(pages_id) + b" /MediaBox [0 0 "
            + f"{_PAGE_W} {_PAGE_H}".encode() + b"] /Resources << /Font << /F1 " + ref(font)
            + b" >> >> /Contents " + ref(content) + b" >>"))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages " + ref(pages_id) + b" >>"
    objects[pages_id - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(ref(k) for k in kids)
                             + b"] /Count " + str(len(kids)).encode() + b" >>")
    title = "".join(f"{ord(c):04X}" for c in report.title if ord(c) < 0x10000)
    info = add(b"<< /Title <FEFF" + title.encode() + b"> /Producer (zfxxgk sample portal) >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


# ---------------------------------------------------------------------------- DOCX
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def _para(text: str, bold: bool = False) -> str:
    runs = []
    for i, part in enumerate(text.split("\n")):
        br = "<w:br/>" if i else ""
        rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
        runs.append(f'<w:r>{rpr}{br}<w:t xml:space="preserve">{escape(part)}</w:t></w:r>')
    return f"<w:p>{''.join(runs)}</w:p>"


def _table(rows: tuple) -> str:
    """Rows of merged cells → a w:tbl on a full grid (gridSpan / vMerge)."""
    width = max((sum(c.colspan for c in row) for row in rows), default=1)
    grid: list[list[object]] = [[None] * width for _ in rows]
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while col < width and grid[r][col] is not None:
                col += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if r + dr < len(rows) and col + dc < width:
                        grid[r + dr][col + dc] = (cell, dr == 0 and dc == 0, dr > 0, dc == 0)
            col += cell.colspan
    xml = ["<w:tbl><w:tblPr><w:tblBorders>"
           + "".join(f'<w:{s} w:val="single" w:sz="4"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
           + "</w:tblBorders></w:tblPr>"]
    for r in range(len(rows)):
        xml.append("<w:tr>")
        c = 0
        while c < width:
            slot = grid[r][c]
            if slot is None:
                xml.append("<w:tc><w:p/></w:tc>")
                c += 1
                continue
            cell, origin, continued, left = slot
            if not left:
                c += 1
                continue
            props = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
            if cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>' if origin else "<w:vMerge/>"
            text = _para(cell.text) if not continued else "<w:p/>"
            xml.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{text}</w:tc>")
            c += cell.colspan
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    return "".join(xml)


def make_docx(report: SampleReport) -> bytes:
    body = []
    for b in report.blocks:
        if b.kind == "title":
            body += [_para(line, bold=True) for line in b.lines]
        elif b.kind == "signature":
            body += [_para(line) for line in b.lines]
        elif b.kind == "table":
            body.append(_table(b.rows))
        else:
            body.append(_para(b.text, bold=b.kind == "heading"))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>'
                + "".join(body) + "</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))  # fixed: same bytes every start
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()


def make_doc_placeholder(report: SampleReport) -> bytes:
    """Not a Word file: a marked placeholder served under a .doc name. It carries no report
    data, so nothing downstream can mistake it for the report it stands for."""
    return f"{PLACEHOLDER_MARK}\n（原件名称 / stands for: {report.title}.doc）\n".encode()
