"""Guangdong's government-information platform (gkmlpt): a column's entries come from
``/gkmlpt/api/all/<column>?page=N&sid=<site>`` as JSON ``{"articles": [{"title", "url"}…],
"total": n}``; report pages are ``…/content/post_<id>.html``. A start URL may be the API
itself or a page naming the site id (``SID: '755035'``) with the column in its fragment
(``/gkmlpt/index#2844``) or in an API link."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler.navigators.base import DATA, Fetch, Page, canonical, clean
from crawler.navigators.common import Navigator, SourceLike

_API = re.compile(r"/gkmlpt/api/all/(\d+)")
_SID = re.compile(r"""\b(?:SID|sid)['"]?\s*[:=]\s*['"]?(\d+)""")
_FRAGMENT_COLUMN = re.compile(r"#(?:/?\w*/)?(\d+)$")


def api_url(origin_url: str, column: str, page: int, sid: str | None) -> str:
    query = {"page": page} | ({"sid": sid} if sid else {})
    return urljoin(origin_url, f"/gkmlpt/api/all/{column}?{urlencode(query)}")


def api_fetch(url: str, page: int) -> Fetch:
    return Fetch(url=url, kind=DATA, handler="api", meta=(("page", page),))


class GkmlptNavigator(Navigator):
    family = "gkmlpt"
    detail_pattern = re.compile(r"/content/post_\d+\.html$")

    def start(self, source: SourceLike) -> list[Fetch]:
        out = []
        for url in source.start_urls:
            if _API.search(url):
                out.append(api_fetch(canonical(url), int(dict(parse_qsl(urlsplit(url).query)).get("page", 1))))
            else:  # keep the fragment: it may carry the column id
                out.append(self.listing(url, source, start_url=url))
        return out

    def on_listing(self, page: Page, source: SourceLike) -> list[Fetch]:
        text = page.text
        start_url = page.meta.get("start_url", page.url)
        column = None
        m = _FRAGMENT_COLUMN.search(start_url) or _API.search(text)
        if m:
            column = m.group(1)
        sid = _SID.search(text)
        out = self.entries(page, source)
        if column:
            out.append(api_fetch(api_url(page.url, column, 1, sid.group(1) if sid else None), 1))
        return out

    def on_api(self, page: Page, source: SourceLike) -> list[Fetch]:
        data = json.loads(page.text)
        articles = data.get("articles") or data.get("data") or []
        links = [(canonical(urljoin(page.url, a.get("url", ""))), clean(a.get("title", "")))
                 for a in articles if a.get("url")]
        out = self.entries(page, source, links)
        total = int(data.get("total") or 0)
        if page.meta.get("page", 1) == 1 and articles and total > len(articles):
            pages = math.ceil(total / len(articles))
            base = urlsplit(page.url)
            query = dict(parse_qsl(base.query))
            for n in range(2, pages + 1):
                query["page"] = str(n)
                out.append(api_fetch(base._replace(query=urlencode(query)).geturl(), n))
        return out
