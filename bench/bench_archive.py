"""Benchmark of the archive: writing, building and searching at scale. Prints figures;
asserts nothing about time (that is for people to read, not for tests to flake on).

    .venv/bin/python bench/bench_archive.py                      # 100,000 written + queries
    .venv/bin/python bench/bench_archive.py --reports 0 --build 100000 --queries
    .venv/bin/python bench/bench_archive.py --db path/to/archive.db   # queries only

Three measures, because they have different owners and limits:
  write  -- the database side of a build alone: N reports, already parsed and turned into
            rows (as the build's worker processes deliver them; N cycle through D distinct
            parses), inserted as a large build does (``bulk_load``, one transaction per
            ``BULK_BATCH``), then the search index merged. Size per table at the end.
  build  -- ``build_archive`` end to end on M generated files (read, hash, parse and
            tokenize in worker processes, write): wall time, CPU of the writer and of the
            workers, peak RSS, database size.
  query  -- Datasette (started as ``zfxxgk serve`` does) on the archive: ``?_search=``
            latency for the search test queries by kind (1, 2, 3, 4+ characters, several
            terms), each beside the same SQL run directly in sqlite3 (the ratio is
            Datasette's overhead); a facet page; every canned query.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sqlite3
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
from zfxxgk import fts, summaries  # noqa: E402
from zfxxgk.build import BULK_BATCH, build_archive  # noqa: E402
from zfxxgk.generator import STYLES, generate_report, render  # noqa: E402
from zfxxgk.report_rows import report_rows  # noqa: E402


def distinct_documents(count: int) -> list[tuple[str, bytes]]:
    docs = []
    for i in range(count):
        doc = render(generate_report(10_000 + i), STYLES[i % len(STYLES)])
        docs.append((doc.name, doc.data))
    return docs


def peak_rss_mb() -> dict[str, float]:
    """Peak RSS of this process and of the largest finished child (a worker). Read it
    before starting other children: a child forked from a large parent reports the
    parent's size."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own), "peak_rss_worker_mb": round(children)}


def table_sizes(db_path: Path) -> dict[str, float]:
    """Megabytes per table and index (SQLite's dbstat), largest first."""
    with sqlite3.connect(db_path) as conn:
        try:
            rows = conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.OperationalError:  # SQLite built without dbstat
            return {}
    return {name: round(size / 1e6, 1) for name, size in rows if size >= 100_000}


def bench_write(db_path: Path, reports: int, distinct: int) -> dict:
    docs = distinct_documents(distinct)
    started = time.perf_counter()
    rows = [report_rows(parse(data, name=name)) for name, data in docs]
    parse_ms = (time.perf_counter() - started) / len(docs) * 1000
    db = archive.connect(db_path)
    started = time.perf_counter()
    cpu = time.process_time()
    chars = 0
    with archive.bulk_load(db):  # as build_archive does for a large build
        db.begin()
        for i in range(reports):
            key = f"bench/{i:07d}/{docs[i % len(docs)][0]}"
            row = rows[i % len(rows)]
            archive.insert_rows(db, row, document_key=key,
                                sha256=hashlib.sha256(key.encode()).hexdigest())
            chars += row.fields["text_chars"] + len(row.fields["title"] or "")
            if i % BULK_BATCH == BULK_BATCH - 1:
                db.commit()
                db.begin()
            if i % 20000 == 19999:
                print(f"  written {i + 1}: {time.perf_counter() - started:.1f} s", flush=True)
        db.commit()
    write_s = time.perf_counter() - started
    write_cpu = time.process_time() - cpu
    started = time.perf_counter()
    archive.optimize(db)
    optimize_s = time.perf_counter() - started
    started = time.perf_counter()
    summaries.refresh(db)
    summaries_s = time.perf_counter() - started
    db.close()
    size = db_path.stat().st_size
    return {
        "reports": reports, "distinct_parses": distinct,
        "parse_ms_per_document": round(parse_ms, 2),
        "write_seconds": round(write_s, 1), "write_cpu_seconds": round(write_cpu, 1),
        "reports_per_second": round(reports / write_s),
        "fts_optimize_seconds": round(optimize_s, 1),
        "summaries_seconds": round(summaries_s, 1),
        "indexed_chars": chars, "db_megabytes": round(size / 1e6, 1),
        "db_bytes_per_report": round(size / max(reports, 1)),
        "db_bytes_per_indexed_char": round(size / max(chars, 1), 2),
        "megabytes_by_table": table_sizes(db_path),
        **peak_rss_mb(),
    }


