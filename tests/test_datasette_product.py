"""The published archive as a product, over HTTP against the real Datasette.

A real archive (seeds + generated reports + crawler captures) is built, served exactly as
``zfxxgk serve`` serves it, and every promise of the product is checked from outside:
documentation of every table and column, read-only settings, canned queries returning the
rows the truth implies, search equal to a LIKE oracle, safe original documents, bulk
downloads and the dashboard.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from urllib.parse import quote, urlsplit

import httpx
import pytest

from tests.product_archive import (
    NUMBER_RULES,
    RECEIVED,
    RESULTS,
    SOURCES,
    ProductArchive,
    build_product_archive,
    running_datasette,
)
from zfxxgk.serve import SETTINGS


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> ProductArchive:
    return build_product_archive(tmp_path_factory.mktemp("product") / "archive")


@pytest.fixture(scope="module")
def base(archive, tmp_path_factory) -> str:
    log = tmp_path_factory.mktemp("logs") / "datasette.log"
    with running_datasette(archive.db_path, log) as url:
        yield url


@pytest.fixture(scope="module")
def client(base):
    with httpx.Client(base_url=base, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def metadata(client) -> dict:
    return client.get("/-/metadata.json").json()


@pytest.fixture(scope="module")
def documents(client) -> dict[int, str]:
    """report id → document name, from the archive itself."""
    rows = client.get("/archive/reports.json", params={
        "_shape": "array", "_col": "document_key", "_size": "max"}).json()
    return {r["id"]: r["document_key"] for r in rows}


def query(client, slug: str, **params) -> list[dict]:
    r = client.get(f"/archive/{slug}.json", params={"_shape": "objects", **params})
    assert r.status_code == 200, r.text
    data = r.json()
    assert not data.get("error"), data
    assert not data.get("truncated")
    return data["rows"]


def by_name(archive: ProductArchive) -> dict[str, object]:
    return {r.name: r for r in archive.reports}


def is_bilingual(text: str) -> bool:
    """Chinese first, then English."""
    text = (text or "").strip()
    return bool(text) and unicodedata.name(text[0], "").startswith("CJK") and bool(
        re.search(r"[A-Za-z]{3,}", text))


# --- metadata ------------------------------------------------------------------------------

def test_every_table_and_column_is_described(archive, metadata):
    con = sqlite3.connect(archive.db_path)
    tables = [r[0] for r in con.execute(
        "select name from sqlite_master where type in ('table', 'view') "
        "and name not like 'sqlite_%' and name not like 'reports_fts_%' order by name")]
    described = metadata["databases"]["archive"]["tables"]
    assert {"reports", "captures", "sources", "application_cells", "applications",
            "reports_fts"} <= set(tables)
    missing = []
    for table in tables:
        meta = described.get(table)
        if not meta or not is_bilingual(meta.get("description")):
            missing.append(table)
            continue
        for (column,) in con.execute(f"select name from pragma_table_info('{table}')"):
            if not is_bilingual((meta.get("columns") or {}).get(column)):
                missing.append(f"{table}.{column}")
    con.close()
    assert missing == []


def test_site_metadata_title_license_source(client, metadata):
    for key in ("title", "license", "license_url", "source", "source_url"):
        assert metadata.get(key), key
    assert "CC BY 4.0" in metadata["license"]
    html = client.get("/").text
    assert "政府信息公开工作年度报告档案库" in html
    assert "数据许可" in html and "数据来源" in html


def test_reports_table_search_facets_and_sort(client, metadata, archive):
    reports = metadata["databases"]["archive"]["tables"]["reports"]
    assert reports["fts_table"] == "reports_fts" and reports["fts_pk"] == "id"
    assert reports["facets"] == ["year", "province", "level", "format_era"]
    assert reports["sort_desc"] == "year"
    data = client.get("/archive/reports.json", params={"_shape": "objects"}).json()
    years = [r["year"] for r in data["rows"]]
    assert years == sorted(years, reverse=True)
    year_facet = {f["value"]: f["count"] for f in data["facet_results"]["year"]["results"]}
    assert year_facet == dict(Counter(r.year for r in archive.reports))
    assert set(data["facet_results"]) == {"year", "province", "level", "format_era"}


# --- read-only -----------------------------------------------------------------------------

def test_read_only_settings(client):
    settings = client.get("/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == int(SETTINGS["sql_time_limit_ms"]) > 0
    assert settings["max_returned_rows"] == int(SETTINGS["max_returned_rows"]) > 0
    (database,) = [d for d in client.get("/-/databases.json").json() if d["name"] == "archive"]
    assert database["is_mutable"] is False
    assert database["hash"]  # immutable databases are hashed


@pytest.mark.parametrize("sql", [
    "delete from reports",
    "update reports set agency = 'x'",
    "insert into sources (id) values ('x')",
    "drop table reports",
    "create table t (x)",
    "pragma journal_mode = wal",
    "attach database ':memory:' as m",
    "select 1; delete from reports",
    "with x as (select 1) delete from reports",
])
def test_write_sql_is_refused(client, archive, sql):
    before = client.get("/archive.json", params={
        "sql": "select count(*) as n from reports", "_shape": "array"}).json()[0]["n"]
    r = client.get("/archive.json", params={"sql": sql, "_shape": "objects"})
    assert r.status_code == 400
    assert r.json()["ok"] is False
    after = client.get("/archive.json", params={
        "sql": "select count(*) as n from reports", "_shape": "array"}).json()[0]["n"]
    assert before == after == len(archive.reports)


# --- canned queries ------------------------------------------------------------------------

def test_every_canned_query_runs(client, metadata, archive):
    queries = metadata["databases"]["archive"]["queries"]
    assert len(queries) >= 10
    agency = archive.same_agency()[0].agency
    for slug, spec in queries.items():
        assert not re.search(r"[A-Za-z]", spec["title"]), f"{slug}: title is Chinese"
        assert is_bilingual(spec["description"]), slug
        params = {p: {"year": "2020", "agency": agency, "q": "复议"}[p]
                  for p in spec.get("params", [])}
        rows = query(client, slug, **params)
        assert isinstance(rows, list), slug


def test_totals_by_year(client, archive):
    rows = {r["年度 year"]: r for r in query(client, "totals_by_year")}
    reports_by_year = defaultdict(list)
    for report in archive.reports:
        reports_by_year[report.year].append(report)
    assert set(rows) == set(reports_by_year)
    assert list(rows) == sorted(rows, reverse=True)
    for year, reports in reports_by_year.items():
        row = rows[year]
        assert row["报告数 reports"] == len(reports)
        received = [r.cell(RECEIVED) for r in reports if r.cell(RECEIVED) is not None]
        assert row["新收申请 applications received"] == (sum(received) if received else None)
        assert row["数字不符 inconsistent"] == sum(1 for r in reports if r.number_rules)
        assert row["逾期发布 late"] == sum(1 for r in reports if r.late)
        corrected = sum(sum(r.corrected().values()) for r in reports)
        assert (row["被纠正 corrected"] or 0) == corrected


def test_by_province_and_level(client, archive):
    rows = query(client, "by_province_level")
    assert sum(r["报告数 reports"] for r in rows) == len(archive.reports)
    by_province = Counter()
    for r in rows:
        by_province[r["省份 province"]] += r["报告数 reports"]
    assert by_province == Counter(r.province for r in archive.reports)
    levels = {(r["省份 province"], r["层级 level"]) for r in rows}
    assert ("黑龙江省", "部门") in levels  # 前进区政府办: an office, so a department


def test_top_agencies(client, archive):
    def expected(reports):
        per_agency = defaultdict(float)
        for r in reports:
            per_agency[r.agency] += r.cell(RECEIVED) or 0
        return sorted((v for v in per_agency.values() if v > 0), reverse=True)

    rows = query(client, "top_agencies", year="")
    assert [r["新收申请 applications received"] for r in rows] == expected(archive.reports)
    same = archive.same_agency()
    pair = [r for r in rows if r["机关 agency"] == same[0].agency]
    assert len(pair) == 1 and pair[0]["报告数 reports"] == 2
    assert pair[0]["新收申请 applications received"] == sum(r.cell(RECEIVED) for r in same)
    rows_2020 = query(client, "top_agencies", year="2020")
    assert [r["新收申请 applications received"] for r in rows_2020] == expected(
        [r for r in archive.reports if r.year == 2020])


def test_outcome_mix(client, archive):
    rows = {r["办理结果 outcome"]: r for r in query(client, "outcome_mix", year="")}
    expected: dict[str, float] = defaultdict(float)
    for report in archive.reports:
        for row, value in report.outcome_leaves().items():
            group = row[len(RESULTS) + 1:].split("/")[0]
            expected[group] += value or 0
    assert set(rows) == set(expected)
    for group, total in expected.items():
        assert rows[group]["件数 applications"] == total, group
    assert round(sum(r["占比 share %"] for r in rows.values())) == 100
    numerals = [outcome[1] for outcome in rows]
    assert numerals == sorted(numerals, key="一二三四五六".index)  # （一）…（六）, in order
    assert rows["（一）予以公开"]["英文 English"]


def test_inconsistent_reports(client, archive, documents):
    found = defaultdict(set)
    for row in query(client, "inconsistent_reports"):
        found[documents[row["report_id"]]].add(row["规则 rule"])
        assert row["规则 rule"] in NUMBER_RULES
        assert row["规则说明 rule"]
    expected = {r.name: r.number_rules for r in archive.reports if r.number_rules}
    assert dict(found) == expected
    qianjin = [row for row in query(client, "inconsistent_reports")
               if row["机关 agency"] == "前进区政府办" and row["规则 rule"] == "rule1_balance"]
    assert qianjin and {row["应为 expected"] for row in qianjin} == {"4"}


def test_corrected_cases(client, archive, documents):
    found = {(documents[r["report_id"]], r["类别 kind"]): r["纠正件数 corrected"]
             for r in query(client, "corrected_cases")}
    expected = {(r.name, kind): value
                for r in archive.reports for kind, value in r.corrected().items()}
    assert expected, "the fixture has corrected cases"
    assert found == expected


def test_one_agency_across_years(client, archive):
    first, second = archive.same_agency()
    rows = query(client, "agency_years", agency=first.agency)
    assert [(r["机关 agency"], r["年度 year"]) for r in rows] == [
        (first.agency, first.year), (second.agency, second.year)]
    assert [r["新收申请 received"] for r in rows] == [first.cell(RECEIVED), second.cell(RECEIVED)]
    assert rows[0]["较上年 change"] is None
    assert rows[1]["较上年 change"] == second.cell(RECEIVED) - first.cell(RECEIVED)
    assert query(client, "agency_years", agency="") == []


def test_registry_agencies_missing_a_year(client):
    def missing(year):
        return {r["机关 agency"] for r in query(client, "missing_reports", year=year)}

    registry = {s["agency"] for s in SOURCES}
    assert missing("2020") == {"示例县人民政府"}
    assert missing("2021") == {"前进区政府办", "德惠市机关事务管理局", "示例县人民政府"}
    assert missing("2022") == registry
    assert missing("2019") == registry
    assert missing("") == set()


def test_late_reports(client, archive, documents):
    rows = query(client, "late_reports")
    assert {documents[r["report_id"]] for r in rows} == {r.name for r in archive.reports if r.late}
    for r in rows:
        assert r["发布日期 published on"] > r["期限 deadline"]
        assert r["逾期天数 days late"] > 0
    days = [r["逾期天数 days late"] for r in rows]
    assert days == sorted(days, reverse=True)


# --- search --------------------------------------------------------------------------------

SEARCHES = ["复议", "诉", "街道", "交通运输", "勾稽关系", "信息公", "2020年", "《条例》", "沐石河",
            "复议 纠正", "Xinxi", "档案馆藏无此词"]


def like_oracle(archive: ProductArchive, q: str) -> set[int]:
    con = sqlite3.connect(archive.db_path)
    terms = q.split()
    where = " and ".join(["(coalesce(title, '') || char(10) || coalesce(text, '')) like ?"] * len(terms))
    ids = {r[0] for r in con.execute(f"select id from reports where {where}",
                                     [f"%{t}%" for t in terms])}
    con.close()
    return ids


@pytest.mark.parametrize("q", SEARCHES)
def test_search_query_equals_search_box_and_like(client, archive, q):
    canned = {r["report_id"] for r in query(client, "search", q=q)}
    box = {r["id"] for r in client.get("/archive/reports.json", params={
        "_search": q, "_shape": "array", "_col": "id", "_size": "max"}).json()}
    oracle = like_oracle(archive, q)
    assert canned == box == oracle
    assert (len(oracle) == 0) == (q in ("Xinxi", "档案馆藏无此词"))


def test_search_snippets_are_highlighted(client, archive):
    q = "交通运输"
    expected = like_oracle(archive, q)
    assert len(expected) >= 2
    rows = query(client, "search", q=q)
    assert {r["report_id"] for r in rows} == expected
    assert all(q in r["snippet"] for r in rows)
    assert query(client, "search", q="") == []
    html = client.get("/archive/search", params={"q": q}).text
    assert html.count(f"<mark>{q}</mark>") >= len(expected)
    box = client.get("/archive/reports", params={"_search": q}).text
    assert f"<mark>{q}</mark>" in box
    assert re.search(rf"{len(expected)} rows\s+where search matches", box)
    # Each result links to its report, which shows the whole text with the word marked.
    links = re.findall(r'href="(/archive/reports/(\d+)\?q=[^"]+)"', html)
    assert {int(i) for _, i in links} == expected
    report = client.get(links[0][0].replace("&amp;", "&")).text
    text = report.split('<div class="report-text">', 1)[1]
    assert f"<mark>{q}</mark>" in text


def test_snippet_sql_function_marks_terms(client):
    rows = client.get("/archive.json", params={
        "sql": "select zh_snippet('一二三复议四五', '复议', 4, '[', ']') as s", "_shape": "array",
    }).json()
    assert "[复议]" in rows[0]["s"]


def test_snippet_html_is_escaped(client):
    html = client.get("/archive", params={
        "sql": "select '<b onmouseover=x>复议</b>' as snippet", "q": "复议"}).text
    assert "&lt;b onmouseover=x&gt;<mark>复议</mark>&lt;/b&gt;" in html
    assert "<b onmouseover" not in html


# --- original documents --------------------------------------------------------------------

def raw_get(base: str, path: str, redirects: int = 3) -> tuple[int, dict[str, str], bytes]:
    """GET a path byte for byte (no client-side normalisation of ../ or %2e), following
    same-server redirects (Datasette redirects %-escapes to its ~-escapes)."""
    parts = urlsplit(base)
    for _ in range(redirects + 1):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            status, body = response.status, response.read()
            headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()
        if status not in (301, 302, 307, 308) or not headers.get("location", "").startswith("/"):
            return status, headers, body
        path = headers["location"]
    return status, headers, body


def test_capture_route_serves_original_bytes(base, archive):
    text = archive.captures["text/plain; charset=utf-8"]
    status, headers, body = raw_get(base, f"/-/capture/{text.sha256}")
    assert status == 200
    assert body == text.data
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-disposition"].startswith("inline")

    page = archive.captures["text/html"]
    status, headers, body = raw_get(base, f"/-/capture/{page.sha256}")
    assert status == 200 and body == page.data
    assert headers["content-type"] == "text/html"
    assert "sandbox" in headers["content-security-policy"]

    exe = archive.captures["application/x-msdownload"]
    status, headers, body = raw_get(base, f"/-/capture/{exe.sha256}")
    assert status == 200 and body == exe.data
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-disposition"].startswith("attachment")


def test_capture_route_refuses_unsafe_names(base, archive):
    db_bytes = archive.db_path.read_bytes()[:16]
    sha = archive.captures["text/plain; charset=utf-8"].sha256
    names = [
        "../archive.db", "..%2Farchive.db", "%2e%2e%2farchive.db", "..%5carchive.db",
        "%2e%2e/%2e%2e/etc/passwd", "archive.db", "..", ".", sha.upper(), sha[:-1],
        sha + "0", sha + ".db", sha + "%00", f"{sha}/..", "blobs", quote("报告"),
    ]
    for name in names:
        status, _, body = raw_get(base, f"/-/capture/{name}")
        assert status in (400, 404), name
        assert not body.startswith(db_bytes)
    status, _, _ = raw_get(base, "/-/capture/" + "0" * 64)
    assert status == 404


def test_capture_route_refuses_paths_outside_the_store_and_bad_bytes(base, archive):
    status, _, body = raw_get(base, f"/-/capture/{archive.outside_sha}")
    assert status == 404 and b"outside the capture store" not in body
    status, _, body = raw_get(base, f"/-/capture/{archive.tampered_sha}")
    assert status == 500 and b"altered bytes" not in body


def test_report_links_to_capture_and_source_page(client, archive, documents):
    capture = archive.captures["text/plain; charset=utf-8"]
    (report_id,) = [i for i, name in documents.items() if name.startswith("003_")]
    html = client.get(f"/archive/reports/{report_id}").text
    assert f'href="/-/capture/{capture.sha256}"' in html
    assert 'href="http://qianjin.example/xxgk/ndbg/"' in html  # the page it was found on
    assert "前进区政府办" in html and "勾稽" not in html.split("<h1")[0]
    assert '<div class="report-text">' in html
    other = next(i for i, name in documents.items() if name.startswith("000_"))
    assert "未抓取" in client.get(f"/archive/reports/{other}").text
    table = client.get("/archive/reports", params={"_size": "max"}).text
    assert f'href="/-/capture/{capture.sha256}"' in table
    captures = client.get("/archive/captures").text
    assert f'href="/-/capture/{capture.sha256}"' in captures


# --- bulk downloads ------------------------------------------------------------------------

def test_home_page_links_every_table_and_the_database(client, archive):
    html = client.get("/").text
    con = sqlite3.connect(archive.db_path)
    tables = [r[0] for r in con.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
        "and name not like 'reports_fts%'")]
    counts = {t: con.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    con.close()
    assert 'href="/archive.db"' in html
    for table in tables:
        csv_link = f"/archive/{table}.csv?_stream=on&amp;_size=max"
        json_link = f"/archive/{table}.json?_shape=objects&amp;_size=max"
        assert csv_link in html and json_link in html, table
        r = client.get(csv_link.replace("&amp;", "&"))
        assert r.status_code == 200
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == counts[table], table
        data = client.get(json_link.replace("&amp;", "&")).json()
        assert len(data["rows"]) == min(counts[table], int(SETTINGS["max_returned_rows"]))
        if counts[table] > int(SETTINGS["max_returned_rows"]):
            assert data["next_url"]
    assert counts["application_cells"] > int(SETTINGS["max_returned_rows"])  # CSV streams it all


def test_database_file_download(client, archive):
    r = client.get("/archive.db")
    assert r.status_code == 200
    assert hashlib.sha256(r.content).hexdigest() == hashlib.sha256(
        archive.db_path.read_bytes()).hexdigest()
    copy = archive.root / "downloaded.db"
    copy.write_bytes(r.content)
    con = sqlite3.connect(copy)  # the plain sqlite3 module reads it, search index included
    assert con.execute("select count(*) from reports").fetchone()[0] == len(archive.reports)
    assert con.execute("select count(*) from reports_fts where reports_fts match "
                       "'chars : \"590d\"'").fetchone()[0] > 0  # 复
    con.close()


# --- dashboard -----------------------------------------------------------------------------

def test_dashboard_page_and_chart_queries(client, metadata, archive):
    dashboards = metadata["plugins"]["datasette-dashboards"]
    charts = dashboards["overview"]["charts"]
    assert {"applications-per-year", "outcome-shares", "reports-by-province",
            "findings-rate"} <= set(charts)
    page = client.get("/-/dashboards/overview")
    assert page.status_code == 200
    for slug in charts:
        assert f'id="chart-{slug}"' in page.text
    assert "vega.min.js" in page.text
    # scripts, styles and images all come from this server (links to elsewhere are fine)
    assert not re.search(r'src="(https?:)?//', page.text)
    assert not re.search(r'<link[^>]+href="(https?:)?//', page.text)
    assert client.get("/-/dashboards/overview", params={"province": "吉林省"}).status_code == 200
    results = {}
    for slug, chart in charts.items():
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"], flags=re.S)
        r = client.get("/archive.json", params={"sql": sql, "_shape": "objects"})
        assert r.status_code == 200 and not r.json().get("error"), slug
        results[slug] = r.json()["rows"]
    per_year = defaultdict(float)
    for report in archive.reports:
        if report.cell(RECEIVED) is not None:
            per_year[report.year] += report.cell(RECEIVED)
    assert {r["year"]: r["received"] for r in results["applications-per-year"]} == dict(per_year)
    assert results["reports-total"] == [{"n": len(archive.reports)}]
    rates = {r["year"]: r["percent"] for r in results["findings-rate"]}
    for year in rates:
        of_year = [r for r in archive.reports if r.year == year]
        assert rates[year] == round(100 * sum(1 for r in of_year if r.number_rules) / len(of_year), 1)


def test_static_css_is_served(client):
    html = client.get("/").text
    assert '/static/archive.css' in html
    assert client.get("/static/archive.css").status_code == 200


def test_reports_row_page_uses_vertical_fields(client, documents):
    report_id = next(iter(documents))
    html = client.get(f"/archive/reports/{report_id}").text
    assert 'class="report-fields"' in html
    assert "报告编号" in html  # column descriptions shown beside the values

