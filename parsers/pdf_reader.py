"""PDF → rows of cells, with pdfplumber (pdfminer.six).

Per page: ruled tables are rebuilt from the drawn borders (lines, stroked rectangles and
thin filled rectangles — WPS and Word draw borders all three ways, while the white
rectangles WPS lays behind every paragraph and cell are backgrounds, not borders); text
outside tables becomes lines, cut into cells at wide gaps (tables without rules), and
hard-wrapped paragraph lines are joined (also across pages). A page with no text but an
image is a scan and goes to OCR. Page rotation is applied by pdfplumber, so landscape and
rotated pages read upright.

Provenance: every cell records its page and box (PDF points, top-left origin); OCR'd cells
add the box in pixels at the scan resolution and the lowest word confidence.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from parsers.document import Document
from parsers.errors import ParseError
from parsers.limits import LIMITS, Deadline, TimeLimitExceeded, check_size
from parsers.page_layout import (
    Glyph,
    Item,
    attach_positions,
    drop_page_numbers,
    find_grids,
    grid_rows,
    is_table_label,
    join_paragraphs,
    join_split_cells,
    join_split_rows,
    line_items,
)

_WHITE = {(1.0,), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0), 1}
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def read_pdf(data: bytes, url: str | None = None) -> Document:
    """Reader entry point (``parsers.readers``)."""
    check_size(data)
    deadline = Deadline(LIMITS.document_seconds)
    with deadline.guard("PDF"):
        return _read(data, deadline)


def _open(data: bytes) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 - forces the page tree to be read here, inside the error handling
    except TimeLimitExceeded:
        raise
    except Exception as e:
        _timeout_inside(e)
        root = e.__cause__ or e.__context__ or e
        chain = f"{e.__class__.__name__} {root.__class__.__name__} {e} {root}"
        if isinstance(root, PDFPasswordIncorrect | PDFEncryptionError) or "Password" in chain or "Encrypt" in chain:
            raise ParseError("PDF 已加密，需要密码 / encrypted PDF: a password is required", cause=e) from e
        raise ParseError(f"PDF 文件损坏或不完整 / corrupt or truncated PDF ({root.__class__.__name__})", cause=e) from e
    return pdf


def _timeout_inside(e: BaseException) -> None:
    """pdfplumber wraps what pdfminer raises, the deadline's alarm included: re-raise it."""
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, TimeLimitExceeded):
            raise cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__


def _read(data: bytes, deadline: Deadline) -> Document:
    pdf = _open(data)
    try:
        n = len(pdf.pages)
        if n == 0:
            raise ParseError("PDF 没有页面 / PDF has no pages")
        if n > LIMITS.max_pages:
            raise ParseError(f"PDF 页数过多：{n}（上限 {LIMITS.max_pages}）/ too many pages")
        items: list[Item] = []
        ocr_pages: list[int] = []
        low_conf: list[dict[str, Any]] = []
        text_pages = 0
        for number, page in enumerate(pdf.pages, start=1):
            deadline.check(f"第 {number} 页")
            try:
                page_items, kind = _page(page, number, deadline, low_conf)
            except (ParseError, MemoryError):
                raise
            except Exception as e:
                _timeout_inside(e)
                deadline.check(f"第 {number} 页")
                raise ParseError(f"PDF 第 {number} 页无法解析 / unreadable page {number} ({e.__class__.__name__})", cause=e) from e
            items.extend(page_items)
            if kind == "ocr":
                ocr_pages.append(number)
            elif kind == "text":
                text_pages += 1
        if not text_pages and not ocr_pages:
            raise ParseError("PDF 既无文字层也无图像 / PDF has neither a text layer nor images")
        title = _title(pdf.metadata)
    finally:
        pdf.close()
    items = join_paragraphs(join_split_rows(join_split_cells(items, is_table_label)))
    rows = [[c.text for c in it.cells] for it in items]
    positions = [[_position(it, c) for c in it.cells] for it in items]
    doc = Document(rows=rows, text=_text(items), title=title, format="pdf")
    attach_positions(doc, positions)
    doc.meta["pages"] = str(n)
    if ocr_pages:
        doc.meta["ocr_pages"] = ",".join(map(str, ocr_pages))
        doc.meta["ocr_low_confidence"] = json.dumps(low_conf, ensure_ascii=False)
    return doc


def _position(item: Item, cell: Any) -> dict[str, Any] | None:
    if cell.box is None:
        return None
    pos: dict[str, Any] = {"page": item.page, "box": [round(v, 1) for v in cell.box]}
    if cell.conf is not None:
        pos["conf"] = round(cell.conf, 1)
    if item.dpi:
        pos["dpi"] = item.dpi
    if item.turn:
        pos["turn"] = item.turn  # the box is in the page turned this far back (text upright)
    return pos


def _text(items: list[Item]) -> str:
    lines = []
    page = 1
    for it in items:
        if it.page != page:
            lines.append("")
            page = it.page
        lines.append("\t".join(c.text.replace("\n", " ") if it.kind == "table" else c.text for c in it.cells))
    return "\n".join(lines)


def _title(metadata: dict[str, Any] | None) -> str | None:
    title = (metadata or {}).get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-16" if title.startswith(b"\xfe\xff") else "latin-1", errors="ignore")
    if isinstance(title, str) and "报告" in title and len(title) < 120:
        return title.strip()
    return None


