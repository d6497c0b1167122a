"""One crawl shared by any number of worker processes through Redis (scrapy-redis 0.9.1).

``python -m crawler --frontier redis://host:6379/0 --all`` runs a *worker*: the registry
spider with scrapy-redis's request queue and duplicate filter, so every request of the crawl is
made by exactly one worker, on whichever machine it runs.

Keys live under ``zfxxgk:<key>`` (``key`` = the registry file's bytes + the selected sources,
so workers started from the same checkout with the same selection share a crawl):
``:requests`` (scrapy-redis priority queue), ``:dupefilter`` (request fingerprints),
``:start_urls`` (one seed per source, read by scrapy-redis's start path), ``:state``
(generation, status), ``:workers`` (heartbeat and idle time of each live worker) and per
source ``:listings:<id>`` / ``:reports:<id>`` (crawl-wide page budget and reports found).

Lifecycle. A worker *joins* atomically (one Lua script): if no crawl is running, or none of
its workers is alive any more (a crash), it starts a new generation — queue, fingerprints and
counts cleared — and pushes the seeds; otherwise it joins the running crawl and pushes
nothing. So seeds are pushed once, by the first worker (or by ``--seed``, which always starts
a new crawl). A worker leaves when the whole crawl is drained: request queue and seed list
empty and every live worker idle for ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds. The last one
out marks the crawl ``done``, so the next run (e.g. tomorrow's scheduled update) starts
afresh: listings are fetched again and documents revalidated with conditional GET.

Storage. Every worker writes the same archive directly: SQLite in WAL mode with a busy
timeout, one short ``BEGIN IMMEDIATE`` transaction per capture (the "same bytes → no new row"
check and the insert are one step, so two workers can never add the same version twice),
blobs written to a temporary file and renamed (content-addressed, so concurrent writers of
the same bytes agree). Each worker has its own ``crawl_runs`` row per source (its share of the
work; the summary names the crawl and the worker) and so its own WARC files. SQLite must be on
a disk local to the machine: workers on other machines write their own archive directory, which
:func:`merge_archive` adds to the main one (blobs copied, capture versions and runs appended).

What is changed in scrapy-redis 0.9.1, by subclassing: its spider's ``start_requests()`` is
never called by Scrapy 2.19 (which calls ``async def start()`` only), so ``FrontierSpider``
reads its seeds in ``start()`` and on the idle signal; its scheduler calls ``Spider.log()`` and
passes ``spider=`` to the stats collector (both deprecated in 2.19), so ``FrontierScheduler``
does neither; requests a downloader middleware re-issues for this very worker (retries, the
521 challenge pass that needs this process's browser cookies) stay in a local queue instead
of going to another worker; and a worker takes a request only for a host it has a free
connection for, instead of hoarding the queue. The 521 clearance cookies are shared through
Redis, so the challenge is passed once per crawl, not once per worker.

Each worker obeys robots.txt, AutoThrottle and the per-host limit on its own: N workers may
send up to N times ``CONCURRENT_REQUESTS_PER_DOMAIN`` requests at once to one host.

Queued requests are pickled (scrapy-redis's format): the Redis server must be trusted and
reachable by the workers only."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis.connection import get_redis
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from scrapy_redis.spiders import RedisMixin
from twisted.internet.task import LoopingCall

from crawler.context import CrawlContext
from crawler.ledger import Ledger
from crawler.middlewares import ChallengeMiddleware
from crawler.registry import Registry, load_registry, netloc
from crawler.spiders.reports import ReportsSpider
from crawler.store import CHANGED, NEW, UNCHANGED, Archive, Recorded, utcnow

FRONTIER_SETTING = "ZFXXGK_FRONTIER"
HEARTBEAT_SECONDS = 1.0
STALE_SECONDS = 30.0  # a worker not heard of for this long is gone (killed, machine lost)
OPEN_ATTEMPTS = 40
TAKEN = "frontier_taken"  # meta flag: taken from the shared queue by this worker already

# Times come from the Redis server (TIME), so the clocks of the workers' machines never matter.
# A worker's entry in :workers is "<last heartbeat> <idle since, 0 when busy>".
_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1e6\n"
_LIVE = """
local function live_entries(key, stale, now)
  local out = {}
  local entries = redis.call('HGETALL', key)
  for i = 1, #entries, 2 do
    local seen, idle = string.match(entries[i + 1], '^(%S+) (%S+)$')
    if seen and now - tonumber(seen) <= stale then out[entries[i]] = tonumber(idle)
    else redis.call('HDEL', key, entries[i]) end
  end
  return out
