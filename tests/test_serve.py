"""Serving: the real Datasette, started with ``zfxxgk.serve.datasette_args`` on a free
loopback port, gives the seed numbers back over HTTP and refuses every write."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

from zfxxgk.serve import METADATA, PLUGINS_DIR, datasette_args, serve

KUANCHENG = "seeds/001_fc3b1788af86ec1f.txt"
DEHUI = "seeds/002_f5d5ef7bb5443bb4.txt"
QIANJIN = "seeds/003_cfbb34af7d24d30b.txt"


def report_id(server, key: str) -> int:
    rows = server.json("/archive/reports.json", document_key=key, is_current=1, _shape="array",
                       _col="id")
    assert len(rows) == 1
    return rows[0]["id"]


def test_command_line_is_read_only_and_complete(tmp_path: Path) -> None:
    args = datasette_args(tmp_path / "archive.db", host="127.0.0.1", port=8123)
    assert args[1:4] == ["-m", "datasette", "serve"]
    assert args[args.index("-i") + 1] == str((tmp_path / "archive.db").resolve())
    assert args[args.index("--metadata") + 1] == str(METADATA)
    assert args[args.index("--plugins-dir") + 1] == str(PLUGINS_DIR)
    assert (PLUGINS_DIR / "zh_search.py").is_file() and METADATA.is_file()
    assert not (PLUGINS_DIR.parent / "__init__.py").exists()
    settings = {args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == "--setting"}
    assert settings["sql_time_limit_ms"] == "1000"
    assert settings["max_returned_rows"] == "1000"
    assert args[args.index("--port") + 1] == "8123"


def test_kuancheng_number_over_http(datasette_server) -> None:
    rid = report_id(datasette_server, KUANCHENG)
    rows = datasette_server.json("/archive/applications.json", report_id=rid,
                                 row="一、本年新收政府信息公开申请数量", applicant="自然人",
                                 _shape="array")
    assert [r["value"] for r in rows] == [43]
    report = datasette_server.json(f"/archive/reports/{rid}.json", _shape="array")[0]
    assert (report["agency"], report["year"], report["province"], report["level"]) == (
        "宽城区", 2020, "吉林省", "县级")


def test_dehui_amount_and_unit_over_http(datasette_server) -> None:
    rid = report_id(datasette_server, DEHUI)
    rows = datasette_server.json("/archive/proactive_items.json", report_id=rid,
                                 item="政府集中采购", metric="采购总金额", _shape="array")
    assert [(r["value"], r["unit"]) for r in rows] == [(83.82, "万元")]


def test_findings_over_sql(datasette_server) -> None:
    rid = report_id(datasette_server, QIANJIN)
    rows = datasette_server.json(
        "/archive.json", sql="select rule from findings where report_id = :id", id=rid,
        _shape="array")
    assert "rule1_balance" in {r["rule"] for r in rows}


def test_database_is_served_immutable(datasette_server) -> None:
    (database,) = datasette_server.json("/-/databases.json")
    assert database["name"] == "archive"
    assert database["is_mutable"] is False


def test_write_sql_is_refused(datasette_server, seed_archive: Path) -> None:
    digest = hashlib.sha256(seed_archive.read_bytes()).hexdigest()
    count = datasette_server.json("/archive.json", sql="select count(*) as n from reports",
                                  _shape="array")[0]["n"]
    for sql in [
        "delete from reports",
        "update reports set year = 1999",
        "insert into parse_failures (error) values ('x')",
        "drop table reports",
        "create table t (x)",
        "pragma journal_mode = delete",
        "select 1; delete from reports",
        "with x as (select 1) delete from reports",
        "attach database 'other.db' as other",
    ]:
        status, body = datasette_server.get("/archive.json", sql=sql)
        assert status == 400, (sql, body[:300])
    for path in ["/archive/reports", "/archive", "/archive/-/create",
                 "/archive/reports/-/insert"]:
        status, _ = datasette_server.post(path, b"sql=delete+from+reports",
                                          "application/x-www-form-urlencoded")
        assert status >= 400, path
    after = datasette_server.json("/archive.json", sql="select count(*) as n from reports",
                                  _shape="array")[0]["n"]
    assert after == count == 45
    assert hashlib.sha256(seed_archive.read_bytes()).hexdigest() == digest


def test_metadata_configures_search(datasette_server) -> None:
    metadata = datasette_server.json("/-/metadata.json")
    reports = metadata["databases"]["archive"]["tables"]["reports"]
    assert (reports["fts_table"], reports["fts_pk"]) == ("reports_fts", "id")


def test_plugin_is_loaded(datasette_server) -> None:
    plugins = {p["name"] for p in datasette_server.json("/-/plugins.json")}
    assert "zh_search.py" in plugins


def test_serve_returns_the_exit_code(seed_archive: Path, tmp_path: Path) -> None:
    assert serve(tmp_path / "missing.db") == 2
    with socket.socket() as busy:  # the port is taken, so Datasette stops at once
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert serve(seed_archive, host="127.0.0.1", port=busy.getsockname()[1]) != 0
