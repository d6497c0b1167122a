"""Timeliness on the demo pipeline: crawl the sample portal, ingest, serve with a real Datasette,
and check the canned queries ``late_reports`` and ``missing_reports`` against what the portal
holds — the dates it serves (Last-Modified, the date in the URL, the date on the page) and the
report years of each site, hand-checked against ``zfxxgk/portal`` and written out below.

Article 49 of the Regulations: every body publishes its report on a year by 31 January of the
next year; a local people's government at or above county level publishes its own summary
report by 31 March."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from tests.conftest import start_datasette, stop_datasette
from zfxxgk.crawl import run_crawl
from zfxxgk.ingest import ingest_captures
from zfxxgk.portal import SOURCE_SITES, running_portal
from zfxxgk.portal.sites.generic import EMPTY_COLUMN

# A registered agency whose column holds no report (the generic site's empty column).
EMPTY_SOURCE = f"""
  - id: sample-empty
    agency: 样例县某局
    province: 样例省
    level: 部门
    cms: generic
    start_urls: ["http://{{generic}}{EMPTY_COLUMN}"]
    evidence: "http://{{generic}}{EMPTY_COLUMN}"
"""

# Report years each sample site publishes (zfxxgk/portal/sites/*, reports_for(...)).
YEARS = {
    "sample-trs": {2019, 2020, 2022, 2024},
    "sample-hanweb": {2019, 2020, 2021, 2022, 2024},
    "sample-gkmlpt": {2020, 2021, 2022, 2023, 2024},
    "sample-generic": {2019, 2021, 2024},
    "sample-browser": {2019, 2020, 2021, 2022},
    "sample-challenge": {2023, 2024},
    "sample-empty": set(),
}
# Published after 31 January by the portal's own dates, with a January deadline:
# 乌鲁木齐市机关事务管理局 2024 (2025-02-19, generic), 连州市水利局 2020 (2021-02-27, jsapp),
# 青岛市人民政府办公室 2023 (2024-02-09, jsl: an office, not the government itself).
EXPECTED_LATE = {("乌鲁木齐市机关事务管理局", 2024), ("连州市水利局", 2020), ("青岛市人民政府办公室", 2023)}
# In time only thanks to the March deadline: 黔江区人民政府 2021, published 2022-02-11.
MARCH_AND_IN_TIME = ("黔江区人民政府", 2021)
# The sample agencies (as the parser names them) that are people's governments at or above
# county level reporting for their own level; every other one (offices, departments, streets,
# townships) has the January deadline.
COUNTY_OR_HIGHER = {"宽城区", "桦南县人民政府", "太仓市人民政府", "雄县人民政府", "黔江区人民政府", "清远市人民政府"}
DATE_SOURCES = {"page-meta", "page-text", "url", "document", "http-last-modified"}
_PATH_DATE = re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/")


def deadline(agency: str, year: int) -> date:
    return date(year + 1, 3, 31) if agency in COUNTY_OR_HIGHER else date(year + 1, 1, 31)


def served_date(portal, source_id: str, url: str) -> date:
    """The publication date the portal serves with a URL: its Last-Modified header, or for the
    Hanweb site (which sends none) the date in the path, as jcms writes it."""
    parts = urlsplit(url)
    site = portal.sites[SOURCE_SITES[source_id]]
    resp = site.routes[parts.path + ("?" + parts.query if parts.query else "")]
    if resp.last_modified:
        return parsedate_to_datetime(resp.last_modified).date()
    m = _PATH_DATE.search(url)
    assert m, f"the portal states no date for {url}"
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("timeliness")
    db_path = root / "archive.db"  # the database name the metadata's canned queries use
    with running_portal() as portal:
        registry = portal.write_registry(root / "sources.yaml")
        registry.write_text(registry.read_text(encoding="utf-8")
                            + EMPTY_SOURCE.replace("{generic}", portal.netloc("generic")), encoding="utf-8")
        crawl = run_crawl(db_path, root / "blobs", all=True, registry=registry)
        assert crawl.finish_reason == "finished"
        served = {url: served_date(portal, sid, url) for sid in SOURCE_SITES
                  for url in portal.expected_urls(sid)["reports"] | portal.expected_urls(sid)["attachments"]}
        report_urls = {url for sid in SOURCE_SITES for url in portal.expected_urls(sid)["reports"]}
    ingest_captures(db_path, root / "blobs", log=lambda _: None)
    server = start_datasette(db_path)
    try:
        yield SimpleNamespace(db=sqlite_utils.Database(db_path), server=server, served=served,
                              report_urls=report_urls)
    finally:
        stop_datasette(server)


def current_reports(demo) -> list[dict]:
    return list(demo.db.query(
        "select source_id, agency, year, published_on, published_on_source, deadline, is_late, source_url"
        " from reports where is_current = 1"))


def test_every_report_has_a_publication_date_from_what_the_portal_serves(demo):
    rows = current_reports(demo)
    assert demo.report_urls <= {r["source_url"] for r in rows}  # every report the portal lists
    for r in rows:
        assert r["published_on"] and r["published_on_source"] in DATE_SOURCES, r
        published, served = date.fromisoformat(r["published_on"]), demo.served[r["source_url"]]
        if r["published_on_source"] == "document":  # the 落款 date: signed 0–5 days before publication
            assert served - timedelta(days=5) <= published <= served, r
        else:  # the page's own date, the date in its URL, or Last-Modified
            assert published == served, r


def test_late_reports_query_matches_the_portal(demo):
    portal_late = set()
    for r in current_reports(demo):
        if demo.served[r["source_url"]] > deadline(r["agency"], r["year"]):
            portal_late.add((r["agency"], r["year"]))
    assert portal_late == EXPECTED_LATE
    rows = demo.server.json("/archive/late_reports.json", _shape="objects")["rows"]
    assert {(row["机关 agency"], row["年度 year"]) for row in rows} == EXPECTED_LATE
    assert MARCH_AND_IN_TIME not in {(row["机关 agency"], row["年度 year"]) for row in rows}
    for row in rows:
        assert row["期限 deadline"] == f"{row['年度 year'] + 1}-01-31"
        assert row["逾期天数 days late"] > 0
    late_flags = {(r["agency"], r["year"]) for r in current_reports(demo) if r["is_late"] == 1}
    assert late_flags == EXPECTED_LATE


def test_missing_reports_query_matches_the_portal(demo):
    found = {(r["source_id"], r["year"]) for r in current_reports(demo)}
    assert found == {(sid, y) for sid, years in YEARS.items() for y in years}
    for year in range(2019, 2025):
        rows = demo.server.json("/archive/missing_reports.json", year=year, _shape="objects")["rows"]
        expected = {sid for sid, years in YEARS.items() if year not in years}
        assert {row["来源 source_id"] for row in rows} == expected, year
        assert "sample-empty" in expected  # the registered agency with no report at all


def test_deadlines_follow_article_49(demo):
    for r in current_reports(demo):
        assert r["deadline"] == deadline(r["agency"], r["year"]).isoformat(), r
