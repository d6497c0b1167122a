"""The archive in a real browser: headless Debian Chromium driven by Playwright.

Opens the home page, a report, a two-character search, a canned query and the dashboard
of a real archive served by the real Datasette, and checks what a reader sees: Chinese
text rendered with a CJK font (not boxes), result counts equal to a LIKE oracle, charts
drawn. Every request that would leave 127.0.0.1 is blocked and recorded, and the test
fails if there was any: the published pages must work offline. Screenshots are saved
under ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.product_archive import build_product_archive, running_datasette

CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
                 if Path(p).is_file()), None)
# From STACK.md: Debian's Chromium as root in a container, no background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed "
                                "(scripts/setup-system.sh)")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_product_archive(tmp_path_factory.mktemp("browser") / "archive")


@pytest.fixture(scope="module")
def base(archive, tmp_path_factory):
    log = tmp_path_factory.mktemp("logs") / "datasette.log"
    with running_datasette(archive.db_path, log) as url:
        yield url


@pytest.fixture(scope="module")
def offsite() -> list[str]:
    """Every request the browser tried to send beyond loopback (blocked)."""
    return []


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory, offsite):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            locale="zh-CN", viewport={"width": 1280, "height": 900},
        )

        def guard(route):
            url = route.request.url
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob") or parts.hostname in LOOPBACK:
                route.continue_()
            else:
                offsite.append(url)
                route.abort()

        context.route("**/*", guard)
        try:
            yield context
        finally:
            context.close()
    assert offsite == [], f"pages tried to reach other hosts: {offsite}"


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert errors == [], errors


def like_count(archive, q: str) -> int:
    con = sqlite3.connect(archive.db_path)
    (n,) = con.execute("select count(*) from reports where "
                       "(coalesce(title, '') || char(10) || coalesce(text, '')) like ?",
                       [f"%{q}%"]).fetchone()
    con.close()
    return n


def platform_fonts(page, selector: str) -> dict[str, int]:
    """The fonts Chromium actually used to draw the text of ``selector`` (DevTools)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def shot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_home_page(page, base, archive, offsite):
    page.goto(base + "/")
    heading = page.locator("h1").first.inner_text()
    assert "政府信息公开工作年度报告档案库" in heading
    fonts = platform_fonts(page, "h1")
    assert any("CJK" in name and count > 0 for name, count in fonts.items()), fonts
    assert page.locator('a[href="/archive.db"]').count() == 1
    tables = page.locator(".downloads tbody tr")
    con = sqlite3.connect(archive.db_path)
    (n_tables,) = con.execute("select count(*) from sqlite_master where type = 'table' and "
                              "name not like 'sqlite_%' and name not like 'reports_fts%'"
                              ).fetchone()
    con.close()
    assert tables.count() == n_tables
    assert page.get_by_text("批量下载").count() >= 1
    shot(page, "home")


def test_two_character_search(page, base, archive):
    page.goto(base + "/")
    page.fill("#home-search", "街道")
    page.press("#home-search", "Enter")
    page.wait_for_url(re.compile(r"_search="))
    expected = like_count(archive, "街道")
    assert 0 < expected < len(archive.reports)
    body = page.locator("body").inner_text()
    assert re.search(rf"{expected} rows?\s+where search matches", body), body[:500]
    marks = page.locator("td.col-text mark")
    assert marks.count() >= expected
    assert set(marks.all_inner_texts()) == {"街道"}
    page.goto(base + "/archive/reports?_search=" + "复议")
    assert re.search(rf"{like_count(archive, '复议')} rows?\s+where search matches",
                     page.locator("body").inner_text())
    shot(page, "search")


def test_report_page(page, base, archive):
    rows = httpx.get(base + "/archive/reports.json", params={
        "_shape": "array", "document_key__startswith": "003_", "_col": "id"}).json()
    page.goto(f"{base}/archive/reports/{rows[0]['id']}")
    assert "前进区政府办" in page.locator("h1").inner_text()
    fields = page.locator("table.report-fields")
    assert "黑龙江省" in fields.inner_text()
    assert "勾稽关系" in page.locator(".report-text").inner_text()
    capture = page.locator("a.capture-link")
    assert capture.count() == 1
    assert page.locator("a.source-page-link").get_attribute("href") == (
        "http://qianjin.example/xxgk/ndbg/")
    shot(page, "report")
    capture.click()
    page.wait_for_url(re.compile(r"/-/capture/[0-9a-f]{64}$"))
    assert "前进区政府办政府信息公开工作年度报告" in page.locator("body").inner_text()


def test_canned_query(page, base, archive):
    page.goto(base + "/archive/inconsistent_reports")
    assert "数字不符的报告" in page.locator("h1").inner_text()
    table = page.locator("table.rows-and-columns")
    text = table.inner_text()
    assert "前进区政府办" in text and "rule1_balance" in text
    expected_rows = sum(1 for r in archive.reports for _ in r.number_rules)
    assert table.locator("tbody tr").count() >= expected_rows
    shot(page, "query")
    page.goto(base + "/archive/search?q=交通运输")
    marks = page.locator("td.col-snippet mark")
    assert marks.count() >= like_count(archive, "交通运输") >= 2
    assert set(marks.all_inner_texts()) == {"交通运输"}
    shot(page, "query-search")
    page.locator("td.col-report_id a").first.click()
    page.wait_for_url(re.compile(r"/archive/reports/\d+\?q="))
    assert "交通运输" in set(page.locator(".report-text mark").all_inner_texts())


def test_dashboard(page, base, archive):
    page.goto(base + "/-/dashboards/overview")
    page.wait_for_load_state("networkidle")
    for slug in ("applications-per-year", "outcome-shares", "reports-by-province",
                 "findings-rate"):
        chart = page.locator(f"#chart-{slug}")
        chart.locator("canvas, svg").first.wait_for(state="visible", timeout=20_000)
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, slug
    total = page.locator("#chart-reports-total").inner_text()
    assert f"{len(archive.reports)} 份" in total
    assert "年报概览" in page.locator("h1").inner_text()
    shot(page, "dashboard")


def test_no_request_left_loopback(browser_context, offsite):
    """Runs after the pages above: nothing they loaded came from another host."""
    assert offsite == []
