"""The archive database: its schema (SCHEMA.md) and the writes that keep it consistent.

Tables are created with sqlite-utils so the schema reads as data; the hot write path
(``insert_rows``) uses plain ``executemany`` with statements prepared once, because a build
writes about 200 cells per report and must keep up with 100,000 reports. A report, its
cells, extras, findings and full-text rows are one unit: they all land or none does (a
savepoint when the caller already holds a transaction).

The three statistical tables are stored as ``proactive_cells``, ``application_cells`` and
``review_cells``, whose labels are small ids into the label tables (``zfxxgk.label_ids``);
the views ``proactive_items``, ``applications`` and ``review_litigation`` show them with
their Chinese labels, under the names and columns queries have always used. Each cell
also records where it was read (``where``: the page, and for scans the box and the OCR
confidence, as JSON text; NULL when the document has no pages, as for web pages).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from parsers.model import Report
from zfxxgk import fts
from zfxxgk.label_ids import create_label_tables, fill_label_tables, label_ids, write_transaction
from zfxxgk.report_rows import ReportRows, report_rows

# Views that give the cell tables their labels back. Inner joins, so that a query naming
# a label can start from the (small) label table and reach the cells by index.
CELL_VIEWS = {
    "proactive_items": (
        "SELECT c.report_id AS report_id, l.item AS item, l.metric AS metric,"
        " c.value AS value, c.raw AS raw, c.unit AS unit, c.[where] AS [where]"
        " FROM proactive_cells c JOIN label_proactive l ON l.id = c.label_id"
    ),
    "applications": (
        "SELECT c.report_id AS report_id, l.[row] AS [row], a.applicant AS applicant,"
        " c.value AS value, c.raw AS raw, c.[where] AS [where]"
        " FROM application_cells c JOIN label_applications l ON l.id = c.row_id"
        " JOIN label_applicants a ON a.id = c.applicant_id"
    ),
    "review_litigation": (
        "SELECT c.report_id AS report_id, l.kind AS kind, l.result AS result,"
        " c.value AS value, c.raw AS raw, c.[where] AS [where]"
        " FROM review_cells c JOIN label_review l ON l.id = c.label_id"
    ),
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
    """Create every table, view, index and the FTS table that is missing; refresh labels;
    move an archive made with labels stored as text onto label ids.

    All in one write transaction taken up front: processes opening one archive at the
    same moment (workers of a shared crawl) then set it up one after the other instead of
    failing with "database is locked" halfway through."""
    with write_transaction(db):
        _ensure_schema(db)


def _ensure_schema(db: sqlite_utils.Database) -> None:
    _create_registry_tables(db)
    old_cells = _old_cell_tables(db)
    if old_cells:
        _drop_old_label_tables(db)
    _create_report_tables(db)
    _add_where_columns(db)
    _create_indexes(db)
    _create_search_index(db)
    fill_label_tables(db)
    if old_cells:
        _migrate_old_cells(db, old_cells)
    _create_views(db)


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
    create_label_tables(db)
    ref = ("report_id", "reports", "id")
    _create_without_rowid(
        db, "proactive_cells",
        {"report_id": int, "label_id": int, "value": float, "raw": str, "unit": str,
         "where": str},
        pk=("report_id", "label_id"),
        foreign_keys=[ref, ("label_id", "label_proactive", "id")],
    )
    _create_without_rowid(
        db, "application_cells",
        {"report_id": int, "row_id": int, "applicant_id": int, "value": float, "raw": str,
         "where": str},
        pk=("report_id", "row_id", "applicant_id"),
        foreign_keys=[ref, ("row_id", "label_applications", "id"),
                      ("applicant_id", "label_applicants", "id")],
    )
    _create_without_rowid(
        db, "review_cells",
        {"report_id": int, "label_id": int, "value": float, "raw": str, "where": str},
        pk=("report_id", "label_id"),
        foreign_keys=[ref, ("label_id", "label_review", "id")],
    )
    _create_without_rowid(
        db, "extras", {"report_id": int, "key": str, "value": float, "raw": str},
        pk=("report_id", "key"), foreign_keys=[ref],
    )
    db["findings"].create(
        {"id": int, "report_id": int, "rule": str, "location": str, "expected": str,
         "actual": str, "message": str, "severity": str},
        pk="id", foreign_keys=[ref], if_not_exists=True,
    )
    db["parse_failures"].create(
        {"id": int, "document_key": str, "sha256": str, "error": str, "failed_at": str},
        pk="id", if_not_exists=True,
    )


CELL_TABLES = ("proactive_cells", "application_cells", "review_cells")


def _add_where_columns(db: sqlite_utils.Database) -> None:
    """Archives made before cells recorded where they were read lack the ``where``
    column: it is added (NULL for the cells already there), and the views follow."""
    for table in CELL_TABLES:
        if "where" not in db[table].columns_dict:
            db[table].add_column("where", str)


def _create_search_index(db: sqlite_utils.Database) -> None:
    """The contentless FTS5 table of ``zfxxgk.fts``. An archive indexed with other columns
    (before trigrams) has its index made again from the reports' title and text, every
    version, so that search stays exact for what was already there."""
    create = (f"CREATE VIRTUAL TABLE {fts.FTS_TABLE} USING fts5("
              f"{', '.join(fts.FTS_COLUMNS)}, content='', tokenize='unicode61')")
    columns = [r[1] for r in db.execute(f"SELECT * FROM pragma_table_info('{fts.FTS_TABLE}')")]
    if columns == list(fts.FTS_COLUMNS):
        return
    if columns:
        db.execute(f"DROP TABLE {fts.FTS_TABLE}")
    db.execute(create)
    if columns and db["reports"].exists():
        db.conn.executemany(
            _INSERT["fts"],
            ((rowid, *fts.index_columns(fts.document_text(title, text)))
             for rowid, title, text in db.execute("SELECT id, title, text FROM reports")))


def _create_without_rowid(db: sqlite_utils.Database, name: str, columns: dict[str, type],
                          *, pk: tuple[str, ...], foreign_keys: list) -> None:
    """A cell table clustered on its primary key (report_id first), from the DDL that
    sqlite-utils writes. About 200 cells per report make these the largest tables; without
    a rowid, the table is its primary-key index, which saves a third of their size and
    write time. (sqlite-utils has no option for WITHOUT ROWID, so it is appended.)"""
    sql = db.create_table_sql(name, columns, pk=pk, foreign_keys=foreign_keys,
                              if_not_exists=True)
    db.execute(sql.strip().rstrip(";") + " WITHOUT ROWID")


def _create_views(db: sqlite_utils.Database) -> None:
    """The readable views; one whose definition changed is made again."""
    existing = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    for name, sql in CELL_VIEWS.items():
        if existing.get(name) != f"CREATE VIEW [{name}] AS {sql}":
            db.execute(f"DROP VIEW IF EXISTS [{name}]")
            db.execute(f"CREATE VIEW [{name}] AS {sql}")


# --- archives made before label ids ---------------------------------------------------

# cell tables of archives that stored their labels as text (now the views' names)
_OLD_CELL_TABLES = ("proactive_items", "applications", "review_litigation")


def _old_cell_tables(db: sqlite_utils.Database) -> list[str]:
    """Cell tables of an archive that stored labels as text (they are views now)."""
    tables = set(db.table_names())
    return [name for name in _OLD_CELL_TABLES if name in tables]


def _drop_old_label_tables(db: sqlite_utils.Database) -> None:
    """The old label tables, keyed by text, go; they are refilled with ids."""
    for table in ("label_proactive", "label_applications", "label_applicants", "label_review"):
        if table in db.table_names() and "id" not in db[table].columns_dict:
            db.execute(f"DROP TABLE [{table}]")


def _migrate_old_cells(db: sqlite_utils.Database, old_tables: list[str]) -> None:
    """Copy the cells of text-labelled tables into the id tables, then drop the old ones
    (one transaction: either the archive is moved whole or not at all)."""
    ids = label_ids(db)
    with db.atomic():
        for name in old_tables:
            if name == "proactive_items":
                rows = [(r, ids.id("label_proactive", item, metric), v, raw, unit, None)
                        for r, item, metric, v, raw, unit in db.execute(
                            "SELECT report_id, item, metric, value, raw, unit FROM proactive_items")]
                db.conn.executemany(_INSERT["proactive_cells"], rows)
            elif name == "applications":
                rows = [(r, ids.id("label_applications", row), ids.id("label_applicants", a), v, raw,
                         None)
                        for r, row, a, v, raw in db.execute(
                            "SELECT report_id, [row], applicant, value, raw FROM applications")]
                db.conn.executemany(_INSERT["application_cells"], rows)
            else:
                rows = [(r, ids.id("label_review", kind, result), v, raw, None)
                        for r, kind, result, v, raw in db.execute(
                            "SELECT report_id, kind, result, value, raw FROM review_litigation")]
                db.conn.executemany(_INSERT["review_cells"], rows)
            db.execute(f"DROP TABLE [{name}]")


# Secondary indexes of the cell tables, for queries that name a row or result across
# reports; they hold the value too, so that sums over 100,000 reports read the index
# alone. Dropped during a large build and made again at the end, which sorts once
# instead of inserting entries at scattered places.
DEFERRABLE_INDEXES = [("application_cells", ["row_id", "applicant_id", "value"]),
                      ("review_cells", ["label_id", "value"])]


# FTS5 settings while many reports are written: merge index segments less often (the
# build ends with one full merge, ``optimize``), and gather a whole batch's terms in memory
# (64 MiB instead of 1 MiB) so that each batch makes one segment instead of dozens to
# merge — about a fifth less CPU per report for the search index. Then FTS5's defaults.
_FTS_BULK = {"automerge": 16, "crisismerge": 64, "hashsize": 64 << 20}
_FTS_DEFAULT = {"automerge": 4, "crisismerge": 16, "hashsize": 1 << 20}
# WAL pages between checkpoints while many reports are written (default 1000).
_BULK_CHECKPOINT = 50_000


@contextmanager
def bulk_load(db: sqlite_utils.Database) -> Iterator[None]:
    """Defer the cell tables' secondary indexes while many reports are written, merge the
    search index less often and checkpoint the WAL less often. Everything is back when
    the block ends, even on error (and ``ensure_schema`` restores any missing index the
    next time the archive is opened)."""
    for table, columns in DEFERRABLE_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS [idx_{table}_{'_'.join(columns)}]")
    _fts_settings(db, _FTS_BULK)
    db.execute(f"PRAGMA wal_autocheckpoint={_BULK_CHECKPOINT}")
    try:
        yield
    finally:
        db.rollback()
        db.execute("PRAGMA wal_autocheckpoint=1000")
        _fts_settings(db, _FTS_DEFAULT)
        for table, columns in DEFERRABLE_INDEXES:
            db[table].create_index(columns, if_not_exists=True)


def _fts_settings(db: sqlite_utils.Database, settings: Mapping[str, int]) -> None:
    with db.atomic():
        for name, value in settings.items():
            db.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}, rank) VALUES (?, ?)",
                       [name, value])


def optimize(db: sqlite_utils.Database) -> None:
    """After a build: merge the search index into one segment (fastest to query) and let
    SQLite refresh its planner statistics."""
    db.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}) VALUES('optimize')")
    db.execute("PRAGMA optimize")


def _create_indexes(db: sqlite_utils.Database) -> None:
    """Indexes on what queries filter on. The cell tables' compound primary keys start with
    report_id, so their own index already serves lookups by report; the label-id indexes
    serve queries that name a row or result across reports."""
    wanted: list[tuple[str, list[str], bool]] = [
        ("reports", ["sha256"], True),
        ("reports", ["document_key"], False),
        ("reports", ["year"], False),
        ("reports", ["agency"], False),
        ("reports", ["province"], False),
        ("reports", ["level"], False),
        # current versions first; covering what the canned queries group and count by,
        # so that they never read the (large) report rows themselves
        ("reports", ["is_current", "year", "province", "level", "agency", "is_late"], False),
        *[(table, columns, False) for table, columns in DEFERRABLE_INDEXES],
        ("findings", ["report_id"], False),
        ("findings", ["rule"], False),
        ("captures", ["sha256"], False),
        ("captures", ["url"], False),
        ("parse_failures", ["sha256"], False),
    ]
    for table, columns, unique in wanted:
        db[table].create_index(columns, unique=unique, if_not_exists=True)


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
    fts_columns: tuple[str, str, str] | None = None,
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
    fts_columns: tuple[str, str, str] | None = None,
) -> tuple[int, int, int] | None:
    """``write_report`` without its own savepoint, for batched builds: the caller holds a
    transaction and must roll it back if this raises (savepoints copy every page a report
    touches, which costs more than the inserts). Returns (id, n_cells, n_findings)."""
    if _known_sha(db, sha256, document_key):
        return None
    rows = report_rows(report, registry=registry, source_id=source_id, fts_columns=fts_columns)
    return _insert_new(db, rows, document_key=document_key, sha256=sha256,
                       capture_id=capture_id, source_url=source_url,
                       parser_version=parser_version, parsed_at=parsed_at)


def insert_rows(
    db: sqlite_utils.Database,
    rows: ReportRows,
    *,
    document_key: str,
    sha256: str,
    capture_id: int | None = None,
    source_url: str | None = None,
    parser_version: str | None = None,
    parsed_at: str | None = None,
) -> tuple[int, int, int] | None:
    """``insert_report`` for a report already turned into rows (``report_rows``, which a
    build runs in its parsing processes): only the SQL is left. Same contract."""
    if _known_sha(db, sha256, document_key):
        return None
    return _insert_new(db, rows, document_key=document_key, sha256=sha256,
                       capture_id=capture_id, source_url=source_url,
                       parser_version=parser_version, parsed_at=parsed_at)


def _insert_new(db: sqlite_utils.Database, rows: ReportRows, *, document_key: str,
                sha256: str, capture_id: int | None, source_url: str | None,
                parser_version: str | None, parsed_at: str | None) -> tuple[int, int, int]:
    conn = db.conn
    (last,) = conn.execute(
        "SELECT max(version) FROM reports WHERE document_key = ?", [document_key]
    ).fetchone()
    if last:
        conn.execute(
            "UPDATE reports SET is_current = 0 WHERE document_key = ? AND is_current = 1",
            [document_key],
        )
    n_cells = rows.n_cells
    values = dict(rows.fields)
    values.update(
        document_key=document_key, sha256=sha256, version=(last or 0) + 1, is_current=1,
        capture_id=capture_id, source_url=source_url or rows.source,
        n_cells=n_cells, n_findings=len(rows.findings),
        parser_version=parser_version or _parser_version(), parsed_at=parsed_at or now_iso(),
    )
    cur = conn.execute(_INSERT_REPORT, [values[n] for n in _REPORT_COLUMNS])
    report_id = int(cur.lastrowid)
    ids = label_ids(db)
    table_ids = ids.ids
    if rows.proactive:
        known = table_ids["label_proactive"]
        conn.executemany(_INSERT["proactive_cells"], [
            (report_id, known.get((item, metric)) or ids.id("label_proactive", item, metric),
             value, raw, unit, where)
            for item, metric, value, raw, unit, where in rows.proactive
        ])
    if rows.applications:
        row_ids = table_ids["label_applications"]
        applicant_ids = table_ids["label_applicants"]
        conn.executemany(_INSERT["application_cells"], [
            (report_id, row_ids.get((row,)) or ids.id("label_applications", row),
             applicant_ids.get((applicant,)) or ids.id("label_applicants", applicant),
             value, raw, where)
            for row, applicant, value, raw, where in rows.applications
        ])
    if rows.review:
        known = table_ids["label_review"]
        conn.executemany(_INSERT["review_cells"], [
            (report_id, known.get((kind, result)) or ids.id("label_review", kind, result),
             value, raw, where)
            for kind, result, value, raw, where in rows.review
        ])
    if rows.extras:
        conn.executemany(_INSERT["extras"], [(report_id, *extra) for extra in rows.extras])
    if rows.findings:
        conn.executemany(_INSERT["findings"], [(report_id, *f) for f in rows.findings])
    conn.execute(_INSERT["fts"], (report_id, *rows.fts))
    return report_id, n_cells, len(rows.findings)


def _known_sha(db: sqlite_utils.Database, sha256: str, document_key: str) -> bool:
    """Are these bytes in the archive already? (If they are an earlier version of
    ``document_key``, that version becomes current again.)"""
    existing = db.conn.execute(
        "SELECT id, document_key, is_current FROM reports WHERE sha256 = ?", [sha256]
    ).fetchone()
    if existing is None:
        return False
    if existing[1] == document_key and not existing[2]:
        _make_current(db, existing[0], document_key)
    return True


_REPORT_COLUMNS = (
    "source_id", "agency", "province", "city", "county", "level", "year", "format_era",
    "title", "published_on", "published_on_source", "deadline", "is_late", "source_format",
    "text", "text_chars", "document_key", "sha256", "version", "is_current", "capture_id",
    "source_url", "n_cells", "n_findings", "parser_version", "parsed_at",
)
_INSERT_REPORT = (
    f"INSERT INTO reports ({', '.join(_REPORT_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_REPORT_COLUMNS))})"
)
_INSERT = {
    "proactive_cells": "INSERT INTO proactive_cells (report_id, label_id, value, raw, unit,"
                       " [where]) VALUES (?, ?, ?, ?, ?, ?)",
    "application_cells": "INSERT INTO application_cells"
                         " (report_id, row_id, applicant_id, value, raw, [where])"
                         " VALUES (?, ?, ?, ?, ?, ?)",
    "review_cells": "INSERT INTO review_cells (report_id, label_id, value, raw, [where])"
                    " VALUES (?, ?, ?, ?, ?)",
    "extras": "INSERT INTO extras (report_id, key, value, raw) VALUES (?, ?, ?, ?)",
    "findings": "INSERT INTO findings (report_id, rule, location, expected, actual, message,"
                " severity) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "fts": f"INSERT INTO {fts.FTS_TABLE} (rowid, {', '.join(fts.FTS_COLUMNS)})"
           f" VALUES (?, {', '.join('?' * len(fts.FTS_COLUMNS))})",
}


def _make_current(db: sqlite_utils.Database, report_id: int, document_key: str) -> None:
    db.execute("UPDATE reports SET is_current = 0 WHERE document_key = ?", [document_key])
    db.execute("UPDATE reports SET is_current = 1 WHERE id = ?", [report_id])


def _parser_version() -> str | None:
    try:
        from parsers import PARSER_VERSION
    except ImportError:  # the parser package is importable without its version constant
        return None
    return str(PARSER_VERSION)