end
"""

# Join: drop dead workers; start a new generation (and push the seeds) unless a crawl is
# running with live workers; register this worker. Returns {generation, started_new}.
_JOIN = _NOW + _LIVE + """
local live = 0
for _ in pairs(live_entries(KEYS[2], tonumber(ARGV[2]), now)) do live = live + 1 end
local fresh = 0
if ARGV[3] == '1' or redis.call('HGET', KEYS[1], 'status') ~= 'running' or live == 0 then
  for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
  redis.call('HINCRBY', KEYS[1], 'generation', 1)
  redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', string.format('%.3f', now), 'seeded_by', ARGV[1])
  redis.call('HDEL', KEYS[1], 'finished_at')
  for i = 4, #ARGV do redis.call('RPUSH', KEYS[5], ARGV[i]) end
  fresh = 1
end
redis.call('HSET', KEYS[2], ARGV[1], string.format('%.3f 0', now))
return {tonumber(redis.call('HGET', KEYS[1], 'generation')), fresh}
"""

# Heartbeat: ARGV[2] is 1 while the worker has nothing to do.
_BEAT = _NOW + """
local idle_since = 0
if ARGV[2] == '1' then
  local old = redis.call('HGET', KEYS[1], ARGV[1])
  if old then idle_since = tonumber(string.match(old, ' (%S+)$')) or 0 end
  if idle_since == 0 then idle_since = now end
end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%.3f %.3f', now, idle_since))
"""

# Drained: nothing queued and every live worker idle for ARGV[1] seconds.
_DRAINED = _NOW + _LIVE + """
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('LLEN', KEYS[3]) > 0 then return 0 end
for _, idle in pairs(live_entries(KEYS[1], tonumber(ARGV[2]), now)) do
  if idle == 0 or now - idle < tonumber(ARGV[1]) then return 0 end
