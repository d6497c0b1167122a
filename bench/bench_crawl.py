"""Crawl benchmark: pages/min of the full crawler (all middlewares and the capture pipeline
on, robots.txt, AutoThrottle, ≤2 requests per host) on a large generated site served
locally, against ``scrapy bench`` run in the same session inside ``unshare -n`` (a private
network namespace: it binds 0.0.0.0). Also requests per new report on a first and an
incremental crawl, and the crawler's peak RSS.

    .venv/bin/python bench/bench_crawl.py [--reports 3000] [--sites 8] [--new 150]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zfxxgk.crawl import run_crawl  # noqa: E402
from zfxxgk.portal.app import Portal  # noqa: E402
from zfxxgk.portal.sites.bench import BenchSite, bench_registry  # noqa: E402


def scrapy_bench(seconds: int) -> float:
    """Pages/min reported by ``scrapy bench`` (best LogStats line) in a private namespace."""
    scrapy = Path(sys.executable).with_name("scrapy")
    cmd = ["unshare", "-n", "sh", "-c",
           f"ip link set lo up && {scrapy} bench -s LOGSTATS_INTERVAL=1 -s CLOSESPIDER_TIMEOUT={seconds}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=tempfile.gettempdir())
    rates = [int(m) for m in re.findall(r"Crawled \d+ pages \(at (\d+) pages/min\)", out.stderr)]
    if not rates:
        raise RuntimeError("scrapy bench printed no rate:\n" + out.stderr[-2000:])
    steady = rates[2:] or rates  # skip the ramp-up seconds
    return sum(steady) / len(steady)


def crawl_once(portal: Portal, registry: Path, workdir: Path) -> dict:
    db = workdir / "archive.db"
    t0 = time.perf_counter()
    stats = run_crawl(db, workdir / "blobs", all=True, registry=registry)
    wall = time.perf_counter() - t0
    requests = sum(r.requests for r in stats.runs)
    run_ids = [r.run_id for r in stats.runs]
    marks = ",".join("?" * len(run_ids))
    new_reports = sqlite_utils.Database(db).execute(
        f"select count(*) from captures where kind='report' and crawl_run_id in ({marks})", run_ids).fetchone()[0]
    elapsed = stats.scrapy_stats.get("elapsed_time_seconds") or wall
    responses = stats.scrapy_stats.get("response_received_count", requests)
    return {
        "finish_reason": stats.finish_reason, "requests": requests, "responses": responses,
        "new_reports": new_reports, "unchanged": sum(r.unchanged for r in stats.runs),
        "report_bodies": sum(r.downloaded("report") for r in stats.runs),
        "elapsed_s": round(elapsed, 2), "wall_s": round(wall, 2),
        "pages_per_min": round(responses / elapsed * 60),
        "requests_per_new_report": round(requests / new_reports, 3) if new_reports else None,
        "peak_rss_mb": round(stats.scrapy_stats.get("memusage/max", 0) / 2**20, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=3000)
    ap.add_argument("--sites", type=int, default=8)
    ap.add_argument("--new", type=int, default=150, help="reports published before the incremental crawl")
    ap.add_argument("--bench-seconds", type=int, default=15)
    args = ap.parse_args()
    sites = [BenchSite(f"bench{i}", args.reports // args.sites) for i in range(args.sites)]
    portal = Portal(sites).start()
    workdir = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    try:
        registry = workdir / "sources.yaml"
        registry.write_text(bench_registry(portal, sites), encoding="utf-8")
        first = crawl_once(portal, registry, workdir)
        for s in sites:
            s.add_reports(max(1, args.new // args.sites))
        second = crawl_once(portal, registry, workdir)
        reference = scrapy_bench(args.bench_seconds)
        result = {
            "reports": sum(s.n for s in sites), "sites": args.sites,
            "first_crawl": first, "incremental_crawl": second,
            "scrapy_bench_pages_per_min": round(reference),
            "ratio_vs_scrapy_bench": round(first["pages_per_min"] / reference, 3),
            "bench_process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        }
        print(json.dumps(result, ensure_ascii=False, indent=1))
    finally:
        portal.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
