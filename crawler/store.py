"""Raw captures: content-addressed blobs on disk plus ``captures``/``crawl_runs``/``sources``
rows (SCHEMA.md). Bytes are stored once per sha256; a URL whose bytes changed gets a new
capture row beside the old one; a URL whose bytes did not change gets no new row.

Every capture row is committed on its own, so a crawl killed at any moment leaves a
consistent archive: a rerun re-fetches what is missing and finds the rest unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class BlobStore:
    """Files named by the sha256 of their bytes: ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def relpath(self, sha: str) -> str:
        """Path as recorded in ``captures.storage_path`` (relative to the root's parent)."""
        return f"{self.root.name}/{sha[:2]}/{sha[2:4]}/{sha}"

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha[2:4] / sha

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; returns ``(sha256, written)`` — ``written`` is False if present."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists():
            return sha, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)  # atomic: a crash never leaves a half blob under a sha name
        return sha, True

    def get(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()


def _ensure_tables(db: sqlite_utils.Database) -> None:
    """The three crawl tables of SCHEMA.md, when ``zfxxgk.db`` is not there to do it."""
    if "sources" not in db.table_names():
        db["sources"].create(
            {"id": str, "agency": str, "province": str, "city": str, "county": str, "level": str,
             "cms": str, "start_urls": str, "render": str, "encoding": str, "evidence": str,
             "notes": str},
            pk="id",
        )
    if "crawl_runs" not in db.table_names():
        db["crawl_runs"].create(
            {"id": int, "started_at": str, "finished_at": str, "source_id": str, "requests": int,
             "new": int, "changed": int, "unchanged": int, "errors": str, "status": str,
             "summary": str},
            pk="id", foreign_keys=[("source_id", "sources", "id")],
        )
    if "captures" not in db.table_names():
        db["captures"].create(
            {"id": int, "url": str, "source_id": str, "crawl_run_id": int, "fetched_at": str,
             "status": int, "headers": str, "sha256": str, "size": int, "content_type": str,
             "storage_path": str, "parent_url": str, "kind": str},
            pk="id",
            foreign_keys=[("source_id", "sources", "id"), ("crawl_run_id", "crawl_runs", "id")],
        )
        db["captures"].create_index(["sha256"], if_not_exists=True)
        db["captures"].create_index(["url"], if_not_exists=True)


def open_archive_db(db_path: str | Path) -> sqlite_utils.Database:
    """Open (and create if needed) the archive database in WAL mode."""
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=30000")
    try:
        from zfxxgk.db import ensure_schema  # the full archive schema, when present
    except ImportError:
        ensure_schema = None
    if ensure_schema is not None:
        ensure_schema(db)
    _ensure_tables(db)
    if "kind" not in db["captures"].columns_dict:
        db["captures"].add_column("kind", str)
    db["captures"].create_index(["url"], if_not_exists=True)
    db["captures"].create_index(["sha256"], if_not_exists=True)
    return db


@dataclass(frozen=True)
class Recorded:
    capture_id: int
    state: str  # NEW | CHANGED | UNCHANGED
    sha256: str


class Archive:
    """The crawler's view of the archive: sources, runs, captures and blobs."""

    def __init__(self, db_path: str | Path, blobs_dir: str | Path):
        self.db_path = Path(db_path)
        self.db = open_archive_db(self.db_path)
        self.blobs = BlobStore(blobs_dir)

    # sources and runs -------------------------------------------------------------------
    def upsert_sources(self, rows: list[dict[str, Any]]) -> None:
        with self.db.conn:
            self.db["sources"].upsert_all(rows, pk="id", alter=True)

    def start_run(self, source_id: str | None) -> int:
        with self.db.conn:
            table = self.db["crawl_runs"].insert({
                "started_at": utcnow(), "finished_at": None, "source_id": source_id,
                "requests": 0, "new": 0, "changed": 0, "unchanged": 0, "errors": "{}",
                "status": "running", "summary": "{}",
            })
        return int(table.last_pk)

    def run(self, run_id: int) -> dict[str, Any]:
        return self.db["crawl_runs"].get(run_id)

    def update_run(self, run_id: int, **values: Any) -> None:
        for key in ("errors", "summary"):
            if key in values and not isinstance(values[key], str):
                values[key] = json.dumps(values[key], ensure_ascii=False, sort_keys=True)
        with self.db.conn:
            self.db["crawl_runs"].update(run_id, values)

    def run_capture_counts(self, run_id: int) -> tuple[int, int]:
        """``(new, changed)`` for a run: captures of URLs first seen in it, and new versions."""
        row = self.db.execute(
            """select
                 sum(case when prior.id is null then 1 else 0 end),
                 sum(case when prior.id is not null then 1 else 0 end)
               from captures c
               left join captures prior on prior.url = c.url and prior.id = (
                 select max(p.id) from captures p where p.url = c.url and p.id < c.id)
               where c.crawl_run_id = ?""",
            [run_id],
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    # captures ---------------------------------------------------------------------------
    def latest(self, url: str) -> dict[str, Any] | None:
        rows = list(self.db.query(
            "select * from captures where url = ? order by id desc limit 1", [url]))
        return rows[0] if rows else None

    def read(self, capture: dict[str, Any]) -> bytes:
        return self.blobs.get(capture["sha256"])

    def record(self, *, url: str, body: bytes, status: int, headers: dict[str, str],
               content_type: str, source_id: str | None, run_id: int | None,
               parent_url: str | None, kind: str, fetched_at: str | None = None) -> Recorded:
        """Store a fetched body; a new row only when the URL is new or its bytes changed."""
        sha, _ = self.blobs.put(body)
        previous = self.latest(url)
        if previous is not None and previous["sha256"] == sha:
            return Recorded(previous["id"], UNCHANGED, sha)
        with self.db.conn:
            table = self.db["captures"].insert({
                "url": url, "source_id": source_id, "crawl_run_id": run_id,
                "fetched_at": fetched_at or utcnow(), "status": status,
                "headers": json.dumps(headers, ensure_ascii=False, sort_keys=True),
                "sha256": sha, "size": len(body), "content_type": content_type,
                "storage_path": self.blobs.relpath(sha), "parent_url": parent_url, "kind": kind,
            })
        return Recorded(int(table.last_pk), NEW if previous is None else CHANGED, sha)