def write_documents(folder: Path, documents: int) -> None:
    """``documents`` files cycling through 500 distinct reports, each made unique."""
    folder.mkdir(parents=True, exist_ok=True)
    distinct = distinct_documents(min(documents, 500))
    for i in range(documents):
        name, data = distinct[i % len(distinct)]
        # unique bytes per file: the same report re-issued under another number
        (folder / f"{i:07d}_{name}").write_bytes(data + f"\n<!-- {i} -->\n".encode())


def bench_build(workdir: Path, documents: int, workers: int) -> dict:
    folder = workdir / "documents"
    if len(list(folder.glob("*"))) != documents:
        started = time.perf_counter()
        write_documents(folder, documents)
        print(f"  wrote {documents} files in {time.perf_counter() - started:.0f} s", flush=True)
    db_path = workdir / "build" / "archive.db"
    cpu = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    stats = build_archive(folder, db_path, log=lambda line: print("  " + line, flush=True),
                          workers=workers)
    main_cpu = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    rss = peak_rss_mb()
    again = build_archive(folder, db_path, log=lambda _: None, workers=workers)
    return {
        "documents": documents, "workers": workers, "seconds": stats.seconds,
        "documents_per_second": round(documents / stats.seconds, 1),
        "extrapolated_100k_minutes": round(100_000 / (documents / stats.seconds) / 60, 1),
        "writer_cpu_seconds": round(main_cpu, 1), "worker_cpu_seconds": round(worker_cpu, 1),
        "cpu_ms_per_document": round((main_cpu + worker_cpu) / documents * 1000, 2),
        "failures": stats.failures, "rebuild_seconds": again.seconds,
        "db_megabytes": round(db_path.stat().st_size / 1e6, 1),
        "megabytes_by_table": table_sizes(db_path),
        **rss,
    }


def _kind(query: str) -> str:
    if len(query.split()) > 1:
        return "several terms"
    return {1: "1 char", 2: "2 chars", 3: "3 chars"}.get(len(query.strip()), "4+ chars")


def _percentiles(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "max_ms": round(timings[-1], 1),
    }


# What Datasette runs for ``?_search=`` on the reports table with _col=id&_sort=id.
_SEARCH_SQL = (
    "select id from reports where rowid in (select rowid from reports_fts"
    " where reports_fts match :q) order by id limit 101"
)


def _timed(fn) -> float:
    return _timed_call(fn)[0]


