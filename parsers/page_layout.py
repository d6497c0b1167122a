"""Positioned text → rows of cells: the geometry shared by the PDF text-layer reader and the
OCR reader.

Both start from boxes of text on a page (PDF characters, OCR words) and, where the page
draws them, the cells of ruled tables. A ruled table becomes rows the way Word's export
prints them: a cell spanning columns appears once, a cell spanning rows appears in its
first row and leaves an empty placeholder in the rows below, so value columns stay in
place. Text outside tables becomes lines; a line whose words stand far apart (a table
without rules) is cut into cells at the wide gaps; hard-wrapped paragraph lines are joined
back into one paragraph.

Coordinates are (x0, top, x1, bottom) with ``top`` growing downwards, in any unit: PDF
points for text layers, pixels for scans.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

Box = tuple[float, float, float, float]

_PAGE_NUMBER = re.compile(r"^(?:[-—–_\s]*\d{1,3}[-—–_\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
_HEADING_START = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]+[部章节])")


@dataclass(slots=True)
class Glyph:
    """One positioned piece of text: a PDF character or an OCR word."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float | None = None  # OCR confidence 0–100; None for text layers

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Piece:
    """A cell's text with where it came from: its box and, for OCR, its lowest word
    confidence."""

    text: str
    box: Box | None
    conf: float | None = None
    cell: Box | None = None  # the table cell's own box (ruled tables)


@dataclass(slots=True)
class Line:
    glyphs: list[Glyph]
    cells: list[Piece] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(g.x0 for g in self.glyphs)

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)

    @property
    def size(self) -> float:
        return median(g.height for g in self.glyphs)


@dataclass(slots=True)
class Item:
    """A page element in reading order: a row (of a table or a text line)."""

    top: float
    cells: list[Piece]
    page: int
    kind: str  # "table" or "line"
    full: bool = False  # a text line reaching the right margin (its paragraph may go on)
    indented: bool = False  # a text line starting right of the left margin
    dpi: int | None = None  # scans: boxes are pixels at this resolution (else PDF points)
    table: int = 0  # which ruled table of the page the row belongs to (1, 2, ...; 0: none)
    turn: int = 0  # degrees the page was turned back to read its text upright


def is_cjk(ch: str) -> bool:
    if not ch:
        return False
    o = ord(ch)
    return (
        0x3000 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x2FA1F
    )


def group_lines(glyphs: Sequence[Glyph]) -> list[Line]:
    """Glyphs → lines, top to bottom, each sorted left to right. A glyph joins a line when
    its vertical centre lies within the line's band."""
    lines: list[Line] = []
    for g in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        if not g.text:
            continue
        for line in reversed(lines[-3:]):
            band_top, band_bottom = line.top, line.bottom
            slack = 0.25 * min(line.size, g.height)
            if band_top - slack <= g.cy <= band_bottom + slack and g.top < band_bottom:
                line.glyphs.append(g)
                break
        else:
            lines.append(Line([g]))
    for line in lines:
        line.glyphs.sort(key=lambda g: g.x0)
    lines.sort(key=lambda ln: ln.top)
    return lines


def join_glyphs(glyphs: Sequence[Glyph]) -> str:
    """Text of glyphs on one line. A space is added where the gap is wide (over half the
    text height between Latin letters or digits, over one height between Chinese
    characters, whose spacing justification stretches); spaces the text has are kept,
    runs of them collapsed."""
    out: list[str] = []
    prev: Glyph | None = None
    for g in glyphs:
        if prev is not None:
            gap = g.x0 - prev.x1
            size = max(prev.height, g.height)
            cjk = is_cjk(prev.text[-1:]) or is_cjk(g.text[:1])
            if gap > (1.0 if cjk else 0.3) * size and not out[-1].endswith(" ") and not g.text.startswith(" "):
                out.append(" ")
        out.append(g.text)
        prev = g
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def split_cells(line: Line, gap_ratio: float = 1.8) -> list[list[Glyph]]:
    """A line cut at gaps wider than ``gap_ratio`` text heights: the columns of a table
    drawn without rules. Ordinary text (even justified) never has such gaps."""
    groups: list[list[Glyph]] = [[]]
    prev: Glyph | None = None
    for g in line.glyphs:
        if g.text.strip() == "" and prev is not None:
            continue  # literal spaces: the gap decides
        if prev is not None and g.x0 - prev.x1 > gap_ratio * max(prev.height, g.height, line.size):
            groups.append([])
        groups[-1].append(g)
        prev = g
    return [grp for grp in groups if grp]


