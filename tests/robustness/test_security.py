"""What no one may do to the archive: write through Datasette (any endpoint, any SQL), escape
its time and row limits, read files outside the capture store through ``/-/capture/``, make
the crawler fetch a non-registry host, a private address or a non-HTTP URL, or make a reader
resolve an XML external entity."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import shutil
import sqlite3
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from crawler.guard import check_url
from crawler.navigators import NAVIGATORS
from crawler.navigators.base import Page
from crawler.navigators.hanweb import record_links
from crawler.registry import Source
from parsers import ParseError, parse
from tests.conftest import start_datasette, stop_datasette
from zfxxgk.crawl import run_crawl
from zfxxgk.portal import running_portal
from zfxxgk.portal.documents import make_docx
from zfxxgk.portal.reports import seed_reports
from zfxxgk.robustness.fuzz import ParseWorker

MARKER = "ZFXXGK-SECRET-7f3a"


# ---------------------------------------------------------------------------- Datasette
def _blob(root: Path, data: bytes) -> tuple[str, str]:
    sha = hashlib.sha256(data).hexdigest()
    path = root / "blobs" / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return sha, f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"


@pytest.fixture(scope="module")
def served(seed_archive, tmp_path_factory):
    """The seed archive plus hostile captures, served as ``zfxxgk serve`` serves it."""
    root = tmp_path_factory.mktemp("served")
    outside = tmp_path_factory.mktemp("outside")
    db_path = root / "archive.db"
    shutil.copyfile(seed_archive, db_path)
    captures = {}
    html = b"<html><body><script>alert(1)</script>" + MARKER.encode() + b"</body></html>"
    for name, data, ctype in [("html", html, "text/html; charset=utf-8"),
                              ("svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/svg+xml"),
                              ("exe", b"MZ\x90\x00" + MARKER.encode(), "application/x-msdownload"),
                              ("pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")]:
        sha, rel = _blob(root, data)
        captures[name] = (sha, rel, ctype)
    # a row whose storage path leads out of the store, to a file named by its hash
    secret = (MARKER + " outside the store").encode()
    secret_sha = hashlib.sha256(secret).hexdigest()
    (outside / secret_sha).write_bytes(secret)
    captures["tampered"] = (secret_sha, f"blobs/../../{outside.name}/{secret_sha}", "text/plain")
    # a blob that is a symlink to a file outside the store
    linked = (MARKER + " through a symlink").encode()
    linked_sha = hashlib.sha256(linked).hexdigest()
    (outside / linked_sha).write_bytes(linked)
    link = root / "blobs" / linked_sha[:2] / linked_sha[2:4] / linked_sha
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside / linked_sha)
    captures["symlink"] = (linked_sha, f"blobs/{linked_sha[:2]}/{linked_sha[2:4]}/{linked_sha}", "text/plain")
    # a blob whose bytes were changed after capture
    changed_sha, changed_rel = _blob(root, b"original bytes")
    (root / changed_rel).write_bytes(b"changed bytes " + MARKER.encode())
    captures["changed"] = (changed_sha, changed_rel, "text/plain")
    conn = sqlite3.connect(db_path)
    with conn:
        for name, (sha, rel, ctype) in captures.items():
            conn.execute("insert into captures (url, status, sha256, size, content_type, storage_path, kind) "
                         "values (?, 200, ?, 0, ?, ?, 'attachment')", [f"http://example.invalid/{name}", sha, ctype, rel])
    conn.close()
    before = {p.name for p in root.iterdir()}
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    server = start_datasette(db_path)
    try:
        yield server, captures, db_path, digest, before
    finally:
        stop_datasette(server)


def raw_get(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET a path exactly as written (no client-side normalisation of ``..`` or escapes)."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


WRITES = [
    "delete from reports", "update reports set year = 1999", "insert into findings (rule) values ('x')",
    "replace into label_rules (rule) values ('x')", "insert or ignore into extras values (1, 'k', 1, 'r')",
    "drop table reports", "create table t (x)", "create temp table t (x)", "alter table reports add column x",
    "pragma writable_schema = 1", "pragma journal_mode = delete", "vacuum", "vacuum into '/tmp/zfxxgk-copy.db'",
    "reindex", "analyze", "begin", "savepoint s", "attach database '/tmp/zfxxgk-other.db' as other",
    "attach ':memory:' as m", "detach database main", "select 1; delete from reports",
    "with x as (select 1) delete from reports", "with x as (select 1) insert into findings (rule) values ('x')",
    "explain delete from reports", "/* comment */ delete from reports", "-- comment\ndelete from reports",
    "\n\n  delete from reports", "select load_extension('/tmp/zfxxgk-evil.so')",
    "select load_extension('libsqlite3_mod_fileio')", "select writefile('/tmp/zfxxgk-evil', 'x')",
    "select readfile('/etc/passwd')",
    "select * from reports; attach database '/tmp/zfxxgk-x.db' as x",
]


@pytest.mark.parametrize("sql", WRITES)
def test_no_write_or_file_sql_through_the_query_endpoint(served, sql):
    server, *_ = served
    status, body = server.get("/archive.json", sql=sql)
    assert status == 400, (sql, body[:300])
    status, _ = server.get("/archive.json", sql=sql, _shape="array")
    assert status == 400


# Functions this SQLite build offers to read-only SQL that must not run (the plugin
# datasette/plugins/safe_sql.py refuses them): fts3_tokenizer leaks a pointer (one argument)
# or replaces a tokenizer's function pointer (two), rtreenode/rtreedepth decode any blob.
REFUSED_CALLS = [
    "select fts3_tokenizer('simple')", "select fts3_tokenizer('zz', x'4141414141414141')",
    "select FTS3_Tokenizer('porter')", "select hex(fts3_tokenizer('unicode61'))",
    "select id from reports where id = (select length(fts3_tokenizer('simple')))",
    "select rtreenode(2, x'000100000000000000000000000000000000')", "select rtreedepth(x'0001')",
    "select load_extension('/tmp/zfxxgk-evil.so', 'sqlite3_extension_init')",
]


def test_sqlite_build_offers_fts3_tokenizer():
    """Why the plugin is needed: without it, this build answers fts3_tokenizer()."""
    conn = sqlite3.connect(":memory:")
    try:
        assert len(conn.execute("select fts3_tokenizer('simple')").fetchone()[0]) == 8  # a pointer
    finally:
        conn.close()


@pytest.mark.parametrize("sql", REFUSED_CALLS)
def test_dangerous_functions_are_not_callable(served, sql):
    server, *_ = served
    status, body = server.get("/archive.json", sql=sql)
    assert status == 400, (sql, body[:300])
    assert b"not authorized to use function" in body, body[:300]


def test_refused_functions_stay_refused_in_canned_and_memory_databases(served):
    server, *_ = served
    status, _ = server.get("/_memory.json", sql="select fts3_tokenizer('simple')")
    assert status in (400, 404)  # no _memory database unless --crossdb; refused if there is
    # the functions every page needs still work
    rows = server.json("/archive.json", sql="select count(*) as n, hex(zeroblob(2)) as z from reports", _shape="array")
    assert rows == [{"n": 45, "z": "0000"}]


def test_huge_values_are_refused_not_allocated(served):
    server, *_ = served
    for sql in ("select length(randomblob(999999999))", "select length(zeroblob(500000000))",
                "select length(replace(hex(zeroblob(20000000)), '00', '0000000'))"):
        status, body = server.get("/archive.json", sql=sql)
        assert status == 400, (sql, body[:300])
        assert b"too big" in body, body[:300]
    assert server.json("/archive.json", sql="select length(randomblob(1000000)) as n", _shape="array") == [{"n": 1000000}]


def test_no_write_through_table_parameters_or_post(served):
    server, *_ = served
    for params in [{"_where": "1=1) ; delete from reports; --"},
                   {"_where": "id in (select load_extension('/tmp/zfxxgk-evil.so'))"},
                   {"_sort": "id; drop table reports"}, {"_col": "id from reports; drop table reports --"}]:
        status, body = server.get("/archive/reports.json", **params)
        assert status >= 400, (params, body[:300])
    for path in ["/archive", "/archive/reports", "/archive/totals_by_year", "/archive/-/create",
                 "/archive/reports/-/insert", "/archive/reports/-/drop", "/archive/reports/1/-/update",
                 "/archive/reports/1/-/delete", "/-/upload-csvs"]:
        status, _ = server.post(path, b"sql=delete+from+reports", "application/x-www-form-urlencoded")
        assert status >= 400, path


def test_archive_file_and_folder_unchanged_after_the_attempts(served):
    server, _, db_path, digest, before = served
    for sql in WRITES:
        server.get("/archive.json", sql=sql)
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == digest
    after = {p.name for p in db_path.parent.iterdir() if not p.name.startswith("datasette-")}
    assert after == {n for n in before if not n.startswith("datasette-")}
    for leftover in ("/tmp/zfxxgk-copy.db", "/tmp/zfxxgk-other.db", "/tmp/zfxxgk-evil", "/tmp/zfxxgk-x.db"):
        assert not Path(leftover).exists(), leftover
    assert server.json("/archive.json", sql="select count(*) as n from reports", _shape="array")[0]["n"] == 45


def test_time_limit_stops_a_runaway_query(served):
    server, *_ = served
    sql = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    status, body = server.get("/archive.json", sql=sql)
    assert status == 400
    assert b"too long" in body


def test_row_limit_truncates(served):
    server, *_ = served
    sql = "with recursive c(x) as (select 1 union all select x + 1 from c limit 5000) select x from c"
    data = server.json("/archive.json", sql=sql)
    assert len(data["rows"]) == 1000 and data["truncated"] is True


TRAVERSALS = [
    "/-/capture/../../../../etc/passwd", "/-/capture/..%2f..%2f..%2fetc%2fpasswd", "/-/capture/%2e%2e",
    "/-/capture/%2Fetc%2Fpasswd", "/-/capture/..", "/-/capture/.", "/-/capture/", "/-/capture/%00",
    "/-/capture/" + "a" * 63, "/-/capture/" + "g" * 64, "/-/capture/" + "a" * 65,
    "/-/capture/..%5c..%5cetc%5cpasswd", "//-/capture/../../etc/passwd", "/-/capture/blobs%2f..%2farchive.db",
]


def test_capture_route_resists_path_traversal(served):
    server, captures, *_ = served
    sha = captures["html"][0]
    for path in TRAVERSALS + [f"/-/capture/{sha.upper()}", f"/-/capture/{sha}%00", f"/-/capture/{sha}/..",
                              f"/-/capture/{sha}/../../archive.db", f"/-/capture/{sha}%2f..%2f..%2farchive.db"]:
        status, _, body = raw_get(server.base, path)
        assert status in (400, 404), (path, status)
        assert b"root:" not in body and b"SQLite format" not in body, path


def test_capture_route_never_leaves_the_store(served):
    server, captures, *_ = served
    for name in ("tampered", "symlink"):
        status, _, body = raw_get(server.base, f"/-/capture/{captures[name][0]}")
        assert status == 404, name
        assert MARKER.encode() not in body
    status, _, body = raw_get(server.base, f"/-/capture/{captures['changed'][0]}")
    assert status == 500 and MARKER.encode() not in body


def test_capture_route_serves_only_document_types_and_sandboxes_pages(served):
    server, captures, *_ = served
    status, headers, body = raw_get(server.base, f"/-/capture/{captures['html'][0]}")
    assert status == 200 and MARKER.encode() in body
    assert headers["content-type"].startswith("text/html")
    assert "sandbox" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
    for name in ("svg", "exe"):
        status, headers, _ = raw_get(server.base, f"/-/capture/{captures[name][0]}")
        assert status == 200
        assert headers["content-type"] == "application/octet-stream", name
        assert headers["content-disposition"].startswith("attachment"), name


# ------------------------------------------------------------------------------ crawler
@pytest.mark.parametrize("url,kind", [
    ("file:///etc/passwd", "blocked_scheme"), ("ftp://127.0.0.1/nb.pdf", "blocked_scheme"),
    ("gopher://127.0.0.1:70/_x", "blocked_scheme"), ("javascript:alert(1)", "blocked_scheme"),
    ("data:text/html,x", "blocked_scheme"), ("http:///nohost", "blocked_scheme"),
    ("http://169.254.169.254/latest/meta-data/", "blocked_address"), ("http://10.0.0.1/", "blocked_address"),
    ("http://172.16.5.4/", "blocked_address"), ("http://192.168.1.1/", "blocked_address"),
    ("http://100.64.0.1/", "blocked_address"), ("http://0.0.0.0:8700/", "blocked_address"),
    ("http://[fd00::1]/", "blocked_address"), ("http://[fe80::1]/", "blocked_address"),
    ("http://224.0.0.1/", "blocked_address"), ("http://[::ffff:10.0.0.1]/", "blocked_address"),
    ("http://127.0.0.1:8700/", "blocked_address"), ("http://[::1]:8700/", "blocked_address"),
    ("http://[::ffff:127.0.0.1]/", "blocked_address"), ("http://2130706433/", "blocked_address"),
    ("http://127.1/", "blocked_address"), ("http://0x7f.1/", "blocked_address"),
])
def test_guard_refuses_without_loopback(url, kind):
    blocked = check_url(url, allow_loopback=False)
    assert blocked is not None and blocked.kind == kind, (url, blocked)


def test_guard_loopback_only_for_the_sample_and_never_via_a_public_redirect():
    assert check_url("http://127.0.0.1:8700/x", allow_loopback=True) is None
    assert check_url("http://[::1]:8700/x", allow_loopback=True) is None
    assert check_url("https://8.8.8.8/x", allow_loopback=False) is None  # a public address (not fetched)
    assert check_url("http://10.0.0.1/", allow_loopback=True).kind == "blocked_address"
    assert check_url("http://169.254.169.254/", allow_loopback=True).kind == "blocked_address"
    redirected = check_url("http://127.0.0.1:8700/admin", allow_loopback=True, redirected_from=["http://8.8.8.8/a"])
    assert redirected is not None and redirected.kind == "blocked_address"
    assert check_url("http://127.0.0.1:8700/b", allow_loopback=True,
                     redirected_from=["http://127.0.0.1:8700/a"]) is None


QUICK = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_START_DELAY": 0, "AUTOTHROTTLE_MAX_DELAY": 1}
REAL_REGISTRY = """sources:
  - id: looks-real
    agency: 某市人民政府
    province: 北京
    level: 市级
    cms: trs
    start_urls: ["http://{trs}/zwgk/zfxxgknb/index.shtml"]
    evidence: "http://{trs}/zwgk/zfxxgknb/index.shtml"
