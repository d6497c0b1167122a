"""The parse entry point: bytes → Report. Picks a reader from the bytes, then runs the
shared extractors (tables, metadata, validation) on the reader's ``Document``."""

from __future__ import annotations

from pathlib import Path

from parsers.document import Document
from parsers.errors import ParseError
from parsers.meta import extract_meta
from parsers.model import Finding, Report
from parsers.readers import read_document
from parsers.tables import extract_tables
from parsers.validate import validate

PARSER_VERSION = "0.1.0"


def parse_document(doc: Document, *, source: str | None = None) -> Report:
    """Extract a report from an already-read document."""
    meta = extract_meta(doc.text, doc.title, doc.meta)
    tables = extract_tables(doc.rows, year=meta.year, positions=doc.positions)
    report = Report(
        agency=meta.agency,
        year=meta.year,
        format_era=tables.era,
        title=meta.title,
        published_on=meta.published_on,
        published_on_source=meta.published_on_source,
        text=doc.text,
        cells=tables.cells,
        extra=tables.extra,
        source=source,
        source_format=doc.format,
    )
    findings: list[Finding] = list(tables.findings)
    findings.extend(validate(report))
    if doc.meta.get("ocr_pages"):
        from parsers.ocr_reader import ocr_findings  # only scans need the OCR module

        findings.extend(ocr_findings(report.cells, doc.meta))
    if not tables.found:
        raise ParseError("未找到年度报告的统计表格 / no report tables found in the document")
    report.findings = findings
    return report


def parse(data: bytes, name: str | None = None, url: str | None = None) -> Report:
    """Parse one report document. Raises ParseError (one line, user-facing) when the bytes
    cannot be read as a report."""
    if not data:
        raise ParseError("空文件 / empty document")
    doc = read_document(data, name, url)
    source = Path(name).name if name else url
    return parse_document(doc, source=source)