def _is_border(obj: dict[str, Any]) -> bool:
    """A drawn line, a stroked rectangle, or a thin dark filled rectangle."""
    if obj.get("object_type") == "line":
        return True
    if obj.get("stroke"):
        return True
    if not obj.get("fill"):
        return False
    color = obj.get("non_stroking_color")
    if isinstance(color, list):
        color = tuple(color)
    if color in _WHITE:
        return False
    return min(obj.get("width", 99), obj.get("height", 99)) <= 2.5


def border_edges(objs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Horizontal and vertical edges drawn by border objects: a line or a thin rectangle
    is one edge along its length, a larger stroked rectangle four."""
    h: list[dict[str, Any]] = []
    v: list[dict[str, Any]] = []
    for o in objs:
        x0, top, x1, bottom = float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"])
        w, ht = x1 - x0, bottom - top
        if w <= 2.5 and ht <= 2.5:
            continue
        if ht <= 2.5:
            h.append(_h_edge(x0, x1, (top + bottom) / 2))
        elif w <= 2.5:
            v.append(_v_edge((x0 + x1) / 2, top, bottom))
        elif o.get("object_type") == "rect":
            h += [_h_edge(x0, x1, top), _h_edge(x0, x1, bottom)]
            v += [_v_edge(x0, top, bottom), _v_edge(x1, top, bottom)]
    return h, v


def _h_edge(x0: float, x1: float, y: float) -> dict[str, Any]:
    return {"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0, "orientation": "h"}


def _v_edge(x: float, top: float, bottom: float) -> dict[str, Any]:
    return {"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0.0, "height": bottom - top, "orientation": "v"}


def text_turn(chars: list[dict[str, Any]]) -> int:
    """How far the page's text is turned, clockwise on the page as displayed: 0, 90, 180
    or 270 (from the characters' matrices; the most common direction wins). A sideways
    table on a portrait page, or a page whose /Rotate turned its text with it."""
    votes = {0: 0, 90: 0, 180: 0, 270: 0}
    for c in chars:
        a, b = c["matrix"][0], c["matrix"][1]
        dx, dy = a, -b  # advance in (x, top) coordinates: top grows downwards
        if abs(dx) >= abs(dy):
            votes[0 if dx > 0 else 180] += 1
        else:
            votes[90 if dy > 0 else 270] += 1
    return max(votes, key=lambda k: votes[k])


def turn_box(box: tuple[float, float, float, float], turn: int, width: float, height: float) -> tuple[float, float, float, float]:
    """A box in page coordinates → coordinates in which the text reads left to right."""
    x0, top, x1, bottom = box
    if turn == 90:  # text runs down the page; its lines follow from right to left
        pts = [(t, width - x) for x, t in ((x0, top), (x1, bottom))]
    elif turn == 270:
        pts = [(height - t, x) for x, t in ((x0, top), (x1, bottom))]
    elif turn == 180:
        pts = [(width - x, height - t) for x, t in ((x0, top), (x1, bottom))]
    else:
        return box
    xs, ts = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ts), max(xs), max(ts))


def _turn_edge(e: dict[str, Any], turn: int, width: float, height: float) -> dict[str, Any]:
    x0, top, x1, bottom = turn_box((e["x0"], e["top"], e["x1"], e["bottom"]), turn, width, height)
    if x1 - x0 >= bottom - top:
        return _h_edge(x0, x1, (top + bottom) / 2)
    return _v_edge((x0 + x1) / 2, top, bottom)


def _page(page: Any, number: int, deadline: Deadline, low_conf: list[dict[str, Any]]) -> tuple[list[Item], str]:
    chars = [c for c in page.chars if c.get("text")]
    visible = [c for c in chars if c["text"].strip()]
    if len(visible) < 10 and page.images and _image_area(page) > 0.3:
        from parsers.ocr_reader import ocr_pdf_page

        return ocr_pdf_page(page, number, deadline, low_conf), "ocr"
    if not visible:
        return [], "empty"
    width, height = float(page.width), float(page.height)
    boxes = [(float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"])) for c in chars]
    h_edges, v_edges = border_edges([o for o in page.lines + page.rects if _is_border(o)])
    turn = text_turn(visible)
    if turn:
        boxes = [turn_box(b, turn, width, height) for b in boxes]
        edges = [_turn_edge(e, turn, width, height) for e in h_edges + v_edges]
        h_edges = [e for e in edges if e["orientation"] == "h"]
        v_edges = [e for e in edges if e["orientation"] == "v"]
        if turn in (90, 270):
            width, height = height, width
    glyphs = [Glyph(c["text"], *b) for c, b in zip(chars, boxes, strict=True)]
    items: list[Item] = []
    used: set[int] = set()
    for index, cells in enumerate(find_grids(h_edges, v_edges, tol=2.0, min_length=3.0), start=1):
        rows, taken = grid_rows(cells, glyphs, number, table=index)
        items.extend(rows)
        used |= taken
    rest = [g for i, g in enumerate(glyphs) if i not in used]
    left = min((g.x0 for g in rest if g.text.strip()), default=0.0)
    right = max((g.x1 for g in rest if g.text.strip()), default=width)
    items.extend(line_items(rest, number, left=left, right=right))
    items.sort(key=lambda it: it.top)
    for it in items:
        it.turn = turn
    return drop_page_numbers(items, height), "text"


def _image_area(page: Any) -> float:
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for im in page.images:
        w = max(0.0, min(im["x1"], page.width) - max(im["x0"], 0))
        h = max(0.0, min(im["bottom"], page.height) - max(im["top"], 0))
        covered += w * h
    return min(covered / area, 1.0)