"""


def test_a_real_registry_never_reaches_loopback_unless_the_setting_allows_it(tmp_path):
    with running_portal() as portal:
        registry = tmp_path / "sources.yaml"
        registry.write_text(REAL_REGISTRY.replace("{trs}", portal.netloc("trs")), encoding="utf-8")
        stats = run_crawl(tmp_path / "a" / "archive.db", tmp_path / "a" / "blobs", all=True, registry=registry,
                          settings=QUICK)
        assert stats.finish_reason == "finished"
        (run,) = stats.runs
        assert run.errors == {"blocked_address": 1, "no_reports": 1}
        assert portal.requests_to("trs") == []  # not even robots.txt
        allowed = run_crawl(tmp_path / "b" / "archive.db", tmp_path / "b" / "blobs", all=True, registry=registry,
                            settings={**QUICK, "ZFXXGK_ALLOW_LOOPBACK": True})
        (run,) = allowed.runs
        assert run.status == "ok" and run.reports_found >= len(portal.expected("sample-trs").reports)
        assert "blocked_address" not in run.errors


# -------------------------------------------------------------------------- XML entities
@pytest.fixture()
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(MARKER, encoding="utf-8")
    return path


def test_hanweb_proxy_xml_resolves_no_external_entity(secret_file):
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file://{secret_file}">]>'
           "<datastore><totalrecord>1</totalrecord><recordset><record><![CDATA["
           '<li><a href="/art/2024/1/2/art_1_2.html" title="&e;2023年政府信息公开工作年度报告">&e;</a></li>'
           "]]></record></recordset>&e;</datastore>").encode()
    url = "http://127.0.0.1:9/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    links = record_links(xml.decode(), url)
    assert links and all(MARKER not in t and MARKER not in u for u, t in links)
    src = Source(id="t", agency="a", province="北京", level="县级", cms="hanweb", start_urls=(url,), evidence=url)
    out = NAVIGATORS["hanweb"].handle("proxy", Page(url=url, body=xml, meta={"start": 1, "perpage": 15}), src)
    assert all(MARKER not in f.url and MARKER not in f.title for f in out)
    page = Page(url=url, body=xml, content_type="text/xml")
    assert MARKER not in page.tree.text_content()


def _docx_with(document_xml: bytes) -> bytes:
    base = make_docx(seed_reports()[0])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, document_xml if info.filename == "word/document.xml" else data)
    return out.getvalue()


def test_docx_reader_resolves_no_external_entity(secret_file):
    body = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY e SYSTEM "file://{secret_file}">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            "<w:p><w:r><w:t>2023年政府信息公开工作年度报告 &e;</w:t></w:r></w:p></w:body></w:document>").encode()
    try:
        report = parse(_docx_with(body), name="x.docx")
    except ParseError:
        return  # refused outright: nothing was resolved
    assert MARKER not in (report.text or "") and MARKER not in json.dumps(report.to_json(), ensure_ascii=False)


def test_xlsx_reader_resolves_no_external_entity(secret_file):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["2023年政府信息公开工作年度报告", "x"])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    evil = (f'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file://{secret_file}">]>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            "<si><t>&e;</t></si></sst>").encode()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = evil if info.filename == "xl/sharedStrings.xml" else src.read(info)
            dst.writestr(info.filename, data)
        if "xl/sharedStrings.xml" not in src.namelist():
            dst.writestr("xl/sharedStrings.xml", evil)
    try:
        report = parse(out.getvalue(), name="x.xlsx")
    except ParseError:
        return
    assert MARKER not in json.dumps(report.to_json(), ensure_ascii=False)


def test_billion_laughs_is_refused_quickly():
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    body = (f'<?xml version="1.0"?><!DOCTYPE w:document [{lol}]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            "<w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>").encode()
    worker = ParseWorker(document_seconds=10, grace=10)
    try:
        outcome = worker.parse(_docx_with(body), "lol.docx")
    finally:
        worker.close()
    assert outcome.kind in ("parse_error", "ok"), outcome
