"""Scans → rows of cells: tesseract (chi_sim) word boxes placed into the page's ruled grid.

A scanned report is mostly tables. The ruling lines are found in the image itself (long
dark runs, horizontal and vertical), turned into edges and closed into cells with the same
cell finder pdfplumber uses for drawn borders; the lines are then erased so tesseract sees
only text. Each word lands in the cell that holds its centre, and the rows come out exactly
as for a text-layer PDF (``parsers.page_layout``). Words outside any table become lines.

Every cell keeps the lowest confidence of its words, so a number read from a scan can be
shown with how sure the OCR was; numbers under ``MIN_CONFIDENCE`` are listed in the
document's ``meta["ocr_low_confidence"]``.

tesseract runs with ``OMP_THREAD_LIMIT=1`` (its OpenMP threads only slow it down on small
machines), ``--psm 3`` (automatic page segmentation; ``--psm 6`` destroys tables) at
300 dpi, with a timeout.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Any

from parsers.document import Document
from parsers.errors import ParseError
from parsers.limits import LIMITS, Deadline, check_size
from parsers.page_layout import (
    Glyph,
    Item,
    Piece,
    attach_positions,
    drop_page_numbers,
    find_grids,
    grid_rows,
    is_table_label,
    join_glyphs,
    join_paragraphs,
    join_split_cells,
    join_split_rows,
    line_items,
)
from parsers.values import read_cell

DPI = 300
MIN_CONFIDENCE = 70.0
LANG = "chi_sim"
# What tesseract prints for digits in a cell that is otherwise a number.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "|": "1",
                                   "S": "5", "B": "8", "，": ",", "。": "."})


_TABLE_NAMES = {"proactive": "二", "applications": "三", "review_litigation": "四"}


def ocr_findings(cells: list[Any], meta: dict[str, Any]) -> list[Any]:
    """Findings for what OCR was unsure of: each table cell whose number was read with a
    confidence under ``MIN_CONFIDENCE`` (``Cell.where["confidence"]``), and
    each low-confidence number or unreadable inked cell of ``meta["ocr_low_confidence"]``
    that no table cell accounts for (a number outside the tables, a cell left blank)."""
    from parsers.model import Finding

    out = []
    boxes = set()
    for c in cells:
        where = getattr(c, "where", None) or {}
        if where.get("box"):
            boxes.add((where.get("page"), tuple(where["box"])))
        conf = where.get("confidence")
        if conf is None or conf >= MIN_CONFIDENCE or c.value is None:
            continue
        out.append(Finding(
            rule="ocr_low_confidence",
            location=f"{_TABLE_NAMES.get(c.table, c.table)}/{c.row}/{c.column}",
            expected=f">= {MIN_CONFIDENCE:g}",
            actual=conf,
            message=f"扫描件第 {where.get('page')} 页的数字 {c.raw} 识别置信度低（{conf:g}）"
                    f" / low OCR confidence for {c.raw!r} on page {where.get('page')}",
            severity="warning",
        ))
    for entry in json.loads(meta.get("ocr_low_confidence") or "[]"):
        if (entry.get("page"), tuple(entry.get("box") or ())) in boxes and entry.get("text"):
            continue
        unread = not entry.get("text")
        out.append(Finding(
            rule="ocr_unread" if unread else "ocr_low_confidence",
            location=f"page {entry.get('page')} box {entry.get('box')}",
            expected="a value" if unread else f">= {MIN_CONFIDENCE:g}",
            actual=None if unread else entry.get("conf"),
            message=(f"扫描件第 {entry.get('page')} 页有无法识别的内容 / unreadable ink on page {entry.get('page')}"
                     if unread else
                     f"扫描件第 {entry.get('page')} 页的数字 {entry.get('text')} 识别置信度低（{entry.get('conf')}）"
                     f" / low OCR confidence on page {entry.get('page')}"),
            severity="warning",
        ))
    return out


def tesseract() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise ParseError("未安装 tesseract，无法识别扫描件 / tesseract is not installed: cannot OCR scans")
    return exe


def read_image(data: bytes, url: str | None = None) -> Document:
    """Reader entry point for PNG, JPEG and (multi-page) TIFF scans."""
    from PIL import Image, ImageSequence

    check_size(data)
    deadline = Deadline(LIMITS.document_seconds)
    Image.MAX_IMAGE_PIXELS = LIMITS.max_image_pixels
    try:
        image = Image.open(io.BytesIO(data))
        frames = []
        for frame in ImageSequence.Iterator(image):
            if len(frames) >= LIMITS.max_pages:
                raise ParseError(f"图像页数过多（上限 {LIMITS.max_pages}）/ too many image frames")
            frames.append((frame.copy(), frame.info.get("dpi")))
    except ParseError:
        raise
    except Image.DecompressionBombError as e:
        raise ParseError("图像像素过多 / image too large (decompression bomb guard)", cause=e) from e
    except Exception as e:
        raise ParseError(f"图像损坏或不完整 / corrupt or truncated image ({e.__class__.__name__})", cause=e) from e
    items: list[Item] = []
    low: list[dict[str, Any]] = []
    for number, (frame, dpi) in enumerate(frames, start=1):
        deadline.check(f"第 {number} 页")
        items.extend(ocr_image(_at_300_dpi(frame, dpi), number, deadline, low))
    return ocr_document(items, low, "image", len(frames))


def ocr_document(items: list[Item], low: list[dict[str, Any]], fmt: str, pages: int) -> Document:
    items = join_paragraphs(join_split_rows(join_split_cells(items, is_table_label)))
    rows = [[c.text for c in it.cells] for it in items]
    positions = [[_position(it, c) for c in it.cells] for it in items]
    text = "\n".join("\t".join(c.text.replace("\n", " ") for c in it.cells) for it in items)
    if not text.strip():
        raise ParseError("扫描件中未识别出文字 / no text recognised in the scan")
    doc = Document(rows=rows, text=text, format=fmt)
    attach_positions(doc, positions)
    doc.meta["pages"] = str(pages)
    doc.meta["ocr_pages"] = ",".join(str(p) for p in range(1, pages + 1))
    doc.meta["ocr_low_confidence"] = json.dumps(low, ensure_ascii=False)
    return doc


def _position(item: Item, cell: Piece) -> dict[str, Any] | None:
    if cell.box is None:
        return None
    pos: dict[str, Any] = {"page": item.page, "box": [round(v) for v in cell.box], "dpi": item.dpi or DPI}
    if cell.conf is not None:
        pos["conf"] = round(cell.conf, 1)
    return pos


def _at_300_dpi(frame: Any, dpi: Any) -> Any:
    """Grey image at about 300 dpi: low-resolution scans are scaled up (tesseract reads
    small CJK text poorly), an unknown resolution is taken from an A4 page's width."""
    from PIL import Image

    img = frame.convert("L")
    try:
        d = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        d = 0.0
    if d <= 1:
        d = img.width / 8.27 if img.width < img.height else img.height / 8.27
    if d < 250:
        scale = DPI / max(d, 50)
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    return img


