"""Benchmark of the archive: writing, building and searching at scale. Prints figures;
asserts nothing about time (that is for people to read, not for tests to flake on).

    .venv/bin/python bench/bench_archive.py                 # 100,000 reports written
    .venv/bin/python bench/bench_archive.py --reports 20000 --build 2000 --queries

Three measures, because they have different owners and limits:
  write  -- ``insert_report`` (as the build batches it) of already-parsed reports (database + search index), the part
            the build adds on top of parsing; N reports cycle through D distinct parses.
  build  -- ``build_archive`` end to end on M generated files (read, hash, parse in worker
            processes, write); parsing dominates, so the figure scales with the parser.
  query  -- Datasette (started as ``zfxxgk serve`` does) on the written archive: startup
            time and ``?_search=`` latency for the search test queries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import parse  # noqa: E402
from zfxxgk import db as archive  # noqa: E402
from zfxxgk.build import build_archive  # noqa: E402
from zfxxgk.generator import STYLES, generate_report, render  # noqa: E402


def distinct_documents(count: int) -> list[tuple[str, bytes]]:
    docs = []
    for i in range(count):
        doc = render(generate_report(10_000 + i), STYLES[i % len(STYLES)])
        docs.append((doc.name, doc.data))
    return docs


def bench_write(db_path: Path, reports: int, distinct: int) -> dict:
    docs = distinct_documents(distinct)
    started = time.perf_counter()
    parsed = [parse(data, name=name) for name, data in docs]
    parse_ms = (time.perf_counter() - started) / len(docs) * 1000
    db = archive.connect(db_path)
    started = time.perf_counter()
    chars = 0
    bulk = archive.bulk_load(db)  # as build_archive does for a large build
    bulk.__enter__()
    db.begin()
    for i in range(reports):
        report = parsed[i % len(parsed)]
        key = f"bench/{i:07d}/{docs[i % len(docs)][0]}"
        archive.insert_report(db, report, document_key=key,
                             sha256=hashlib.sha256(key.encode()).hexdigest())
        chars += len(report.text) + len(report.title or "")
        if i % 1000 == 999:
            db.commit()
            db.begin()
        if i % 20000 == 19999:
            print(f"  written {i + 1}: {time.perf_counter() - started:.1f} s", flush=True)
    db.commit()
    bulk.__exit__(None, None, None)
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    db.execute("INSERT INTO reports_fts(reports_fts) VALUES('optimize')")
    optimize_s = time.perf_counter() - started
    db.close()
    size = db_path.stat().st_size
    return {
        "reports": reports, "distinct_parses": distinct,
        "parse_ms_per_document": round(parse_ms, 2),
        "write_seconds": round(write_s, 1), "reports_per_second": round(reports / write_s),
        "fts_optimize_seconds": round(optimize_s, 1),
        "indexed_chars": chars, "db_megabytes": round(size / 1e6, 1),
        "db_bytes_per_indexed_char": round(size / max(chars, 1), 2),
    }


def bench_build(workdir: Path, documents: int, workers: int) -> dict:
    folder = workdir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    distinct = distinct_documents(min(documents, 500))
    for i in range(documents):
        name, data = distinct[i % len(distinct)]
        # unique bytes per file: the same report re-issued under another number
        (folder / f"{i:07d}_{name}").write_bytes(data + f"\n<!-- {i} -->\n".encode())
    db_path = workdir / "build" / "archive.db"
    stats = build_archive(folder, db_path, log=lambda line: print("  " + line, flush=True),
                          workers=workers)
    again = build_archive(folder, db_path, log=lambda _: None, workers=workers)
    return {
        "documents": documents, "workers": workers, "seconds": stats.seconds,
        "documents_per_second": round(documents / stats.seconds, 1),
        "extrapolated_100k_minutes": round(100_000 / (documents / stats.seconds) / 60, 1),
        "failures": stats.failures, "rebuild_seconds": again.seconds,
    }


def bench_queries(db_path: Path, rounds: int) -> dict:
    """Search latency through Datasette's JSON API (sorted by id, no facets or counts: the
    search itself), then one full page with its count."""
    sys.path.insert(0, str(ROOT / "tests"))
    from tests.conftest import start_datasette, stop_datasette
    from tests.test_search import QUERIES

    named = db_path.with_name("archive.db")
    if named != db_path:
        db_path.rename(named)
    started = time.perf_counter()
    server = start_datasette(named, timeout=600)
    startup = time.perf_counter() - started
    timings: list[float] = []
    slow: dict[str, int] = {}
    try:
        for _ in range(rounds):
            for query in QUERIES:
                started = time.perf_counter()
                status, _ = server.get("/archive/reports.json", _search=query, _col="id",
                                       _size="100", _nofacet="1", _nocount="1", _sort="id")
                timings.append((time.perf_counter() - started) * 1000)
                if status != 200:  # 400: over sql_time_limit_ms
                    slow[query] = slow.get(query, 0) + 1
        started = time.perf_counter()
        url = server.url("/archive/reports.json", _search="信息公开", _col="id", _size="1")
        with urllib.request.urlopen(url, timeout=60) as response:
            count = json.load(response).get("filtered_table_rows_count")
        count_ms = (time.perf_counter() - started) * 1000
    finally:
        stop_datasette(server)
    timings.sort()
    return {
        "startup_seconds": round(startup, 1), "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "count_query_ms": round(count_ms, 1), "count_信息公开": count,
        "over_time_limit": slow,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000, help="reports to write")
    parser.add_argument("--distinct", type=int, default=500, help="distinct parsed reports")
    parser.add_argument("--build", type=int, default=2_000, help="files to build end to end")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", action="store_true", help="also time Datasette search")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--db", type=Path, default=None,
                        help="only time queries on this existing archive.db")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zfxxgk-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir: {workdir}")
    results = {}
    if args.db:
        print(json.dumps(bench_queries(args.db, args.rounds), ensure_ascii=False, indent=1))
        return
    if args.reports:
        print(f"write: {args.reports} reports", flush=True)
        results["write"] = bench_write(workdir / "write.db", args.reports, args.distinct)
        print(json.dumps(results["write"], ensure_ascii=False), flush=True)
    if args.build:
        print(f"build: {args.build} documents", flush=True)
        results["build"] = bench_build(workdir, args.build, args.workers)
        print(json.dumps(results["build"], ensure_ascii=False), flush=True)
    if args.queries and args.reports:
        print("query: Datasette on the written archive", flush=True)
        results["query"] = bench_queries(workdir / "write.db", args.rounds)
        print(json.dumps(results["query"], ensure_ascii=False), flush=True)
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