def _timed_call(fn):
    """(milliseconds, result) of calling ``fn``."""
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def bench_queries(db_path: Path, rounds: int) -> dict:
    """Search, facet and canned-query latency through Datasette's JSON API, each beside
    the same SQL run directly in sqlite3."""
    import yaml

    sys.path.insert(0, str(ROOT / "tests"))
    from tests.conftest import start_datasette, stop_datasette
    from tests.test_search import QUERIES

    named = db_path.with_name("archive.db")
    if named != db_path:
        db_path.rename(named)
    direct = sqlite3.connect(f"file:{named}?mode=ro", uri=True)
    started = time.perf_counter()
    server = start_datasette(named, timeout=600)
    startup = time.perf_counter() - started
    by_kind: dict[str, list[float]] = {}
    direct_kind: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    results: dict = {"startup_seconds": round(startup, 1)}
    try:
        for _ in range(rounds):
            for query in QUERIES:
                ms, (status, _) = _timed_call(lambda q=query: server.get(
                    "/archive/reports.json", _search=q, _col="id", _size="100",
                    _nofacet="1", _nocount="1", _sort="id"))
                if status != 200:  # 400: over sql_time_limit_ms
                    failed[query] = failed.get(query, 0) + 1
                by_kind.setdefault(_kind(query), []).append(ms)
                direct_kind.setdefault(_kind(query), []).append(_timed(
                    lambda q=query: direct.execute(_SEARCH_SQL, {"q": fts.to_match(q)}).fetchall()))
        every = [t for ts in by_kind.values() for t in ts]
        every_direct = [t for ts in direct_kind.values() for t in ts]
        results["search"] = {"all": _percentiles(every), "direct_sqlite3": _percentiles(every_direct)}
        for kind in by_kind:
            results["search"][kind] = {**_percentiles(by_kind[kind]),
                                       "direct_p50_ms": _percentiles(direct_kind[kind])["p50_ms"]}
        results["search"]["over_time_limit"] = failed
        # a whole search page as a visitor sees it: count and the four default facets
        page = [_timed(lambda q=q: server.get("/archive/reports.json", _search=q, _size="20"))
                for q in ("复议", "信息公开", "三安全一稳定", "宽城 2020")]
        results["search_page_with_count_and_facets_ms"] = [round(t, 1) for t in page]
        results["facet_page_ms"] = {
            "reports?_facet=province": round(_timed(lambda: server.get(
                "/archive/reports.json", _facet="province", _size="0")), 1),
            # default pages: count and the default facets of the table
            **{f"{table} (default facets)": round(_timed(lambda t=table: server.get(
                f"/archive/{t}.json", _size="20")), 1)
               for table in ("reports", "report_figures", "outcome_totals", "findings",
                             "applications", "proactive_items", "review_litigation")},
            "direct_group_by_province": round(_timed(lambda: direct.execute(
                "select province, count(*) from reports group by province").fetchall()), 1),
        }
        queries = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text(
            encoding="utf-8"))["databases"]["archive"]["queries"]
        params = {"year": "2021", "agency": "街道", "q": "复议"}
        canned = {}
        for name, query in queries.items():
            args = {p: params[p] for p in query.get("params", [])}
            ms, (status, _) = _timed_call(
                lambda n=name, a=args: server.get(f"/archive/{n}.json", _shape="array", **a))
            canned[name] = {"datasette_ms": round(ms, 1), "status": status}
            if name != "search":  # zh_snippet lives in the Datasette plugin
                canned[name]["direct_ms"] = round(_timed(
                    lambda q=query, a=args: direct.execute(q["sql"], a).fetchall()), 1)
        results["canned_queries"] = canned
        started = time.perf_counter()
        url = server.url("/archive/reports.json", _search="信息公开", _col="id", _size="1")
        with urllib.request.urlopen(url, timeout=60) as response:
            results["count_信息公开"] = json.load(response).get("filtered_table_rows_count")
        results["count_query_ms"] = round((time.perf_counter() - started) * 1000, 1)
    finally:
        stop_datasette(server)
        direct.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000, help="reports to write")
    parser.add_argument("--distinct", type=int, default=500, help="distinct parsed reports")
    parser.add_argument("--build", type=int, default=2_000, help="files to build end to end")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", action="store_true",
                        help="also time Datasette (on the built archive when --build, "
                             "else on the written one)")
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
    if args.queries and (args.build or args.reports):
        target = workdir / "build" / "archive.db" if args.build else workdir / "write.db"
        print(f"query: Datasette on {target}", flush=True)
        results["query"] = bench_queries(target, args.rounds)
        print(json.dumps(results["query"], ensure_ascii=False), flush=True)
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
