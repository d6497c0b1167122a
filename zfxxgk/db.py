"""The archive database: its schema (SCHEMA.md) and the writes that keep it consistent.

Tables are created with sqlite-utils so the schema reads as data; the hot write path
(``write_report``) uses plain ``executemany`` inside one sqlite-utils ``atomic()`` block,
because a build writes about 200 cells per report and must keep up with 100,000 reports.
A report, its cells, extras, findings and full-text rows are one unit: they all land or
none does (a savepoint when the caller already holds a transaction).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from parsers.model import APPLICATIONS, PROACTIVE, REVIEW_LITIGATION, Finding, Report
from zfxxgk import fts, labels, timeliness
from zfxxgk.regions import region_of

CELL_TABLES = {
    PROACTIVE: ("proactive_items", ("item", "metric")),
    APPLICATIONS: ("applications", ("row", "applicant")),
    REVIEW_LITIGATION: ("review_litigation", ("kind", "result")),
}

def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating it and its folder if needed) an archive database in WAL mode with
    the full schema."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    db.execute("PRAGMA synchronous=NORMAL")
    # a large page cache (allocated only as used) keeps the cell indexes in memory while
    # a build inserts ~200 cells per report at scattered places in them
    db.execute("PRAGMA cache_size=-262144")
    db.execute("PRAGMA temp_store=MEMORY")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table, index and the FTS table that is missing; refresh labels."""
    _create_registry_tables(db)
    _create_report_tables(db)
    _create_indexes(db)
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts.FTS_TABLE} USING fts5("
        f"{', '.join(fts.FTS_COLUMNS)}, content='', tokenize='unicode61')"
    )
    _fill_labels(db)


