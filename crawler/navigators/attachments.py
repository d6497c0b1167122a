"""Attachment links on a report page, including the hidden ones: ``<iframe>``/``<embed>``/
``<object>`` sources, pdf.js ``viewer.html?file=…`` wrappers and ``window.open(…)`` handlers."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from crawler.navigators.base import ATTACHMENT, Fetch, Page, canonical, clean, is_document_url

_WINDOW_OPEN = re.compile(r"""window\.open\(\s*['"]([^'"]+)['"]""")
_LOCATION = re.compile(r"""location(?:\.href)?\s*=\s*['"]([^'"]+)['"]""")
# Containers that hold an article body on common portal templates (images count only there).
_CONTENT_HINT = re.compile(
    r"TRS_Editor|TRS_UEDITOR|zoom|content|article|detail|con_|xxgk_|Custom_UnionStyle|bt_content|view",
    re.I,
)


def _unwrap_viewer(url: str) -> str:
    """``…/viewer.html?file=/a/b.pdf`` → the absolute URL of ``/a/b.pdf``."""
    parts = urlsplit(url)
    if "viewer" in parts.path.lower():
        files = parse_qs(parts.query).get("file") or parse_qs(parts.fragment).get("file")
        if files:
            return urljoin(url, unquote(files[0]))
    return url


def _candidates(page: Page) -> list[tuple[str, str]]:
    tree = page.tree
    out: list[tuple[str, str]] = []
    for a in tree.iter("a"):
        title = clean(a.get("title")) or clean(a.text_content())
        href, onclick = a.get("href") or "", a.get("onclick") or ""
        for script in (href, onclick):
            m = _WINDOW_OPEN.search(script) or _LOCATION.search(script)
            if m:
                out.append((urljoin(page.url, m.group(1)), title))
        if href and not href.lower().startswith(("javascript:", "mailto:", "#")):
            out.append((urljoin(page.url, href), title))
    for tag, attr in (("iframe", "src"), ("embed", "src"), ("object", "data"), ("frame", "src")):
        for el in tree.iter(tag):
            if el.get(attr):
                out.append((urljoin(page.url, el.get(attr)), clean(el.get("title"))))
    for el in tree.iter("img"):
        src = el.get("src")
        if not src or src.startswith("data:"):
            continue
        ancestors = " ".join(f"{p.get('class', '')} {p.get('id', '')}" for p in el.iterancestors())
        if _CONTENT_HINT.search(ancestors):
            out.append((urljoin(page.url, src), clean(el.get("alt"))))
    for m in _WINDOW_OPEN.finditer(" ".join(s.text or "" for s in tree.iter("script"))):
        out.append((urljoin(page.url, m.group(1)), ""))
    return out


def attachment_fetches(page: Page) -> list[Fetch]:
    """Requests for every document file the report page points to (deduplicated)."""
    seen: set[str] = set()
    out: list[Fetch] = []
    for raw, title in _candidates(page):
        url = canonical(_unwrap_viewer(raw))
        if not url.startswith(("http://", "https://")) or url in seen or not is_document_url(url):
            continue
        seen.add(url)
        out.append(Fetch(url=url, kind=ATTACHMENT, handler="document", title=title))
    return out
