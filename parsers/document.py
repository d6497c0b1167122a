"""The intermediate form every reader produces: rows of cells in reading order.

Readers (text, HTML, and later PDF/Word/OCR) only turn bytes into a ``Document``; the
table interpreter (``parsers.tables``) and the metadata extractor (``parsers.meta``) work on
``Document`` alone, so a new format is one new reader and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Document:
    """A document reduced to what the extractors need.

    rows   -- table rows and text lines in reading order; each row is a list of cell
              strings as printed (merged cells are *not* repeated: a rowspan cell appears
              once, in the first row it spans). A paragraph outside tables is a
              one-cell row.
    text   -- the full text of the report (main content only for web pages).
    title  -- the document's own title when it has one apart from the text
              (HTML ``<title>`` / ``ArticleTitle`` meta), else None.
    meta   -- page metadata found by the reader, e.g. ``published`` (ISO date),
              ``published_source`` (where it came from), ``site``, ``source_agency``.
    format -- the reader that produced it: "text", "html", ...
    positions -- where each cell of ``rows`` was read, parallel to ``rows`` (a list per
              row, a dict or None per cell), or None when the reader has none (text,
              HTML). PDF: ``page`` and ``box`` (points, top-left origin); scans add
              ``conf`` (lowest OCR word confidence) and ``dpi`` (the box is in pixels);
              DOCX: ``table``/``row``/``col`` or ``paragraph``, plus ``page`` when Word
              recorded page breaks; spreadsheets: ``sheet`` and ``cell``. The table
              interpreter carries them into ``Cell.where``.
    """

    rows: list[list[str]]
    text: str
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    format: str = "text"
    positions: list[list[dict[str, Any] | None]] | None = None