def piece(glyphs: Sequence[Glyph]) -> Piece:
    """Glyphs → one cell's text (lines joined by newlines), box and confidence."""
    glyphs = [g for g in glyphs if g.text]
    if not glyphs:
        return Piece("", None)
    text = "\n".join(t for t in (join_glyphs(ln.glyphs) for ln in group_lines(glyphs)) if t)
    box = (min(g.x0 for g in glyphs), min(g.top for g in glyphs),
           max(g.x1 for g in glyphs), max(g.bottom for g in glyphs))
    confs = [g.conf for g in glyphs if g.conf is not None and g.text.strip()]
    return Piece(text, box, min(confs) if confs else None)


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _index(edges: list[float], v: float, tol: float) -> int:
    for i, e in enumerate(edges):
        if abs(e - v) <= tol:
            return i
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def grid_rows(cells: Sequence[Box], glyphs: Sequence[Glyph], page: int, tol: float = 2.0,
              table: int = 1) -> tuple[list[Item], set[int]]:
    """A ruled table → rows (``Item`` per grid row) and the indices of the glyphs used.

    Each cell's grid rows and columns are found from the distinct cell edges; a cell is
    printed in the row it starts in (spanning columns: once), and leaves an empty
    placeholder in the later rows it spans."""
    xs = _cluster([c[0] for c in cells] + [c[2] for c in cells], tol)
    ys = _cluster([c[1] for c in cells] + [c[3] for c in cells], tol)
    placed = []
    for c in cells:
        r0, r1 = _index(ys, c[1], tol), _index(ys, c[3], tol)
        c0, c1 = _index(xs, c[0], tol), _index(xs, c[2], tol)
        if r1 <= r0 or c1 <= c0:
            continue
        placed.append((r0, r1, c0, c1, c))
    members: dict[int, list[int]] = {i: [] for i in range(len(placed))}
    used: set[int] = set()
    for gi, g in enumerate(glyphs):
        for pi, (_, _, _, _, c) in enumerate(placed):
            if c[0] <= g.cx <= c[2] and c[1] <= g.cy <= c[3]:
                members[pi].append(gi)
                used.add(gi)
                break
    texts = {pi: piece([glyphs[i] for i in idx]) for pi, idx in members.items()}
    items: list[Item] = []
    for r in range(len(ys) - 1):
        starts = [(c0, pi) for pi, (r0, _, c0, _, _) in enumerate(placed) if r0 == r]
        if not starts:
            continue
        conts = [(c0, -1 - pi) for pi, (r0, r1, c0, _, _) in enumerate(placed) if r0 < r < r1]
        row: list[Piece] = []
        for _, key in sorted(starts + conts):
            if key >= 0:
                p = texts[key]
                cell_box = placed[key][4]
                row.append(Piece(p.text, cell_box if p.box is None else p.box, p.conf, cell_box))
            else:
                row.append(Piece("", None))
        items.append(Item(ys[r], row, page, "table", table=table))
    return items, used


def line_items(glyphs: Sequence[Glyph], page: int, *, left: float, right: float) -> list[Item]:
    """Text outside tables → one item per line, cut into cells at wide gaps. ``left`` and
    ``right`` are the text margins, used to tell indented and full lines."""
    items: list[Item] = []
    for line in group_lines(glyphs):
        groups = split_cells(line)
        cells = [piece(g) for g in groups]
        cells = [c for c in cells if c.text]
        if not cells:
            continue
        size = line.size
        items.append(Item(
            line.top, cells, page, "line",
            full=len(cells) == 1 and line.x1 >= right - 1.5 * size,
            indented=line.x0 > left + 1.2 * size,
        ))
    return items


def drop_page_numbers(items: list[Item], height: float) -> list[Item]:
    """Without the page-number lines in the top and bottom margins."""
    out = []
    for it in items:
        if (
            it.kind == "line"
            and len(it.cells) == 1
            and (it.top > 0.9 * height or it.top < 0.06 * height)
            and _PAGE_NUMBER.match(unicodedata.normalize("NFKC", it.cells[0].text).strip())
        ):
            continue
        out.append(it)
    return out


