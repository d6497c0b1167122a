"""Renders the seeds and generated reports into the binary formats the readers accept, at
test time: a DOCX written with python-docx (real merged cells), then PDF and DOC through
LibreOffice, XLSX with openpyxl, and 300-dpi scans (PNG pages, image-only PDF, TIFF).

A seed is text in Word's export layout (one TAB-prefixed line per cell, blank lines between
rows) or in PDF-text layout (TAB-separated rows). It is turned back into paragraphs and
tables: consecutive rows form a table as wide as its widest row, and a shorter row's last
cell spans the remaining columns, as a merged cell does in the original document.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from parsers.office import convert_files
from tests.truth import SEEDS as SEEDS_DIR

FONT = "Noto Sans CJK SC"


@dataclass(slots=True)
class Span:
    """A table cell starting in its row; ``rowspan``/``colspan`` as in HTML."""

    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(slots=True)
class Block:
    """A paragraph (``text``) or a table (``rows`` of ``Span``, ``width`` grid columns)."""

    text: str = ""
    rows: list[list[Span]] = field(default_factory=list)
    width: int = 0

    @property
    def is_table(self) -> bool:
        return bool(self.rows)


def seed_blocks(text: str) -> list[Block]:
    """Paragraphs and tables of a seed text (both text layouts, as ``text_reader`` reads them)."""
    blocks: list[Block] = []
    table: list[list[str]] = []
    current: list[str] = []
    in_cell = False

    def end_row() -> None:
        nonlocal current
        if current:
            table.append(current)
            current = []

    def end_table() -> None:
        end_row()
        if table:
            width = max(len(r) for r in table)
            rows = [[Span(c) for c in r[:-1]] + [Span(r[-1], colspan=width - len(r) + 1)] for r in table]
            blocks.append(Block(rows=rows, width=width))
            table.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip(" \u3000\r") == "" and "\t" not in line:
            end_row()
            in_cell = False
        elif line.startswith("\t") and "\t" not in line[1:]:
            current.append(line[1:])
            in_cell = True
        elif "\t" in line:
            end_row()
            table.append(line.split("\t"))
            in_cell = False
        elif in_cell and current:
            current[-1] += "\n" + line
        else:
            end_table()
            blocks.append(Block(text=line))
    end_table()
    return blocks


def generated_blocks(report) -> list[Block]:
    """Blocks of a ``zfxxgk.generator`` report, keeping its rowspans and colspans."""
    from zfxxgk.generator.layout import build_blocks

    out: list[Block] = []
    for b in build_blocks(report):
        if b.kind == "table":
            rows = [[Span(c.text, c.rowspan, c.colspan) for c in row] for row in b.table.rows]
            out.append(Block(rows=rows, width=b.table.width))
        elif b.kind in ("title", "signature"):
            out += [Block(text=line) for line in b.lines]
        else:
            out.append(Block(text=b.text))
    return out


def grid(block: Block) -> list[list[tuple[Span, int, bool]]]:
    """Per row: (span, column, starts_here) for each grid position a cell occupies first in
    that row — starting cells and the continuations of cells from rows above."""
    covered: dict[tuple[int, int], Span] = {}
    out = []
    for ri, row in enumerate(block.rows):
        col = 0
        line = []
        cells = iter(row)
        while col < block.width:
            if (ri, col) in covered:
                span = covered[(ri, col)]
                line.append((span, col, False))
                col += span.colspan
                continue
            span = next(cells, None)
            if span is None:
                break
            line.append((span, col, True))
            for dr in range(1, span.rowspan):
                covered[(ri + dr, col)] = span
            col += span.colspan
        out.append(line)
    return out


def _set_font(run) -> None:
    run.font.name = FONT
    run.font.size = Pt(10.5)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)


def _write_cell(cell, text: str) -> None:
    lines = text.split("\n")
    para = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            para = cell.add_paragraph()
        _set_font(para.add_run(line))


def render_docx(blocks: list[Block], *, landscape: bool = False) -> bytes:
    doc = DocxDocument()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    for block in blocks:
        if not block.is_table:
            _set_font(doc.add_paragraph().add_run(block.text))
            continue
        table = doc.add_table(rows=len(block.rows), cols=block.width)
        table.style = "Table Grid"
        for ri, line in enumerate(grid(block)):
            for span, col, starts in line:
                if not starts:
                    continue
                cell = table.cell(ri, col)
                if span.rowspan > 1 or span.colspan > 1:
                    cell = cell.merge(table.cell(ri + span.rowspan - 1, col + span.colspan - 1))
                _write_cell(cell, span.text)
        doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_xlsx(blocks: list[Block]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    r = 1
    for block in blocks:
        if not block.is_table:
            ws.cell(r, 1, block.text)
            r += 1
            continue
        for ri, line in enumerate(grid(block)):
            for span, col, starts in line:
                if not starts:
                    continue
                ws.cell(r + ri, col + 1, _xlsx_value(span.text))
                if span.rowspan > 1 or span.colspan > 1:
                    ws.merge_cells(start_row=r + ri, start_column=col + 1,
                                   end_row=r + ri + span.rowspan - 1, end_column=col + span.colspan)
        r += len(block.rows) + 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_value(text: str):
    """Plain integers go in as numbers (as a spreadsheet holds them); anything else as text."""
    if text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0")):
        return int(text)
    return text


def convert(sources: list[Path], fmt: str, outdir: Path, profile: Path) -> list[Path]:
    """LibreOffice conversion of many files in one call; the outputs, in the same order."""
    done = convert_files(sources, fmt, outdir, profile=profile, timeout=300)
    missing = [s for s, d in zip(sources, done, strict=True) if d is None]
    assert not missing, f"LibreOffice did not convert {missing}"
    return [d for d in done if d is not None]


def pdf_to_pngs(pdf: Path, outdir: Path, dpi: int = 300) -> list[Path]:
    """Pages of a PDF as PNG files (poppler's pdftoppm, as a scanner would deliver them)."""
    prefix = outdir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-gray", str(pdf), str(prefix)],
                   check=True, timeout=300)
    return sorted(outdir.glob(pdf.stem + "-*.png"))


