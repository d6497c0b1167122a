"""What every navigator works with: a fetched ``Page`` in, ``Fetch`` instructions out.

Navigators are pure (bytes and URL in, instructions out: no network, no database, no clock),
so each one is tested offline on saved pages. The spider turns ``Fetch`` objects into Scrapy
requests and decides which hosts may be followed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html

from crawler.encoding import decode_html

# Kinds of capture: what a fetched body is to the archive.
LISTING, DATA, REPORT, ATTACHMENT = "listing", "data", "report", "attachment"
KINDS = (LISTING, DATA, REPORT, ATTACHMENT)

DOCUMENT_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".rtf",
    ".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp",
)

_YEAR = re.compile(r"(?:19|20)\d{2}|[二〇○零一三四五六七八九]{4}年")
_REPORT_WORDS = re.compile(r"年度报告|年报|工作报告|年度.{0,6}报告")
_TRUNCATED = re.compile(r"(?:信息|政务)公开.{0,10}年度")
_NOT_REPORT = re.compile(r"通知|要点|方案|办法|指南|目录|意见|规定|解读|计划")
# Column names look like report titles without a year ("市直部门政府信息公开年报").
_COLUMN_PREFIXES = {"", "部门", "市直部门", "区直部门", "县直部门", "乡镇街道", "乡镇", "街道", "各部门",
                    "市级部门", "区级部门", "县级部门", "本级", "各区县", "区县", "市本级", "区本级"}


@dataclass(frozen=True)
class Fetch:
    """One request a navigator wants made.

    ``handler`` names the navigator step that reads the answer ("listing", "proxy", "api",
    "report", "document"); ``kind`` says what the body is to the archive."""

    url: str
    kind: str
    handler: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    title: str = ""
    render: bool = False
    meta: tuple[tuple[str, Any], ...] = ()

    def meta_dict(self) -> dict[str, Any]:
        return dict(self.meta)


@dataclass(frozen=True)
class Page:
    """A fetched body with what is needed to read it."""

    url: str
    body: bytes
    content_type: str = ""
    encoding_hint: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def text(self) -> str:
        return decode_html(self.body, self.content_type, self.encoding_hint)[0]

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", self.text)
        if not text.strip():
            text = "<html></html>"
        tree = lxml.html.document_fromstring(text)
        base = tree.find(".//base[@href]")
        tree.make_links_absolute(urljoin(self.url, base.get("href")) if base is not None else self.url,
                                 resolve_base_href=False, handle_failures="discard")
        return tree


def clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def canonical(url: str) -> str:
    """Drop the fragment and default port so one document has one URL."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc.lower()
    if (parts.scheme == "http" and netloc.endswith(":80")) or (
        parts.scheme == "https" and netloc.endswith(":443")
    ):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def is_report_title(title: str) -> bool:
    """A link text or title that names an annual disclosure report (with a year)."""
    t = clean(title)
    if not t or _NOT_REPORT.search(t):
        return False
    if not _YEAR.search(t):  # no year: only a title naming its body, not a column name
        prefix = re.split(r"(?:政府|政务)?信息公开|政务公开", t)[0]
        if prefix.removesuffix("政府") in _COLUMN_PREFIXES or len(prefix) < 3:
            return False
    if _TRUNCATED.search(t):
        return True
    return "公开" in t and bool(_REPORT_WORDS.search(t))


def is_document_url(url: str) -> bool:
    """True for links to files (by extension in the path or in a query value)."""
    parts = urlsplit(url.lower())
    if parts.path.endswith(DOCUMENT_EXTENSIONS):
        return True
    return any(v.endswith(DOCUMENT_EXTENSIONS) for v in re.split(r"[&=]", parts.query) if v)


def anchors(page: Page) -> list[tuple[str, str]]:
    """``(absolute url, title)`` for every http(s) link, title attribute preferred."""
    out = []
    for a in page.tree.iter("a"):
        href = a.get("href")
        if not href or not href.startswith(("http://", "https://")):
            continue
        title = clean(a.get("title")) or clean(a.text_content())
        out.append((canonical(href), title))
    return out


def report_entries(page: Page, links: list[tuple[str, str]] | None = None, *,
                   accept_all: re.Pattern[str] | None = None) -> list[Fetch]:
    """Report links among ``links`` (default: all anchors of the page).

    A link is a report when its title names one; with ``accept_all`` (a registry source whose
    column holds only reports) a URL matching that detail-page pattern is enough."""
    seen: set[str] = set()
    out: list[Fetch] = []
    here = canonical(page.url)
    for url, title in anchors(page) if links is None else links:
        if url == here or url in seen:
            continue
        if not (is_report_title(title) or (accept_all is not None and accept_all.search(url))):
            continue
        seen.add(url)
        handler = "document" if is_document_url(url) else "report"
        out.append(Fetch(url=url, kind=REPORT, handler=handler, title=title))
    return out


def unique(fetches: list[Fetch]) -> list[Fetch]:
    """Drop repeated requests (same method, URL and form), keeping the first."""
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    out = []
    for f in fetches:
        key = (f.method, f.url, f.form)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
