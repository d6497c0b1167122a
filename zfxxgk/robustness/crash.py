"""kill -9 at seeded points of each stage — crawl, ingest (parse captures) and build — then
run the stage again and compare with an uninterrupted run.

Each stage runs in a child process. A kill point is drawn from the seed: either a delay
after the child starts (which may land in start-up, in a write, between transactions…) or a
progress point (the child has made its k-th request, or written its k-th report), so the
points spread over the whole run. The kills form a chain on one archive — each run resumes
what the killed one left, as a real operator's re-run would — and after the last one the
stage runs to its end. The archive must then pass ``PRAGMA integrity_check``, hold no
partial report, and equal the clean result row for row.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from zfxxgk.crawl import crawl_command, run_crawl
from zfxxgk.robustness.archive_check import extra_rows, health, lost_rows, snapshot
from zfxxgk.robustness.zygote import Zygote, killed

CRAWL_SOURCES = ("sample-trs", "sample-gkmlpt")
CRAWL_SETTINGS = {"DOWNLOAD_TIMEOUT": 10}
BUILD_BATCH = 4  # reports per transaction in the killed builds: many commit points to hit
POLL = 0.005

Log = Callable[[str], None]


@dataclass
class Kill:
    point: str  # what the kill waited for ("after 3.2 s", "request 7", "report 12")
    killed: bool  # False: the run ended before the point came
    progress: int  # requests / reports seen when it was killed


@dataclass
class StageFigures:
    stage: str
    kills: list[Kill] = field(default_factory=list)
    rows_lost: dict[str, int] = field(default_factory=dict)
    rows_extra: dict[str, int] = field(default_factory=dict)
    integrity: str = ""
    partial_reports: int = 0
    fts_problems: int = 0
    runs_left_running: int = 0
    stray_files: int = 0  # half-written blob files left under a temporary name (harmless)
    checks: int = 0  # times the killed archive was run to its end and compared
    warc_damaged: int = 0  # WARC files ``warcio check`` rejects after the last run (crawl)
    seconds: float = 0.0

    @property
    def points(self) -> int:
        return sum(1 for k in self.kills if k.killed)

    @property
    def lost(self) -> int:
        return sum(self.rows_lost.values())

    @property
    def ok(self) -> bool:
        return (self.integrity == "ok" and not self.partial_reports and not self.fts_problems
                and not self.warc_damaged
                and self.lost == 0 and sum(self.rows_extra.values()) == 0)

    def as_dict(self) -> dict:
        return asdict(self) | {"points": self.points, "lost": self.lost, "ok": self.ok}


def _count(db_path: Path, sql: str) -> int:
    if not db_path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet, or tables not there yet


def _kill_run(zygote: Zygote, call: str, args: list[str], log_path: Path, *, delay: float | None,
              progress: Callable[[], int] | None, target: int, timeout: float = 300) -> Kill:
    """Fork a run; SIGKILL it after ``delay`` seconds, or once ``progress()`` ≥ target."""
    point = f"after {delay:.2f} s" if delay is not None else f"at {target}"
    zygote.start(call, args, log_path)
    started = time.monotonic()
    while True:
        now = time.monotonic() - started
        done = progress() if progress is not None else 0
        if (delay is not None and now >= delay) or (delay is None and done >= target):
            status = zygote.kill()
            if not killed(status) and status != 0:
                raise RuntimeError(f"{call} failed (wait status {status}), see {log_path}")
            return Kill(point, killed(status), progress() if progress is not None else 0)
        status = zygote.poll(POLL)
        if status is not None:
            if status != 0:
                raise RuntimeError(f"{call} failed (wait status {status}), see {log_path}")
            return Kill(point, False, progress() if progress is not None else 0)
        if now > timeout:
            zygote.kill()
            raise TimeoutError(f"{call} ran longer than {timeout} s")


def _check(fig: StageFigures, reference: dict, db: Path) -> None:
    """Compare ``db`` with the clean result and add what is wrong to ``fig``."""
    h = health(db)
    result = snapshot(db)
    for name, n in lost_rows(reference, result).items():
        fig.rows_lost[name] = fig.rows_lost.get(name, 0) + n
    for name, n in extra_rows(reference, result).items():
        fig.rows_extra[name] = fig.rows_extra.get(name, 0) + n
    if h.integrity != "ok" or not fig.integrity:
        fig.integrity = h.integrity
    fig.partial_reports += len(h.partial_reports)
    fig.fts_problems += h.fts_missing + h.fts_orphans + (h.fts_integrity != "ok") + h.current_conflicts
    fig.runs_left_running = max(fig.runs_left_running, h.runs_left_running)
    fig.checks += 1


def warc_damaged(paths: list[Path]) -> int:
    """How many of these WARC files ``warcio check`` rejects (all in one process first)."""
    import subprocess
    import sys

    def check(files: list[Path]) -> bool:
        code = "import sys; from warcio.cli import main; sys.exit(main())"
        return subprocess.run([sys.executable, "-c", code, "check", *map(str, files)],
                              capture_output=True, check=False).returncode == 0

    if not paths or check(paths):
        return 0
    return sum(1 for path in paths if not check([path]))


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a (WAL) database, through SQLite's backup."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


# ---------------------------------------------------------------------------------- crawl
def crawl_kills(workdir: Path, *, points: int = 20, seed: int = 7, log: Log | None = None) -> StageFigures:
    """Kill a crawl of the sample portal ``points`` times; the last run must end equal to a
    clean crawl. Also leaves ``workdir/clean`` (a crawled archive) for ``ingest_kills``."""
    from zfxxgk.portal import running_portal

    started = time.perf_counter()
    say = log or (lambda _m: None)
    rng = random.Random(f"crawl|{seed}")
    fig = StageFigures("crawl")
    with running_portal() as portal:
        registry = portal.write_registry(workdir / "sources.yaml")
        mark = len(portal.log)
        clean = run_crawl(workdir / "clean" / "archive.db", workdir / "clean" / "blobs",
                          sources=list(CRAWL_SOURCES), registry=registry, settings=CRAWL_SETTINGS)
        assert clean.finish_reason == "finished", clean.log_path
        total_requests = len(portal.log) - mark
        db, blobs = workdir / "cut" / "archive.db", workdir / "cut" / "blobs"
        db.parent.mkdir(parents=True, exist_ok=True)
        args = crawl_command(db, blobs, sources=list(CRAWL_SOURCES), registry=registry, settings=CRAWL_SETTINGS)[3:]
        attempts = 0
        with Zygote() as zygote:
            while fig.points < points and attempts < points * 3:
                attempts += 1
                mark = len(portal.log)
                if rng.random() < 0.4:
                    kill = _kill_run(zygote, "zfxxgk.robustness.crash:crawl_entry", args, db.parent / "killed.log",
                                     delay=rng.uniform(0.05, 3.0), progress=None, target=0)
                else:
                    target = rng.randint(1, total_requests)
                    kill = _kill_run(zygote, "zfxxgk.robustness.crash:crawl_entry", args, db.parent / "killed.log", delay=None,
                                     target=target, progress=lambda mark=mark: len(portal.log) - mark)
                    kill.point = f"request {target}"
                fig.kills.append(kill)
                say(f"  crawl kill {fig.points}/{points}: {kill.point} ({'killed' if kill.killed else 'ran to end'})")
        final = run_crawl(db, blobs, sources=list(CRAWL_SOURCES), registry=registry, settings=CRAWL_SETTINGS)
        assert final.finish_reason == "finished", final.log_path
    fig.stray_files = sum(1 for p in blobs.rglob(".tmp-*"))
    fig.warc_damaged = warc_damaged(sorted((workdir / "cut" / "warc").glob("*.warc.gz")))
    _check(fig, snapshot(workdir / "clean" / "archive.db"), db)
    fig.seconds = round(time.perf_counter() - started, 1)
    return fig


# ------------------------------------------------------------------------ ingest and build
def _document_kills(fig: StageFigures, call: str, args: list[str], db: Path, reset: Callable[[], None],
                    reference: dict, documents: int, full: float, rng: random.Random, points: int,
                    say: Log) -> None:
    """Kill chains over a document stage: kill, run again, kill… until the stage has been
    through all documents; then run it to its end, compare, start over from ``reset()``."""
    progress = lambda: _count(db, "select (select count(*) from reports) + (select count(*) from parse_failures)")  # noqa: E731
    log_path = db.parent / "killed.log"
    reset()
    attempts = 0
    with Zygote() as zygote:
        while fig.points < points and attempts < points * 3:
            attempts += 1
            done = progress()
            if done >= documents:
                if zygote.run(call, args, log_path) != 0:
                    raise RuntimeError(f"{call} failed, see {log_path}")
                _check(fig, reference, db)
                reset()
                done = 0
            if rng.random() < 0.4:
                left = full * (documents - done) / max(documents, 1)
                kill = _kill_run(zygote, call, args, log_path, delay=rng.uniform(0.01, left + 0.2),
                                 progress=progress, target=0)
            else:
                target = rng.randint(done + 1, documents)
                kill = _kill_run(zygote, call, args, log_path, delay=None, progress=progress, target=target)
                kill.point = f"document {target}"
            fig.kills.append(kill)
            say(f"  {fig.stage} kill {fig.points}/{points}: {kill.point} "
                f"({'killed' if kill.killed else 'ran to end'})")
        if zygote.run(call, args, log_path) != 0:
            raise RuntimeError(f"{call} failed, see {log_path}")
    _check(fig, reference, db)


def crawl_entry(*argv: str) -> int:
    """What a killed crawl runs: ``python -m crawler`` with these arguments."""
    from crawler.runner import main

    return main(list(argv))


def ingest_entry(db: str, blobs: str) -> int:
    """What a killed ingest runs (in a process forked by the ``Zygote``)."""
    from zfxxgk.ingest import ingest_captures

    ingest_captures(Path(db), Path(blobs), log=lambda _m: None)
    return 0


def build_entry(source: str, db: str, batch: str) -> int:
    """What a killed build runs: ``build_archive`` with small batches."""
    import zfxxgk.build as build

    build.BATCH = int(batch)
    build.build_archive(Path(source), Path(db), log=lambda _m: None, workers=1)
    return 0


def ingest_kills(workdir: Path, crawled: Path, *, points: int = 20, seed: int = 7,
                 log: Log | None = None) -> StageFigures:
    """Kill ``ingest_captures`` on a copy of the crawled archive ``crawled`` (a folder with
    archive.db and blobs/) ``points`` times; compare with an uninterrupted ingest."""
    from zfxxgk.ingest import ingest_captures

    started = time.perf_counter()
    fig = StageFigures("ingest")
    blobs = crawled / "blobs"
    clean_db, db = workdir / "clean" / "archive.db", workdir / "cut" / "archive.db"
    copy_db(crawled / "archive.db", clean_db)
    t0 = time.perf_counter()
    clean = ingest_captures(clean_db, blobs, log=lambda _m: None)
    full = time.perf_counter() - t0

    def reset() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        copy_db(crawled / "archive.db", db)

    _document_kills(fig, "zfxxgk.robustness.crash:ingest_entry", [str(db), str(blobs)], db, reset, snapshot(clean_db), clean.reports_added + clean.failures, full,
                    random.Random(f"ingest|{seed}"), points, log or (lambda _m: None))
    fig.seconds = round(time.perf_counter() - started, 1)
    return fig


def build_documents(folder: Path, generated: int = 40) -> Path:
    """A small document folder: the five seeds and ``generated`` generated reports in every
    text/HTML style, a PDF and a DOCX of a seed (the portal's attachment writers), and one
    file that is no document at all (a recorded failure)."""
    from zfxxgk.generator import STYLES, generate_report, render
    from zfxxgk.portal.documents import make_docx, make_pdf
    from zfxxgk.portal.reports import SEEDS_DIR, seed_reports

    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        shutil.copyfile(path, folder / path.name)
    for i in range(generated):
        doc = render(generate_report(3000 + i), STYLES[i % len(STYLES)])
        (folder / doc.name).write_bytes(doc.data)
    seed = seed_reports()[0]
    (folder / "seed0.pdf").write_bytes(make_pdf(seed))
    (folder / "seed0.docx").write_bytes(make_docx(seed))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n% not really a PDF\n")
    return folder


def build_kills(workdir: Path, *, points: int = 20, seed: int = 7, generated: int = 40,
                log: Log | None = None) -> StageFigures:
    """Kill ``build_archive`` ``points`` times (in batches of ``BUILD_BATCH`` reports, so
    that kills fall between commits as well as inside them); compare with an uninterrupted
    build (default batches)."""
    from zfxxgk.build import build_archive

    started = time.perf_counter()
    fig = StageFigures("build")
    source = build_documents(workdir / "documents", generated)
    clean_db, db = workdir / "clean" / "archive.db", workdir / "cut" / "archive.db"
    t0 = time.perf_counter()
    clean = build_archive(source, clean_db, log=lambda _m: None, workers=1)
    full = time.perf_counter() - t0
    db.parent.mkdir(parents=True, exist_ok=True)

    def reset() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    _document_kills(fig, "zfxxgk.robustness.crash:build_entry", [str(source), str(db), str(BUILD_BATCH)], db,
                    reset, snapshot(clean_db), clean.reports_added + clean.failures, full,
                    random.Random(f"build|{seed}"), points, log or (lambda _m: None))
    fig.seconds = round(time.perf_counter() - started, 1)
    return fig
