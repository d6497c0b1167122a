"""TRS WCM listings: the page count lives only in inline JavaScript,
``createPageHTML([div,] totalPages, curPage, 'index', 'shtml'[, records])``; pages are
``index.shtml``, ``index_1.shtml`` … ``index_{n-1}.shtml`` beside the first one. Arguments may be
literals or variables assigned earlier in the page (``var countPage = 5``)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.navigators.base import Fetch, Page, canonical
from crawler.navigators.common import Navigator, SourceLike
from crawler.navigators.paging import next_pages

_CALL = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_ARG = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([^,]+?))\s*(?:,|$)""")
_WAP = re.compile(r"_wap(\.s?html?)$")


def _assignment(name: str, script: str) -> str | None:
    m = re.search(rf"""\b{re.escape(name)}\s*=\s*(?:"([^"]*)"|'([^']*)'|(-?\d+))""", script)
    return next((g for g in m.groups() if g is not None), None) if m else None


def parse_create_page(script: str) -> tuple[int, int, str, str] | None:
    """``(total_pages, current_page, prefix, suffix)`` from the first ``createPageHTML`` call."""
    for call in _CALL.finditer(script):
        args: list[str] = []
        for m in _ARG.finditer(call.group(1)):
            if m.group(1) is not None or m.group(2) is not None:
                args.append(m.group(1) if m.group(1) is not None else m.group(2))
            elif m.group(3) is not None:
                token = m.group(3).strip()
                resolved = token if re.fullmatch(r"-?\d+", token) else _assignment(token, script)
                args.append(resolved if resolved is not None else "")
        # An optional leading container id, then total, current, prefix, suffix.
        for shift in (0, 1):
            window = args[shift:shift + 4]
            if len(window) == 4 and window[0].isdigit() and window[1].lstrip("-").isdigit():
                return int(window[0]), int(window[1]), window[2] or "index", window[3] or "html"
    return None


def page_urls(listing_url: str, total: int, prefix: str, suffix: str) -> list[str]:
    """Every page of a TRS listing, first page included."""
    names = [f"{prefix}.{suffix}"] + [f"{prefix}_{i}.{suffix}" for i in range(1, total)]
    return [canonical(urljoin(listing_url, n)) for n in names]


class TrsNavigator(Navigator):
    family = "trs"
    detail_pattern = re.compile(r"/t\d{8}_\d+(?:_wap)?\.s?html?$")

    def on_listing(self, page: Page, source: SourceLike) -> list[Fetch]:
        entries = self.entries(page, source)
        urls = {e.url for e in entries}
        # A `_wap` twin is the same report: keep it only when the main page is not listed.
        entries = [e for e in entries if not (_WAP.search(e.url) and _WAP.sub(r"\1", e.url) in urls)]
        scripts = "\n".join(s.text or "" for s in page.tree.iter("script"))
        paging = parse_create_page(scripts)
        here = canonical(page.url)
        if paging:
            total, _current, prefix, suffix = paging
            more = [u for u in page_urls(page.url, total, prefix, suffix) if u != here]
        else:
            more = next_pages(page)
        return entries + [self.listing(u, source) for u in more]
