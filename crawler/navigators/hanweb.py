"""Hanweb (大汉) jcms columns: ``/col/col<id>/index.html`` holds no entries of its own; a
script asks ``/module/web/jpage/dataproxy.jsp`` (POST, form fields ``col, appid, webid, path,
columnid, sourceContentType, unitid, webname, permissiontype``) for windows of records and
gets XML ``<datastore><totalrecord>…<recordset><record><![CDATA[<li>…</li>]]>``. The form
values come from the page: a ``<nextgroup>`` proxy link or the jpage/ajax configuration."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import lxml.html

from crawler.navigators.base import DATA, Fetch, Page, canonical, clean
from crawler.navigators.common import Navigator, SourceLike
from crawler.navigators.paging import next_pages

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
FORM_KEYS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
             "webname", "permissiontype")
DEFAULTS = {"col": "1", "appid": "1", "webid": "1", "path": "/", "sourceContentType": "1",
            "unitid": "", "webname": "", "permissiontype": "0"}
WINDOW_PAGES = 3  # jpage asks for three pages of records at a time

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S)
_PROXY_URL = re.compile(r"""proxyUrl\s*:\s*['"]([^'"]+)['"]""")
_PERPAGE = re.compile(r"""per[pP]age\s*[:=]\s*['"]?(\d+)""")
_COLUMN = re.compile(r"/col/col(\d+)/")


def _config_value(key: str, text: str) -> str | None:
    m = re.search(
        rf"""(?:^|[^A-Za-z0-9_]){key}['"]?\s*[:=]\s*(?:'([^']*)'|"([^"]*)"|([^,&}}\s'"<]+))""", text
    )
    return next((g for g in m.groups() if g is not None), None) if m else None


def proxy_form(page: Page) -> tuple[str, dict[str, str], int]:
    """``(proxy URL, form fields, records per page)`` read from a column page.

    Values from the jpage/ajax configuration are taken first, then overridden by the
    ``<nextgroup>`` proxy link when the page has one; the column id falls back to the URL."""
    text = page.text
    form = dict(DEFAULTS)
    for key in FORM_KEYS:
        value = _config_value(key, text)
        if value is not None:
            form[key] = value
    proxy = PROXY_PATH
    m = _NEXTGROUP.search(text)
    href = re.search(r"""href\s*=\s*['"]([^'"]+)['"]""", m.group(1)) if m else None
    if href:
        link = urlsplit(html.unescape(href.group(1)))
        proxy = link.path or proxy
        form.update({k: v for k, v in parse_qsl(link.query, keep_blank_values=True) if k in FORM_KEYS})
    column = _COLUMN.search(page.url)
    if column and not form.get("columnid"):
        form["columnid"] = column.group(1)
    pm = _PROXY_URL.search(text)
    if pm:
        proxy = pm.group(1)
    per = _PERPAGE.search(text)
    return urljoin(page.url, proxy), form, int(per.group(1)) if per else 15


def proxy_fetch(proxy: str, form: dict[str, str], perpage: int, start: int) -> Fetch:
    end = start + perpage * WINDOW_PAGES - 1
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": perpage})
    fields = tuple((k, form[k]) for k in FORM_KEYS if k in form)
    return Fetch(url=f"{proxy}?{query}", kind=DATA, handler="proxy", method="POST", form=fields,
                 meta=(("perpage", perpage), ("start", start)))


def record_links(xml_text: str, base_url: str) -> list[tuple[str, str]]:
    """``(url, title)`` of the links inside the CDATA records (inline ``<script type=text/xml>``
    on column pages, or a proxy answer)."""
    out = []
    for rec in _RECORD.findall(xml_text):
        frag = lxml.html.fragment_fromstring(rec, create_parent="div")
        for a in frag.iter("a"):
            if a.get("href"):
                title = clean(a.get("title")) or clean(a.text_content())
                out.append((canonical(urljoin(base_url, a.get("href"))), title))
    return out


class HanwebNavigator(Navigator):
    family = "hanweb"
    detail_pattern = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")

    def on_listing(self, page: Page, source: SourceLike) -> list[Fetch]:
        proxy, form, perpage = proxy_form(page)
        out = self.entries(page, source, record_links(page.text, page.url))
        if form.get("columnid"):
            out.append(proxy_fetch(proxy, form, perpage, 1))
        else:  # a Hanweb site without jpage: an ordinary list with page links
            out += self.entries(page, source)
            out += [self.listing(u, source) for u in next_pages(page)]
        return out

    def on_proxy(self, page: Page, source: SourceLike) -> list[Fetch]:
        out = self.entries(page, source, record_links(page.text, page.url))
        meta = page.meta
        total = _TOTAL.search(page.text)
        if meta.get("start") == 1 and total:
            perpage = int(meta.get("perpage", 15))
            form = dict(meta.get("form", ()))
            proxy = canonical(page.url).split("?", 1)[0]
            step = perpage * WINDOW_PAGES
            out += [proxy_fetch(proxy, form, perpage, s) for s in range(1 + step, int(total.group(1)) + 1, step)]
        return out
