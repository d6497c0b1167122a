"""Downloader middlewares, in the order a response meets them (network side first):

* ``WarcMiddleware`` (950): writes every exchange to the run's WARC, counts requests.
* ``ConditionalGetMiddleware`` (570): report pages and attachments are asked for with
  ``If-None-Match``/``If-Modified-Since`` from their last capture; a 304 is answered with the
  archived body (flag ``not_modified``) so navigators still see the page.
* ``ChallengeMiddleware`` (560): an HTTP 521 ``__jsl_clearance`` challenge is passed once per
  host in Chromium; its cookies then go with plain HTTP requests, so captures stay raw.
* ``BackoffRetryMiddleware`` (550): Scrapy's retries, with exponential backoff.
* ``HostAllowlistMiddleware`` (60): only registry hosts are ever requested (redirects too).
"""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.request import request_from_dict
from scrapy_playwright.page import PageMethod

from crawler.context import CrawlContext
from crawler.navigators.base import canonical
from crawler.registry import netloc

logger = logging.getLogger(__name__)

CHALLENGE_STATUS = 521
CLEARANCE_COOKIE = "__jsl_clearance"
MAX_CHALLENGE_TRIES = 2


def _ctx(crawler: Crawler) -> CrawlContext:
    return crawler.spider.ctx  # type: ignore[union-attr]


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` as ``(name, value)`` text pairs (latin-1, as on the wire)."""
    out = []
    for key, values in headers.items():
        for value in values:
            out.append((key.decode("latin-1"), value.decode("latin-1")))
    return out


class _Base:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)


class HostAllowlistMiddleware(_Base):
    def process_request(self, request: Request) -> None:
        ctx = _ctx(self.crawler)
        host = netloc(request.url)
        source = ctx.sources.get(request.meta.get("source_id", ""))
        allowed = source.netlocs if source else {h for s in ctx.sources.values() for h in s.netlocs}
        if host not in allowed:
            sid = ctx.source_id_for(request.url, request.meta)
            ctx.ledger[sid].skipped["offsite_request"] += 1
            raise IgnoreRequest(f"host {host} is not in the source registry")


def retry_after(response: Response) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), if any."""
    value = (response.headers.get("Retry-After") or b"").decode("latin-1").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        from datetime import UTC, datetime
        from email.utils import parsedate_to_datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries wait ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped) before going back, or
    as long as the server's ``Retry-After`` asks when that is longer (same cap)."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def _wait(self, result: Any, asked: float | None = None) -> Any:
        if isinstance(result, Request):
            n = int(result.meta.get("retry_times", 1))
            delay = self.backoff_base * 2 ** (n - 1)
            if asked is not None:
                delay = max(delay, asked)
            await asyncio.sleep(min(delay, self.backoff_max))
        return result

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        return await self._wait(super().process_response(request, response), retry_after(response))

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        return await self._wait(super().process_exception(request, exception))


class ChallengeMiddleware(_Base):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.cookies: dict[str, list[dict[str, Any]]] = {}
        self.solving: dict[str, asyncio.Event] = {}

    @staticmethod
    def is_challenge(response: Response) -> bool:
        return response.status == CHALLENGE_STATUS and (
            b"__jsl" in response.body or b"document.cookie" in response.body
            or b"__jsl" in b"".join(response.headers.getlist("Set-Cookie"))
        )

    def _with_cookies(self, request: Request, host: str) -> Request:
        jar = {c["name"]: c["value"] for c in self.cookies[host]}
        tries = request.meta.get("challenge_tries", 0) + 1
        return request.replace(cookies=jar, dont_filter=True, meta={**request.meta, "challenge_tries": tries})

    def _solver(self, request: Request) -> Request:
        original = request.to_dict(spider=self.crawler.spider)
        target = request.url if request.method == "GET" else canonical(request.url.split("?")[0]).rsplit("/", 1)[0] + "/"
        return Request(
            target, dont_filter=True, priority=request.priority + 100,
            callback=request.callback, errback=request.errback,
            meta={
                "source_id": request.meta.get("source_id"), "download_slot": request.meta.get("download_slot"),
                "playwright": True, "playwright_include_page": True, "challenge_for": original,
                "playwright_page_methods": [PageMethod(
                    "wait_for_function", f"document.cookie.indexOf('{CLEARANCE_COOKIE}') >= 0", timeout=20000)],
            },
        )

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        ctx = _ctx(self.crawler)
        host = netloc(request.url)
        original = request.meta.get("challenge_for")
        if original is not None:  # the browser visit that was to pass the challenge
            page = request.meta.get("playwright_page")
            cookies = []
            if page is not None:
                try:
                    cookies = await page.context.cookies()
                finally:
                    await page.close()
            cookies = [c for c in cookies if c.get("domain", "").lstrip(".") in host]
            event = self.solving.pop(host, None)
            if any(c["name"] == CLEARANCE_COOKIE for c in cookies):
                self.cookies[host] = cookies
                if event:
                    event.set()
                return self._with_cookies(request_from_dict(original, spider=self.crawler.spider), host)
            if event:
                event.set()
            ctx.ledger.error(ctx.source_id_for(request.url, request.meta), "challenge_failed", request.url)
            raise IgnoreRequest(f"challenge not passed at {host}")
        if not self.is_challenge(response):
            return response
        if request.meta.get("challenge_tries", 0) >= MAX_CHALLENGE_TRIES:
            ctx.ledger.error(ctx.source_id_for(request.url, request.meta), "challenge_failed", request.url)
            return response
        if host in self.solving:  # another request is passing it: wait, then retry with cookies
            await self.solving[host].wait()
        if host in self.cookies and request.meta.get("challenge_tries", 0) < MAX_CHALLENGE_TRIES - 1:
            return self._with_cookies(request, host)
        self.solving[host] = asyncio.Event()
        ctx.ledger[ctx.source_id_for(request.url, request.meta)].skipped["challenge_521"] += 1
        return self._solver(request)


class ConditionalGetMiddleware(_Base):
    def process_request(self, request: Request) -> None:
        if not request.meta.get("revalidate") or request.meta.get("playwright"):
            return None
        prior = _ctx(self.crawler).archive.latest(canonical(request.url))
        if prior is None:
            return None
        headers = {k.lower(): v for k, v in json.loads(prior["headers"] or "{}").items()}
        if headers.get("etag"):
            request.headers["If-None-Match"] = headers["etag"]
        if headers.get("last-modified"):
            request.headers["If-Modified-Since"] = headers["last-modified"]
        request.meta["prior_capture"] = prior["id"]
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        prior_id = request.meta.get("prior_capture")
        if response.status != 304 or prior_id is None:
            return response
        archive = _ctx(self.crawler).archive
        prior = archive.db["captures"].get(prior_id)
        body = archive.read(prior)
        headers = {k: v for k, v in json.loads(prior["headers"] or "{}").items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")}
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(url=request.url, status=200, headers=headers, body=body, request=request,
                   flags=["not_modified"])


class WarcMiddleware(_Base):
    def process_response(self, request: Request, response: Response) -> Response:
        ctx = _ctx(self.crawler)
        sid = ctx.source_id_for(request.url, request.meta)
        ctx.ledger[sid].requests += 1
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Web Server Is Down" if response.status == CHALLENGE_STATUS else ""
        req_headers = [("Host", netloc(request.url))] + header_pairs(request.headers)
        ctx.warc(sid).write_exchange(
            url=request.url, method=request.method, request_headers=req_headers,
            request_body=request.body or b"", status=response.status, reason=reason,
            response_headers=header_pairs(response.headers), body=response.body,
            rendered="playwright" in response.flags,
        )
        ctx.ledger.maybe_flush()
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        ctx = _ctx(self.crawler)
        ctx.ledger[ctx.source_id_for(request.url, request.meta)].requests += 1
        return None
