"""A small real archive for the Datasette product tests, served by the real Datasette.

The archive holds the five hand-verified seed reports, a few generated reports (their truth
comes from the generator's model, never from the parser), a registry of sources and a few
captures in a real content-addressed store, recorded by the crawler's own store. Expected
values for the canned queries are computed from that truth, beside the archive.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from tests.truth import SEEDS
from zfxxgk.build import build_archive
from zfxxgk.serve import datasette_args

RECEIVED = "一、本年新收政府信息公开申请数量"
RESULTS = "三、本年度办理结果"
OUTCOME_TOTAL = f"{RESULTS}/（七）总计"
NUMBER_RULES = ("rule1_balance", "rule2_outcomes", "rule3_applicant_total", "rule4_review_total")

# Hand-verified: where each seed agency is (the seed notes and the agency names).
SEED_PROVINCES = {
    "长春市九台区沐石河街道办事处": "吉林省",
    "长春市宽城区": "吉林省",
    "德惠市机关事务管理局": "吉林省",
    "前进区政府办": "黑龙江省",
    "杭州市下城区长庆街道": "浙江省",
}

# Generated reports: (seed, style, keyword arguments of generate_report). All are
# departments, whose deadline is 31 January of the next year (条例 第四十九条).
GENERATED: list[tuple[int, str, dict[str, Any]]] = [
    (500, "cells", {"consistent": False, "broken_rule": 1}),
    (501, "tabs", {}),
    (503, "portal", {"consistent": False, "broken_rule": 2}),
    (506, "tabs", {"consistent": False, "broken_rule": 3}),
    (509, "split", {"consistent": False, "broken_rule": 4}),
    (512, "word", {"consistent": False, "broken_rule": 1}),
    (514, "split", {}),
    (525, "cells", {}),
    # Reconsideration or litigation corrected the agency.
    (644, "word", {}),
    (747, "tabs", {}),
    # One agency in two years (same seed, era and year given: same agency drawn).
    (536, "tabs", {"era": "2019", "year": 2020}),
    (536, "portal", {"era": "2021", "year": 2021}),
]
SAME_AGENCY_SEED = 536

# The registry: three agencies with reports (named as their reports name themselves), one
# without any.
SOURCES = [
    {"id": "hlj-qianjin-zfb", "agency": "前进区政府办", "province": "黑龙江省", "city": "佳木斯市",
     "county": "前进区", "level": "部门", "cms": "generic", "render": "http",
     "start_urls": json.dumps(["http://qianjin.example/xxgk/ndbg/"]), "encoding": "utf-8",
     "evidence": "test registry", "notes": None},
    {"id": "jl-dehui-jgsw", "agency": "德惠市机关事务管理局", "province": "吉林省", "city": "长春市",
     "county": "德惠市", "level": "部门", "cms": "generic", "render": "http",
     "start_urls": json.dumps(["http://dehui.example/xxgk/"]), "encoding": "utf-8",
     "evidence": "test registry", "notes": None},
    {"id": "gd-qingcheng-jtys", "agency": "清城区交通运输局", "province": "广东省",
     "city": "清远市", "county": "清城区", "level": "部门", "cms": "generic", "render": "browser",
     "start_urls": json.dumps(["http://qingcheng.example/jtys/"]), "encoding": "utf-8",
     "evidence": "test registry", "notes": None},
    {"id": "xx-shili", "agency": "示例县人民政府", "province": "河北省", "city": "石家庄市",
     "county": "示例县", "level": "县级", "cms": "generic", "render": "http",
     "start_urls": json.dumps(["http://shili.example/"]), "encoding": "utf-8",
     "evidence": "test registry", "notes": "no report published"},
]


@dataclass
class ExpectedReport:
    """What the archive must say about one document, from hand-verified or model truth."""

    name: str
    agency: str
    year: int
    province: str
    truth: dict[str, Any]
    number_rules: set[str]  # which of rules 1–4 fail (NUMBER_RULES)
    late: bool | None
    seed: int | None = None

    def cell(self, row: str, applicant: str = "总计") -> float | None:
        for c in self.truth["applications"]:
            if c["row"] == row and c["applicant"] == applicant:
                return c["value"]
        return None

    def corrected(self) -> dict[str, float]:
        return {c["kind"]: c["value"] for c in self.truth["review_litigation"]
                if c["result"] == "结果纠正" and (c["value"] or 0) > 0}

    def outcome_leaves(self) -> dict[str, float]:
        """Outcome rows without children (the rows （七）总计 adds up), total column."""
        rows = [c["row"] for c in self.truth["applications"] if c["applicant"] == "总计"]
        leaves = {}
        for c in self.truth["applications"]:
            row = c["row"]
            if c["applicant"] != "总计" or not row.startswith(RESULTS + "/") or row == OUTCOME_TOTAL:
                continue
            if any(other.startswith(row + "/") for other in rows):
                continue
            leaves[row] = c["value"]
        return leaves


@dataclass
class Capture:
    sha256: str
    data: bytes
    content_type: str
    url: str


@dataclass
class ProductArchive:
    root: Path
    db_path: Path
    reports: list[ExpectedReport]
    captures: dict[str, Capture] = field(default_factory=dict)
    outside_sha: str = ""
    tampered_sha: str = ""

    def by_agency(self, agency: str) -> list[ExpectedReport]:
        return [r for r in self.reports if r.agency == agency]

    def same_agency(self) -> list[ExpectedReport]:
        return sorted((r for r in self.reports if r.seed == SAME_AGENCY_SEED), key=lambda r: r.year)


def _seed_reports(docs: Path) -> list[ExpectedReport]:
    out = []
    for truth_path in sorted(SEEDS.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        source = truth_path.with_name(truth["source"])
        (docs / source.name).write_bytes(source.read_bytes())
        agency = truth["agency"]
        # Hand-verified (seed notes): only 前进区政府办's numbers do not add up — 一+二 = 4
        # but 三（七）+四 = 0, and its outcomes (3+1) differ from its （七）总计 (0). Dated
        # seeds were published before their deadline; the others carry no date: none late.
        rules = {"rule1_balance", "rule2_outcomes"} if agency == "前进区政府办" else set()
        out.append(ExpectedReport(source.name, agency, truth["year"], SEED_PROVINCES[agency],
                                  truth, rules, False))
    return out


def _generated_reports(docs: Path) -> list[ExpectedReport]:
    from zfxxgk.generator import generate_report, render

    out = []
    for seed, style, kwargs in GENERATED:
        report = generate_report(seed, level="部门", **kwargs)
        rendered = render(report, style)
        name = f"{report.year}_{rendered.name}"
        (docs / name).write_bytes(rendered.data)
        deadline = date(report.year + 1, 1, 31)
        late = report.signed_on > deadline
        assert late == (report.published_on > deadline), "chosen seeds are clearly on one side"
        rules = {NUMBER_RULES[int(f["rule"]) - 1] for f in report.expected_findings}
        out.append(ExpectedReport(name, report.agency.name, report.year,
                                  report.agency.province, report.truth, rules, late, seed))
    return out


def _record_captures(archive: ProductArchive, docs: Path) -> None:
    """Captures through the crawler's own store, plus two deliberately bad rows."""
    from crawler.store import Archive

    store = Archive(archive.db_path, archive.root / "blobs")
    store.upsert_sources(SOURCES)
    run_id = store.start_run(None)

    def record(data: bytes, content_type: str, url: str, parent: str | None) -> Capture:
        rec = store.record(url=url, body=data, status=200,
                           headers={"Content-Type": content_type}, content_type=content_type,
                           source_id=None, run_id=run_id, parent_url=parent, kind="attachment")
        capture = Capture(rec.sha256, data, content_type, url)
        archive.captures[content_type] = capture
        return capture

    qianjin = next(p for p in docs.iterdir() if p.name.startswith("003_"))
    record(qianjin.read_bytes(), "text/plain; charset=utf-8",
           "http://qianjin.example/xxgk/ndbg/2020.txt", "http://qianjin.example/xxgk/ndbg/")
    page = next(p for p in docs.iterdir() if p.name.endswith("_word.html"))
    record(page.read_bytes() + b"<script>document.title='x'</script>", "text/html",
           "http://example.gov.example/ndbg/2021.html", "http://example.gov.example/ndbg/")
    record(b"MZ\x90\x00 not a document", "application/x-msdownload",
           "http://example.gov.example/setup.exe", None)
    tampered = record(b"original bytes of a capture", "application/pdf",
                      "http://example.gov.example/report.pdf", None)
    # The stored file no longer matches its name: it must never be served.
    (store.blobs.path(tampered.sha256)).write_bytes(b"altered bytes")
    archive.tampered_sha = tampered.sha256
    del archive.captures["application/pdf"]
    store.update_run(run_id, status="ok", finished_at="2021-02-01T00:00:00+00:00")
    store.db.close()

    # A row whose storage path leaves the store: the file exists, under its hash, outside.
    secret = b"a file outside the capture store"
    sha = hashlib.sha256(secret).hexdigest()
    outside = archive.root.parent / f"{archive.root.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / sha).write_bytes(secret)
    db = sqlite_utils.Database(archive.db_path)
    db["captures"].insert({"url": "http://example.gov.example/escape.txt", "sha256": sha,
                           "size": len(secret), "content_type": "text/plain",
                           "storage_path": f"../{outside.name}/{sha}", "status": 200})
    db.close()
    archive.outside_sha = sha


def build_product_archive(root: Path) -> ProductArchive:
    """Documents → captures and registry → build → one immutable-ready archive.db."""
    root.mkdir(parents=True, exist_ok=True)
    docs = root / "documents"
    docs.mkdir()
    reports = _seed_reports(docs) + _generated_reports(docs)
    archive = ProductArchive(root=root, db_path=root / "archive.db", reports=reports)
    _record_captures(archive, docs)
    build_archive(docs, archive.db_path, log=lambda message: None)
    db = sqlite_utils.Database(archive.db_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to serve and download
    db.close()
    return archive


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_datasette(db_path: Path, log_path: Path) -> Iterator[str]:
    """Run the real Datasette the way ``zfxxgk serve`` does; yield its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "ZFXXGK_BLOB_ROOT"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(datasette_args(db_path, port=port), stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                raise RuntimeError(f"datasette exited: {log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.25)
        else:
            raise RuntimeError(f"datasette did not start: {log_path.read_text(errors='replace')}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