def join_paragraphs(items: list[Item]) -> list[Item]:
    """Hard-wrapped lines back into paragraphs: a full line goes on into the next line
    when that one is not indented and does not start a heading (also across pages)."""
    out: list[Item] = []
    for it in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "line"
            and it.kind == "line"
            and prev.full
            and len(prev.cells) == 1
            and len(it.cells) == 1
            and not it.indented
            and not _HEADING_START.match(it.cells[0].text)
        ):
            a, b = prev.cells[0], it.cells[0]
            glue = "" if is_cjk(a.text[-1:]) or is_cjk(b.text[:1]) else " "
            confs = [c for c in (a.conf, b.conf) if c is not None]
            prev.cells[0] = Piece(a.text + glue + b.text, a.box, min(confs) if confs else None)
            prev.full = it.full
            continue
        out.append(it)
    return out


def closing_edges(borders: list[dict[str, Any]], tol: float = 2.0) -> list[dict[str, Any]]:
    """Horizontal edges where vertical borders start or end together. A table cut by a
    page break has no border along the cut; without one, the rows at the cut (and cells
    spanning it) would not close."""
    verticals = [o for o in borders if o["height"] > 4 * max(o["width"], 0.5)]
    out: list[dict[str, Any]] = []
    for key in ("top", "bottom"):
        groups: list[list[dict[str, Any]]] = []
        for v in sorted(verticals, key=lambda o: o[key]):
            if groups and abs(groups[-1][-1][key] - v[key]) <= tol:
                groups[-1].append(v)
            else:
                groups.append([v])
        for g in groups:
            if len(g) < 2:
                continue
            y = min(o[key] for o in g) if key == "top" else max(o[key] for o in g)
            x0, x1 = min(o["x0"] for o in g), max(o["x1"] for o in g)
            out.append({"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y,
                        "width": x1 - x0, "height": 0.0})
    return out


_NEW_ROW = re.compile(r"^\s*(?:\d{1,2}\s*[.、．]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)")


def join_split_rows(items: list[Item], tol: float = 3.0) -> list[Item]:
    """A table row broken by a page break → one row. The first row of a page (or of the
    next table on a page: pages stacked in one long image) is the rest of the previous
    table's last row when both are rows of tables with the same columns,
    the new part holds no number, adds text only where the old part has text or nothing,
    and none of its cells starts a numbered label of its own."""
    from parsers.values import read_cell

    out: list[Item] = []
    for it in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == it.kind == "table"
            and _next_table(prev, it)
            and _same_columns(prev, it, tol)
            and any(c.text for c in it.cells)
            and all(read_cell(c.text).kind == "text" or not c.text.strip() for c in it.cells)
            and all(
                not c.text.strip() or (read_cell(p.text).kind != "number" and not _NEW_ROW.match(c.text))
                for p, c in zip(prev.cells, it.cells, strict=True)
            )
        ):
            prev.cells = [
                Piece(p.text + ("\n" if p.text and c.text else "") + c.text, p.box or c.box,
                      _min_conf(p.conf, c.conf), p.cell)
                for p, c in zip(prev.cells, it.cells, strict=True)
            ]
            continue
        out.append(it)
    return out


def join_split_cells(items: list[Item], is_label: Callable[[str], bool], tol: float = 3.0) -> list[Item]:
    """A merged cell cut by a page break ("三、本" at the foot of one page, "年度办理结果"
    at the head of the next, beside rows of their own): the head's text goes back to the
    cell it continues when only the joined text is a label (``is_label``)."""
    for k in range(1, len(items)):
        first, last = items[k], items[k - 1]
        if not (first.kind == last.kind == "table" and _next_table(last, first)):
            continue
        for i, cell in enumerate(first.cells):
            if cell.cell is None or not cell.text.strip() or is_label(cell.text):
                continue
            start = _cell_above(items, k - 1, cell.cell, tol)
            if start is None:
                continue
            item, j = start
            old = item.cells[j]
            if not old.text.strip() or is_label(old.text) or not is_label(old.text + cell.text):
                continue
            item.cells[j] = Piece(old.text + "\n" + cell.text, old.box, _min_conf(old.conf, cell.conf), old.cell)
            first.cells[i] = Piece("", None)
    return items


_TABLE_KINDS = ("row", "group", "item", "metric", "rl_kind", "rl_result", "applicant", "header")