end
return 1
"""

# Leave: unregister; after a clean finish, the last live worker marks a drained crawl done.
_LEAVE = _NOW + _LIVE + """
redis.call('HDEL', KEYS[2], ARGV[1])
if ARGV[2] ~= '1' then return 0 end
for _ in pairs(live_entries(KEYS[2], tonumber(ARGV[3]), now)) do return 0 end
if redis.call('ZCARD', KEYS[3]) > 0 or redis.call('LLEN', KEYS[4]) > 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'done', 'finished_at', string.format('%.3f', now))
return 1
"""


def frontier_prefix(registry: Registry, source_ids: list[str]) -> str:
    """Redis key prefix of a crawl: the same registry bytes and selection on every machine."""
    digest = hashlib.sha1()
    digest.update(Path(registry.path).read_bytes() if registry.path else b"")
    digest.update(("|" + ",".join(sorted(source_ids))).encode())
    return f"zfxxgk:{digest.hexdigest()[:12]}"


def redact(url: str) -> str:
    """The Redis URL without its password, for messages."""
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Keys:
    prefix: str

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def start_urls(self) -> str:
        return f"{self.prefix}:start_urls"

    @property
    def state(self) -> str:
        return f"{self.prefix}:state"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def clearance(self) -> str:
        return f"{self.prefix}:clearance"

    def listings(self, source_id: str) -> str:
        return f"{self.prefix}:listings:{source_id}"

    def reports(self, source_id: str) -> str:
        return f"{self.prefix}:reports:{source_id}"


class Frontier:
    """The crawl-wide state one worker reads and writes (plain Redis commands and two Lua
    scripts, so joining and leaving are atomic)."""

    def __init__(self, url: str, prefix: str, source_ids: list[str], worker: str):
        self.url = url
        self.keys = Keys(prefix)
        self.source_ids = list(source_ids)
        self.worker = worker
        self.server: redis.Redis = get_redis(url=url, socket_timeout=30, socket_connect_timeout=10,
                                             retry_on_timeout=True)

    @classmethod
    def from_settings(cls, settings: Any) -> Frontier:
        info = json.loads(settings[FRONTIER_SETTING])
        return cls(info["url"], info["prefix"], info["sources"], info["worker"])

    def join(self, *, force_new: bool = False) -> tuple[int, bool]:
        """Join the running crawl or start a new one; returns ``(generation, started_new)``."""
        k = self.keys
        clear = [k.requests, k.dupefilter, k.start_urls, k.clearance]
        clear += [k.listings(s) for s in self.source_ids] + [k.reports(s) for s in self.source_ids]
        seeds = [json.dumps({"source": sid}) for sid in self.source_ids]
        generation, fresh = self.server.eval(_JOIN, 2 + len(clear), k.state, k.workers, *clear,
                                             self.worker, STALE_SECONDS, "1" if force_new else "0", *seeds)
        return int(generation), bool(fresh)

    def beat(self, idle: bool) -> None:
        """Say this worker is alive, and whether it has nothing to do."""
        self.server.eval(_BEAT, 1, self.keys.workers, self.worker, "1" if idle else "0")

    def pending(self) -> int:
        """Requests and seeds waiting in the shared queue."""
        return int(self.server.zcard(self.keys.requests)) + int(self.server.llen(self.keys.start_urls))

    def drained(self, max_idle: float) -> bool:
        """Nothing queued, and every live worker idle for ``max_idle`` seconds."""
        k = self.keys
        return bool(self.server.eval(_DRAINED, 3, k.workers, k.requests, k.start_urls, max_idle, STALE_SECONDS))

    def leave(self, *, finished: bool) -> bool:
        """Unregister; returns True when this worker closed the crawl (the last one out)."""
        k = self.keys
        return bool(self.server.eval(_LEAVE, 4, k.state, k.workers, k.requests, k.start_urls,
                                     self.worker, "1" if finished else "0", STALE_SECONDS))

    def count_listing(self, source_id: str) -> int:
        return int(self.server.incr(self.keys.listings(source_id))) - 1

    def note_report(self, source_id: str, url: str) -> None:
        self.server.sadd(self.keys.reports(source_id), url)

    def reports_found(self, source_id: str) -> int:
        return int(self.server.scard(self.keys.reports(source_id)))

    def clearance(self, host: str) -> list[dict[str, Any]] | None:
        value = self.server.hget(self.keys.clearance, host)
        return json.loads(value) if value else None

    def share_clearance(self, host: str, cookies: list[dict[str, Any]]) -> None:
        self.server.hset(self.keys.clearance, host, json.dumps(cookies))

    def state(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.server.hgetall(self.keys.state).items()}


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (this machine's workers open the archive in turn)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# Scrapy components ------------------------------------------------------------------------
class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler for a shared crawl under Scrapy 2.19.

    New requests pass the shared duplicate filter and go to the shared priority queue; a
    worker takes one only for a host with fewer than ``FRONTIER_PREFETCH`` requests waiting in
    this worker, so the queue is shared rather than hoarded;
    requests that skip the filter (``dont_filter``: retries, the 521 challenge pass and its
    cookie retry) or were already taken from the shared queue stay in this process. The
    queue and the fingerprints outlive the worker (they belong to the crawl; ``Frontier.join``
    clears them when a new crawl starts)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.prefetch = crawler.settings.getint("FRONTIER_PREFETCH", 2)
        scheduler.window = crawler.settings.getint("FRONTIER_WINDOW", 16)
        return scheduler

    def open(self, spider: scrapy.Spider) -> None:
        self.spider = spider
        self.local: deque[scrapy.Request] = deque()
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if len(self.queue):
            spider.logger.info("joining a crawl with %d requests queued", len(self.queue))

    def close(self, reason: str) -> None:
        return None  # the shared queue belongs to the crawl, not to this worker

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)

    def _count(self, name: str) -> None:
        if self.stats:
            self.stats.inc_value(name)

    def enqueue_request(self, request: scrapy.Request) -> bool:
        if request.dont_filter or request.meta.get(TAKEN):
            self.local.append(request)
            self._count("scheduler/enqueued/local")
            return True
        if self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        self._count("scheduler/enqueued/redis")
        return True

    def next_request(self) -> scrapy.Request | None:
        if self.local:
            self._count("scheduler/dequeued/local")
            return self.local.popleft()
        request = self._take()
        if request is not None:
            self._count("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self.queue) > 0

    def _take(self) -> scrapy.Request | None:
        """The first of the next ``FRONTIER_WINDOW`` queued requests (priority order) whose host
        has fewer than ``FRONTIER_PREFETCH`` requests waiting in this worker; ``ZREM`` decides
        which worker gets it. Scrapy asks for requests while fewer than CONCURRENT_REQUESTS
        are active, so without this one worker would hoard a queue that each host serves only
        two at a time, and a run of requests to one host would starve the others."""
        key = self.queue.key
        waiting = self._waiting()
        for data in self.server.zrange(key, 0, self.window - 1):
            obj = self.queue.serializer.loads(data)
            slot = (obj.get("meta") or {}).get("download_slot") or netloc(obj["url"])
            if waiting.get(slot, 0) >= self.prefetch:
                continue
            if self.server.zrem(key, data):  # 0: another worker took it first
                return request_from_dict(obj, spider=self.spider)
        return None

    def _waiting(self) -> dict[str, int]:
        """Requests per download slot (host) queued in this worker's downloader."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        slots = getattr(downloader, "slots", None) or {}
        return {key: len(getattr(slot, "queue", ())) for key, slot in slots.items()}


