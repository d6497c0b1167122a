"""Per-source run accounting, written to ``crawl_runs``: requests, unchanged captures,
bodies downloaded by kind, errors and skips by kind. ``new``/``changed`` are counted from the
captures table itself, so they stay right across an interrupted and resumed run."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from crawler.store import Archive, utcnow

FLUSH_SECONDS = 2.0
MAX_LISTED = 50  # failing URLs kept in the summary per source


@dataclass
class Tally:
    requests: int = 0
    unchanged: int = 0
    not_modified: int = 0
    downloaded: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    reports: set[str] = field(default_factory=set)
    listings: int = 0
    failed: list[str] = field(default_factory=list)
    warc: str | None = None  # this process's WARC part


class Ledger:
    def __init__(self, archive: Archive, runs: dict[str, int]):
        self.archive = archive
        self.runs = runs
        self.tallies = {sid: Tally() for sid in runs}
        self.base: dict[str, dict[str, Any]] = {}
        for sid, run_id in runs.items():  # a resumed run continues its counters
            row = archive.run(run_id)
            self.base[sid] = {
                "requests": row["requests"] or 0, "unchanged": row["unchanged"] or 0,
                "errors": Counter(json.loads(row["errors"] or "{}")),
                "summary": json.loads(row["summary"] or "{}"),
            }
        self._last_flush = time.monotonic()

    def __getitem__(self, source_id: str) -> Tally:
        return self.tallies[source_id]

    def error(self, source_id: str, kind: str, url: str | None = None) -> None:
        tally = self.tallies[source_id]
        tally.errors[kind] += 1
        if url and len(tally.failed) < MAX_LISTED:
            tally.failed.append(f"{kind} {url}")

    def maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def _summary(self, sid: str, tally: Tally) -> dict[str, Any]:
        prev = self.base[sid]["summary"]
        downloaded = Counter(prev.get("downloaded", {})) + tally.downloaded
        skipped = Counter(prev.get("skipped", {})) + tally.skipped
        return {
            "downloaded": dict(downloaded),
            "bytes_downloaded": prev.get("bytes_downloaded", 0) + tally.bytes,
            "not_modified": prev.get("not_modified", 0) + tally.not_modified,
            "skipped": dict(skipped),
            "reports_found": len(tally.reports),
            "listing_pages": prev.get("listing_pages", 0) + tally.listings,
            "failed_urls": (prev.get("failed_urls", []) + tally.failed)[-MAX_LISTED:],
            "resumed": prev.get("resumed", 0),
            "warc": prev.get("warc", []) + ([tally.warc] if tally.warc and tally.warc not in prev.get("warc", []) else []),
        }

    def values(self, sid: str) -> dict[str, Any]:
        tally, base = self.tallies[sid], self.base[sid]
        new, changed = self.archive.run_capture_counts(self.runs[sid])
        return {
            "requests": base["requests"] + tally.requests, "new": new, "changed": changed,
            "unchanged": base["unchanged"] + tally.unchanged,
            "errors": dict(base["errors"] + tally.errors),
            "summary": self._summary(sid, tally),
        }

    def flush(self, *, finished: bool = False) -> None:
        """Write every source's counters; ``finished`` also closes the runs."""
        for sid, run_id in self.runs.items():
            values = self.values(sid)
            if finished:
                values["status"] = "failed" if values["errors"].get("no_reports") else "ok"
                values["finished_at"] = utcnow()
            self.archive.update_run(run_id, **values)
        self._last_flush = time.monotonic()