def is_table_label(text: str) -> bool:
    """Whether the text is exactly (after folding) a label of the standard tables."""
    from parsers.labels import lookup

    return lookup(re.sub(r"\s+", "", text), _TABLE_KINDS, fuzzy=False) is not None


def _cell_above(items: list[Item], k: int, box: Box, tol: float) -> tuple[Item, int] | None:
    """The nearest cell at or above row ``k`` (same page, same table rows) spanning the
    columns of ``box``."""
    page, table = items[k].page, items[k].table
    while k >= 0 and items[k].kind == "table" and items[k].page == page and items[k].table == table:
        for j, c in enumerate(items[k].cells):
            if c.cell is not None and abs(c.cell[0] - box[0]) <= tol and abs(c.cell[2] - box[2]) <= tol:
                return (items[k], j) if c.text.strip() else None
        k -= 1
    return None


def _next_table(a: Item, b: Item) -> bool:
    """``b`` opens the table that follows ``a``'s: on the next page, or further down the
    same image."""
    return b.page == a.page + 1 or (b.page == a.page and b.table != a.table and b.table > 0)


def _min_conf(a: float | None, b: float | None) -> float | None:
    vals = [v for v in (a, b) if v is not None]
    return min(vals) if vals else None


def _same_columns(a: Item, b: Item, tol: float) -> bool:
    if len(a.cells) != len(b.cells):
        return False
    for p, c in zip(a.cells, b.cells, strict=True):
        if p.cell is None or c.cell is None:
            continue
        if abs(p.cell[0] - c.cell[0]) > tol or abs(p.cell[2] - c.cell[2]) > tol:
            return False
    return True


def find_grids(h_edges: list[dict[str, Any]], v_edges: list[dict[str, Any]], tol: float,
               min_length: float = 0.0) -> list[list[Box]]:
    """Cells of the ruled tables the edges describe, with pdfplumber's cell finder (edges
    as its table finder takes them: x0, top, x1, bottom, width, height, orientation).
    Tables of one column are left out: framed paragraphs and text boxes, not tables."""
    from pdfplumber.table import (
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    if len(h_edges) < 2 or len(v_edges) < 2:
        return []
    borders = [dict(e, object_type="line") for e in h_edges + v_edges]
    extra = closing_edges(borders, tol=tol)
    edges = merge_edges(h_edges + v_edges + [dict(e, orientation="h") for e in extra],
                        snap_x_tolerance=tol, snap_y_tolerance=tol,
                        join_x_tolerance=tol, join_y_tolerance=tol)
    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= min_length]
    cells = intersections_to_cells(edges_to_intersections(edges, tol, tol))
    tables = []
    for t in cells_to_tables(cells):
        xs = {round(c[0] / tol) for c in t} | {round(c[2] / tol) for c in t}
        if len(xs) > 2:
            tables.append(t)
    return tables


def attach_positions(doc: Any, positions: list[list[dict[str, Any] | None]]) -> None:
    """Give a Document its per-cell provenance (parallel to ``rows``)."""
    doc.positions = positions


def positions_of(doc: Any) -> list[list[dict[str, Any] | None]] | None:
    """A Document's per-cell positions, or None when its reader has none."""
    return getattr(doc, "positions", None)


def cell_where(pos: dict[str, Any] | None) -> dict[str, Any] | None:
    """A reader's position of a cell → what a ``Cell`` keeps of it (``Cell.where``): the
    page, and for a scan also the box, the resolution it is measured at and the OCR
    confidence; a spreadsheet's sheet and cell. A text-layer box or a Word table's
    row and column mean nothing to a reader of the archive, so they stay behind."""
    if not pos:
        return None
    page = pos.get("page")
    if page is None:
        if "sheet" in pos:
            return {"sheet": pos["sheet"], "cell": pos.get("cell")}
        return None
    out: dict[str, Any] = {"page": page}
    conf = pos.get("conf")
    if conf is not None or pos.get("dpi"):  # a scan: its box and how sure the OCR was
        out["box"] = pos.get("box")
        if conf is not None:  # None: ink in the cell, but no word read
            out["confidence"] = conf
        if pos.get("dpi"):
            out["dpi"] = pos["dpi"]
        if pos.get("turn"):
            out["turn"] = pos["turn"]
    return out