def ocr_pdf_page(page: Any, number: int, deadline: Deadline, low: list[dict[str, Any]]) -> list[Item]:
    """An image-only PDF page: rendered at 300 dpi (pdfium), then OCR'd."""
    image = page.to_image(resolution=DPI).original.convert("L")
    return ocr_image(image, number, deadline, low)


def line_masks(dark: Any, length: int, *, horizontal: bool) -> Any:
    """Pixels on dark runs at least ``length`` long, along rows (``horizontal``) or
    columns: every run is found with one ``diff`` over the whole image, the long ones are
    painted back with a cumulative sum."""
    import numpy as np

    m = dark if horizontal else np.ascontiguousarray(dark.T)
    rows, cols = m.shape
    padded = np.zeros((rows, cols + 1), dtype=np.int8)
    padded[:, :cols] = m
    flat = padded.ravel()
    d = np.diff(flat, prepend=np.int8(0))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    keep = (ends - starts) >= length
    paint = np.zeros(flat.size + 1, dtype=np.int8)  # runs never overlap: 0 or 1 after the sum
    np.add.at(paint, starts[keep], 1)
    np.add.at(paint, ends[keep], -1)
    out = (np.cumsum(paint[:-1], dtype=np.int8) > 0).reshape(rows, cols + 1)[:, :cols]
    return out if horizontal else np.ascontiguousarray(out.T)


