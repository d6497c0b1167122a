"""Build (or update) the archive from a folder of documents.

Idempotent by content: a document whose sha256 is already in the archive (as a report or a
recorded failure) is skipped, so running a build twice adds nothing; new bytes under a
known path become that document's next version.

Parsing is the slow part, so once there are enough documents it runs in worker processes,
which also read and hash the files and turn each report into the rows the archive stores
(``zfxxgk.report_rows``); this process only writes, in input order, each report as it
arrives (so that parsing and writing overlap), one transaction per batch. If anything in a
batch fails, the whole batch is rolled back and written again one report per transaction,
the failing one recorded in ``parse_failures``: no report is ever half written, and the
common case pays for no savepoints. A large build into a (nearly) empty archive defers the cell tables' secondary
indexes and the search index's merging to the end (``db.bulk_load``). Every build ends by
bringing the summary tables in line with the current reports (``zfxxgk.summaries``).
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import multiprocessing
import os
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils

from zfxxgk import db as archive
from zfxxgk import summaries
from zfxxgk.report_rows import ReportRows, report_rows

LOG_EVERY = 500
BATCH = 500  # reports per transaction
BULK_BATCH = 2000  # reports per transaction in a bulk load (fewer, larger index segments)
CHUNK = 25  # documents per task sent to a worker process
POOL_MIN_DOCUMENTS = 200  # below this, parsing in-process is faster than starting workers
# From this many files (and more than twice the archive), defer the cell indexes: made
# again in one sort at the end, they cost a fraction of keeping them up to date per insert.
BULK_MIN_DOCUMENTS = 1_000

Log = Callable[[str], None]


@dataclass
class BuildStats:
    """What a build did. ``documents`` counts every file seen."""

    documents: int = 0
    reports_added: int = 0
    reports_unchanged: int = 0
    versions_added: int = 0
    failures: int = 0
    cells: int = 0
    findings: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(slots=True)
class _Item:
    """One document on its way in: where it is, then its hash and either the rows of its
    report or the reason it could not be read. ``known`` marks bytes the archive already
    had when the build started (nothing to parse). ``report`` may carry a parsed report
    instead of ``rows`` (it is turned into rows when written)."""

    document_key: str
    sha256: str
    path: str | None = None
    report: object | None = None
    rows: ReportRows | None = None
    error: str | None = None
    known: bool = False


@dataclass(slots=True)
class _Outcome:
    document_key: str
    added: tuple[int, int, int] | None = None  # (report id, n_cells, n_findings)
    failed: bool = False


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def iter_documents(source: Path) -> Iterator[Path]:
    """Every file under ``source`` in a stable order, except hidden files and the samples'
    ``*.truth.json`` sidecars (hand-made answers, not documents)."""
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith(".truth.json"):
            yield path


# Hashes the archive held when the build started, in each worker process.
_KNOWN: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str]) -> None:
    """Worker set-up: the known hashes, and a collector that does not keep re-scanning
    the modules and caches loaded so far (parsing allocates many short-lived objects)."""
    global _KNOWN
    _KNOWN = known
    import parsers  # noqa: F401 - load everything before freezing it

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def load_item(item: _Item, known: frozenset[str] | set[str] = frozenset()) -> _Item:
    """Read and hash one document, then parse it unless its bytes are ``known``; never
    raises (runs in workers)."""
    if item.error is not None or item.path is None:
        return item
    try:
        data = Path(item.path).read_bytes()
    except OSError as e:
        item.error = f"无法读取文件 / cannot read file: {e.strerror or e}"
        return item
    item.sha256 = hashlib.sha256(data).hexdigest()
    if item.sha256 in known:
        item.known = True
        return item
    return parse_item(item, data)


def parse_item(item: _Item, data: bytes) -> _Item:
    """Parse one document into the rows of its report; never raises."""
    from parsers import ParseError, parse

    try:
        report = parse(data, name=item.document_key)
        item.rows = report_rows(report)
    except ParseError as e:
        item.error = str(e) or type(e).__name__
    except Exception as e:  # noqa: BLE001 - one bad document must not stop the build
        item.error = f"{type(e).__name__}: {e}"
    return item


def _load_chunk(items: list[_Item]) -> list[_Item]:
    return [load_item(item, _KNOWN) for item in items]


def _chunks(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    chunk: list[_Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _loaded_stream(items: list[_Item], known: set[str], workers: int) -> Iterator[_Item]:
    """Documents read, hashed and (unless known) parsed, in input order; in worker
    processes once there are many."""
    if workers <= 1 or len(items) < POOL_MIN_DOCUMENTS:
        for item in items:
            yield load_item(item, known)
        return
    # spawn: workers must not inherit this process's open SQLite connection
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_init_worker, initargs=(frozenset(known),)) as pool:
        pending: deque[Future[list[_Item]]] = deque()
        for chunk in _chunks(items, CHUNK):
            pending.append(pool.submit(_load_chunk, chunk))
            while len(pending) > 4 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _new_documents(stream: Iterator[_Item], known: set[str],
                   stats: BuildStats) -> Iterator[_Item]:
    """Each document whose bytes the archive does not have yet (the first of identical
    files only), or that could not be read."""
    for item in stream:
        stats.documents += 1
        if item.error is not None and not item.sha256:
            yield item  # unreadable: recorded as a failure
            continue
        if item.known or item.sha256 in known:
            stats.reports_unchanged += 1
            continue
        known.add(item.sha256)
        yield item


def _default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def build_archive(source: Path, db_path: Path, *, log: Log = _stderr,
                  workers: int | None = None) -> BuildStats:
    """Parse every document under ``source`` into the archive at ``db_path``.

    Unreadable documents become ``parse_failures`` rows and the build goes on. Progress is
    logged every ``LOG_EVERY`` documents and at the end (中文 first, then English).
    ``workers``: parsing processes (default: the CPU count, at most 4; 1 parses inline).
    """
    started = time.perf_counter()
    source = Path(source)
    stats = BuildStats()
    db = archive.connect(db_path)
    try:
        summaries.ensure_tables(db)  # its indexes on reports grow with the inserts
        known = archive.known_hashes(db)
        current_keys = {r[0] for r in db.execute("SELECT DISTINCT document_key FROM reports")}
        paths = list(iter_documents(source))
        log(f"开始建库：{len(paths)} 份文件 {source} → {db_path} / "
            f"building {len(paths)} documents from {source} into {db_path}")
        items = [_Item(path.relative_to(source).as_posix(), "", path=str(path))
                 for path in paths]
        stream = _new_documents(_loaded_stream(items, known, workers or _default_workers()),
                                known, stats)
        bulk = len(paths) >= BULK_MIN_DOCUMENTS and len(paths) > 2 * len(known)
        with archive.bulk_load(db) if bulk else nullcontext():
            next_log = LOG_EVERY
            for outcome in _write_batches(db, stream, BULK_BATCH if bulk else BATCH):
                _count(outcome, stats, current_keys)
                if stats.documents >= next_log:
                    log(_progress(stats, started))
                    next_log = (stats.documents // LOG_EVERY + 1) * LOG_EVERY
        summaries.refresh(db)  # also when only an older version became current again
        if stats.reports_added:
            archive.optimize(db)
    finally:
        db.rollback()
        db.close()
    stats.seconds = round(time.perf_counter() - started, 3)
    log(_summary(stats))
    return stats


def _write_batches(db: sqlite_utils.Database, stream: Iterable[_Item],
                   size: int) -> Iterator[_Outcome]:
    """Write documents as they arrive, ``size`` to a transaction; on any error, that
    batch again one report per transaction.

    Each report is written as soon as the stream yields it, so the parsing processes keep
    working while this one writes (a batch gathered whole before writing leaves them idle
    for its whole write, and this process idle while the next batch is parsed). The
    batch's items are kept until its commit, to be written again one by one if needed.
    An error raised by the stream itself goes to the caller, the open batch not committed.
    """
    items = iter(stream)
    while True:
        batch: list[_Item] = []
        outcomes: list[_Outcome] | None = []
        for item in itertools.islice(items, size):
            batch.append(item)
            if outcomes is None:
                continue  # the batch failed: gather the rest, written one by one below
            try:
                if len(batch) == 1:
                    db.begin()
                outcomes.append(_write_one(db, item))
            except Exception:  # noqa: BLE001 - find the culprit below, one transaction each
                db.rollback()
                outcomes = None
        if not batch:
            return
        if outcomes is not None:
            db.commit()
            yield from outcomes
        else:
            yield from _write_each(db, batch)


def _write_each(db: sqlite_utils.Database, batch: list[_Item]) -> list[_Outcome]:
    """Write each report in its own transaction; one that fails becomes a
    ``parse_failures`` row and the others land whole."""
    outcomes = []
    for item in batch:
        try:
            with db.atomic():
                outcomes.append(_write_one(db, item))
        except sqlite3.OperationalError:
            raise  # locked, full, read-only: the environment, not this document
        except Exception as e:  # noqa: BLE001 - recorded, the build goes on
            archive.record_failure(
                db, document_key=item.document_key, sha256=item.sha256,
                error=f"写入失败 / write failed: {type(e).__name__}: {e}",
            )
            outcomes.append(_Outcome(item.document_key, failed=True))
    return outcomes


def _write_one(db: sqlite_utils.Database, item: _Item) -> _Outcome:
    if item.error is not None:
        archive.record_failure(db, document_key=item.document_key, sha256=item.sha256,
                               error=item.error)
        return _Outcome(item.document_key, failed=True)
    if item.rows is None:
        item.rows = report_rows(item.report)  # type: ignore[arg-type]
    added = archive.insert_rows(db, item.rows, document_key=item.document_key,
                                sha256=item.sha256)
    return _Outcome(item.document_key, added=added)


def _count(outcome: _Outcome, stats: BuildStats, current_keys: set[str]) -> None:
    if outcome.failed:
        stats.failures += 1
    elif outcome.added is None:
        stats.reports_unchanged += 1
    else:
        stats.reports_added += 1
        stats.cells += outcome.added[1]
        stats.findings += outcome.added[2]
        if outcome.document_key in current_keys:
            stats.versions_added += 1
        current_keys.add(outcome.document_key)


def _progress(stats: BuildStats, started: float) -> str:
    seconds = time.perf_counter() - started
    return (
        f"已处理 {stats.documents} 份文件：新增 {stats.reports_added}，未变 "
        f"{stats.reports_unchanged}，失败 {stats.failures}（{seconds:.1f} 秒） / "
        f"{stats.documents} documents: {stats.reports_added} added, "
        f"{stats.reports_unchanged} unchanged, {stats.failures} failed ({seconds:.1f} s)"
    )


def _summary(stats: BuildStats) -> str:
    return (
        f"建库完成：{stats.documents} 份文件，新增报告 {stats.reports_added}（其中新版本 "
        f"{stats.versions_added}），未变 {stats.reports_unchanged}，失败 {stats.failures}，"
        f"单元格 {stats.cells}，发现 {stats.findings}，用时 {stats.seconds:.1f} 秒 / "
        f"build done: {stats.documents} documents, {stats.reports_added} reports added "
        f"({stats.versions_added} new versions), {stats.reports_unchanged} unchanged, "
        f"{stats.failures} failed, {stats.cells} cells, {stats.findings} findings "
        f"in {stats.seconds:.1f} s"
    )
