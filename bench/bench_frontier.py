"""Shared-frontier benchmark: crawl time of a large generated TRS-style portal (served locally)
by 1, 2 and 4 worker processes sharing one Redis (Debian's redis-server on a free loopback
port), beside the ordinary single-process crawl. Each crawl starts from an empty archive;
the table shows wall time (process start to the last worker's exit, which includes the
``--max-idle`` wait after the frontier is drained), pages per minute over the crawl itself,
how the work was shared, duplicate fetches, and whether the captures equal the single-process
ones.

    .venv/bin/python bench/bench_frontier.py [--reports 2000] [--sites 4] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zfxxgk.crawl import child_env, crawl_command, run_crawl  # noqa: E402
from zfxxgk.portal.app import Portal  # noqa: E402
from zfxxgk.portal.sites.bench import BenchSite, bench_registry  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
                             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def captures(db: Path) -> set[tuple[str, str]]:
    d = sqlite_utils.Database(db)
    out = {(r["url"], r["sha256"]) for r in d.query("select url, sha256 from captures")}
    d.conn.close()
    return out


def duplicates(portal: Portal, mark: int) -> int:
    counts = Counter((k, m, t) for k, m, t in portal.log[mark:] if t != "/robots.txt")
    return sum(v - 1 for v in counts.values() if v > 1)


def single(portal: Portal, registry: Path, workdir: Path) -> dict:
    mark = len(portal.log)
    t0 = time.perf_counter()
    stats = run_crawl(workdir / "archive.db", workdir / "blobs", all=True, registry=registry)
    wall = time.perf_counter() - t0
    elapsed = stats.scrapy_stats.get("elapsed_time_seconds") or wall
    responses = stats.scrapy_stats.get("response_received_count", 0)
    return {"mode": "single process", "workers": 1, "wall_s": wall, "crawl_s": elapsed,
            "pages_per_min": responses / elapsed * 60, "share": "-", "duplicates": duplicates(portal, mark),
            "finished": stats.finish_reason == "finished", "captures": captures(workdir / "archive.db"),
            "peak_rss_mb": stats.scrapy_stats.get("memusage/max", 0) / 2**20}


def shared(portal: Portal, registry: Path, workdir: Path, url: str, n: int, max_idle: int) -> dict:
    mark = len(portal.log)
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "archive.db"
    cmd = crawl_command(db, workdir / "blobs", all=True, registry=registry, frontier=url, max_idle=max_idle)
    t0 = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=(workdir / f"worker-{i}.log").open("wb"),
                              env=child_env()) for i in range(n)]
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=3600)
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    wall = time.perf_counter() - t0
    responses = sum(r["stats"].get("response_received_count", 0) for r in results)
    # the crawl itself: the longest worker's time minus the idle wait before leaving
    crawl_s = max(r["stats"].get("elapsed_time_seconds", wall) for r in results) - max_idle
    taken = [r["stats"].get("scheduler/dequeued/redis", 0) + r["stats"].get("scheduler/dequeued/local", 0)
             for r in results]
    return {"mode": "shared frontier", "workers": n, "wall_s": wall, "crawl_s": crawl_s,
            "pages_per_min": responses / crawl_s * 60, "share": "/".join(map(str, taken)),
            "duplicates": duplicates(portal, mark),
            "finished": all(r["finish_reason"] == "finished" for r in results), "captures": captures(db),
            "peak_rss_mb": max(r["stats"].get("memusage/max", 0) for r in results) / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--sites", type=int, default=4)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--max-idle", type=int, default=2)
    args = ap.parse_args()
    sites = [BenchSite(f"bench{i}", args.reports // args.sites) for i in range(args.sites)]
    portal = Portal(sites).start()
    workdir = Path(tempfile.mkdtemp(prefix="bench-frontier-"))
    server, url = start_redis(workdir)
    try:
        registry = workdir / "sources.yaml"
        registry.write_text(bench_registry(portal, sites, extra="    max_pages: 10000\n"), encoding="utf-8")
        rows = [single(portal, registry, workdir / "single")]
        for n in (int(x) for x in args.workers.split(",")):
            rows.append(shared(portal, registry, workdir / f"shared-{n}", url, n, args.max_idle))
        reference = rows[0]["captures"]
        print(f"{sum(s.n for s in sites)} 份报告 reports on {args.sites} sites, "
              f"{len(reference)} captures; this machine: {__import__('os').cpu_count()} CPUs\n")
        head = (f"{'mode':<16} {'workers':>7} {'wall s':>7} {'crawl s':>8} {'pages/min':>9} {'speed-up':>8} "
                f"{'taken per worker':<20} {'dup':>4} {'same':>5} {'RSS MB':>7}")
        print(head)
        print("-" * len(head))
        base = rows[0]["crawl_s"]
        for r in rows:
            print(f"{r['mode']:<16} {r['workers']:>7} {r['wall_s']:>7.1f} {r['crawl_s']:>8.1f} "
                  f"{r['pages_per_min']:>9.0f} {base / r['crawl_s']:>7.2f}x {r['share']:<20} {r['duplicates']:>4} "
                  f"{'yes' if r['captures'] == reference and r['finished'] else 'NO':>5} {r['peak_rss_mb']:>7.0f}")
    finally:
        portal.stop()
        server.terminate()
        server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