class SharedClearanceMiddleware(ChallengeMiddleware):
    """The 521 cookie challenge passed once per crawl rather than once per worker: the
    clearance cookies one worker's browser obtained are shared through Redis, and the other
    workers send them from their first request to that host (a cookie bound to the address
    of the machine that got it fails there, and that worker passes the challenge itself)."""

    def process_request(self, request: scrapy.Request) -> None:
        host = netloc(request.url)
        if host in self.cookies or request.meta.get("challenge_for") is not None:
            return None
        shared = self.crawler.spider.frontier.clearance(host)  # type: ignore[union-attr]
        if shared:
            self.cookies[host] = shared
            request.cookies = {**{c["name"]: c["value"] for c in shared}, **(request.cookies or {})}
        return None

    async def process_response(self, request: scrapy.Request,
                               response: scrapy.http.Response) -> scrapy.Request | scrapy.http.Response:
        result = await super().process_response(request, response)
        host = netloc(request.url)
        if request.meta.get("challenge_for") is not None and host in self.cookies:
            self.crawler.spider.frontier.share_clearance(host, self.cookies[host])  # type: ignore[union-attr]
        return result


class FrontierLedger(Ledger):
    """The run ledger, with the crawl and worker named in every run's summary."""

    def __init__(self, archive: Archive, runs: dict[str, int], extra: dict[str, Any]):
        super().__init__(archive, runs)
        self.extra = extra

    def _summary(self, sid: str, tally: Any) -> dict[str, Any]:
        return {**super()._summary(sid, tally), "frontier": self.extra}


class SharedArchive(Archive):
    """The archive written by several processes at once: the check for an unchanged body and
    the insert of a new version happen in one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, db_path: str | Path, blobs_dir: str | Path):
        # Opening creates missing tables and refreshes the label tables: this machine's
        # processes open the archive in turn. The refresh reads, then writes, in one deferred
        # transaction, which SQLite refuses at once ("database is locked", no busy wait) when
        # another worker committed in between: then it is simply tried again.
        with exclusive(Path(f"{db_path}.init.lock")):
            for attempt in range(OPEN_ATTEMPTS):
                try:
                    super().__init__(db_path, blobs_dir)
                    return
                except sqlite3.OperationalError as e:
                    if "locked" not in str(e) or attempt == OPEN_ATTEMPTS - 1:
                        raise
                    time.sleep(0.05 * (attempt + 1))

    _COLUMNS = ("url", "source_id", "crawl_run_id", "fetched_at", "status", "headers", "sha256", "size",
                "content_type", "storage_path", "parent_url", "kind")

    def record(self, *, url: str, body: bytes, status: int, headers: dict[str, str],
               content_type: str, source_id: str | None, run_id: int | None,
               parent_url: str | None, kind: str, fetched_at: str | None = None) -> Recorded:
        sha, _ = self.blobs.put(body)  # atomic rename; the same bytes make the same file
        return self.add_version({
            "url": url, "source_id": source_id, "crawl_run_id": run_id, "fetched_at": fetched_at or utcnow(),
            "status": status, "headers": json.dumps(headers, ensure_ascii=False, sort_keys=True),
            "sha256": sha, "size": len(body), "content_type": content_type,
            "storage_path": self.blobs.relpath(sha), "parent_url": parent_url, "kind": kind,
        })

    def add_version(self, row: dict[str, Any]) -> Recorded:
        """Insert a capture row (its blob in place) unless the URL's latest has the same bytes."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            previous = conn.execute("select id, sha256 from captures where url = ? order by id desc limit 1",
                                    [row["url"]]).fetchone()
            if previous is not None and previous[1] == row["sha256"]:
                conn.commit()
                return Recorded(previous[0], UNCHANGED, row["sha256"])
            cursor = conn.execute(
                f"insert into captures ({', '.join(self._COLUMNS)}) values ({', '.join('?' * len(self._COLUMNS))})",
                [row[c] for c in self._COLUMNS])
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        return Recorded(int(cursor.lastrowid), NEW if previous is None else CHANGED, row["sha256"])