def _segments(mask: Any, horizontal: bool) -> list[tuple[int, int, int, int]]:
    """Line pixels → segments (first, last, start, end): the pixel rows ``first..last``
    across (a thick line is one segment) and the extent ``start..end`` along the line.
    For vertical lines the roles of x and y swap."""
    import numpy as np

    m = mask if horizontal else mask.T
    open_: list[list[int]] = []
    done: list[list[int]] = []
    for y in np.flatnonzero(m.any(axis=1)):
        d = np.diff(np.concatenate(([0], m[y].astype(np.int8), [0])))
        starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
        still: list[list[int]] = []
        for s, e in zip(starts, ends, strict=True):
            for seg in open_:
                if seg[1] >= y - 1 and s <= seg[3] and e >= seg[2]:
                    seg[1] = int(y)
                    seg[2], seg[3] = min(seg[2], int(s)), max(seg[3], int(e))
                    if seg not in still:
                        still.append(seg)
                    break
            else:
                still.append([int(y), int(y), int(s), int(e)])
        done.extend(seg for seg in open_ if seg not in still)
        open_ = still
    done.extend(open_)
    return [(a, b, c, d) for a, b, c, d in done]


def _edge(seg: tuple[int, int, int, int], horizontal: bool) -> dict[str, Any]:
    first, last, start, end = seg
    mid = (first + last) / 2
    if horizontal:
        return {"x0": float(start), "x1": float(end), "top": mid, "bottom": mid,
                "width": float(end - start), "height": 0.0, "orientation": "h"}
    return {"x0": mid, "x1": mid, "top": float(start), "bottom": float(end),
            "width": 0.0, "height": float(end - start), "orientation": "v"}


