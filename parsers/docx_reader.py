"""DOCX → rows of cells, with python-docx.

python-docx's ``row.cells`` repeats a merged cell once per grid column it covers, which
would shift every value after a merged label. The reader walks the ``<w:tc>`` elements
instead: a horizontally merged cell (``gridSpan``) appears once; a vertically merged
continuation (``vMerge`` without "restart") is an empty placeholder, as in Word's own text
export, so the columns of a value row stay in place.

Before python-docx sees the file, the archive is checked for zip bombs and every XML part
for a DTD: OOXML never has one, and an entity bomb or an external entity needs one. A DTD
can only stand before the root element, so only that prolog is read (a full defusing
parse of every part tripled the reader's time).

Whatever python-docx, lxml or zipfile raise on a damaged file (a corrupt deflate stream, a
root that is not ``w:document``, an attribute the schema requires and the file lacks, XML
nested deep enough to exhaust the stack) ends as a ``ParseError`` naming the error, the
reader's one promise to its callers.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from docx.oxml.exceptions import InvalidXmlError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from parsers.document import Document
from parsers.errors import ParseError
from parsers.limits import LIMITS, Deadline, check_size, check_zip, read_member
from parsers.page_layout import attach_positions
from parsers.text_reader import split_inline_values

_P, _TBL, _SDT, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:tr"), qn("w:tc")
_SDT_CONTENT = qn("w:sdtContent")
_PAGE_MARKS = (qn("w:lastRenderedPageBreak"), qn("w:br"))


@contextmanager
def library_errors(what: str) -> Iterator[None]:
    """Turn any exception a library raises while reading ``what`` into a ``ParseError``
    with the reason; a ``ParseError`` (a limit, a deadline) passes unchanged. The
    libraries raise dozens of types on damaged files (zlib.error, InvalidXmlError,
    IndexError, RecursionError...), and no list of them stays complete."""
    try:
        yield
    except ParseError:
        raise
    except Exception as e:  # noqa: BLE001 - every library failure is "unreadable", with its reason
        raise ParseError(f"无法读取 {what}（文件损坏？）/ unreadable {what} ({_reason(e)})", cause=e) from e


def _reason(e: BaseException) -> str:
    """``Type: message`` on one line, the type qualified unless built in (``zlib.error``)."""
    kind = type(e)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    text = " ".join(str(e).split())
    return f"{name}: {text[:200]}" if text else name


def check_ooxml(data: bytes) -> zipfile.ZipFile:
    """Open an OOXML package safely: a valid zip, no bomb, no DTD in any XML part."""
    check_size(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_zip(archive)
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")) and _has_dtd(read_member(archive, info.filename)):
                raise ParseError(f"文档含有 DTD/实体声明，拒绝解析 / XML part with a DTD refused: {info.filename}")
    except ParseError:
        raise
    except Exception as e:  # noqa: BLE001 - zlib.error, BadZipFile, NotImplementedError (method), RuntimeError (encrypted member)...
        raise ParseError(f"文件损坏或不完整 / corrupt or truncated zip package ({_reason(e)})", cause=e) from e
    return archive


_ROOT_TAG = re.compile(rb"<[A-Za-z_]")


def _has_dtd(part: bytes) -> bool:
    """Whether an XML part declares a DTD (or hides its root past 64 KB of prolog)."""
    head = part[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    m = _ROOT_TAG.search(head)
    if m is None:
        return len(part) > 65536
    prolog = head[: m.start()].upper()
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


def read_docx(data: bytes, url: str | None = None) -> Document:
    """Reader entry point (``parsers.readers``)."""
    return read_docx_bytes(data, deadline=Deadline(LIMITS.document_seconds))


def read_docx_bytes(data: bytes, *, deadline: Deadline | None = None) -> Document:
    import docx

    deadline = deadline or Deadline(LIMITS.document_seconds)
    archive = check_ooxml(data)
    if "word/document.xml" not in archive.namelist():
        raise ParseError("不是 Word 文档（缺少 word/document.xml）/ not a Word document")
    with library_errors("DOCX"), deadline.guard("DOCX"):
        package = docx.Document(io.BytesIO(data))
        body = getattr(package.element, "body", None)
        if body is None:
            raise ParseError("不是 Word 文档（word/document.xml 的根元素不是 w:document）"
                             " / not a Word document (the main part's root is not w:document)")
        walker = _Walker(package, deadline)
        walker.block(body)
        title = (package.core_properties.title or "").strip() or None
    doc = Document(
        rows=walker.rows,
        text="\n".join(walker.lines),
        title=title if title and "报告" in title else None,
        format="docx",
    )
    attach_positions(doc, walker.positions)
    if walker.pages_known:
        doc.meta["page_source"] = "word-rendering"
    return doc


class _Walker:
    """Body elements in document order → rows, positions and text lines."""

    def __init__(self, package: Any, deadline: Deadline) -> None:
        self.package = package
        self.deadline = deadline
        self.rows: list[list[str]] = []
        self.positions: list[list[dict[str, Any] | None]] = []
        self.lines: list[str] = []
        self.tables = 0
        self.page = 1
        self.pages_known = False

    def block(self, parent: Any) -> None:
        for child in parent.iterchildren():
            if child.tag == _P:
                self.paragraph(child)
            elif child.tag == _TBL:
                self.table(child)
            elif child.tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    self.block(content)

    def _pos(self, **where: Any) -> dict[str, Any]:
        if self.pages_known:
            where["page"] = self.page
        return where

    def _advance_pages(self, element: Any) -> None:
        for mark in element.iter(*_PAGE_MARKS):
            if mark.tag == _PAGE_MARKS[0] or mark.get(qn("w:type")) == "page":
                self.page += 1
                self.pages_known = True

    def paragraph(self, p: Any) -> None:
        text = Paragraph(p, self.package).text
        pos = self._pos(paragraph=len(self.lines))
        self._advance_pages(p)
        for line in text.split("\n"):
            self.lines.append(line)
            if not line.strip():
                continue
            cells = line.strip("\t").split("\t") if "\t" in line else split_inline_values(line)
            self.rows.append(cells)
            self.positions.append([dict(pos) for _ in cells])

    def table(self, tbl: Any) -> None:
        self.tables += 1
        index = self.tables
        for ri, tr in enumerate(tbl.iterchildren(_TR)):
            self.deadline.check("DOCX")
            row: list[str] = []
            pos: list[dict[str, Any] | None] = []
            col = _grid_before(tr)
            page = self.page
            for tc in tr.iterchildren(_TC):
                span = _grid_span(tc)
                if tc.vMerge == "continue":
                    row.append("")
                    pos.append(None)
                else:
                    row.append(self.cell_text(tc))
                    where = {"table": index, "row": ri + 1, "col": col + 1}
                    if self.pages_known or page > 1:
                        where["page"] = page
                    pos.append(where)
                col += span
            self._advance_pages(tr)
            self.rows.append(row)
            self.positions.append(pos)
            self.lines.append("\t".join(row))

    def cell_text(self, tc: Any) -> str:
        """A cell's paragraphs joined by newlines; a nested table's rows become lines."""
        lines: list[str] = []
        for child in tc.iterchildren():
            if child.tag == _P:
                lines.append(Paragraph(child, self.package).text)
            elif child.tag == _TBL:
                for tr in child.iterchildren(_TR):
                    lines.append(" ".join(self.cell_text(c) for c in tr.iterchildren(_TC)))
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)


def _grid_span(tc: Any) -> int:
    """Grid columns a cell covers; 1 when ``w:gridSpan`` is malformed (python-docx raises
    for a span without ``w:val``): the cell's text still counts, only its width is lost."""
    try:
        return max(int(tc.grid_span), 1)
    except (AttributeError, TypeError, ValueError, InvalidXmlError):
        return 1


def _grid_before(tr: Any) -> int:
    try:
        return int(tr.grid_before)
    except (AttributeError, TypeError, ValueError):
        return 0
