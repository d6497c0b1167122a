"""Serving under load while the archive is being written.

The published archive is served immutable (``zfxxgk serve``: ``-i``): SQLite then reads the
file without locks and assumes it never changes, so a build must never write into the
served file. Two honest ways to keep serving while a build runs are measured here:

* ``wal`` — the archive served *mutable* (Datasette's ordinary mode, read-only connections)
  while ``build_archive`` writes new reports into the same file in a child process. WAL lets
  readers go on during the writes: no "database is locked", every answer a consistent
  snapshot.
* ``replace`` — the product's own command line (``-i``) serving ``archive.db`` while builds
  write into a copy, which is checkpointed and renamed over the served file
  (``publish_atomically``) several times under load. Open connections keep reading the old
  file whole; the next start of Datasette serves the new one.

Readers are threads on 127.0.0.1 issuing a fixed mix — full-text search, facets, canned
queries, table and row pages, HTML and JSON — for a bounded number of requests; every
latency is kept for the percentiles.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from zfxxgk.serve import datasette_args

Log = Callable[[str], None]
# Canned queries in the mix (``canned_timings`` measures each alone as well).
CANNED = ("totals_by_year", "by_province_level", "top_agencies", "outcome_mix", "inconsistent_reports",
          "corrected_cases", "agency_years", "missing_reports", "late_reports")
SEARCHES = ("信息公开", "申请", "行政复议", "公开", "依申请公开", "政府")


# ------------------------------------------------------------------------------ archives
def generated_documents(folder: Path, count: int, *, first_seed: int) -> list[Path]:
    from zfxxgk.generator import STYLES, generate_report, render

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        doc = render(generate_report(first_seed + i), STYLES[i % len(STYLES)])
        path = folder / f"{first_seed + i}_{doc.name}"
        path.write_bytes(doc.data)
        out.append(path)
    return out


def synth_archive(db_path: Path, reports: int, *, distinct: int = 100, log: Log | None = None) -> Path:
    """An archive of ``reports`` reports written through the build's own write path
    (``insert_report`` in transactions of 500), cycling through ``distinct`` parsed
    generated documents under distinct keys — how 100,000 reports are had in minutes."""
    from parsers import parse
    from zfxxgk import db as archive
    from zfxxgk import summaries
    from zfxxgk.generator import STYLES, generate_report, render

    docs = [render(generate_report(20_000 + i), STYLES[i % len(STYLES)]) for i in range(min(distinct, reports))]
    parsed = [parse(d.data, name=d.name) for d in docs]
    db = archive.connect(db_path)
    try:
        bulk = archive.bulk_load(db) if reports >= 20_000 else contextlib.nullcontext()
        with bulk:
            db.begin()
            for i in range(reports):
                key = f"synthetic/{i:07d}/{docs[i % len(docs)].name}"
                archive.insert_report(db, parsed[i % len(parsed)], document_key=key,
                                      sha256=hashlib.sha256(key.encode()).hexdigest())
                if i % 500 == 499:
                    db.commit()
                    db.begin()
                    if log and i % 20_000 == 19_999:
                        log(f"  {i + 1} reports written")
            db.commit()
        db.execute("INSERT INTO reports_fts(reports_fts) VALUES('optimize')")
        summaries.refresh(db)  # as a build ends: the canned queries read these tables
    finally:
        db.close()
    return db_path


def publish_atomically(built: Path, served: Path) -> None:
    """Put a finished build where it is served: checkpoint its WAL into the file (an
    immutable reader never looks at a WAL), flush it to disk, rename it over the served
    file. Readers of the old file keep it whole until they close it."""
    conn = sqlite3.connect(built)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")  # one file, nothing beside it to go stale
    finally:
        conn.close()
    with open(built, "rb") as fh:
        os.fsync(fh.fileno())
    served.parent.mkdir(parents=True, exist_ok=True)
    os.replace(built, served)
    dir_fd = os.open(served.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# ---------------------------------------------------------------------------- datasette
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def datasette(db_path: Path, *, immutable: bool, timeout: float = 600) -> Iterator[tuple[str, Path]]:
    """Datasette as ``zfxxgk serve`` runs it (``immutable=False``: the same arguments
    without ``-i``); yields its base URL and its log file."""
    from zfxxgk.crawl import child_env

    port = _free_port()
    args = datasette_args(db_path, host="127.0.0.1", port=port)
    if not immutable:
        args.remove("-i")
    log_path = db_path.with_name(f"datasette-{port}.log")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=child_env())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"datasette exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("datasette did not start") from None
                time.sleep(0.2)
        yield base, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request_mix(db_path: Path, seed: int = 7) -> list[str]:
    """The paths readers ask for: search, facets, canned queries, tables, rows."""
    conn = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
    try:
        ids = [r[0] for r in conn.execute("select id from reports order by id limit 50")]
        years = [r[0] for r in conn.execute("select distinct year from reports where year is not null limit 5")]
    finally:
        conn.close()
    rng = random.Random(seed)
    q = urllib.parse.quote
    paths = ["/", "/archive", "/archive/reports", "/archive/findings.json?_size=50"]
    paths += [f"/archive/reports.json?_search={q(s)}&_size=20" for s in SEARCHES]
    paths += [f"/archive/reports?_search={q(s)}" for s in SEARCHES[:3]]
    paths += ["/archive/reports.json?_facet=year&_facet=province&_facet=level",
              "/archive/reports?_facet=year&_facet=format_era",
              "/archive/findings.json?_facet=rule"]
    paths += [f"/archive/{name}.json" for name in CANNED]
    paths += [f"/archive/search.json?q={q(s)}" for s in SEARCHES[:2]]
    paths += [f"/archive/reports.json?year={y}&_size=10" for y in years]
    for i in rng.sample(ids, min(8, len(ids))):
        paths += [f"/archive/reports/{i}.json", f"/archive/reports/{i}",
                  f"/archive/applications.json?report_id={i}"]
    return paths


@dataclass
class LoadFigures:
    mode: str
    reports_before: int = 0
    reports_after: int = 0  # in the file(s) once the writer is done
    readers: int = 0
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0  # status other than 200, or a failed connection
    locked: int = 0  # answers or log lines mentioning "database is locked"
    time_limited: int = 0  # of the errors: queries stopped by sql_time_limit_ms ("took too long")
    error_samples: list[str] = field(default_factory=list)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    max_ms: float = 0.0
    slowest: dict[str, float] = field(default_factory=dict)  # path → median ms, the five slowest
    writes: int = 0  # reports the writer added while readers read
    replacements: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.locked == 0 and self.requests > 0 and self.writes > 0

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def run_readers(base: str, paths: list[str], *, readers: int, requests: int, seed: int = 7,
                until: threading.Event | None = None
                ) -> tuple[list[tuple[str, float]], Counter[str], list[str], int]:
    """``readers`` threads share ``requests`` requests (or go on until ``until`` is set,
    whichever comes last); returns (path, ms) pairs, statuses, error samples, locked count."""
    lock = threading.Lock()
    latencies: list[tuple[str, float]] = []
    statuses: Counter[str] = Counter()
    samples: list[str] = []
    counter = iter(range(10 ** 9))
    locked = 0
    too_long = 0

    def worker(n: int) -> None:
        nonlocal locked, too_long
        rng = random.Random(f"{seed}|{n}")
        while True:
            with lock:
                i = next(counter)
            if i >= requests and (until is None or until.is_set()):
                return
            path = rng.choice(paths)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=60) as resp:
                    body, status = resp.read(), resp.status
            except urllib.error.HTTPError as e:
                body, status = e.read(), e.code
            except OSError as e:
                body, status = str(e).encode(), 0
            ms = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append((path, ms))
                statuses[str(status)] += 1
                if b"database is locked" in body:
                    locked += 1
                if status == 400 and b"took too long" in body:
                    too_long += 1
                if status != 200 and len(samples) < 10:
                    samples.append(f"{status} {path}: {body[:200]!r}")

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses["time_limited"] = too_long  # a count inside the 400s, not a status of its own
    return latencies, statuses, samples, locked


def _percentiles(fig: LoadFigures, timed: list[tuple[str, float]]) -> None:
    if not timed:
        return
    by_path: dict[str, list[float]] = {}
    for path, ms in timed:
        by_path.setdefault(path, []).append(ms)
    medians = sorted(((statistics.median(v), k) for k, v in by_path.items()), reverse=True)[:5]
    fig.slowest = {k: round(m, 1) for m, k in medians}
    ordered = sorted(ms for _, ms in timed)
    fig.p50_ms = round(statistics.median(ordered), 1)
    fig.p95_ms = round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1)
    fig.max_ms = round(ordered[-1], 1)


def _count_reports(db_path: Path) -> int:
    conn = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("select count(*) from reports").fetchone()[0]
    finally:
        conn.close()


_WRITER = ("import sys; from pathlib import Path; from zfxxgk.build import build_archive\n"
           "for folder in sys.argv[2:]:\n"
           "    build_archive(Path(folder), Path(sys.argv[1]), log=lambda m: None, workers=1)\n")


def load_while_building(workdir: Path, *, reports: int = 300, new_documents: int = 150, readers: int = 6,
                        requests: int = 300, log: Log | None = None) -> LoadFigures:
    """Mode ``wal``: Datasette (mutable) on an archive of ``reports`` reports while a build
    in a child process adds ``new_documents`` more, in ten builds."""
    from zfxxgk.crawl import child_env

    say = log or (lambda _m: None)
    started = time.perf_counter()
    shutil.rmtree(workdir, ignore_errors=True)
    db_path = workdir / "wal" / "archive.db"
    say(f"  生成 {reports} 份报告的档案库 / writing an archive of {reports} reports …")
    synth_archive(db_path, reports, log=say)
    folders = []
    per = max(1, new_documents // 10)
    for k in range(10):
        folder = workdir / "new" / f"part{k}"
        generated_documents(folder, per, first_seed=60_000 + k * per)
        folders.append(str(folder))
    fig = LoadFigures("wal", reports_before=_count_reports(db_path), readers=readers)
    with datasette(db_path, immutable=False) as (base, log_path):
        paths = request_mix(db_path)
        done = threading.Event()
        writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(db_path), *folders],
                                  env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def watch() -> None:
            writer.wait()
            done.set()

        threading.Thread(target=watch, daemon=True).start()
        latencies, statuses, samples, locked = run_readers(base, paths, readers=readers, requests=requests,
                                                           until=done)
        err = writer.stderr.read().decode(errors="replace") if writer.stderr else ""
        if writer.returncode != 0:
            raise RuntimeError(f"the build under load failed: {err[-2000:]}")
        log_text = log_path.read_text(errors="replace")
    fig.reports_after = _count_reports(db_path)
    fig.writes = fig.reports_after - fig.reports_before
    fig.requests = len(latencies)
    fig.time_limited = statuses.pop("time_limited", 0)
    fig.statuses = dict(statuses)
    fig.errors = sum(v for k, v in statuses.items() if k != "200")
    fig.locked = locked + log_text.count("database is locked") + err.count("database is locked")
    fig.error_samples = samples
    _percentiles(fig, latencies)
    fig.seconds = round(time.perf_counter() - started, 1)
    return fig


def load_while_replacing(workdir: Path, *, reports: int = 300, new_documents: int = 60, rounds: int = 3,
                         readers: int = 4, requests: int = 200, start_from: Path | None = None,
                         log: Log | None = None) -> LoadFigures:
    """Mode ``replace``: ``zfxxgk serve``'s own command line (immutable) on archive.db while
    ``rounds`` builds go into a copy that is published over it with ``publish_atomically``.
    ``start_from``: an existing archive to serve first (instead of writing ``reports``)."""
    from zfxxgk.build import build_archive
    from zfxxgk.robustness.crash import copy_db

    say = log or (lambda _m: None)
    started = time.perf_counter()
    shutil.rmtree(workdir, ignore_errors=True)
    served = workdir / "published" / "archive.db"
    if start_from is not None:
        copy_db(start_from, workdir / "first" / "archive.db")
    else:
        synth_archive(workdir / "first" / "archive.db", reports)
    publish_atomically(workdir / "first" / "archive.db", served)
    fig = LoadFigures("replace", reports_before=_count_reports(served), readers=readers)
    per = max(1, new_documents // rounds)
    with datasette(served, immutable=True) as (base, log_path):
        paths = request_mix(served)
        done = threading.Event()
        problems: list[str] = []

        def builder() -> None:
            try:
                for k in range(rounds):
                    nxt = workdir / "next" / "archive.db"
                    shutil.rmtree(nxt.parent, ignore_errors=True)
                    copy_db(served, nxt)
                    folder = workdir / "new" / f"part{k}"
                    generated_documents(folder, per, first_seed=70_000 + k * per)
                    build_archive(folder, nxt, log=lambda _m: None, workers=1)
                    publish_atomically(nxt, served)
                    fig.replacements += 1
                    say(f"  published build {k + 1}/{rounds}")
            except Exception as e:  # noqa: BLE001 - reported as the scenario's failure
                problems.append(repr(e))
            finally:
                done.set()

        thread = threading.Thread(target=builder, daemon=True)
        thread.start()
        latencies, statuses, samples, locked = run_readers(base, paths, readers=readers, requests=requests,
                                                           until=done)
        thread.join()
        log_text = log_path.read_text(errors="replace")
    if problems:
        raise RuntimeError(f"publishing under load failed: {problems}")
    fig.reports_after = _count_reports(served)
    fig.writes = fig.reports_after - fig.reports_before
    fig.requests = len(latencies)
    fig.time_limited = statuses.pop("time_limited", 0)
    fig.statuses = dict(statuses)
    fig.errors = sum(v for k, v in statuses.items() if k != "200")
    fig.locked = locked + log_text.count("database is locked")
    fig.error_samples = samples
    _percentiles(fig, latencies)
    fig.seconds = round(time.perf_counter() - started, 1)
    return fig


def canned_timings(db_path: Path) -> dict[str, float]:
    """Milliseconds each canned query of the metadata takes alone (empty parameters)."""
    import yaml

    from zfxxgk.serve import METADATA

    queries = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["archive"]["queries"]
    conn = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
    out = {}
    try:
        for name, query in queries.items():
            if not isinstance(query, dict) or "sql" not in query:
                continue
            params = {p: "信息" if p == "q" else "" for p in query.get("params", [])}
            started = time.perf_counter()
            try:
                conn.execute(query["sql"], params).fetchall()
            except sqlite3.Error:
                continue  # needs a function only Datasette's plugins register
            out[name] = round((time.perf_counter() - started) * 1000, 1)
    finally:
        conn.close()
    return out


def served_count(base: str) -> int:
    with urllib.request.urlopen(base + "/archive.json?sql=select+count(*)+as+n+from+reports&_shape=array") as r:
        return json.load(r)[0]["n"]
