"""Persist every captured body (content-addressed) and count it in the run ledger."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.items import CaptureItem
from crawler.store import UNCHANGED


class CapturePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CapturePipeline:
        return cls(crawler)

    def process_item(self, item: CaptureItem) -> CaptureItem:
        ctx = self.crawler.spider.ctx  # type: ignore[union-attr]
        recorded = ctx.archive.record(
            url=item.url, body=item.body, status=item.status, headers=item.headers,
            content_type=item.content_type, source_id=item.source_id,
            run_id=ctx.runs[item.source_id], parent_url=item.parent_url, kind=item.kind,
        )
        tally = ctx.ledger[item.source_id]
        if item.not_modified:
            tally.not_modified += 1
        else:
            tally.downloaded[item.kind] += 1
            tally.bytes += len(item.body)
        if recorded.state == UNCHANGED:
            tally.unchanged += 1
        return item
