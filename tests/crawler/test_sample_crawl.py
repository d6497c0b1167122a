"""End to end: real Scrapy in a child process crawls the bundled sample portal over loopback
HTTP (Chromium for the browser-rendered listing and the 521 challenge) and must find exactly
the reports and attachments each site holds — then a second crawl must download no report
body, and a changed report must become a second version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from tests.crawler.helpers import warcio_check
from zfxxgk.crawl import run_crawl
from zfxxgk.portal import SOURCE_SITES, running_portal
from zfxxgk.portal.app import Resp
from zfxxgk.portal.sites.generic import EMPTY_COLUMN

EMPTY_SOURCE = f"""
  - id: sample-empty
    agency: 样例县某局
    province: 样例省
    level: 部门
    cms: generic
    start_urls: ["http://{{generic}}{EMPTY_COLUMN}"]
    evidence: "http://{{generic}}{EMPTY_COLUMN}"
"""
SAMPLE = sorted(SOURCE_SITES)
EXPECTED_ERRORS = {"sample-trs": {"http_404": 1}, "sample-generic": {"http_404": 1}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with running_portal() as portal:
        root = tmp_path_factory.mktemp("sample-crawl")
        registry = portal.write_registry(root / "sources.yaml")
        registry.write_text(registry.read_text(encoding="utf-8")
                            + EMPTY_SOURCE.replace("{generic}", portal.netloc("generic")), encoding="utf-8")
        first = run_crawl(root / "archive.db", root / "blobs", all=True, registry=registry)
        yield SimpleNamespace(portal=portal, root=root, registry=registry, first=first,
                              db=sqlite_utils.Database(root / "archive.db"))


def captured(db, source_id: str, kind: str) -> set[str]:
    return {r["url"] for r in db.query("select url from captures where source_id = ? and kind = ?", [source_id, kind])}


def run_of(stats, source_id):
    (run,) = [r for r in stats.runs if r.source_id == source_id]
    return run


@pytest.mark.parametrize("source_id", SAMPLE)
def test_each_family_finds_exactly_the_portal_reports(world, source_id):
    expected = world.portal.expected_urls(source_id)
    assert captured(world.db, source_id, "report") == expected["reports"]
    assert captured(world.db, source_id, "attachment") == expected["attachments"]
    run = run_of(world.first, source_id)
    assert run.status == "ok"
    assert run.errors == EXPECTED_ERRORS.get(source_id, {})
    assert run.new == len(expected["reports"]) + len(expected["attachments"]) + len(
        captured(world.db, source_id, "listing") | captured(world.db, source_id, "data"))
    assert run.reports_found >= len(expected["reports"])


def test_crawl_finished_and_sources_recorded(world):
    assert world.first.finish_reason == "finished"
    rows = {r["id"]: r for r in world.db["sources"].rows}
    assert set(rows) == {*SAMPLE, "sample-empty"}
    assert rows["sample-browser"]["render"] == "browser"
    assert json.loads(rows["sample-trs"]["start_urls"]) == [world.portal.url("trs", "/zwgk/zfxxgknb/index.shtml")]


def test_what_must_never_be_fetched(world):
    portal = world.portal
    assert portal.requests_to("spam") == []  # linked from listings and a report page, never followed
    generic = {target for _, target in portal.requests_to("generic")}
    assert not any(t.startswith("/private/") for t in generic)  # robots.txt disallows it
    assert "/robots.txt" in generic
    for source_id in SAMPLE:
        key = SOURCE_SITES[source_id]
        fetched = {target for _, target in portal.requests_to(key)}
        assert not (portal.expected(source_id).decoys & fetched), source_id  # non-reports not followed
    skipped = run_of(world.first, "sample-generic").summary["skipped"]
    assert skipped == {"offsite_link": 2, "robots_disallowed": 1}


def test_listing_without_reports_is_an_error(world):
    run = run_of(world.first, "sample-empty")
    assert run.status == "failed"
    assert run.errors == {"empty_listing": 1, "no_reports": 1}


def test_browser_and_challenge_sources_used_chromium(world):
    # the browser-rendered listing is stored as the DOM after scripts ran (links present)
    (listing,) = world.db.query("select storage_path from captures where source_id='sample-browser' and kind='listing'")
    dom = (world.root / listing["storage_path"]).read_bytes()
    assert b'<li><a href="/xxgk/ndbg/' in dom
    challenge = run_of(world.first, "sample-challenge")
    assert challenge.summary["skipped"] == {"challenge_521": 1}
    # after the browser passed the challenge, pages were fetched raw over HTTP with its cookie
    for row in world.db.query("select headers from captures where source_id='sample-challenge' and kind='report'"):
        assert "etag" in {k.lower() for k in json.loads(row["headers"])}


def test_captures_are_content_addressed(world):
    rows = list(world.db.query("select url, sha256, size, storage_path, status from captures"))
    assert len(rows) == len({(r["url"], r["sha256"]) for r in rows})
    for r in rows:
        data = (world.root / r["storage_path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"] and len(data) == r["size"]
        assert r["storage_path"] == f"blobs/{r['sha256'][:2]}/{r['sha256'][2:4]}/{r['sha256']}"
        assert r["status"] == 200
    files = [p for p in (world.root / "blobs").rglob("*") if p.is_file()]
    assert len(files) == len({r["sha256"] for r in rows})


def test_warc_files_pass_warcio_check(world):
    files = sorted((world.root / "warc").glob("*.warc.gz"))
    assert len(files) == len(world.first.runs)
    for path in files:
        result = warcio_check(path)
        assert result.returncode == 0, result.stdout + result.stderr


def test_second_crawl_downloads_no_report_body_and_a_change_is_a_version(world):
    before = world.db.execute("select count(*) from captures").fetchone()[0]
    second = run_crawl(world.root / "archive.db", world.root / "blobs", sources=SAMPLE, registry=world.registry)
    assert second.finish_reason == "finished"
    for run in second.runs:
        assert (run.new, run.changed) == (0, 0), run.source_id
        assert run.downloaded("report") == 0 and run.downloaded("attachment") == 0, run.source_id
        assert run.downloaded("listing") >= 1  # listings are always fetched again
        kept = world.db.execute("select count(*) from captures where source_id = ?", [run.source_id]).fetchone()[0]
        assert run.unchanged == kept
        expected = world.portal.expected_urls(run.source_id)
        assert run.summary["not_modified"] == len(expected["reports"]) + len(expected["attachments"])
    assert world.db.execute("select count(*) from captures").fetchone()[0] == before

    # the portal corrects one report: the next crawl keeps both versions
    site = world.portal.sites["trs"]
    path = sorted(site.expected.reports)[0]
    old = site.routes[path]
    site.routes[path] = Resp(body=old.body.replace(b"</body>", "<p>（更正）</p></body>".encode()), etag=True,
                             last_modified="Mon, 01 Apr 2030 08:00:00 GMT")
    third = run_crawl(world.root / "archive.db", world.root / "blobs", sources=["sample-trs"], registry=world.registry)
    (run,) = third.runs
    assert (run.new, run.changed) == (0, 1)
    assert run.downloaded("report") == 1
    versions = list(world.db.query("select sha256 from captures where url = ? order by id",
                                   [world.portal.url("trs", path)]))
    assert len(versions) == 2 and versions[0]["sha256"] != versions[1]["sha256"]


def test_registry_file_is_the_sample_one(world):
    assert Path(world.registry).read_text(encoding="utf-8").startswith("# 样例门户")