def _create_registry_tables(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "id": str, "agency": str, "province": str, "city": str, "county": str,
            "level": str, "cms": str, "start_urls": str, "render": str, "encoding": str,
            "evidence": str, "notes": str,
        },
        pk="id", if_not_exists=True,
    )
    db["crawl_runs"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "source_id": str,
            "requests": int, "new": int, "changed": int, "unchanged": int, "errors": str,
            "status": str, "summary": str,
        },
        pk="id", foreign_keys=[("source_id", "sources", "id")], if_not_exists=True,
    )
    db["captures"].create(
        {
            "id": int, "url": str, "source_id": str, "crawl_run_id": int, "fetched_at": str,
            "status": int, "headers": str, "sha256": str, "size": int, "content_type": str,
            "storage_path": str, "parent_url": str, "kind": str,
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id"), ("crawl_run_id", "crawl_runs", "id")],
        not_null=["url"], if_not_exists=True,
    )
    if "kind" not in db["captures"].columns_dict:  # archives made before the crawler's kind
        db["captures"].add_column("kind", str)


def _create_report_tables(db: sqlite_utils.Database) -> None:
    db["reports"].create(
        {
            "id": int, "document_key": str, "sha256": str, "version": int,
            "is_current": int, "capture_id": int, "source_id": str, "agency": str,
            "province": str, "city": str, "county": str, "level": str, "year": int,
            "format_era": str, "title": str, "published_on": str,
            "published_on_source": str, "deadline": str, "is_late": int, "source_url": str,
            "source_format": str, "text": str, "text_chars": int, "n_cells": int,
            "n_findings": int, "parser_version": str, "parsed_at": str,
        },
        pk="id",
        foreign_keys=[("capture_id", "captures", "id"), ("source_id", "sources", "id")],
        not_null=["document_key", "sha256", "version", "is_current"],
        if_not_exists=True,
    )
    ref = [("report_id", "reports", "id")]
    _create_without_rowid(
        db, "proactive_items",
        {"report_id": int, "item": str, "metric": str, "value": float, "raw": str,
         "unit": str},
        pk=("report_id", "item", "metric"), foreign_keys=ref,
    )
    _create_without_rowid(
        db, "applications",
        {"report_id": int, "row": str, "applicant": str, "value": float, "raw": str},
        pk=("report_id", "row", "applicant"), foreign_keys=ref,
    )
    _create_without_rowid(
        db, "review_litigation",
        {"report_id": int, "kind": str, "result": str, "value": float, "raw": str},
        pk=("report_id", "kind", "result"), foreign_keys=ref,
    )
    _create_without_rowid(
        db, "extras", {"report_id": int, "key": str, "value": float, "raw": str},
        pk=("report_id", "key"), foreign_keys=ref,
    )
    db["findings"].create(
        {"id": int, "report_id": int, "rule": str, "location": str, "expected": str,
         "actual": str, "message": str, "severity": str},
        pk="id", foreign_keys=ref, if_not_exists=True,
    )
    db["parse_failures"].create(
        {"id": int, "document_key": str, "sha256": str, "error": str, "failed_at": str},
        pk="id", if_not_exists=True,
    )
    db["label_proactive"].create(
        {"item": str, "metric": str, "era": str, "gloss_en": str},
        pk=("item", "metric", "era"), if_not_exists=True,
    )
    db["label_applications"].create({"row": str, "gloss_en": str}, pk="row",
                                    if_not_exists=True)
    db["label_applicants"].create({"applicant": str, "gloss_en": str}, pk="applicant",
                                  if_not_exists=True)
    db["label_review"].create({"kind": str, "result": str, "gloss_en": str},
                              pk=("kind", "result"), if_not_exists=True)
    db["label_rules"].create(
        {"rule": str, "description_zh": str, "description_en": str}, pk="rule",
        if_not_exists=True,
    )


def _create_without_rowid(db: sqlite_utils.Database, name: str, columns: dict[str, type],
                          *, pk: tuple[str, ...], foreign_keys: list) -> None:
    """A cell table clustered on its primary key (report_id first), from the DDL that
    sqlite-utils writes. About 200 cells per report make these the largest tables; without
    a rowid, the table is its primary-key index, which saves a third of their size and
    write time. (sqlite-utils has no option for WITHOUT ROWID, so it is appended.)"""
    sql = db.create_table_sql(name, columns, pk=pk, foreign_keys=foreign_keys,
                              if_not_exists=True)
    db.execute(sql.strip().rstrip(";") + " WITHOUT ROWID")


# Secondary indexes of the cell tables: dropped during a large build and made again at
# the end, which sorts once instead of inserting ~160 entries per report at random places.
DEFERRABLE_INDEXES = [("applications", ["row", "applicant"])]


@contextmanager
def bulk_load(db: sqlite_utils.Database) -> Iterator[None]:
    """Defer the cell tables' secondary indexes while many reports are written. They come
    back when the block ends, even on error (and ``ensure_schema`` restores any missing
    index the next time the archive is opened)."""
    for table, columns in DEFERRABLE_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS [idx_{table}_{'_'.join(columns)}]")
    try:
        yield
    finally:
        db.rollback()
        for table, columns in DEFERRABLE_INDEXES:
            db[table].create_index(columns, if_not_exists=True)


def _create_indexes(db: sqlite_utils.Database) -> None:
    """Indexes on what queries filter on. The cell tables' compound primary keys start with
    report_id, so their own index already serves lookups by report."""
    wanted: list[tuple[str, list[str], bool]] = [
        ("reports", ["sha256"], True),
        ("reports", ["document_key"], False),
        ("reports", ["year"], False),
        ("reports", ["agency"], False),
        ("reports", ["province"], False),
        ("reports", ["level"], False),
        ("reports", ["is_current"], False),
        ("applications", ["row", "applicant"], False),
        ("findings", ["report_id"], False),
        ("findings", ["rule"], False),
        ("captures", ["sha256"], False),
        ("captures", ["url"], False),
        ("parse_failures", ["sha256"], False),
    ]
    for table, columns, unique in wanted:
        db[table].create_index(columns, unique=unique, if_not_exists=True)


def _fill_labels(db: sqlite_utils.Database) -> None:
    with db.atomic():
        db["label_proactive"].upsert_all(
            [dict(zip(("item", "metric", "era", "gloss_en"), r, strict=True))
             for r in labels.PROACTIVE],
            pk=("item", "metric", "era"),
        )
        db["label_applications"].upsert_all(
            [{"row": r, "gloss_en": g} for r, g in labels.APPLICATION_ROWS], pk="row"
        )
        db["label_applicants"].upsert_all(
            [{"applicant": a, "gloss_en": g} for a, g in labels.APPLICANTS], pk="applicant"
        )
        db["label_review"].upsert_all(
            [{"kind": k, "result": r, "gloss_en": g} for k, r, g in labels.REVIEW],
            pk=("kind", "result"),
        )
        db["label_rules"].upsert_all(
            [dict(zip(("rule", "description_zh", "description_en"), r, strict=True))
             for r in labels.RULES],
            pk="rule",
        )


def now_iso() -> str:
    """The current UTC time, to the second, as ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def known_hashes(db: sqlite_utils.Database) -> set[str]:
    """sha256 of every document already built: as a report or as a recorded failure."""
    rows = db.execute("SELECT sha256 FROM reports UNION SELECT sha256 FROM parse_failures")
    return {r[0] for r in rows if r[0]}


def record_failure(db: sqlite_utils.Database, *, document_key: str, sha256: str,
                   error: str, failed_at: str | None = None) -> int:
    """Note a document that could not be parsed or written; the build goes on."""
    with db.atomic():
        cur = db.execute(
            "INSERT INTO parse_failures (document_key, sha256, error, failed_at)"
            " VALUES (?, ?, ?, ?)",
            [document_key, sha256, error, failed_at or now_iso()],
        )
    return int(cur.lastrowid)


def write_report(
    db: sqlite_utils.Database,
    report: Report,
    *,
    document_key: str,
    sha256: str,
    capture_id: int | None = None,
    source_id: str | None = None,
    source_url: str | None = None,
    registry: Mapping[str, Any] | None = None,
    parser_version: str | None = None,
    parsed_at: str | None = None,
    fts_columns: tuple[str, str] | None = None,
) -> int | None:
    """Store one parsed report with everything that hangs off it; return its id.

    Returns None when these bytes are already in the archive (same bytes never make two
    reports; if they are an earlier version of ``document_key`` they become current
    again). New bytes for a known ``document_key`` become its next version, and the older
    versions stay, no longer current. ``registry`` is the ``sources`` row, used for region
    and level. ``fts_columns`` may carry ``fts.index_columns`` computed elsewhere (a worker
    process). Everything is written in one transaction (a savepoint inside the caller's).
    """
    with db.atomic():
        written = insert_report(
            db, report, document_key=document_key, sha256=sha256, capture_id=capture_id,
            source_id=source_id, source_url=source_url, registry=registry,
            parser_version=parser_version, parsed_at=parsed_at, fts_columns=fts_columns,
        )
    return written[0] if written else None


def insert_report(
    db: sqlite_utils.Database,
    report: Report,
    *,
    document_key: str,
    sha256: str,
    capture_id: int | None = None,
    source_id: str | None = None,
    source_url: str | None = None,
    registry: Mapping[str, Any] | None = None,
    parser_version: str | None = None,
    parsed_at: str | None = None,
    fts_columns: tuple[str, str] | None = None,
) -> tuple[int, int, int] | None:
    """``write_report`` without its own savepoint, for batched builds: the caller holds a
    transaction and must roll it back if this raises (savepoints copy every page a report
    touches, which costs more than the inserts). Returns (id, n_cells, n_findings)."""
    existing = db.execute(
        "SELECT id, document_key, is_current FROM reports WHERE sha256 = ?", [sha256]
    ).fetchone()
    if existing:
        if existing[1] == document_key and not existing[2]:
            _make_current(db, existing[0], document_key)
        return None
    (last,) = db.execute(
        "SELECT max(version) FROM reports WHERE document_key = ?", [document_key]
    ).fetchone()
    if last:
        db.execute(
            "UPDATE reports SET is_current = 0 WHERE document_key = ? AND is_current = 1",
            [document_key],
        )
    cell_rows, findings = _cell_rows(report)
    n_cells = sum(len(rows) for rows in cell_rows.values())
    row = _report_row(report, registry=registry, source_id=source_id)
    row.update(
        document_key=document_key, sha256=sha256, version=(last or 0) + 1, is_current=1,
        capture_id=capture_id, source_url=source_url or report.source,
        n_cells=n_cells, n_findings=len(findings),
        parser_version=parser_version or _parser_version(), parsed_at=parsed_at or now_iso(),
    )
    names = list(row)
    cur = db.execute(
        f"INSERT INTO reports ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [row[n] for n in names],
    )
    report_id = int(cur.lastrowid)
    _insert_cells(db, report_id, cell_rows)
    _insert_extras(db, report_id, report.extra)
    _insert_findings(db, report_id, findings)
    chars, bigrams = fts_columns or fts.index_columns(
        fts.document_text(report.title, report.text)
    )
    db.execute(
        f"INSERT INTO {fts.FTS_TABLE} (rowid, chars, bigrams) VALUES (?, ?, ?)",
        [report_id, chars, bigrams],
    )
    return report_id, n_cells, len(findings)


def _make_current(db: sqlite_utils.Database, report_id: int, document_key: str) -> None:
    db.execute("UPDATE reports SET is_current = 0 WHERE document_key = ?", [document_key])
    db.execute("UPDATE reports SET is_current = 1 WHERE id = ?", [report_id])


def _parser_version() -> str | None:
    try:
        from parsers import PARSER_VERSION
    except ImportError:  # the parser package is importable without its version constant
        return None
    return str(PARSER_VERSION)


def _report_row(report: Report, *, registry: Mapping[str, Any] | None,
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


def _cell_rows(report: Report) -> tuple[dict[str, list[tuple]], list[Finding]]:
    """Rows for each cell table (without report_id), in one pass over the cells, and the
    findings: the report's own plus one ``duplicate_cell`` for each repeat of a (table,
    row, column), whose first occurrence is kept rather than failing the whole report."""
    rows: dict[str, list[tuple]] = {table: [] for table in CELL_TABLES}
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
            value = _number(value)
        if cell.table == PROACTIVE:
            bucket.append((cell.row, cell.column, value, cell.raw, cell.unit))
        else:
            bucket.append((cell.row, cell.column, value, cell.raw))
    return rows, findings


_CELL_INSERTS = {
    table: (
        f"INSERT INTO {name} (report_id, [{a}], [{b}], value, raw"
        + (", unit) VALUES (?, ?, ?, ?, ?, ?)" if table == PROACTIVE else ") VALUES (?, ?, ?, ?, ?)")
    )
    for table, (name, (a, b)) in CELL_TABLES.items()
}


def _insert_cells(db: sqlite_utils.Database, report_id: int,
                  rows: Mapping[str, list[tuple]]) -> None:
    for table, table_rows in rows.items():
        if table_rows:
            db.conn.executemany(_CELL_INSERTS[table],
                                [(report_id, *row) for row in table_rows])


def _insert_extras(db: sqlite_utils.Database, report_id: int, extra: Mapping[str, Any]) -> None:
    rows = []
    for key, value in (extra or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            rows.append((report_id, str(key), None, _as_text(value)))
        elif isinstance(value, str):
            rows.append((report_id, str(key), _number_from_text(value), value))
        else:
            rows.append((report_id, str(key), _number(value), _as_text(value)))
    db.conn.executemany(
        "INSERT INTO extras (report_id, key, value, raw) VALUES (?, ?, ?, ?)", rows
    )


def _insert_findings(db: sqlite_utils.Database, report_id: int,
                     findings: Iterable[Finding]) -> None:
    db.conn.executemany(
        "INSERT INTO findings (report_id, rule, location, expected, actual, message, severity)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (report_id, f.rule, _as_text(f.location), _as_text(f.expected),
             _as_text(f.actual), f.message, f.severity)
            for f in findings
        ],
    )


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _number_from_text(text: str) -> float | None:
    return _number(text.strip().replace(",", "")) if text.strip() else None


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
