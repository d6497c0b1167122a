"""A parsed report as the rows the archive stores, before any database is involved.

Why a separate step: turning a ``Report`` into rows (region and level, deadline, numbers
as stored, duplicate cells, extras, findings, the search-index columns) is pure work on
the report, so a build does it in its parsing processes and the one writing process only
runs SQL. Labels stay text here; ``zfxxgk.db`` maps them to the label tables' ids.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parsers.model import APPLICATIONS, PROACTIVE, REVIEW_LITIGATION, Finding, Report
from zfxxgk import fts, timeliness
from zfxxgk.regions import region_of


@dataclass(slots=True)
class ReportRows:
    """Everything one report adds to the archive, except what only the database knows
    (its id, version, the ids of its labels).

    ``fields``       -- ``reports`` columns taken from the report itself;
    ``proactive``    -- (item, metric, value, raw, unit, where) per cell of table 二;
    ``applications`` -- (row, applicant, value, raw, where) per cell of table 三;
    ``review``       -- (kind, result, value, raw, where) per cell of table 四;
    ``where`` is the cell's ``Cell.where`` as compact JSON text (None when unknown);
    ``extras``       -- (key, value, raw); ``findings`` -- (rule, location, expected,
    actual, message, severity); ``fts`` -- the ``reports_fts`` columns (chars, bigrams, trigrams);
    ``source``       -- the report's own source name, the default ``source_url``.
    """

    fields: dict[str, Any]
    proactive: list[tuple[str, str, float | int | None, str, str | None, str | None]]
    applications: list[tuple[str, str, float | int | None, str, str | None]]
    review: list[tuple[str, str, float | int | None, str, str | None]]
    extras: list[tuple[str, float | None, str | None]]
    findings: list[tuple[str, str, str | None, str | None, str | None, str | None]]
    fts: tuple[str, str, str]
    source: str | None = None

    @property
    def n_cells(self) -> int:
        return len(self.proactive) + len(self.applications) + len(self.review)


def report_rows(
    report: Report,
    *,
    registry: Mapping[str, Any] | None = None,
    source_id: str | None = None,
    fts_columns: tuple[str, str, str] | None = None,
) -> ReportRows:
    """The rows of ``report``. ``registry`` is its ``sources`` row (region and level);
    ``fts_columns`` may carry ``fts.index_columns`` computed earlier."""
    cells, findings = _cells(report)
    return ReportRows(
        fields=_report_fields(report, registry=registry, source_id=source_id),
        proactive=cells[PROACTIVE],  # type: ignore[arg-type]
        applications=cells[APPLICATIONS],  # type: ignore[arg-type]
        review=cells[REVIEW_LITIGATION],  # type: ignore[arg-type]
        extras=_extras(report.extra),
        findings=[
            (f.rule, _as_text(f.location), _as_text(f.expected), _as_text(f.actual),
             f.message, f.severity)
            for f in findings
        ],
        fts=fts_columns or fts.index_columns(fts.document_text(report.title, report.text)),
        source=report.source,
    )


def _report_fields(report: Report, *, registry: Mapping[str, Any] | None,
                   source_id: str | None) -> dict[str, Any]:
    region = region_of(report.agency, registry)
    deadline = timeliness.deadline_for(report.agency, report.year) if report.year else None
    late = timeliness.is_late(report.published_on, report.agency, report.year)
    text = report.text or ""
    return {
        "source_id": source_id, "agency": report.agency,
        "province": region.province, "city": region.city, "county": region.county,
        "level": region.level, "year": report.year, "format_era": report.format_era,
        "title": report.title, "published_on": report.published_on,
        "published_on_source": report.published_on_source,
        "deadline": deadline.isoformat() if deadline else None,
        "is_late": None if late is None else int(late),
        "source_format": report.source_format, "text": text, "text_chars": len(text),
    }


def _cells(report: Report) -> tuple[dict[str, list[tuple]], list[Finding]]:
    """Cell rows of each standard table, in one pass over the cells, and the findings:
    the report's own plus one ``duplicate_cell`` for each repeat of a (table, row,
    column), whose first occurrence is kept rather than failing the whole report."""
    rows: dict[str, list[tuple]] = {PROACTIVE: [], APPLICATIONS: [], REVIEW_LITIGATION: []}
    seen: set[tuple[str, str, str]] = set()
    findings = list(report.findings)
    for cell in report.cells:
        bucket = rows.get(cell.table)
        if bucket is None:
            continue
        key = (cell.table, cell.row, cell.column)
        if key in seen:
            findings.append(Finding(
                rule="duplicate_cell", location=f"{cell.table}/{cell.row}/{cell.column}",
                expected=None, actual=cell.raw or cell.value,
                message="同一单元格出现多次，仅保留第一次 / cell repeated, first kept",
            ))
            continue
        seen.add(key)
        value = cell.value
        if value is not None and (type(value) is not int or value is True or value is False):
            value = number(value)
        where = where_text(cell.where) if cell.where else None
        if cell.table == PROACTIVE:
            bucket.append((cell.row, cell.column, value, cell.raw, cell.unit, where))
        else:
            bucket.append((cell.row, cell.column, value, cell.raw, where))
    return rows, findings


def where_text(where: Mapping[str, Any]) -> str:
    """A cell's position as stored in the ``where`` column: compact JSON, Chinese kept
    readable ({"page":3}; a scan's {"page":1,"box":[…],"confidence":91.0,"dpi":300})."""
    return json.dumps(where, ensure_ascii=False, separators=(",", ":"))


def _extras(extra: Mapping[str, Any] | None) -> list[tuple[str, float | None, str | None]]:
    rows = []
    for key, value in (extra or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            rows.append((str(key), None, _as_text(value)))
        elif isinstance(value, str):
            rows.append((str(key), _number_from_text(value), value))
        else:
            rows.append((str(key), number(value), _as_text(value)))
    return rows


def number(value: Any) -> float | None:
    """A finite number as stored (REAL), else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _number_from_text(text: str) -> float | None:
    return number(text.strip().replace(",", "")) if text.strip() else None


def _as_text(value: Any) -> str | None:
    """Scalars as their text, anything else as JSON (Chinese kept readable)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
