"""A crawl shared by two worker processes through a real Redis (Debian's redis-server on a
free loopback port): the same captures as one process, no URL fetched twice, seeds pushed
once, both workers leaving by themselves once the frontier is drained — and Scrapy's
deprecation warnings turned into errors in the workers, so none is emitted."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
import sqlite_utils

from crawler.frontier import Keys, SharedArchive, merge_archive
from crawler.store import NEW, UNCHANGED
from tests.conftest import free_port
from tests.crawler.helpers import warcio_check
from zfxxgk.crawl import child_env, crawl_command, run_crawl
from zfxxgk.portal import SOURCE_SITES, running_portal

# The worker as `python -m crawler`, with ScrapyDeprecationWarning made an error first.
STRICT = ("import runpy, warnings; from scrapy.exceptions import ScrapyDeprecationWarning; "
          "warnings.simplefilter('error', ScrapyDeprecationWarning); "
          "runpy.run_module('crawler', run_name='__main__')")
MAX_IDLE = 2
# Answered by the sample's 521 challenge: the raw 521, the browser's visits, then the page.
CHALLENGED = ("jsl", "GET", "/gkml/zfxxgknb/index.html")


def redis_server(directory: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(directory)],
        stdout=(directory / "redis.log").open("wb"), stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            return proc, url
        except redis.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((directory / "redis.log").read_text()) from None
            time.sleep(0.05)


def capture_set(db_path: Path) -> list[tuple[str, str, str]]:
    db = sqlite_utils.Database(db_path)
    rows = sorted((r["url"], r["sha256"], r["kind"]) for r in db.query("select url, sha256, kind from captures"))
    db.conn.close()
    return rows


def strict_worker(db: Path, registry: Path, url: str) -> list[str]:
    # Two requests at a time per worker: neither can take the whole of this small crawl.
    cmd = crawl_command(db, db.parent / "blobs", all=True, registry=registry, frontier=url, max_idle=MAX_IDLE,
                        settings={"CONCURRENT_REQUESTS": 2})
    assert cmd[1:3] == ["-m", "crawler"]
    return [cmd[0], "-c", STRICT, *cmd[3:]]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("frontier")
    server, url = redis_server(root)
    try:
        with running_portal() as portal:
            registry = portal.write_registry(root / "sources.yaml")
            reference = run_crawl(root / "ref" / "archive.db", root / "ref" / "blobs", all=True, registry=registry)
            assert reference.finish_reason == "finished"
            mark = len(portal.log)

            # Hold every request until both workers have joined, so both share the work.
            portal.hold(lambda key, req: True)
            shared = root / "shared" / "archive.db"
            shared.parent.mkdir()
            workers = []
            for i in range(2):
                log = (root / "shared" / f"worker-{i}.log").open("wb")
                workers.append((subprocess.Popen(strict_worker(shared, registry, url), stdout=subprocess.PIPE,
                                                 stderr=log, env=child_env()), log))
            client = redis.Redis.from_url(url)
            deadline = time.monotonic() + 60
            while len(client.keys("zfxxgk:*:workers")) != 1 or client.hlen(client.keys("zfxxgk:*:workers")[0]) < 2:
                assert time.monotonic() < deadline, "the workers never joined"
                assert all(p.poll() is None for p, _ in workers), "a worker died before joining"
                time.sleep(0.1)
            portal.release()
            results = []
            for i, (proc, log) in enumerate(workers):
                out, _ = proc.communicate(timeout=90)  # they must leave by themselves
                log.close()
                lines = out.decode().strip().splitlines()
                assert lines, (proc.returncode, (root / "shared" / f"worker-{i}.log").read_text()[-3000:])
                results.append((proc.returncode, json.loads(lines[-1])))
            requests = Counter(portal.log[mark:])
            yield SimpleNamespace(root=root, url=url, portal=portal, registry=registry, reference=reference,
                                  single=Counter(portal.log[:mark]), requests=requests, results=results,
                                  shared=shared, client=client)
    finally:
        server.terminate()
        server.wait(10)


def test_two_workers_give_the_captures_of_one_process(world):
    assert capture_set(world.shared) == capture_set(world.root / "ref" / "archive.db")
    db = sqlite_utils.Database(world.shared)
    rows = list(db.query("select url, sha256 from captures"))
    assert len(rows) == len({(r["url"], r["sha256"]) for r in rows})  # no version stored twice
    files = [p for p in (world.shared.parent / "blobs").rglob("*") if p.is_file()]
    assert len(files) == len({r["sha256"] for r in rows}) and not [p for p in files if p.name.startswith(".tmp")]


def test_both_workers_left_by_themselves_after_sharing_the_work(world):
    for code, result in world.results:
        assert code == 0 and result["finish_reason"] == "finished"
        assert result["stats"].get("scheduler/dequeued/redis", 0) > 0, result  # each took its share
    infos = [r["frontier"] for _, r in world.results]
    assert len({(i["prefix"], i["generation"]) for i in infos}) == 1  # one crawl
    assert sorted(i["seeded"] for i in infos) == [False, True]  # seeds pushed once
    assert sum(i["closed_crawl"] for i in infos) == 1  # the last one out closed it
    keys = Keys(infos[0]["prefix"])
    assert world.client.hget(keys.state, "status") == b"done"
    assert world.client.zcard(keys.requests) == 0 and world.client.llen(keys.start_urls) == 0
    assert world.client.hlen(keys.workers) == 0


def test_no_url_fetched_twice(world):
    single, shared = dict(world.single), dict(world.requests)
    robots = {k for k in shared if k[2] == "/robots.txt"}
    assert all(shared[k] <= 2 for k in robots)  # each worker obeys robots.txt itself
    assert {k: v for k, v in shared.items() if k not in robots} == {k: v for k, v in single.items() if k not in robots}
    assert {k: v for k, v in shared.items() if v > 1 and k not in robots} == {CHALLENGED: single[CHALLENGED]}
    assert len(shared) > 60


def test_runs_per_worker_and_no_deprecation_warnings(world):
    db = sqlite_utils.Database(world.shared)
    runs = list(db.query("select * from crawl_runs order by id"))
    assert len(runs) == 2 * len(SOURCE_SITES)
    assert {r["status"] for r in runs} == {"ok"}
    crawls = {json.loads(r["summary"])["frontier"]["crawl"] for r in runs}
    workers = {json.loads(r["summary"])["frontier"]["worker"] for r in runs}
    assert len(crawls) == 1 and len(workers) == 2
    assert sum(r["new"] for r in runs) == db.execute("select count(*) from captures").fetchone()[0]
    for source_id in SOURCE_SITES:  # reports found crawl-wide, whichever worker found them
        found = [json.loads(r["summary"])["reports_found"] for r in runs if r["source_id"] == source_id]
        assert sum(found) >= len(world.portal.expected_urls(source_id)["reports"])
    for log in world.shared.parent.glob("worker-*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "Deprecat" not in text and " ERROR: " not in text and "Traceback" not in text, log
    for path in sorted((world.shared.parent / "warc").glob("*.warc.gz")):
        result = warcio_check(path)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_next_crawl_is_a_new_generation_and_incremental(world):
    again = run_crawl(world.shared, world.shared.parent / "blobs", all=True, registry=world.registry,
                      frontier=world.url, max_idle=MAX_IDLE)
    assert again.finish_reason == "finished" and again.ok
    assert again.frontier["seeded"] and again.frontier["generation"] == world.results[0][1]["frontier"]["generation"] + 1
    for run in again.runs:
        assert (run.new, run.changed) == (0, 0), run.source_id
        assert run.downloaded("report") == 0 and run.downloaded("attachment") == 0, run.source_id
        assert run.downloaded("listing") >= 1


def _record_many(db: str, blobs: str, worker: int, queue) -> None:
    archive = SharedArchive(db, blobs)
    states = Counter()
    for i in range(150):
        body = f"page {i % 50}".encode()  # every worker records the same 50 URLs, 3 times each
        states[archive.record(url=f"http://h/{i % 50}", body=body, status=200, headers={}, content_type="text/html",
                              source_id=None, run_id=None, parent_url=None, kind="report").state] += 1
    queue.put(dict(states))


def test_concurrent_writers_never_store_a_version_twice(tmp_path):
    SharedArchive(tmp_path / "archive.db", tmp_path / "blobs").db.conn.close()  # schema first
    ctx = multiprocessing.get_context("fork")  # a fresh interpreter would re-import the suite
    queue = ctx.Queue()
    procs = [ctx.Process(target=_record_many, args=(str(tmp_path / "archive.db"), str(tmp_path / "blobs"), n, queue))
             for n in range(3)]
    for p in procs:
        p.start()
    states = Counter()
    for _ in procs:
        states.update(queue.get(timeout=60))
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert states[NEW] == 50 and states[UNCHANGED] == 3 * 150 - 50
    db = sqlite_utils.Database(tmp_path / "archive.db")
    assert db.execute("select count(*), count(distinct url) from captures").fetchone() == (50, 50)


def test_archives_from_other_machines_merge_once(world, tmp_path):
    main = tmp_path / "main" / "archive.db"
    first = merge_archive(world.root / "ref" / "archive.db", world.root / "ref" / "blobs", main, main.parent / "blobs")
    assert capture_set(main) == capture_set(world.root / "ref" / "archive.db")
    assert first.runs == len(SOURCE_SITES) and first.captures == len(capture_set(main))
    second = merge_archive(world.root / "ref" / "archive.db", world.root / "ref" / "blobs", main, main.parent / "blobs")
    assert (second.runs, second.captures) == (0, 0)
    assert capture_set(main) == capture_set(world.root / "ref" / "archive.db")
    db = sqlite_utils.Database(main)
    for row in db.query("select storage_path, sha256 from captures"):
        assert (main.parent / row["storage_path"]).exists()
    origins = [json.loads(r["summary"])["merged_from"] for r in db["crawl_runs"].rows]
    assert len(set(origins)) == len(SOURCE_SITES)
