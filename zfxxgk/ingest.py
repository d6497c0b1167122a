"""Parse stored captures into reports: the re-runnable stage between crawl and publish.

Every report page and attachment the crawler captured (``captures.kind`` 'report' or
'attachment') whose bytes are not yet in the archive is read from the blob store and parsed;
the report keeps its provenance (capture, source, URL, and the HTTP Last-Modified when the
document itself states no date). A capture that cannot be parsed is recorded in
``parse_failures`` with the reason. Running it again adds nothing; a better parser can
re-extract everything from the same captures (``--reparse``). Like a build, it ends by
bringing the summary tables in line with the current reports (``zfxxgk.summaries``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from parsers import ParseError, parse
from zfxxgk import db as archive
from zfxxgk import summaries

Log = Callable[[str], None]
DOCUMENT_KINDS = ("report", "attachment")


@dataclass
class IngestStats:
    captures: int = 0
    reports_added: int = 0
    unchanged: int = 0
    failures: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"解析抓取结果：{self.captures} 份待解析，新增报告 {self.reports_added}，未变 {self.unchanged}，"
            f"失败 {self.failures}（{self.seconds:.1f} 秒） / parsed captures: {self.captures} to parse, "
            f"{self.reports_added} reports added, {self.unchanged} unchanged, {self.failures} failed"
        )


def _last_modified(headers_json: str | None) -> str | None:
    try:
        headers = {k.lower(): v for k, v in json.loads(headers_json or "{}").items()}
        value = headers.get("last-modified")
        if isinstance(value, list):
            value = value[0]
        return parsedate_to_datetime(value).date().isoformat() if value else None
    except (ValueError, TypeError, AttributeError):
        return None


def _blob_path(blobs_dir: Path, capture: dict[str, Any]) -> Path:
    sha = capture["sha256"]
    return blobs_dir / sha[:2] / sha[2:4] / sha


def ingest_captures(db_path: Path, blobs_dir: Path, *, log: Log = print) -> IngestStats:
    """Parse every not-yet-archived report/attachment capture into ``reports``."""
    started = time.perf_counter()
    stats = IngestStats()
    db = archive.connect(db_path)
    try:
        known = archive.known_hashes(db)
        sources = {row["id"]: row for row in db["sources"].rows} if "sources" in db.table_names() else {}
        placeholders = ", ".join("?" * len(DOCUMENT_KINDS))
        captures = list(
            db.query(
                f"SELECT * FROM captures WHERE kind IN ({placeholders}) AND status BETWEEN 200 AND 299 "
                "ORDER BY id",
                list(DOCUMENT_KINDS),
            )
        )
        pending = [c for c in captures if c["sha256"] not in known]
        stats.unchanged = len(captures) - len(pending)
        stats.captures = len(pending)
        for capture in pending:
            if capture["sha256"] in known:  # the same bytes captured under two URLs
                stats.unchanged += 1
                continue
            known.add(capture["sha256"])
            _ingest_one(db, Path(blobs_dir), capture, sources, stats)
        summaries.refresh(db)
    finally:
        db.close()
    stats.seconds = time.perf_counter() - started
    log(stats.line())
    return stats


def _ingest_one(db, blobs_dir: Path, capture: dict[str, Any],
                sources: dict[str, dict[str, Any]], stats: IngestStats) -> None:
    url = capture["url"]
    try:
        data = _blob_path(blobs_dir, capture).read_bytes()
        report = parse(data, name=url.rsplit("/", 1)[-1] or None, url=url)
    except ParseError as e:
        archive.record_failure(db, document_key=url, sha256=capture["sha256"], error=str(e))
        stats.failures += 1
        return
    except Exception as e:  # noqa: BLE001 - recorded, the run goes on
        archive.record_failure(db, document_key=url, sha256=capture["sha256"],
                               error=f"解析失败 / parse failed: {type(e).__name__}: {e}")
        stats.failures += 1
        return
    if not report.published_on:
        modified = _last_modified(capture.get("headers"))
        if modified:
            report.published_on = modified
            report.published_on_source = "http-last-modified"
    written = archive.write_report(
        db, report, document_key=url, sha256=capture["sha256"], capture_id=capture["id"],
        source_id=capture.get("source_id"), source_url=url,
        registry=sources.get(capture.get("source_id") or ""),
    )
    if written is None:
        stats.unchanged += 1
    else:
        stats.reports_added += 1
