"""The part every CMS family shares: start requests, report pages (attachments) and
documents. A family module subclasses ``Navigator`` and implements ``on_listing`` and any
extra steps of its own (``on_proxy``, ``on_api``)."""

from __future__ import annotations

import re
from typing import Any, Protocol

from crawler.navigators.attachments import attachment_fetches
from crawler.navigators.base import LISTING, Fetch, Page, report_entries


class SourceLike(Protocol):
    """The registry fields navigators read (see ``crawler.registry.Source``)."""

    start_urls: tuple[str, ...]
    render: str
    filter: str


class Navigator:
    family = ""
    #: URL shape of this family's report pages; used when a source says ``filter: all``.
    detail_pattern: re.Pattern[str] | None = None

    def start(self, source: SourceLike) -> list[Fetch]:
        """First requests of a source: its start URLs, read as listings."""
        return [self.listing(url, source) for url in source.start_urls]

    def listing(self, url: str, source: SourceLike, **meta: Any) -> Fetch:
        return Fetch(url=url, kind=LISTING, handler="listing", render=source.render == "browser",
                     meta=tuple(sorted(meta.items())))

    def handle(self, handler: str, page: Page, source: SourceLike) -> list[Fetch]:
        """Dispatch an answer to the step that asked for it."""
        method = getattr(self, f"on_{handler}", None)
        if method is None:
            raise ValueError(f"{self.family}: unknown step {handler!r}")
        return method(page, source)

    def entries(self, page: Page, source: SourceLike,
                links: list[tuple[str, str]] | None = None) -> list[Fetch]:
        accept = self.detail_pattern if getattr(source, "filter", "title") == "all" else None
        return report_entries(page, links, accept_all=accept)

    def on_listing(self, page: Page, source: SourceLike) -> list[Fetch]:
        raise NotImplementedError

    def on_report(self, page: Page, source: SourceLike) -> list[Fetch]:
        return attachment_fetches(page)

    def on_document(self, page: Page, source: SourceLike) -> list[Fetch]:
        return []
