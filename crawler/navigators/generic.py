"""Generic HTML lists: report links found by their titles, further pages by "下一页" links or
page-number variants of the listing URL (``?page=``, ``pageNo``, ``index_2.html``,
Chengdu-style ``column-index-N.shtml``)."""

from __future__ import annotations

import re

from crawler.navigators.base import Fetch, Page
from crawler.navigators.common import Navigator, SourceLike
from crawler.navigators.paging import next_pages


class GenericNavigator(Navigator):
    family = "generic"
    detail_pattern = re.compile(
        r"/(?:info/\d+/\d+\.htm|Content-\d+\.html|content/post_\d+\.html|t\d{8}_\d+\.s?html?)$|"
        r"/\d{6,8}/[^/]+\.s?html?$"
    )

    def on_listing(self, page: Page, source: SourceLike) -> list[Fetch]:
        out = self.entries(page, source)
        out += [self.listing(url, source) for url in next_pages(page)]
        return out
