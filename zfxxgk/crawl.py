"""``zfxxgk crawl``: crawl registry sources into the archive's raw captures.

Each crawl runs Scrapy in a child process (``python -m crawler``): Twisted's reactor
cannot be restarted within one process, and a child can be interrupted (even killed) without
harming the caller. Results are read back from the ``crawl_runs`` rows the child wrote, never
from its exit code alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RunStats:
    run_id: int
    source_id: str | None
    status: str
    requests: int
    new: int
    changed: int
    unchanged: int
    errors: dict[str, int]
    summary: dict[str, Any]

    @property
    def reports_found(self) -> int:
        return int(self.summary.get("reports_found", 0))

    def downloaded(self, kind: str) -> int:
        """Bodies of ``kind`` (listing/data/report/attachment) actually transferred."""
        return int(self.summary.get("downloaded", {}).get(kind, 0))


@dataclass
class CrawlStats:
    runs: list[RunStats] = field(default_factory=list)
    finish_reason: str | None = None
    returncode: int | None = None
    log_path: Path | None = None
    scrapy_stats: dict[str, Any] = field(default_factory=dict)
    frontier: dict[str, Any] | None = None  # crawl, generation, worker (``--frontier`` only)

    @property
    def ok(self) -> bool:
        return self.finish_reason == "finished" and all(r.status == "ok" for r in self.runs)

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.runs)

    @property
    def errors(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for r in self.runs:
            out.update(r.errors)
        return dict(out)

    def lines(self) -> list[str]:
        """One line per source run, for people (中文 first)."""
        out = []
        for r in self.runs:
            errs = ", ".join(f"{k}×{v}" for k, v in sorted(r.errors.items())) or "无 none"
            out.append(f"[{r.status}] {r.source_id}: 报告 reports {r.reports_found} · 新 new {r.new} · "
                       f"变更 changed {r.changed} · 未变 unchanged {r.unchanged} · 请求 requests {r.requests} · "
                       f"错误 errors: {errs}")
        return out


def crawl_command(db_path: str | Path, blobs_dir: str | Path, *, sources: Sequence[str] | None = None,
                  all: bool = False, registry: str | Path | None = None, log_level: str = "INFO",
                  settings: dict[str, Any] | None = None, frontier: str | None = None,
                  seed: bool = False, max_idle: int | None = None) -> list[str]:
    """The child-process command line of one crawl (also used by tests that kill it).
    With ``frontier`` (a Redis URL) the child is one worker of a shared crawl
    (``crawler.frontier``); ``seed`` starts a new shared crawl, ``max_idle`` is how long the
    drained crawl waits before its workers leave."""
    cmd = [sys.executable, "-m", "crawler", "--db", str(db_path), "--blobs", str(blobs_dir),
           "--log-level", log_level]
    if registry is not None:
        cmd += ["--registry", str(registry)]
    if all or not sources:
        cmd.append("--all")
    else:
        for sid in sources:
            cmd += ["--source", sid]
    for key, value in (settings or {}).items():
        cmd += ["--set", f"{key}={json.dumps(value)}"]
    if frontier:
        cmd += ["--frontier", frontier] + (["--seed"] if seed else [])
        if max_idle is not None:
            cmd += ["--max-idle", str(max_idle)]
    return cmd


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def read_runs(db_path: str | Path, run_ids: Sequence[int]) -> list[RunStats]:
    db = sqlite_utils.Database(db_path)
    out = []
    for rid in run_ids:
        row = db["crawl_runs"].get(rid)
        out.append(RunStats(
            run_id=rid, source_id=row["source_id"], status=row["status"], requests=row["requests"] or 0,
            new=row["new"] or 0, changed=row["changed"] or 0, unchanged=row["unchanged"] or 0,
            errors=json.loads(row["errors"] or "{}"), summary=json.loads(row["summary"] or "{}"),
        ))
    db.conn.close()
    return out


def run_crawl(db_path: str | Path, blobs_dir: str | Path, *, sources: Sequence[str] | None = None,
              all: bool = False, registry: str | Path | None = None,
              log: Callable[[str], None] | None = None, log_level: str = "INFO",
              settings: dict[str, Any] | None = None, timeout: float | None = None,
              frontier: str | None = None, seed: bool = False, max_idle: int | None = None) -> CrawlStats:
    """Crawl ``sources`` (ids of the registry; ``all=True`` for every source) into the
    archive at ``db_path`` with blobs under ``blobs_dir``. ``registry`` defaults to
    ``crawler/sources.yaml``. The Scrapy log goes to ``crawl-logs/`` beside the database;
    ``log`` receives one summary line per source. An interrupted crawl of the same selection
    is resumed by the next call. With ``frontier`` (``redis://host:port/db``) this process is
    one worker of a crawl shared through Redis; its runs are its share of the work."""
    if not all and not sources:
        raise ValueError("give sources=[…] or all=True")
    db_path = Path(db_path)
    logs = db_path.resolve().parent / "crawl-logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"crawl-{datetime.now():%Y%m%d-%H%M%S-%f}.log"
    cmd = crawl_command(db_path, blobs_dir, sources=sources, all=all, registry=registry,
                        log_level=log_level, settings=settings, frontier=frontier, seed=seed,
                        max_idle=max_idle)
    with log_path.open("wb") as err:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, env=child_env(), timeout=timeout,
                              check=False)
    stats = CrawlStats(returncode=proc.returncode, log_path=log_path)
    lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    result = None
    for line in reversed(lines):
        try:
            result = json.loads(line)
            break
        except ValueError:
            continue
    if result is None:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"抓取进程失败 / crawl process failed (exit {proc.returncode}); log {log_path}:\n{tail}")
    stats.finish_reason = result.get("finish_reason")
    stats.scrapy_stats = result.get("stats", {})
    stats.frontier = result.get("frontier")
    stats.runs = read_runs(db_path, list(result["runs"].values()))
    if log is not None:
        for line in stats.lines():
            log(line)
    return stats


def crawl_sample_portal(db_path: str | Path, blobs_dir: str | Path, *,
                        log: Callable[[str], None] | None = None, base_port: int | None = None) -> CrawlStats:
    """Start the bundled sample portal, crawl every sample source into the archive, stop it
    (``zfxxgk demo``). Fixed ports (8700…) keep URLs stable, so a second demo run finds
    everything unchanged; if they are taken, free ports are used."""
    from zfxxgk.portal import DEFAULT_PORT, running_portal

    port = DEFAULT_PORT if base_port is None else base_port
    try:
        context = running_portal(base_port=port)
        portal = context.__enter__()
    except OSError:
        if log:
            log(f"端口 {port}… 已被占用，改用空闲端口 / ports {port}… busy, using free ports")
        context = running_portal()
        portal = context.__enter__()
    try:
        registry = portal.write_registry(Path(db_path).resolve().parent / "sample-sources.yaml")
        if log:
            log(f"样例门户 / sample portal: {', '.join(portal.url(k) for k in portal.sites)}")
        return run_crawl(db_path, blobs_dir, all=True, registry=registry, log=log)
    finally:
        context.__exit__(None, None, None)
