"""Next-page discovery shared by listing navigators: "下一页" links and links that differ from
the current listing only by a page number (``?page=2``, ``pageNo=1``, ``index_2.html``,
``column-index-3.shtml``)."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, urlsplit

from crawler.navigators.base import Page, anchors, canonical, is_document_url

NEXT_TEXTS = {"下一页", "下页", "后一页", "下一頁", "下一页>", "下一页>>", ">", ">>", "»", "›", "next", "next>"}
PAGE_PARAMS = {
    "page", "pageno", "pagenum", "pageindex", "p", "pn", "curpage", "currentpage",
    "pagenumber", "page_no", "cpage", "pageid", "pagenow", "currpage", "page_index",
    "a2p", "a2t", "a2c",  # VSB/博达 list.jsp: page, total pages, page size
}
_STEM = re.compile(r"^(.*?)(?:[_-]\d+)?$")


def _page_params_only_differ(a: str, b: str) -> bool:
    qa, qb = dict(parse_qsl(a, keep_blank_values=True)), dict(parse_qsl(b, keep_blank_values=True))
    keys = {k for k in qa.keys() | qb.keys() if qa.get(k) != qb.get(k)}
    return bool(keys) and all(k.lower() in PAGE_PARAMS for k in keys)


def is_page_variant(current: str, other: str) -> bool:
    """True when ``other`` is another page of the listing at ``current``."""
    a, b = urlsplit(canonical(current)), urlsplit(canonical(other))
    if (a.scheme, a.netloc) != (b.scheme, b.netloc) or is_document_url(other):
        return False
    if a.path == b.path:
        return _page_params_only_differ(a.query, b.query)
    if posixpath.dirname(a.path) != posixpath.dirname(b.path) or a.query != b.query:
        return False
    (sa, ea), (sb, eb) = (posixpath.splitext(posixpath.basename(p)) for p in (a.path, b.path))
    if ea != eb:
        return False
    ma, mb = _STEM.match(sa), _STEM.match(sb)
    return bool(ma and mb and ma.group(1) == mb.group(1) and (sa != ma.group(1) or sb != mb.group(1)))


def next_pages(page: Page) -> list[str]:
    """URLs of further listing pages linked from ``page``."""
    here = canonical(page.url)
    out: list[str] = []
    for url, title in anchors(page):
        if url == here or url in out:
            continue
        text = title.replace(" ", "").lower()
        if text in NEXT_TEXTS or (text.isdigit() and is_page_variant(here, url)) or (
            text in {"尾页", "末页", "首页", "上一页", "last", "first"} and is_page_variant(here, url)
        ):
            out.append(url)
    return out
