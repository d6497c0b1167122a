"""The registry-driven spider: for each selected source, its family's navigator says what to
fetch next; this spider only turns those instructions into requests (registry hosts only),
emits a capture for every body and books errors. No extraction happens here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.http import Response
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from crawler.context import CrawlContext
from crawler.errors import error_kind
from crawler.items import CaptureItem
from crawler.navigators import NAVIGATORS
from crawler.navigators.base import ATTACHMENT, DATA, LISTING, REPORT, Fetch, Page, canonical
from crawler.registry import Source, netloc

PRIORITY = {LISTING: 0, DATA: 0, REPORT: 10, ATTACHMENT: 20}


class ReportsSpider(scrapy.Spider):
    name = "reports"
    ctx: CrawlContext

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.ctx = cls.make_context(crawler.settings)
        spider.listing_pages: dict[str, int] = {}
        spider.listings_asked: set[tuple[Any, ...]] = set()
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    @classmethod
    def make_context(cls, settings: Any) -> CrawlContext:
        return CrawlContext.from_settings(settings)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.ctx.sources.values():
            for request in self.seed_requests(source):
                yield request

    def seed_requests(self, source: Source) -> list[scrapy.Request]:
        """A source's first requests (its start URLs, read as listings)."""
        requests = (self.to_request(f, source, parent=None) for f in NAVIGATORS[source.cms].start(source))
        return [r for r in requests if r is not None]

    # crawl-wide counts: this process's own here; a shared frontier keeps them in Redis ---
    def count_listing(self, source_id: str) -> int:
        """Count one more listing page of a source; returns how many came before it."""
        count = self.listing_pages.get(source_id, 0)
        self.listing_pages[source_id] = count + 1
        return count

    def note_report(self, source_id: str, url: str) -> None:
        self.ctx.ledger[source_id].reports.add(url)

    def reports_found(self, source_id: str) -> int:
        return len(self.ctx.ledger[source_id].reports)

    # requests -------------------------------------------------------------------------
    def to_request(self, fetch: Fetch, source: Source, parent: str | None) -> scrapy.Request | None:
        tally = self.ctx.ledger[source.id]
        if netloc(fetch.url) not in source.netlocs:
            tally.skipped["offsite_link"] += 1
            return None
        if fetch.kind == LISTING:
            # a page linked again (page numbers, calendars) is not another page of the budget
            asked = (source.id, canonical(fetch.url), fetch.method, fetch.form)
            if asked in self.listings_asked:
                return None
            self.listings_asked.add(asked)
            if self.count_listing(source.id) >= source.max_pages:
                tally.skipped["max_pages"] += 1
                return None
        meta: dict[str, Any] = {
            "source_id": source.id, "fetch": fetch, "parent_url": parent,
            "download_slot": netloc(fetch.url),  # one politeness slot per host:port
            "revalidate": fetch.kind in (REPORT, ATTACHMENT),
        }
        if fetch.render:
            wait = (PageMethod("wait_for_selector", source.render_wait, timeout=20000) if source.render_wait
                    else PageMethod("wait_for_load_state", "networkidle"))
            meta.update(playwright=True, playwright_page_methods=[wait])
        common = {"callback": self.parse_page, "errback": self.on_error, "meta": meta,
                  "priority": PRIORITY[fetch.kind]}
        if fetch.method == "POST":
            return scrapy.FormRequest(fetch.url, formdata=dict(fetch.form), **common)
        return scrapy.Request(fetch.url, **common)

    # responses ------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        fetch: Fetch = response.meta["fetch"]
        source = self.ctx.sources[response.meta["source_id"]]
        tally = self.ctx.ledger[source.id]
        headers = {k: v for k, v in _headers(response).items()}
        yield CaptureItem(
            url=_capture_url(fetch, response), source_id=source.id, kind=fetch.kind,
            status=response.status, body=response.body,
            content_type=headers.get("Content-Type", ""), headers=headers,
            parent_url=response.meta.get("parent_url"),
            not_modified="not_modified" in response.flags, rendered="playwright" in response.flags,
        )
        if fetch.kind == LISTING:
            tally.listings += 1
        page = Page(url=response.url, body=response.body, content_type=headers.get("Content-Type", ""),
                    encoding_hint=source.encoding, meta={**fetch.meta_dict(), "form": fetch.form})
        try:
            found = NAVIGATORS[source.cms].handle(fetch.handler, page, source)
        except Exception as e:  # noqa: BLE001 - a page we cannot read is an error, not a crash
            self.logger.warning("cannot read %s (%s): %s", response.url, fetch.handler, e)
            self.ctx.ledger.error(source.id, "unreadable_" + fetch.kind, response.url)
            return
        if fetch.kind in (LISTING, DATA) and not found:
            self.logger.error("listing yields nothing: %s", response.url)
            self.ctx.ledger.error(source.id, "empty_listing", response.url)
        for f in found:
            request = self.to_request(f, source, parent=response.url)
            if request is not None:
                if f.kind == REPORT:
                    self.note_report(source.id, f.url)
                yield request

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        sid = request.meta.get("source_id") or self.ctx.source_id_for(request.url)
        kind = error_kind(failure)
        if kind == "robots_disallowed":
            self.ctx.ledger[sid].skipped[kind] += 1
        elif kind != "ignored":
            self.ctx.ledger.error(sid, kind, request.url)

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        finished = reason == "finished"
        if finished:
            for sid in self.ctx.sources:
                if not self.reports_found(sid):
                    self.logger.error("source %s: no reports found", sid)
                    self.ctx.ledger.error(sid, "no_reports")
        self.ctx.ledger.flush(finished=finished)
        self.ctx.close()


def _headers(response: Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, values in response.headers.items():
        out[key.decode("latin-1")] = ", ".join(v.decode("latin-1") for v in values)
    return out


def _capture_url(fetch: Fetch, response: Response) -> str:
    """POST answers are keyed by URL plus form, so each window of records is its own capture."""
    from crawler.navigators.base import canonical

    url = canonical(response.url)
    if fetch.method == "POST" and fetch.form:
        from urllib.parse import urlencode

        url += ("&" if "?" in url else "?") + urlencode(fetch.form)
    return url