def ruling_lines(dark: Any, tol: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    """Table rules in a binarised page: edges (horizontal, vertical) and the mask of their
    pixels. Horizontal rules are long dark runs. A vertical rule may be as short as one
    row of text, shorter than a tall character's stroke, so a short vertical run counts
    only when it runs from one horizontal rule to another."""
    import numpy as np

    short = max(24, min(dark.shape) // 70)
    long = max(60, min(dark.shape) // 30)
    h_mask = line_masks(dark, long, horizontal=True)
    v_mask = line_masks(dark, short, horizontal=False)
    h_segs = _segments(h_mask, True)
    h_edges = [_edge(s, True) for s in h_segs]

    def on_rule(x: float, y: float) -> bool:
        return any(e["x0"] - tol <= x <= e["x1"] + tol and abs(e["top"] - y) <= tol for e in h_edges)

    v_segs = []
    for seg in _segments(v_mask, False):
        first, last, start, end = seg
        x = (first + last) / 2
        if end - start >= long or (on_rule(x, start) and on_rule(x, end)):
            v_segs.append(seg)
    keep = np.zeros(dark.shape, dtype=bool)
    for first, last, start, end in h_segs:
        keep[first:last + 1, start:end] |= h_mask[first:last + 1, start:end]
    for first, last, start, end in v_segs:
        keep[start:end, first:last + 1] |= v_mask[start:end, first:last + 1]
    return h_edges, [_edge(s, False) for s in v_segs], keep


def ocr_image(image: Any, page: int, deadline: Deadline, low: list[dict[str, Any]]) -> list[Item]:
    """One page image (grey, ~300 dpi) → rows.

    Table cells are read apart from the running text: tesseract's page segmentation drops
    many lone numbers in table cells, so the ink of every non-empty cell is cut out and
    stacked into one column image (a "mosaic") read as a uniform block, and each word is
    mapped back to its cell. The page with its tables blanked out is read with automatic
    segmentation for the paragraphs. Two tesseract runs a page."""
    import numpy as np
    from PIL import Image

    if image.width * image.height > LIMITS.max_image_pixels:
        raise ParseError("图像像素过多 / page image too large")
    arr = np.asarray(image.convert("L"))
    dark = arr < 160
    tol = max(4.0, DPI / 60)
    h_edges, v_edges, erase = ruling_lines(dark, tol)
    grids = find_grids(h_edges, v_edges, tol)
    erase[1:, :] |= erase[:-1, :]
    erase[:-1, :] |= erase[1:, :]
    erase[:, 1:] |= erase[:, :-1]
    erase[:, :-1] |= erase[:, 1:]
    clean = arr.copy()
    clean[erase] = 255
    # column by column: a value column gives digits as context, a label column words
    ordered = [c for cells in grids for c in sorted(cells, key=lambda c: (round(c[0] / tol), c[1]))]
    cell_words, read, unread = _read_cells(ordered, clean, deadline)
    text_page = clean.copy()
    for x0, top, x1, bottom in read:
        text_page[int(top):int(bottom) + 1, int(x0):int(x1) + 1] = 255
    words = cell_words
    if (text_page < 160).any():
        words = words + run_tesseract(Image.fromarray(text_page), deadline, psm=3)
    items: list[Item] = []
    used: set[int] = set()
    for index, cells in enumerate(grids, start=1):
        rows, taken = grid_rows(cells, words, page, tol=tol, table=index)
        items.extend(rows)
        used |= taken
    rest = [w for i, w in enumerate(words) if i not in used]
    left = min((w.x0 for w in rest), default=0.0)
    right = max((w.x1 for w in rest), default=float(image.width))
    items.extend(line_items(rest, page, left=left, right=right))
    items.sort(key=lambda it: it.top)
    items = drop_page_numbers(items, float(image.height))
    for x0, top, x1, bottom in unread:  # ink that tesseract could not read at all
        low.append({"page": page, "box": [x0, top, x1, bottom], "text": "", "conf": 0.0, "dpi": DPI})
    for it in items:
        it.dpi = DPI
        it.cells = [_tidy(c) for c in it.cells]
        for c in it.cells:
            if c.conf is not None and c.conf < MIN_CONFIDENCE and read_cell(c.text).kind == "number":
                low.append({"page": page, "box": [round(v) for v in c.box or ()], "text": c.text,
                            "conf": round(c.conf, 1), "dpi": DPI})
    return items


_PAD = 24  # blank border around the mosaic
_INSET = 4  # pixels of a cell's edge left out (its border)
_MOSAIC_WIDTH = 2400  # a mosaic line holds cells up to this width
_WIDE_CELL = 1800  # a cell wider than this (running text) is read with the page


def _ink_lines(ink: Any, height: float) -> list[tuple[int, int]]:
    """The text lines of a cell crop as (first, last + 1) pixel rows. Ink rows separated by
    blank rows are lines, except that pieces of one character ("三", "二", "=") merge back
    while the whole stays under 1.3 line heights."""
    import numpy as np

    rows = ink.any(axis=1).astype(np.int8)
    d = np.diff(np.concatenate(([0], rows, [0])))
    runs = list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))
    out: list[tuple[int, int]] = []
    for a, b in runs:
        if out and b - out[-1][0] <= 1.3 * height and a - out[-1][1] < 0.6 * height:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


_NUMBER_LIKE = re.compile(r"^[-+—–]?[\d工上十丨|lIOo了.,，。\s]+(?:万元|亿元|千元|元)?$")
_NUMBER_CHARS = "0123456789.,-+"


def _read_cells(cells: list[tuple[float, float, float, float]], clean: Any, deadline: Deadline,
                ) -> tuple[list[Glyph], list[tuple[float, float, float, float]], list[list[int]]]:
    """OCR of the non-empty table cells. Returns one glyph per cell read (its text, ink box
    in page pixels, lowest word confidence), the cells read, and the ink boxes of cells
    that hold ink but came back without text (reported, never silently blank).

    tesseract's LSTM needs context: a lone short line ("继续") often comes back empty. So
    each cell's text lines are laid end to end into one strip, and strips are packed
    side by side, well apart, into the lines of one mosaic image; every word is mapped
    back to its strip by position. chi_sim reads a lone "1" as "工" now and then, so the
    cells that look like numbers are read again, digits only, with the English model.
    A cell as wide as a paragraph is left to the page."""
    import numpy as np

    crops: list[_Crop] = []
    read: list[tuple[float, float, float, float]] = []
    for cell in cells:
        x0, top, x1, bottom = cell
        a, b = int(top) + _INSET, int(bottom) - _INSET
        c, d = int(x0) + _INSET, int(x1) - _INSET
        if b <= a or d <= c:
            continue
        ink = clean[a:b, c:d] < 160
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if len(rows) == 0 or cols[-1] - cols[0] > _WIDE_CELL:
            continue
        crops.append(_Crop(a, c, ink, (c + cols[0], a + rows[0], c + cols[-1] + 1, a + rows[-1] + 1)))
        read.append(cell)
    if not crops:
        return [], read, []
    heights = []
    for crop in crops:
        r = crop.ink.any(axis=1).astype(np.int8)
        dd = np.diff(np.concatenate(([0], r, [0])))
        heights += (np.flatnonzero(dd == -1) - np.flatnonzero(dd == 1)).tolist()
    line_h = float(np.percentile(heights, 75)) if heights else 40.0
    for crop in crops:
        crop.strip = _strip(crop, clean, line_h)
    texts = _ocr_strips(crops, line_h, deadline, LANG, [])
    numeric = [i for i, g in texts.items() if _NUMBER_LIKE.match(g.text)]
    if numeric:
        again = _ocr_strips([crops[i] for i in numeric], line_h, deadline, "eng",
                            ["-c", f"tessedit_char_whitelist={_NUMBER_CHARS}"])
        for j, i in enumerate(numeric):
            texts[i] = _settle_number(texts[i], again.get(j))
    out = []
    for i, g in texts.items():
        x0, top, x1, bottom = crops[i].box
        out.append(Glyph(g.text, float(x0), float(top), float(x1), float(bottom), g.conf))
    unread = [[int(v) for v in crops[i].box] for i in range(len(crops)) if i not in texts]
    return out, read, unread


def _settle_number(first: Glyph, digits: Glyph | None) -> Glyph:
    """The chi_sim reading of a number-like cell against the digits-only reading. A clean
    number from chi_sim stands (it read the cell with its unit and in context); the
    digits-only reading replaces anything else that is not a number ("工" for "1"). When
    the two readings disagree the confidence drops below ``MIN_CONFIDENCE``, so the cell
    is reported; when they agree it is the higher of the two."""
    if digits is None:
        return first
    second = digits.text.replace(" ", "")
    first_value = read_cell(first.text)
    if first_value.kind == "number":
        chosen = first.text
    elif read_cell(second).kind == "number":
        chosen = second
    else:
        return first
    if first_value.kind != "number":
        conf = digits.conf  # one reading only
    elif read_cell(second).kind == "number" and read_cell(second).value == first_value.value:
        conf = max(c for c in (first.conf, digits.conf, 0.0) if c is not None)
    else:
        conf = min(c for c in (first.conf, digits.conf, MIN_CONFIDENCE - 1) if c is not None)
    return Glyph(chosen, first.x0, first.top, first.x1, first.bottom, conf)


@dataclass(slots=True)
class _Crop:
    top: int
    left: int
    ink: Any
    box: tuple[int, int, int, int]  # ink box on the page
    strip: Any = None  # the cell's lines laid end to end


def _strip(crop: _Crop, clean: Any, line_h: float) -> Any:
    import numpy as np

    pieces = []
    for ya, yb in _ink_lines(crop.ink, line_h):
        cols = np.flatnonzero(crop.ink[ya:yb].any(axis=0))
        pieces.append(clean[crop.top + ya:crop.top + yb, crop.left + cols[0]:crop.left + cols[-1] + 1])
    gap = max(4, int(0.3 * line_h))
    h = max(p.shape[0] for p in pieces)
    w = sum(p.shape[1] for p in pieces) + gap * (len(pieces) - 1)
    strip = np.full((h, w), 255, dtype=np.uint8)
    x = 0
    for p in pieces:
        y = (h - p.shape[0]) // 2
        strip[y:y + p.shape[0], x:x + p.shape[1]] = p
        x += p.shape[1] + gap
    return strip


def _ocr_strips(crops: list[_Crop], line_h: float, deadline: Deadline, lang: str,
                options: list[str]) -> dict[int, Glyph]:
    """Strips packed into one mosaic, read in one run: index of the crop → its text (box
    in mosaic pixels, lowest word confidence)."""
    import numpy as np
    from PIL import Image

    outer_gap = max(60, int(3 * line_h))
    lines: list[list[int]] = [[]]
    width = 0
    for i, crop in enumerate(crops):
        w = crop.strip.shape[1]
        if lines[-1] and width + outer_gap + w > _MOSAIC_WIDTH:
            lines.append([])
            width = 0
        width += (outer_gap if lines[-1] else 0) + w
        lines[-1].append(i)
    line_gap = max(30, int(1.5 * line_h))
    heights = [max(crops[i].strip.shape[0] for i in ln) for ln in lines]
    total_w = max(sum(crops[i].strip.shape[1] for i in ln) + outer_gap * (len(ln) - 1) for ln in lines)
    mosaic = np.full((sum(heights) + line_gap * (len(lines) - 1) + 2 * _PAD, total_w + 2 * _PAD), 255, dtype=np.uint8)
    slots = []  # (x0, top, x1, bottom) in the mosaic, crop index
    y = _PAD
    for ln, h in zip(lines, heights, strict=True):
        x = _PAD
        for i in ln:
            strip = crops[i].strip
            sy = y + (h - strip.shape[0]) // 2
            mosaic[sy:sy + strip.shape[0], x:x + strip.shape[1]] = strip
            slots.append((x, y, x + strip.shape[1], y + h, i))
            x += strip.shape[1] + outer_gap
        y += h + line_gap
    words = run_tesseract(Image.fromarray(mosaic), deadline, psm=6, lang=lang, options=options)
    found: dict[int, list[Glyph]] = {}
    for w in words:
        for sx0, sy0, sx1, sy1, i in slots:
            if sx0 - outer_gap / 2 <= w.cx <= sx1 + outer_gap / 2 and sy0 - line_gap / 2 <= w.cy <= sy1 + line_gap / 2:
                found.setdefault(i, []).append(w)
                break
    out = {}
    for i, ws in found.items():
        ws.sort(key=lambda g: g.x0)
        text = join_glyphs(ws)
        if text:
            confs = [g.conf for g in ws if g.conf is not None]
            out[i] = Glyph(text, ws[0].x0, min(g.top for g in ws), ws[-1].x1, max(g.bottom for g in ws),
                           min(confs) if confs else None)
    return out


_OPEN_AS_PAREN = re.compile(r"《([^《》()（）]{0,40})[)）]")


def ocr_text_fix(text: str) -> str:
    """Brackets tesseract confuses: "〈" and "〉" for full-width parentheses, and a "《"
    closed by a parenthesis (a real 《title》 closes with "》")."""
    text = text.replace("〈", "（").replace("〉", "）")
    return _OPEN_AS_PAREN.sub(r"（\1）", text)


_ENUMERATOR = re.compile(r"^\s*[（(〈《]\s*(?P<n>[^()（）〈〉《》]{1,3})\s*[)）〉》]\s*(?P<body>\S.*)$", re.S)
_CN_NUMERALS = set("一二三四五六七八九十")


@cache
def _enumerated_bodies() -> dict[str, str]:
    """Folded label body → its enumerator, for the table labels numbered （一）…（七）:
    {"其他处理": "（六）", "总计": "（七）", ...}."""
    from parsers.labels import all_labels, fold

    out: dict[str, str] = {}
    for kind in ("row", "group"):
        for label in all_labels(kind):
            m = re.match(r"^（([一二三四五六七八九十]{1,2})）(.+)$", label.canonical.split("/")[-1])
            if m:
                out.setdefault(fold(m.group(2)), f"（{m.group(1)}）")
    return out


def repair_enumerator(text: str) -> str:
    """"(入)其他处理" → "（六）其他处理": tesseract misreads the numeral of some （六）-style
    enumerators; when the label's body names exactly one numbered table label, its
    numeral is put back. Anything else is left as read."""
    m = _ENUMERATOR.match(text)
    if not m or set(m.group("n")) <= _CN_NUMERALS:
        return text
    from parsers.labels import fold

    enumerator = _enumerated_bodies().get(fold(m.group("body")))
    return enumerator + m.group("body") if enumerator else text


def _tidy(cell: Piece) -> Piece:
    """OCR text put right where it safely can be: digits with look-alike letters ("1O")
    when the cell then reads as a number, and confused brackets. The confidence stays
    what tesseract said."""
    if read_cell(cell.text).kind != "text":
        return cell
    compact = re.sub(r"\s+", "", cell.text)
    if any(ch.isdigit() for ch in compact):
        fixed = compact.translate(_DIGIT_LOOKALIKES)
        if read_cell(fixed).kind == "number":
            return Piece(fixed, cell.box, cell.conf, cell.cell)
    text = repair_enumerator(ocr_text_fix(cell.text))
    return cell if text == cell.text else Piece(text, cell.box, cell.conf, cell.cell)


def run_tesseract(image: Any, deadline: Deadline, *, psm: int = 3, lang: str = LANG,
                  options: list[str] | None = None) -> list[Glyph]:
    """Word boxes and confidences from tesseract's TSV output."""
    from parsers.office import run_limited

    buf = io.BytesIO()
    image.save(buf, "PNG")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = [tesseract(), "stdin", "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(DPI),
           "-c", "preserve_interword_spaces=1", *(options or []), "tsv"]
    timeout = min(LIMITS.ocr_page_seconds, max(deadline.remaining(), 0.1))
    try:
        done = run_limited(cmd, timeout=timeout, stdin=buf.getvalue(), env=env)
    except subprocess.TimeoutExpired as e:
        raise ParseError(f"OCR 超时（{timeout:.0f} 秒）/ OCR timed out", cause=e) from e
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ParseError(f"tesseract 失败 / tesseract failed: {message[0]}")
    words: list[Glyph] = []
    reader = csv.reader(io.StringIO(done.stdout.decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(reader, None)
    for rec in reader:
        if len(rec) < 12 or rec[0] != "5":
            continue
        text = rec[11].strip()
        if not text:
            continue
        left, top, width, height = (int(v) for v in rec[6:10])
        words.append(Glyph(text, float(left), float(top), float(left + width), float(top + height), float(rec[10])))
    return words