class FrontierSpider(RedisMixin, ReportsSpider):
    """The registry spider fed by the shared frontier.

    Seeds are ``{"source": id}`` entries in the crawl's start list (pushed once, by
    ``Frontier.join``); whichever worker pops one makes that source's start requests, which
    then go through the shared queue like every other request. ``async def start()`` reads the
    seeds waiting at start-up (Scrapy 2.19 never calls scrapy-redis's ``start_requests()``);
    the idle signal reads the rest (scrapy-redis's idle path) and decides when to stop."""

    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> FrontierSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.frontier = Frontier.from_settings(crawler.settings)
        spider.setup_redis(crawler)  # start list key, MAX_IDLE_TIME_BEFORE_CLOSE, idle signal
        spider.closing = False
        spider.heartbeat = None  # made once the reactor is installed (spider_opened)
        spider.taker = PriorityQueue(spider.frontier.server, spider, spider.frontier.keys.requests)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        return spider

    @classmethod
    def make_context(cls, settings: Any) -> CrawlContext:
        registry = load_registry(settings["ZFXXGK_REGISTRY"])
        runs = {k: int(v) for k, v in json.loads(settings["ZFXXGK_RUNS"]).items()}
        archive = SharedArchive(settings["ZFXXGK_DB"], settings["ZFXXGK_BLOBS"])
        info = json.loads(settings[FRONTIER_SETTING])
        extra = {"crawl": f"{info['prefix']}#{info['generation']}", "worker": info["worker"],
                 "seeded": info["seeded"]}
        return CrawlContext(registry=registry, sources={sid: registry.sources[sid] for sid in runs},
                            archive=archive, ledger=FrontierLedger(archive, runs, extra), runs=runs,
                            warc_dir=Path(settings["ZFXXGK_WARC_DIR"]),
                            software=settings.get("USER_AGENT", "zfxxgk"))

    # start path ---------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.next_requests():
            yield request

    def make_request_from_data(self, data: bytes) -> list[scrapy.Request]:
        try:
            source = self.ctx.sources[json.loads(data)["source"]]
        except (ValueError, KeyError, TypeError):
            self.logger.warning("ignoring a seed this crawl does not know: %r", data[:200])
            return []
        return self.seed_requests(source)

    # crawl-wide counts --------------------------------------------------------------------
    def count_listing(self, source_id: str) -> int:
        return self.frontier.count_listing(source_id)

    def note_report(self, source_id: str, url: str) -> None:
        super().note_report(source_id, url)
        self.frontier.note_report(source_id, url)

    def reports_found(self, source_id: str) -> int:
        return self.frontier.reports_found(source_id)

    # liveness and the end of the crawl ----------------------------------------------------
    def on_opened(self, spider: scrapy.Spider) -> None:
        self.heartbeat = LoopingCall(self.tick)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=True)

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        super().on_closed(spider, reason)

    def _engine_idle(self) -> bool:
        try:
            return bool(self.crawler.engine.spider_is_idle())
        except (RuntimeError, AttributeError):  # engine not open yet, or closing
            return False

    def tick(self) -> None:
        """Every second: heartbeat; leave as soon as the whole crawl is drained; and when
        nothing is downloading while the shared queue has work (another worker just queued
        it), take one request so the engine wakes now rather than at its next five-second
        heartbeat (it then keeps pulling by itself)."""
        idle = self._engine_idle()
        self.frontier.beat(idle)
        engine = self.crawler.engine
        if engine is None or self.closing:
            return
        if idle and self.max_idle_time and self.frontier.drained(self.max_idle_time):
            self.closing = True
            self.logger.info("the shared crawl is drained: leaving")
            asyncio.ensure_future(engine.close_spider_async(reason="finished"))
            return
        if engine.downloader.active or not self.frontier.server.zcard(self.frontier.keys.requests):
            return
        request = self.taker.pop()
        if request is not None:
            request.meta[TAKEN] = True
            engine.crawl(request)

    def spider_idle(self) -> None:
        """scrapy-redis's idle path: read waiting seeds; close only once the whole crawl is
        drained (``MAX_IDLE_TIME_BEFORE_CLOSE``; 0 = never close)."""
        self.schedule_next_requests()
        self.frontier.beat(self._engine_idle())
        if self.max_idle_time and self.frontier.drained(self.max_idle_time):
            return
        raise DontCloseSpider


