"""The normalized report: what every reader produces, whatever the document looked like.

The JSON form (``Report.to_json``) is the one of ``FORMAT.md``: the three standard tables as
tidy cells, ``extra`` for local additions, ``findings`` for what does not add up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PROACTIVE = "proactive"
APPLICATIONS = "applications"
REVIEW_LITIGATION = "review_litigation"
TABLES = (PROACTIVE, APPLICATIONS, REVIEW_LITIGATION)


@dataclass(frozen=True, slots=True)
class Cell:
    """One number of a standard table.

    ``row`` and ``column`` are canonical labels: for ``proactive`` the item and the metric,
    for ``applications`` the row path and the applicant, for ``review_litigation`` the kind
    and the result. ``value`` is None for blank / dash / 无 cells; ``raw`` keeps the text
    as printed; ``unit`` is set only when the document writes one. ``where`` says where
    the number was read, so the archive can point at it: ``{"page": 3}`` for PDF and Word
    pages, plus ``box`` ([x0, top, x1, bottom] in pixels at ``dpi``) and ``confidence``
    (0–100) for scans, ``{"sheet", "cell"}`` for spreadsheets; None when the reader
    knows no place (text, HTML) or the cell was not printed. It takes no part in
    comparisons: the same number read from another place is the same cell.
    """

    table: str
    row: str
    column: str
    value: float | int | None
    raw: str = ""
    unit: str | None = None
    where: dict[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        keys = {
            PROACTIVE: ("item", "metric"),
            APPLICATIONS: ("row", "applicant"),
            REVIEW_LITIGATION: ("kind", "result"),
        }[self.table]
        out: dict[str, Any] = {keys[0]: self.row, keys[1]: self.column, "value": self.value}
        if self.unit:
            out["unit"] = self.unit
        if self.raw != "" and self.raw != _plain(self.value):
            out["raw"] = self.raw
        if self.where:
            out["where"] = self.where
        return out


def _plain(value: float | int | None) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Finding:
    """A validation finding: which rule, where, what was expected and what was printed."""

    rule: str
    location: str
    expected: Any
    actual: Any
    message: str = ""
    severity: str = "warning"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Report:
    """One parsed annual report."""

    agency: str | None = None
    year: int | None = None
    format_era: str | None = None
    title: str | None = None
    published_on: str | None = None
    published_on_source: str | None = None
    text: str = ""
    cells: list[Cell] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    source: str | None = None
    source_format: str | None = None

    def table(self, name: str) -> list[Cell]:
        return [c for c in self.cells if c.table == name]

    def value(self, table: str, row: str, column: str) -> float | int | None:
        for c in self.cells:
            if c.table == table and c.row == row and c.column == column:
                return c.value
        raise KeyError((table, row, column))

    def to_json(self, *, with_text: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "agency": self.agency,
            "year": self.year,
            "format_era": self.format_era,
            "title": self.title,
            "published_on": self.published_on,
            "published_on_source": self.published_on_source,
        }
        for name in TABLES:
            out[name] = [c.to_json() for c in self.table(name)]
        out["extra"] = self.extra
        out["findings"] = [f.to_json() for f in self.findings]
        if with_text:
            out["text"] = self.text
        return out