def images_to_pdf(pngs: list[Path], dpi: int = 300) -> bytes:
    """An image-only PDF (a scanned report): one full-page image per page, no text."""
    from PIL import Image

    frames = [Image.open(p).convert("L") for p in pngs]
    out = io.BytesIO()
    frames[0].save(out, "PDF", save_all=True, append_images=frames[1:], resolution=dpi)
    return out.getvalue()


def images_to_tiff(pngs: list[Path], dpi: int = 300) -> bytes:
    from PIL import Image

    frames = [Image.open(p).convert("L") for p in pngs]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], dpi=(dpi, dpi),
                   compression="tiff_lzw")
    return out.getvalue()


def have(*programs: str) -> bool:
    return all(shutil.which(p) for p in programs)


def rotated_pdf(pdf: bytes, *, upright: bool) -> bytes:
    """Every page turned by its /Rotate entry. ``upright``: the page is stored portrait with
    its content drawn sideways, and /Rotate 90 turns it back for display (how a landscape
    table often sits in a portrait document); otherwise /Rotate alone turns the page, text
    and all, sideways."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(pdf)
    if not upright:
        for i in range(len(src)):
            src[i].set_rotation(90)
        out = io.BytesIO()
        src.save(out)
        return out.getvalue()
    dst = pdfium.PdfDocument.new()
    for i in range(len(src)):
        w, h = src[i].get_size()
        obj = src.page_as_xobject(i, dst).as_pageobject()
        obj.transform(pdfium.PdfMatrix().rotate(-90).translate(h, 0))
        page = dst.new_page(h, w)
        page.insert_obj(obj)
        page.gen_content()
        page.set_rotation(90)
    out = io.BytesIO()
    dst.save(out)
    return out.getvalue()


def borderless_docx(docx: bytes) -> bytes:
    """The same document with every table's borders removed (a table laid out by
    position only)."""
    doc = DocxDocument(io.BytesIO(docx))
    for table in doc.tables:
        table.style = doc.styles["Normal Table"]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@functools.cache
def seed_pdf() -> bytes:
    """A multi-page text-layer PDF of seed 004, rendered once per test session (LibreOffice).
    Tests that only need "a real PDF" use it, so the suite never depends on ../shared."""
    import tempfile

    seed = SEEDS_DIR / "004_ab964e0bbb01e447.txt"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "seed004.docx"
        src.write_bytes(render_docx(seed_blocks(seed.read_text(encoding="utf-8"))))
        (pdf,) = convert([src], "pdf", root / "out", root / "profile")
        return pdf.read_bytes()