# Worker process ---------------------------------------------------------------------------
def frontier_settings(url: str, prefix: str, info: dict[str, Any], max_idle: int | None) -> dict[str, Any]:
    """Scrapy settings that put a crawl on the shared frontier."""
    from crawler import settings as defaults

    keys = Keys(prefix)
    middlewares = dict(defaults.DOWNLOADER_MIDDLEWARES)
    middlewares[SharedClearanceMiddleware.__module__ + ".SharedClearanceMiddleware"] = middlewares.pop(
        "crawler.middlewares.ChallengeMiddleware")
    out: dict[str, Any] = {
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "SCHEDULER": "crawler.frontier.FrontierScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": url,
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "REDIS_START_URLS_KEY": keys.start_urls,
        FRONTIER_SETTING: json.dumps(info),
    }
    if max_idle is not None:
        out["MAX_IDLE_TIME_BEFORE_CLOSE"] = max_idle
    return out


def crawl_worker(db: Path, blobs: Path, registry_path: Path, source_ids: list[str] | None, *,
                 url: str, seed: bool = False, max_idle: int | None = None, log_level: str = "INFO",
                 overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one worker of the shared crawl in this process (see the module docstring)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import build_settings

    registry = load_registry(registry_path)
    ids = [s.id for s in registry.select(source_ids)]
    prefix = frontier_prefix(registry, ids)
    frontier = Frontier(url, prefix, ids, worker_name())
    try:
        frontier.server.ping()
    except redis.RedisError as e:
        raise SystemExit(f"无法连接共享队列 / cannot reach the shared frontier at {redact(url)}: {e}") from None
    archive = SharedArchive(db, blobs)
    archive.upsert_sources([registry.sources[sid].row() for sid in ids])
    generation, seeded = frontier.join(force_new=seed)
    runs = {sid: archive.start_run(sid) for sid in ids}
    archive.db.conn.close()
    info = {"url": url, "prefix": prefix, "sources": ids, "worker": frontier.worker,
            "generation": generation, "seeded": seeded}
    settings = build_settings(registry, db=db, blobs=blobs, runs=runs, jobdir=None,
                              warc_dir=db.resolve().parent / "warc", log_level=log_level,
                              overrides={**frontier_settings(url, prefix, info, max_idle), **(overrides or {})})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FrontierSpider)
    reason = None
    try:
        process.crawl(crawler)
        process.start()
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    finally:
        closed = frontier.leave(finished=reason == "finished")
        if reason != "finished":  # a worker's runs are never resumed: the crawl goes on without it
            _close_unfinished_runs(db, blobs, runs, reason)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    keep = ("elapsed_time_seconds", "response_received_count", "downloader/request_count",
            "memusage/max", "memusage/startup", "item_scraped_count", "scheduler/dequeued/redis",
            "scheduler/dequeued/local")
    return {"runs": runs, "resumed": False, "finish_reason": reason,
            "stats": {k: stats[k] for k in keep if k in stats},
            "frontier": {"prefix": prefix, "generation": generation, "worker": frontier.worker,
                         "seeded": seeded, "closed_crawl": closed}}


