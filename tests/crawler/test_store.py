"""Content-addressed blobs, capture versions and WARC repair, on a real SQLite file."""

from __future__ import annotations

import hashlib

from crawler.store import CHANGED, NEW, UNCHANGED, Archive
from crawler.warc import RunWarc, repair_warc
from tests.crawler.helpers import warcio_check as _check


def test_same_bytes_stored_once_and_changes_are_versions(tmp_path):
    archive = Archive(tmp_path / "archive.db", tmp_path / "blobs")
    run = archive.start_run(None)
    kw = {"status": 200, "headers": {"ETag": '"a"'}, "content_type": "text/html", "source_id": None,
          "run_id": run, "parent_url": None, "kind": "report"}
    first = archive.record(url="http://h/a.html", body=b"v1", **kw)
    again = archive.record(url="http://h/a.html", body=b"v1", **kw)
    other_url = archive.record(url="http://h/b.html", body=b"v1", **kw)
    changed = archive.record(url="http://h/a.html", body=b"v2", **kw)
    assert (first.state, again.state, other_url.state, changed.state) == (NEW, UNCHANGED, NEW, CHANGED)
    assert again.capture_id == first.capture_id
    rows = list(archive.db.query("select url, sha256, storage_path from captures order by id"))
    assert [(r["url"], r["sha256"]) for r in rows] == [
        ("http://h/a.html", hashlib.sha256(b"v1").hexdigest()),
        ("http://h/b.html", hashlib.sha256(b"v1").hexdigest()),
        ("http://h/a.html", hashlib.sha256(b"v2").hexdigest()),
    ]
    blobs = sorted(p for p in (tmp_path / "blobs").rglob("*") if p.is_file())
    assert len(blobs) == 2  # v1 once, v2 once
    sha = rows[0]["sha256"]
    assert rows[0]["storage_path"] == f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"
    assert (tmp_path / rows[0]["storage_path"]).read_bytes() == b"v1"
    assert archive.run_capture_counts(run) == (2, 1)


def test_torn_warc_is_cut_back_to_whole_records(tmp_path):
    warc = RunWarc(tmp_path, run_id=7, software="test")
    for i in range(3):
        warc.write_exchange(url=f"http://h/{i}", method="GET", request_headers=[("Host", "h")], request_body=b"",
                            status=200, reason="OK", response_headers=[("Content-Type", "text/plain")],
                            body=f"body {i}".encode(), rendered=False)
    warc.close()
    path = warc.path
    assert _check(path).returncode == 0
    whole = path.read_bytes()
    other = RunWarc(tmp_path / "other", run_id=8, software="test")
    other.write_exchange(url="http://h/x", method="GET", request_headers=[("Host", "h")], request_body=b"",
                         status=200, reason="OK", response_headers=[], body=b"x" * 5000, rendered=False)
    other.close()
    tail = other.path.read_bytes()
    info_len = len(RunWarc(tmp_path / "third", run_id=9, software="test").path.read_bytes())
    path.write_bytes(whole + tail[: info_len + 200])  # killed in the middle of a record
    kept = repair_warc(path)
    assert kept == 8  # warcinfo + 3 × (response, request) + the whole warcinfo of the tail
    assert path.read_bytes().startswith(whole)
    assert _check(path).returncode == 0
    # a resumed run writes its records to the next part file
    assert RunWarc(tmp_path, run_id=7, software="test").path.name == "run-7-02.warc.gz"
