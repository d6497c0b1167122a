"""The reports the sample portal publishes: the five hand-verified seeds and reports drawn by
``zfxxgk.generator`` (fixed seeds, so every start of the portal serves the same bytes).

A report is kept as blocks (title lines, headings, paragraphs, tables of merged cells) so
each site can print it in its own template and as PDF/DOCX attachments."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "samples" / "seeds"


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Block:
    kind: str  # title | heading | para | table | signature
    text: str = ""
    lines: tuple[str, ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()


@dataclass(frozen=True)
class SampleReport:
    key: str
    agency: str
    year: int
    published: date
    blocks: tuple[Block, ...]
    origin: str  # "seed:<file>" or "generator:<seed>"
    truth: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def title(self) -> str:
        """The title as printed on the report (its title lines joined)."""
        first = self.blocks[0] if self.blocks else None
        if first is not None and first.kind == "title" and first.lines:
            return "".join(first.lines)
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def lines(self) -> list[str]:
        """Plain text lines (tables as one line per row, cells separated by spaces)."""
        out: list[str] = []
        for b in self.blocks:
            if b.kind in ("title", "signature"):
                out += list(b.lines)
            elif b.kind == "table":
                out += ["  ".join(c.text.replace("\n", "") or "　" for c in row) for row in b.rows]
            else:
                out.append(b.text)
        return out


_HEADING = re.compile(r"^[一二三四五六七八九十]+、|^[1-6]、")


def seed_blocks(text: str) -> tuple[list[str], list[Block]]:
    """Seed text → (title lines, blocks). Table rows are blank-line separated groups of
    tab-led cells; a line without a tab continues the cell above it."""
    lines = text.replace("\r\n", "\n").split("\n")
    title: list[str] = []
    i = 0
    while i < len(lines) and len(title) < 3 and not _HEADING.match(lines[i].strip()):
        line = lines[i].strip()
        i += 1
        if line:
            title.append(line)
            if "报告" in line:
                break
    blocks: list[Block] = [Block("title", lines=tuple(title))]
    rows: list[tuple[Cell, ...]] = []
    row: list[str] = []

    def end_row() -> None:
        nonlocal row
        if row:
            rows.append(tuple(Cell(c.strip()) for c in row))
        row = []

    def end_table() -> None:
        nonlocal rows
        end_row()
        if rows:
            blocks.append(Block("table", rows=tuple(rows)))
        rows = []

    for line in lines[i:]:
        if line.startswith("\t"):
            row.append(line[1:])
        elif not line.strip():
            end_row()
        elif row:  # continuation of a multi-line cell
            row[-1] += "\n" + line
        else:
            end_table()
            kind = "heading" if _HEADING.match(line.strip()) else "para"
            blocks.append(Block(kind, text=line.strip()))
    end_table()
    return title, blocks


@lru_cache(maxsize=1)
def seed_reports() -> tuple[SampleReport, ...]:
    out = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
        _, blocks = seed_blocks(path.read_text(encoding="utf-8"))
        year = int(truth["year"])
        out.append(SampleReport(
            key=path.stem, agency=truth["agency"], year=year, published=date(year + 1, 1, 20 + len(out)),
            blocks=tuple(blocks), origin=f"seed:{path.name}", truth=truth,
        ))
    return tuple(out)


def generated_report(seed: int) -> SampleReport:
    from zfxxgk.generator import generate_report
    from zfxxgk.generator.layout import build_blocks, grid_positions

    g = generate_report(seed)
    blocks: list[Block] = []
    for b in build_blocks(g):
        if b.kind == "table" and b.table is not None:
            rows = []
            for line in grid_positions(b.table):
                rows.append(tuple(Cell(c.text, c.rowspan, c.colspan) for c, continued in line if not continued))
            blocks.append(Block("table", rows=tuple(rows)))
        elif b.kind in ("title", "signature"):
            blocks.append(Block(b.kind, lines=tuple(b.lines)))
        else:
            blocks.append(Block(b.kind, text=b.text))
    return SampleReport(key=f"gen{seed}", agency=g.agency.name, year=g.year, published=g.published_on,
                        blocks=tuple(blocks), origin=f"generator:{seed}", truth=g.truth)


@lru_cache(maxsize=8)
def reports_for(site: str, count: int, seeds: tuple[int, ...] = ()) -> tuple[SampleReport, ...]:
    """``count`` reports for a site: the seed reports named in ``seeds`` (indexes), then
    generated ones with seeds fixed by the site name."""
    picked = [seed_reports()[i] for i in seeds]
    base = sum(ord(c) for c in site) * 1000
    n = 0
    while len(picked) < count:
        picked.append(generated_report(base + n))
        n += 1
    return tuple(picked)