def _close_unfinished_runs(db: Path, blobs: Path, runs: dict[str, int], reason: str | None) -> None:
    """A worker stopped early (Ctrl-C, or an error inside Scrapy) leaves its runs failed, not
    "running" for ever."""
    archive = SharedArchive(db, blobs)
    try:
        for run_id in runs.values():
            row = archive.run(run_id)
            if row["status"] == "running":
                summary = {**json.loads(row["summary"] or "{}"),
                           "error": f"工作进程提前结束 / the worker stopped early ({reason})"}
                archive.update_run(run_id, status="failed", finished_at=utcnow(), summary=summary)
    finally:
        archive.db.conn.close()


# Archives written on other machines --------------------------------------------------------
@dataclass
class MergeStats:
    runs: int = 0
    captures: int = 0
    unchanged: int = 0
    blobs: int = 0


def merge_archive(src_db: Path, src_blobs: Path, db: Path, blobs: Path) -> MergeStats:
    """Add the captures of an archive written elsewhere (a worker machine's own directory)
    to this one: blobs copied by hash, sources upserted, crawl runs appended with new ids, and
    each capture added as a version unless the URL's latest capture here has the same bytes.
    Running it twice adds nothing the second time."""
    stats = MergeStats()
    src = sqlite3.connect(f"file:{src_db}?mode=ro", uri=True)
    src.row_factory = sqlite3.Row
    archive = SharedArchive(db, blobs)
    try:
        archive.upsert_sources([dict(r) for r in src.execute("select * from sources")])
        run_ids: dict[int, int] = {}
        merged = {json.loads(r["summary"] or "{}").get("merged_from") for r in archive.db["crawl_runs"].rows}
        for row in src.execute("select * from crawl_runs order by id"):
            summary = json.loads(row["summary"] or "{}")
            # a worker's name (host:pid:random) is unique; else the file the run came from
            where = (summary.get("frontier") or {}).get("worker") or str(Path(src_db).resolve())
            origin = f"{where}#{row['id']}"
            if origin in merged:
                continue
            summary["merged_from"] = origin
            values = dict(row)
            del values["id"]
            values["summary"] = json.dumps(summary, ensure_ascii=False, sort_keys=True)
            with archive.db.conn:
                run_ids[row["id"]] = int(archive.db["crawl_runs"].insert(values).last_pk)
            stats.runs += 1
        for row in src.execute("select * from captures order by fetched_at, id"):
            sha = row["sha256"]
            target = archive.blobs.path(sha)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".tmp-{sha}")
                shutil.copyfile(Path(src_blobs) / sha[:2] / sha[2:4] / sha, tmp)
                os.replace(tmp, target)
                stats.blobs += 1
            if row["crawl_run_id"] is not None and row["crawl_run_id"] not in run_ids:
                stats.unchanged += 1  # its run was merged before
                continue
            values = {c: row[c] for c in SharedArchive._COLUMNS}
            values.update(crawl_run_id=run_ids.get(row["crawl_run_id"]), storage_path=archive.blobs.relpath(sha))
            recorded = archive.add_version(values)
            if recorded.state == UNCHANGED:
                stats.unchanged += 1
            else:
                stats.captures += 1
    finally:
        src.close()
        archive.db.conn.close()
    return stats


def main(argv: list[str] | None = None) -> int:
    """``python -m crawler.frontier merge --from OTHER/archive.db --db archive.db``."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m crawler.frontier",
                                 description="合并其他机器的抓取结果 / merge another machine's captures")
    sub = ap.add_subparsers(dest="command", required=True)
    merge = sub.add_parser("merge", help="合并抓取档案 / merge an archive written on another machine")
    merge.add_argument("--from", dest="src", type=Path, required=True, help="其他机器的 archive.db")
    merge.add_argument("--from-blobs", type=Path, default=None, help="its blobs/ (default: beside it)")
    merge.add_argument("--db", type=Path, required=True, help="本机档案 / this archive")
    merge.add_argument("--blobs", type=Path, default=None, help="this archive's blobs/ (default: beside it)")
    args = ap.parse_args(argv)
    stats = merge_archive(args.src, args.from_blobs or args.src.resolve().parent / "blobs",
                          args.db, args.blobs or args.db.resolve().parent / "blobs")
    print(f"合并 merged: 运行 runs {stats.runs} · 新抓取 captures {stats.captures} · "
          f"未变 unchanged {stats.unchanged} · 文件 blobs {stats.blobs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
