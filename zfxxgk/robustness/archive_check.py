"""What "the archive is sound" means, checked on a database file: SQLite's own integrity
check, every report whole (its cell rows, findings and full-text row all present — they are
written in one transaction with it), and a snapshot that two archives can be compared by
without depending on row ids (reports by sha256, captures by url and sha256)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CELL_TABLES = ("proactive_items", "applications", "review_litigation")
REPORT_FIELDS = (
    "document_key", "version", "is_current", "source_id", "agency", "province", "city", "county",
    "level", "year", "format_era", "title", "published_on", "published_on_source", "deadline",
    "is_late", "source_url", "source_format", "text", "text_chars", "n_cells", "n_findings",
    "parser_version",
)
# substring searches compared between archives (through the FTS index, as Datasette does)
SEARCHES = ("信息公开", "申请", "行政复议", "年度报告", "主动公开", "依申请", "政府", "诉讼")


def _ro(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=30)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}


@dataclass
class Health:
    integrity: str = ""  # PRAGMA integrity_check ("ok")
    fts_integrity: str = "ok"
    reports: int = 0
    partial_reports: list[int] = field(default_factory=list)  # n_cells or n_findings ≠ rows
    fts_missing: int = 0  # reports without a full-text row
    fts_orphans: int = 0  # full-text rows without a report
    current_conflicts: int = 0  # document keys with ≠ 1 current version
    runs_left_running: int = 0

    @property
    def ok(self) -> bool:
        return (self.integrity == "ok" and self.fts_integrity == "ok" and not self.partial_reports
                and self.fts_missing == 0 and self.fts_orphans == 0 and self.current_conflicts == 0)


def health(db_path: Path) -> Health:
    out = Health()
    conn = _ro(db_path)
    try:
        out.integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        tables = _tables(conn)
        if "crawl_runs" in tables:
            out.runs_left_running = conn.execute(
                "select count(*) from crawl_runs where status = 'running'").fetchone()[0]
        if "reports" not in tables:
            return out
        out.reports = conn.execute("select count(*) from reports").fetchone()[0]
        cells = " + ".join(f"(select count(*) from {t} c where c.report_id = r.id)" for t in CELL_TABLES)
        out.partial_reports = [r[0] for r in conn.execute(
            f"select id from reports r where n_cells != {cells} or n_findings != "
            "(select count(*) from findings f where f.report_id = r.id)")]
        if "reports_fts" in tables:
            fts_ids = {r[0] for r in conn.execute("select rowid from reports_fts")}
            ids = {r[0] for r in conn.execute("select id from reports")}
            out.fts_missing, out.fts_orphans = len(ids - fts_ids), len(fts_ids - ids)
        out.current_conflicts = conn.execute(
            "select count(*) from (select document_key from reports group by document_key "
            "having sum(is_current) != 1)").fetchone()[0]
    finally:
        conn.close()
    if out.reports:
        rw = sqlite3.connect(f"file:{Path(db_path).resolve()}", uri=True, timeout=30)
        try:  # FTS5's own check; it writes nothing when the index is sound
            rw.execute("INSERT INTO reports_fts(reports_fts) VALUES('integrity-check')")
            rw.rollback()
        except sqlite3.DatabaseError as e:
            out.fts_integrity = str(e)
        finally:
            rw.close()
    return out


def snapshot(db_path: Path) -> dict[str, Any]:
    """Everything an archive holds, keyed so that two builds of it compare equal."""
    from zfxxgk import fts

    conn = _ro(db_path)
    try:
        tables = _tables(conn)
        snap: dict[str, Any] = {}
        if "captures" in tables:
            snap["captures"] = sorted(conn.execute("select url, sha256, kind, status from captures"))
            capture_of = {r[0]: (r[1], r[2]) for r in conn.execute("select id, url, sha256 from captures")}
        else:
            capture_of = {}
        if "reports" not in tables:
            return snap
        sha_of = dict(conn.execute("select id, sha256 from reports"))
        cols = ", ".join(REPORT_FIELDS)
        snap["reports"] = {
            r[0]: (*r[2:], capture_of.get(r[1]))
            for r in conn.execute(f"select sha256, capture_id, {cols} from reports")
        }
        cells = []
        for table in CELL_TABLES:
            for row in conn.execute(f"select * from {table}"):
                cells.append((table, sha_of[row[0]], *row[1:]))
        snap["cells"] = sorted(cells, key=repr)
        snap["extras"] = sorted(((sha_of[r[0]], *r[1:]) for r in conn.execute("select * from extras")), key=repr)
        snap["findings"] = Counter(
            (sha_of[r[0]], *r[1:]) for r in conn.execute(
                "select report_id, rule, location, expected, actual, message, severity from findings"))
        snap["failures"] = sorted(conn.execute("select document_key, sha256, error from parse_failures"))
        snap["searches"] = {
            q: sorted(sha_of[r[0]] for r in conn.execute(
                "select rowid from reports_fts where reports_fts match ?", [fts.to_match(q)]))
            for q in SEARCHES
        }
        return snap
    finally:
        conn.close()


def lost_rows(reference: dict[str, Any], other: dict[str, Any]) -> dict[str, int]:
    """Rows of ``reference`` that ``other`` lacks (or holds differently), per kind."""
    out = {}
    for key in ("captures", "cells", "extras", "failures"):
        if key in reference:
            out[key] = len(set(reference[key]) - set(other.get(key, [])))
    if "reports" in reference:
        theirs = other.get("reports", {})
        out["reports"] = sum(1 for sha, row in reference["reports"].items() if theirs.get(sha) != row)
    if "findings" in reference:
        out["findings"] = sum((reference["findings"] - other.get("findings", Counter())).values())
    if "searches" in reference:
        out["search_hits"] = sum(len(set(v) - set(other.get("searches", {}).get(q, [])))
                                 for q, v in reference["searches"].items())
    return out


def extra_rows(reference: dict[str, Any], other: dict[str, Any]) -> dict[str, int]:
    """Rows ``other`` holds that ``reference`` does not."""
    return lost_rows(other, reference)
