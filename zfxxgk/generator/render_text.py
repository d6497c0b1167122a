"""Plain-text renderings of a generated report, in the two shapes text exports take:

* "cells" — Word's text export: one table cell per line prefixed by a TAB, a wrapped cell
  going on without the TAB, rows separated by blank lines, and an empty "\\t" line where a
  vertically merged cell continues (seeds 000–002, 004).
* "tabs"  — text pulled from a PDF: one table row per line, cells separated by TABs, merged
  positions as empty fields, paragraphs hard-wrapped, page numbers between pages (seed 003).
"""

from __future__ import annotations

import random

from zfxxgk.generator.layout import Block, Table, build_blocks, grid_positions
from zfxxgk.generator.model import GeneratedReport

TEXT_STYLES = ("cells", "tabs")


def render_text(report: GeneratedReport, style: str = "cells", *, encoding: str = "utf-8") -> bytes:
    """The report as text bytes. Variation within a style is drawn from the report's seed."""
    rng = random.Random(f"{report.seed}/text/{style}")
    blocks = build_blocks(report, signature=rng.random() < 0.85)
    if style == "cells":
        text = _cells(blocks, rng)
    elif style == "tabs":
        text = _tabs(blocks, rng)
    else:
        raise ValueError(f"unknown text style {style!r}; expected one of {TEXT_STYLES}")
    if rng.random() < 0.15:
        text = text.replace("\n", "\r\n")
    return text.encode(encoding)


def _cells(blocks: list[Block], rng: random.Random) -> str:
    gap = rng.random() < 0.4  # some exports keep an empty paragraph between paragraphs
    out: list[str] = []
    for b in blocks:
        if b.kind == "title":
            out += b.lines
            if gap:
                out.append("")
        elif b.kind in ("heading", "para"):
            out.append(b.text)
            if gap:
                out.append("")
        elif b.kind == "table":
            out += _cells_table(b.table)
            out += ["", ""]
        elif b.kind == "signature":
            out += ["", " " * rng.randint(20, 40) + b.lines[0], "", " " * rng.randint(30, 44) + b.lines[1]]
    if rng.random() < 0.1:
        out.append("[bookmark: _GoBack]")
    return "\n".join(out) + "\n"


def _cells_table(table: Table) -> list[str]:
    lines: list[str] = []
    for row in grid_positions(table):
        for cell, continued in row:
            lines.append("\t" + ("" if continued else cell.text))
        lines.append("")
    return lines


def _tabs(blocks: list[Block], rng: random.Random) -> str:
    width = rng.choice([0, 0, 26, 30, 34])  # hard-wrap paragraphs like PDF text, or not
    joiner = rng.choice(["", " "])  # how a wrapped cell's lines come out of the PDF
    page_breaks = rng.random() < 0.3
    page = 1
    out: list[str] = []
    for b in blocks:
        if b.kind == "title":
            out += b.lines
            out.append("")
        elif b.kind == "heading":
            out.append(b.text)
            out.append("")
        elif b.kind == "para":
            text = b.text
            if width:
                out += ["\u3000\u3000" + text[:width - 2]] + [text[i:i + width] for i in range(width - 2, len(text), width)]
            else:
                out.append(text)
            out.append("")
        elif b.kind == "table":
            rows = _tabs_table(b.table, joiner)
            if page_breaks and b.table.name == "applications":
                cut = rng.randint(6, len(rows) - 2)
                page += 1
                rows = rows[:cut] + ["", f"- {page} -", ""] + rows[cut:]
            out += rows
            out.append("")
        elif b.kind == "signature":
            out += [" " * 30 + b.lines[0], " " * 32 + b.lines[1]]
    return "\n".join(out) + "\n"


def _tabs_table(table: Table, joiner: str) -> list[str]:
    lines = []
    for row in grid_positions(table):
        fields: list[str] = []
        for cell, continued in row:
            fields.append("" if continued else joiner.join(cell.text.split("\n")))
            fields += [""] * (cell.colspan - 1)
        lines.append("\t".join(fields))
    return lines
