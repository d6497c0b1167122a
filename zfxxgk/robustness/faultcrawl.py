"""A crawl under injected faults, judged against a clean crawl of the same portal.

Three crawls of one fault-mode sample portal (``zfxxgk.portal.faults.FaultPlan``): a clean
reference (transient faults off) into one archive; then, into a second archive, a crawl
with faults on and a crawl with them off again. The second archive must end equal to the
reference — every capture (url, sha256) the same — with nothing wrong kept on the way (the
faulty crawl captured only bytes the clean one has), every fault the crawler could not get
past booked by kind in ``crawl_runs.errors``, and the second crawl filling exactly the gaps.

The endless spaces of the trap site (pagination and calendar pages beyond the real ones)
are left out of the comparison: which of them a crawl reaches depends on the order its
listing budget is spent in. They are bounded instead: never more than the source's
``max_pages``.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from crawler.registry import load_registry
from zfxxgk.crawl import CrawlStats, run_crawl
from zfxxgk.portal import SamplePortal, running_portal
from zfxxgk.portal.faults import RETRY_AFTER, FaultPlan, TrapSite

SOURCES = ("sample-trs", "sample-hanweb", "sample-gkmlpt", "sample-generic", "sample-traps", "sample-tls")
# Short timeouts so that stalls cost seconds, one retry so that "fails once" is survivable.
CRAWL_SETTINGS = {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1, "RETRY_BACKOFF_BASE": 0.1}
# Errors that follow from others (a column that failed has no reports), not faults themselves.
DERIVED = frozenset({"no_reports", "empty_listing"})

Log = Callable[[str], None]


@dataclass
class FaultCrawlFigures:
    seed: int
    injections: int = 0  # faulty answers sent
    faulted: int = 0  # targets that got a fault
    survived: int = 0  # … that the faulty crawl still got right (a retry, or only odd headers)
    recorded: int = 0  # … that it could not get past: each must be booked as an error
    by_kind: dict[str, int] = field(default_factory=dict)  # faulted targets by fault
    expected_errors: dict[str, dict[str, int]] = field(default_factory=dict)  # per source
    recorded_errors: dict[str, dict[str, int]] = field(default_factory=dict)
    unbooked: dict[str, dict[str, int]] = field(default_factory=dict)  # expected, not recorded
    unexplained: dict[str, dict[str, int]] = field(default_factory=dict)  # recorded, not expected
    trap_errors: dict[str, int] = field(default_factory=dict)  # the trap site's, clean crawl
    clean_captures: int = 0
    fault_captures: int = 0
    wrong_captures: int = 0  # kept by the faulty crawl, unknown to the clean one (target 0)
    gaps: int = 0
    filled: int = 0
    missing: int = 0  # in the clean archive, not in the final one (target 0)
    extra: int = 0  # in the final archive, not in the clean one (target 0)
    refill_errors: dict[str, dict[str, int]] = field(default_factory=dict)
    trap_pages: int = 0  # endless-space pages fetched by the faulty crawl
    trap_budget: int = 0
    huge_bytes_sent: dict[str, int] = field(default_factory=dict)
    retry_after_waits: list[float] = field(default_factory=list)  # seconds between attempts
    https_captures: int = 0  # captures from the self-signed TLS site (clean crawl)
    offsite_requests: int = 0  # requests that reached a host outside the registry (target 0)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (not self.unbooked and not self.unexplained and self.wrong_captures == 0
                and self.missing == 0 and self.extra == 0 and self.filled == self.gaps
                and self.trap_pages <= self.trap_budget and self.offsite_requests == 0
                and all(w >= RETRY_AFTER for w in self.retry_after_waits))

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def capture_set(db_path: Path, portal: SamplePortal) -> set[tuple[str, str]]:
    """(url, sha256) of every capture, the endless-space pages left out."""
    traps = {portal.netloc(k): s for k, s in portal.sites.items() if isinstance(s, TrapSite)}
    db = sqlite_utils.Database(db_path)
    try:
        rows = {(r[0], r[1]) for r in db.execute("select url, sha256 from captures")}
    finally:
        db.conn.close()
    out = set()
    for url, sha in rows:
        parts = urlsplit(url)
        site = traps.get(parts.netloc)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if site is None or not site.is_trap_listing(target):
            out.add((url, sha))
    return out


def expected_errors(portal: SamplePortal, plan: FaultPlan, requests: list[tuple[str, str, str]],
                    *, faults_on: bool) -> dict[str, Counter[str]]:
    """Per source, the errors a crawl must book for the requests it made: a fault it could
    not get past, else what the target always answers (a broken link, a trap)."""
    source_of = {site: sid for sid, site in portal.source_sites.items()}
    out: dict[str, Counter[str]] = {}
    for key, target in {(k, t) for k, _, t in requests if t != "/robots.txt"}:
        site = portal.sites[key]
        fault = plan.fault_for(site, target) if faults_on else None
        kind = fault.error if fault is not None and fault.hard else permanent_error(site, target)
        if kind and key in source_of:
            out.setdefault(source_of[key], Counter())[kind] += 1
    return out


def permanent_error(site, target: str) -> str | None:
    path = target.split("?")[0]
    if isinstance(site, TrapSite) and path in site.permanent_errors:
        return site.permanent_errors[path]
    if path in site.expected.broken:
        return "http_404"
    return None


def _errors(stats: CrawlStats) -> dict[str, Counter[str]]:
    return {r.source_id: Counter(r.errors) for r in stats.runs if r.source_id}


def _compare(expected: dict[str, Counter[str]], recorded: dict[str, Counter[str]]
             ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    unbooked, unexplained = {}, {}
    for sid in set(expected) | set(recorded):
        exp, rec = expected.get(sid, Counter()), recorded.get(sid, Counter())
        rec_core = Counter({k: v for k, v in rec.items() if k not in DERIVED})
        if exp - rec_core:
            unbooked[sid] = dict(exp - rec_core)
        if rec_core - exp:
            unexplained[sid] = dict(rec_core - exp)
    return unbooked, unexplained


def run_fault_crawl(workdir: Path, *, seed: int = 7, sources: tuple[str, ...] = SOURCES,
                    log: Log | None = None) -> FaultCrawlFigures:
    """Run the three crawls in ``workdir`` (emptied first) and measure."""
    started = time.perf_counter()
    say = log or (lambda _m: None)
    workdir = Path(workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    figures = FaultCrawlFigures(seed=seed)
    plan = FaultPlan(seed=seed, active=False)
    with running_portal(faults=plan) as portal:
        registry = portal.write_registry(workdir / "sources.yaml")
        reg = load_registry(registry)
        for sid in sources:  # start pages fail at most once (see FaultPlan.spared)
            for url in reg.sources[sid].start_urls:
                parts = urlsplit(url)
                plan.spared.add((portal.source_sites[sid], parts.path + (f"?{parts.query}" if parts.query else "")))

        def crawl(name: str) -> tuple[CrawlStats, list[tuple[str, str, str]]]:
            mark = len(portal.log)
            stats = run_crawl(workdir / name / "archive.db", workdir / name / "blobs", sources=list(sources),
                              registry=registry, settings=CRAWL_SETTINGS)
            if stats.finish_reason != "finished":
                raise RuntimeError(f"{name} crawl did not finish: {stats.finish_reason} ({stats.log_path})")
            return stats, portal.log[mark:]

        say("干净抓取 / clean crawl …")
        clean, clean_requests = crawl("clean")
        clean_set = capture_set(workdir / "clean" / "archive.db", portal)
        figures.clean_captures = len(clean_set)
        figures.https_captures = sum(1 for url, _ in clean_set if url.startswith("https://"))
        figures.trap_errors = dict(_errors(clean).get("sample-traps", Counter()))
        clean_unbooked, clean_unexplained = _compare(
            expected_errors(portal, plan, clean_requests, faults_on=False), _errors(clean))

        say("故障抓取 / crawl under faults …")
        plan.active = True
        faulty, fault_requests = crawl("faulty")
        plan.active = False
        fault_set = capture_set(workdir / "faulty" / "archive.db", portal)
        injected = plan.injected()
        figures.injections = len(plan.injections)
        figures.faulted = len(injected)
        figures.recorded = sum(1 for f in injected.values() if f.hard)
        figures.survived = figures.faulted - figures.recorded
        figures.by_kind = dict(Counter(f.kind for f in injected.values()))
        expected = expected_errors(portal, plan, fault_requests, faults_on=True)
        recorded = _errors(faulty)
        figures.expected_errors = {k: dict(v) for k, v in expected.items()}
        figures.recorded_errors = {k: dict(v) for k, v in recorded.items()}
        figures.unbooked, figures.unexplained = _compare(expected, recorded)
        for sid, kinds in clean_unbooked.items():
            figures.unbooked[f"{sid} (clean)"] = kinds
        for sid, kinds in clean_unexplained.items():
            figures.unexplained[f"{sid} (clean)"] = kinds
        figures.fault_captures = len(fault_set)
        figures.wrong_captures = len(fault_set - clean_set)
        figures.gaps = len(clean_set - fault_set)
        traps = [s for s in portal.sites.values() if isinstance(s, TrapSite)]
        figures.trap_pages = sum(1 for k, _, t in fault_requests for s in traps if k == s.key and s.is_trap_listing(t))
        figures.trap_budget = reg.sources["sample-traps"].max_pages if "sample-traps" in sources else 0
        figures.huge_bytes_sent = dict(plan.streamed)
        for (key, target), fault in injected.items():
            times = plan.attempt_times.get((key, target), [])
            if fault.kind == "http_503_retry_after" and len(times) >= 2:
                figures.retry_after_waits.append(round(times[1] - times[0], 3))

        say("补抓 / crawl again without faults …")
        refill, refill_requests = crawl("faulty")
        final_set = capture_set(workdir / "faulty" / "archive.db", portal)
        figures.filled = len(final_set - fault_set)
        figures.offsite_requests = len(portal.requests_to("spam"))
        figures.missing = len(clean_set - final_set)
        figures.extra = len(final_set - clean_set)
        refill_expected = expected_errors(portal, plan, refill_requests, faults_on=False)
        unbooked, unexplained = _compare(refill_expected, _errors(refill))
        figures.refill_errors = {k: dict(v) for k, v in _errors(refill).items() if v}
        for sid, kinds in unbooked.items():
            figures.unbooked.setdefault(f"{sid} (refill)", kinds)
        for sid, kinds in unexplained.items():
            figures.unexplained.setdefault(f"{sid} (refill)", kinds)
    figures.seconds = round(time.perf_counter() - started, 1)
    return figures
