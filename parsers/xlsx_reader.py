"""Spreadsheets → rows of cells: XLSX with openpyxl, XLS with xlrd.

A merged range keeps its value in its top-left cell only. Positions it covers to the right
are dropped (the cell appears once) and positions below are empty placeholders, the same
convention as the Word reader, so value columns stay in place. Numbers are printed the way
a person reads them (550, not 550.0). Sheets are read in order; each cell records its sheet
and address.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from parsers.document import Document
from parsers.errors import ParseError
from parsers.limits import LIMITS, Deadline, check_size
from parsers.page_layout import attach_positions

Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (1-based, inclusive)


def read_xlsx(data: bytes, url: str | None = None) -> Document:
    """Reader entry point for XLSX (``parsers.readers``)."""
    import openpyxl

    from parsers.docx_reader import check_ooxml, library_errors

    check_ooxml(data)
    deadline = Deadline(LIMITS.document_seconds)
    with library_errors("XLSX"), deadline.guard("XLSX"):
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        sheets = []
        for ws in wb.worksheets:
            merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
            values = ((cell.row, cell.column, cell.value) for row in ws.iter_rows() for cell in row)
            sheets.append((ws.title, ws.max_row, ws.max_column, values, merges))
        return _document(sheets, "xlsx", deadline)


def read_xls(data: bytes, url: str | None = None) -> Document:
    """Reader entry point for XLS (BIFF, ``parsers.readers``). xlrd reads a sheet only when
    asked (``on_demand``), so its errors on a damaged sheet (IndexError for a shared string
    past the table, struct.error, XLDateError...) come while the sheets are read, not at
    open: the whole read is guarded, not only the opening."""
    import xlrd

    from parsers.docx_reader import library_errors

    check_size(data)
    deadline = Deadline(LIMITS.document_seconds)
    try:
        with deadline.guard("XLS"):
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except ParseError:
        raise
    except Exception as e:  # noqa: BLE001 - any xlrd failure is an unreadable file, with its reason
        message = str(e)
        if "encrypt" in message.lower() or "password" in message.lower():
            raise ParseError("XLS 已加密，需要密码 / password-protected XLS", cause=e) from e
        raise ParseError(f"无法读取 XLS / unreadable XLS ({e.__class__.__name__}: {e})", cause=e) from e
    try:
        with library_errors("XLS"), deadline.guard("XLS"):
            sheets = []
            for index in range(book.nsheets):
                sh = book.sheet_by_index(index)
                # xlrd ranges are (rlo, rhi, clo, chi), 0-based, half-open
                merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sh.merged_cells]
                sheets.append((sh.name, sh.nrows, sh.ncols, _xls_cells(sh, book.datemode), merges))
            return _document(sheets, "xls", deadline)
    finally:
        book.release_resources()


def _xls_cells(sh: Any, datemode: int) -> Iterable[tuple[int, int, Any]]:
    import xlrd

    for r in range(sh.nrows):
        for c in range(sh.ncols):
            cell = sh.cell(r, c)
            value: Any = cell.value
            if cell.ctype == xlrd.XL_CELL_DATE:
                value = xlrd.xldate.xldate_as_datetime(value, datemode)
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                value = None
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            yield r + 1, c + 1, value


def show(value: Any) -> str:
    """A cell value as printed: integral floats without ".0", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _document(sheets: list[tuple[str, int, int, Iterable[tuple[int, int, Any]], list[Merge]]],
              kind: str, deadline: Deadline) -> Document:
    rows: list[list[str]] = []
    positions: list[list[dict[str, Any] | None]] = []
    total = sum(nr * nc for _, nr, nc, _, _ in sheets)
    if total > LIMITS.max_cells:
        raise ParseError(f"表格过大：{total} 个单元格 / spreadsheet too large ({total} cells)")
    for name, _, _, values, merges in sheets:
        right: set[tuple[int, int]] = set()  # covered positions in a merge's first row
        below: set[tuple[int, int]] = set()  # first column of a merge, rows after the first
        hidden: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) == (r0, c0):
                        continue
                    if r > r0 and c == c0:
                        below.add((r, c))
                    elif r == r0:
                        right.add((r, c))
                    else:
                        hidden.add((r, c))
        grid: dict[int, list[tuple[int, str]]] = {}
        for r, c, value in values:
            if (r, c) in right or (r, c) in hidden:
                continue
            text = "" if (r, c) in below else show(value).strip()
            grid.setdefault(r, []).append((c, text))
        for r in sorted(grid):
            deadline.check(kind.upper())
            cells = sorted(grid[r])
            while cells and cells[-1][1] == "":
                cells.pop()
            while cells and cells[0][1] == "" and (r, cells[0][0]) not in below:
                cells.pop(0)
            if not cells:
                continue
            rows.append([t for _, t in cells])
            positions.append([{"sheet": name, "cell": f"{_column(c)}{r}"} if t else None for c, t in cells])
    if not rows:
        raise ParseError("表格为空 / the spreadsheet has no cells")
    doc = Document(rows=rows, text="\n".join("\t".join(r) for r in rows), format=kind)
    attach_positions(doc, positions)
    return doc


def _column(c: int) -> str:
    out = ""
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out
