"""Plain text → rows of cells.

Three layouts occur in text taken from reports, often mixed in one file:

* Word's text export: one cell per line, each prefixed by a TAB; a cell that wraps goes on
  without the TAB (vertical headers come one character per line); rows end at a blank line.
* PDF text: one row per line, cells separated by TABs (empty cells are empty fields).
* Plain lines: a paragraph, or a row whose numbers follow the label after spaces
  ("规章 0 0 0"), which is split into a label cell and value cells.
"""

from __future__ import annotations

import re

from parsers.decode import decode_bytes
from parsers.document import Document
from parsers.values import is_value

_SPACES = re.compile(r"[ \u00a0\u3000]+")
# Punctuation that Chinese typesetting never puts at the start of a line (避头点): a line
# starting with one continues the line before it, wrapped by the PDF or the editor.
_NO_LINE_START = tuple("、，。：；！？）》」』”’,.:;!?)")
# ...and never ends a line with an opening bracket (避尾点): the next line continues it.
_NO_LINE_END = tuple("（《「『“‘(")


def split_inline_values(line: str) -> list[str]:
    """"规章 0 0 0" → ["规章", "0", "0", "0"]; anything else stays one cell."""
    parts = _SPACES.split(line.strip())
    if len(parts) < 2:
        return [line]
    n = len(parts)
    while n > 0 and is_value(parts[n - 1]) and parts[n - 1] != "":
        n -= 1
    if n == len(parts):
        return [line]
    head = " ".join(parts[:n])
    return ([head] if head else []) + parts[n:]


def text_to_rows(text: str) -> list[list[str]]:
    rows: list[list[str]] = []
    current: list[str] = []
    in_cell = False

    def flush() -> None:
        nonlocal current
        if current:
            rows.append(current)
            current = []

    after_plain = False
    for line in text.splitlines():
        plain = False
        tab = line.find("\t")  # one scan decides among the three TAB layouts
        if tab == 0 and line.find("\t", 1) < 0:
            current.append(line[1:])
            in_cell = True
        elif tab >= 0:
            flush()
            rows.append(line.split("\t"))
            in_cell = False
        elif not line.strip(" \u3000\r"):  # blank (holds no TAB)
            flush()
            in_cell = False
        elif in_cell and current:
            current[-1] += "\n" + line
        elif after_plain and rows and len(rows[-1]) == 1 and (
            line.lstrip(" \u3000").startswith(_NO_LINE_START) or rows[-1][0].rstrip().endswith(_NO_LINE_END)
        ):
            rows[-1] = [rows[-1][0] + "\n" + line.strip(" \u3000")]
            plain = True
        else:
            flush()
            rows.append(split_inline_values(line))
            plain = True
        after_plain = plain
    flush()
    return rows


# Word's text export writes each bookmark as "[bookmark: _GoBack]" (the cursor's last
# position, saved by Word in every document edited): markup, never the report's text. A
# line holding only one goes with its line break (a blank line would end a table row).
_BOOKMARK_LINE = re.compile(r"^\[bookmark: [^\]\n]*\][ \t\u3000]*(?:\n|\Z)", re.M)
_BOOKMARK = re.compile(r"\[bookmark: [^\]\n]*\]")


def drop_bookmarks(text: str) -> str:
    """``text`` without Word's "[bookmark: …]" markers."""
    if "[bookmark: " not in text:
        return text
    return _BOOKMARK.sub("", _BOOKMARK_LINE.sub("", text))


def read_text(data: bytes) -> Document:
    text = decode_bytes(data).replace("\r\n", "\n").replace("\r", "\n")
    text = drop_bookmarks(text)
    return Document(rows=text_to_rows(text), text=text, format="text")


def read_text_document(data: bytes, url: str | None = None) -> Document:
    """Reader entry point (``parsers.readers``): text has no URL-dependent parts."""
    return read_text(data)
