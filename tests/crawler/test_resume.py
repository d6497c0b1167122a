"""Kill -9 in the middle of a crawl, run it again: the same captures as an uninterrupted
crawl, nothing missing and nothing twice; the WARC files still pass ``warcio check``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import sqlite_utils

from tests.crawler.helpers import warcio_check
from zfxxgk.crawl import child_env, crawl_command, run_crawl
from zfxxgk.portal import running_portal

SOURCES = ["sample-trs", "sample-hanweb", "sample-gkmlpt", "sample-generic"]


def capture_set(db_path) -> list[tuple[str, str, str]]:
    db = sqlite_utils.Database(db_path)
    rows = sorted((r["url"], r["sha256"], r["kind"]) for r in db.query("select url, sha256, kind from captures"))
    db.conn.close()
    return rows


def count_captures(db_path) -> int:
    if not db_path.exists():
        return 0
    db = sqlite_utils.Database(db_path)
    try:
        return db.execute("select count(*) from captures").fetchone()[0] if "captures" in db.table_names() else 0
    finally:
        db.conn.close()


def test_kill_dash_nine_then_rerun_gives_the_same_captures(tmp_path):
    with running_portal() as portal:
        registry = portal.write_registry(tmp_path / "sources.yaml")
        reference = run_crawl(tmp_path / "ref" / "archive.db", tmp_path / "ref" / "blobs", sources=SOURCES,
                              registry=registry)
        assert reference.finish_reason == "finished"

        # Hold every TRS attachment: the crawl is then known to be mid-way when killed.
        portal.hold(lambda key, req: key == "trs" and req.path.endswith((".pdf", ".docx")))
        db_path = tmp_path / "cut" / "archive.db"
        cmd = crawl_command(db_path, tmp_path / "cut" / "blobs", sources=SOURCES, registry=registry)
        (tmp_path / "cut").mkdir()
        with (tmp_path / "cut" / "killed.log").open("wb") as log:
            child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=child_env())
            try:
                assert portal.wait_until_held(90), "the crawl never reached a held request"
                deadline = time.monotonic() + 30
                while count_captures(db_path) < 5 and time.monotonic() < deadline:
                    time.sleep(0.1)
                os.kill(child.pid, signal.SIGKILL)
            finally:
                child.wait(30)
                portal.release()
        assert child.returncode == -signal.SIGKILL
        partial = capture_set(db_path)
        assert 5 <= len(partial) < len(capture_set(tmp_path / "ref" / "archive.db"))

        resumed = run_crawl(db_path, tmp_path / "cut" / "blobs", sources=SOURCES, registry=registry)
        assert resumed.finish_reason == "finished"
        assert capture_set(db_path) == capture_set(tmp_path / "ref" / "archive.db")
        # the interrupted runs were continued, not started again
        assert sorted(r.run_id for r in resumed.runs) == list(range(1, len(SOURCES) + 1))
        assert all(r.summary["resumed"] == 1 and r.status == "ok" for r in resumed.runs)
        assert {r.source_id: r.new for r in resumed.runs} == {r.source_id: r.new for r in reference.runs}
        for path in sorted((tmp_path / "cut" / "warc").glob("*.warc.gz")):
            result = warcio_check(path)
            assert result.returncode == 0, result.stdout + result.stderr
        assert not (tmp_path / "cut" / "crawl-state").exists() or not any((tmp_path / "cut" / "crawl-state").iterdir())
        summary = json.loads(sqlite_utils.Database(db_path)["crawl_runs"].get(1)["summary"])
        assert len(summary["warc"]) == 2  # one part per process
