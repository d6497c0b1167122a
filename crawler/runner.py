"""One crawl in one process: ``python -m crawler --db … --blobs … [--source ID …]``.

A crawl that stops before finishing leaves ``crawl-state/<key>/state.json`` beside the
database (``key`` = registry + selected sources). The next run of the same selection resumes
the same ``crawl_runs`` rows: after a clean pause (one Ctrl-C) Scrapy's JOBDIR queue is kept;
after a crash (kill -9) it cannot be trusted (in-flight requests are gone, the seen-set may be
ahead of the queue), so it is dropped and the source is walked again — listings re-fetched,
already captured documents revalidated with conditional GET — which loses nothing and stores
nothing twice.

With ``--frontier redis://…`` the process is one worker of a crawl shared through Redis
(``crawler.frontier``): no local state directory; the shared queue is the state."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from crawler.registry import DEFAULT_REGISTRY, Registry, load_registry
from crawler.store import Archive


def state_dir_for(db_path: Path, registry: Registry, source_ids: list[str]) -> Path:
    key = hashlib.sha1(f"{registry.path}|{','.join(sorted(source_ids))}".encode()).hexdigest()[:12]
    return db_path.resolve().parent / "crawl-state" / key


def prepare_runs(archive: Archive, source_ids: list[str], state_dir: Path) -> tuple[dict[str, int], bool]:
    """Run ids to crawl under, resuming an unfinished crawl of the same selection."""
    state_file = state_dir / "state.json"
    state: dict[str, Any] = {}
    if state_file.exists():
        try:
            state = json.loads(state_file.read_text())
        except ValueError:
            state = {}
    runs = {k: int(v) for k, v in state.get("runs", {}).items()}
    resumable = bool(runs) and set(runs) == set(source_ids) and all(
        (row := archive.db["crawl_runs"].get(rid)) and row["status"] == "running" for rid in runs.values()
    ) if runs else False
    if resumable:
        if not state.get("paused"):
            shutil.rmtree(state_dir / "jobdir", ignore_errors=True)
        for rid in runs.values():
            summary = json.loads(archive.run(rid)["summary"] or "{}")
            summary["resumed"] = summary.get("resumed", 0) + 1
            archive.update_run(rid, summary=summary)
    else:
        shutil.rmtree(state_dir, ignore_errors=True)
        runs = {sid: archive.start_run(sid) for sid in source_ids}
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"runs": runs, "pid": os.getpid(), "paused": False}))
    return runs, resumable


def build_settings(registry: Registry, *, db: Path, blobs: Path, runs: dict[str, int], jobdir: Path | None,
                   warc_dir: Path, log_level: str, overrides: dict[str, Any] | None = None) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in registry.settings.items():
        settings.set(key, value, priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    if jobdir is not None:
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("ZFXXGK_REGISTRY", str(registry.path), priority="cmdline")
    settings.set("ZFXXGK_DB", str(db), priority="cmdline")
    settings.set("ZFXXGK_BLOBS", str(blobs), priority="cmdline")
    settings.set("ZFXXGK_RUNS", json.dumps(runs), priority="cmdline")
    settings.set("ZFXXGK_WARC_DIR", str(warc_dir), priority="cmdline")
    return settings


def crawl(db: Path, blobs: Path, registry_path: Path, source_ids: list[str] | None,
          log_level: str = "INFO", overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the crawl in this process (the Twisted reactor can run only once per process)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.reports import ReportsSpider

    registry = load_registry(registry_path)
    sources = registry.select(source_ids)
    ids = [s.id for s in sources]
    archive = Archive(db, blobs)
    archive.upsert_sources([s.row() for s in sources])
    state_dir = state_dir_for(db, registry, ids)
    runs, resumed = prepare_runs(archive, ids, state_dir)
    archive.db.conn.close()
    settings = build_settings(registry, db=db, blobs=blobs, runs=runs, jobdir=state_dir / "jobdir",
                              warc_dir=db.resolve().parent / "warc", log_level=log_level,
                              overrides=overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ReportsSpider)
    process.crawl(crawler)
    process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    if reason == "finished":
        shutil.rmtree(state_dir, ignore_errors=True)
    else:
        state_file = state_dir / "state.json"
        state = json.loads(state_file.read_text())
        state["paused"] = reason == "shutdown"
        state_file.write_text(json.dumps(state))
    stats = crawler.stats.get_stats() if crawler.stats else {}
    keep = ("elapsed_time_seconds", "response_received_count", "downloader/request_count",
            "memusage/max", "memusage/startup", "item_scraped_count")
    return {"runs": runs, "resumed": resumed, "finish_reason": reason,
            "stats": {k: stats[k] for k in keep if k in stats}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler", description="抓取报告 / crawl report columns")
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--blobs", type=Path, required=True)
    ap.add_argument("--registry", type=Path, default=DEFAULT_REGISTRY)
    ap.add_argument("--source", action="append", dest="sources", default=[])
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--log-level", default="INFO")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=JSON",
                    help="override a Scrapy setting (value parsed as JSON when possible)")
    ap.add_argument("--frontier", metavar="REDIS_URL", default=None,
                    help="be one worker of a crawl shared through Redis (redis://host:port/db)")
    ap.add_argument("--seed", action="store_true",
                    help="with --frontier: start a new shared crawl now (reset it and push the seeds)")
    ap.add_argument("--max-idle", type=int, default=None, metavar="SECONDS",
                    help="with --frontier: leave once the whole crawl has been idle this long")
    args = ap.parse_args(argv)
    if not args.sources and not args.all:
        ap.error("give --source ID (repeatable) or --all")
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            overrides[name] = json.loads(value)
        except ValueError:
            overrides[name] = value
    if args.frontier:
        from crawler.frontier import crawl_worker

        result = crawl_worker(args.db, args.blobs, args.registry, None if args.all else args.sources,
                              url=args.frontier, seed=args.seed, max_idle=args.max_idle,
                              log_level=args.log_level, overrides=overrides)
    else:
        result = crawl(args.db, args.blobs, args.registry, None if args.all else args.sources,
                       args.log_level, overrides)
    print(json.dumps(result), file=sys.stdout, flush=True)
    return 0 if result["finish_reason"] == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
