"""An older, GBK-encoded portal with a plain list: pages ``index.html``, ``index.html?page=2``,
``?page=3`` linked by "下一页" and page numbers; page 2 declares UTF-8 but is GBK. It also
carries what a crawler must not follow: a robots.txt-disallowed report link, links to a spam
mirror host, a broken link, and non-report items. One report is listed as a bare PDF."""

from __future__ import annotations

from html import escape

from zfxxgk.portal.app import Resp, Site, http_date
from zfxxgk.portal.html import body_html
from zfxxgk.portal.reports import reports_for
from zfxxgk.portal.sites.common import attachment, shell

COLUMN = "/xxgk/gknb/index.html"
EMPTY_COLUMN = "/xxgk/empty/index.html"
PER_PAGE = 4


class GenericSite(Site):
    key = "generic"
    name = "样例县人民政府（旧式门户）"
    robots_txt = "User-agent: *\nDisallow: /private/\nDisallow: /search/\n"

    def build(self) -> None:
        reports = reports_for(self.key, 7, (4,))
        entries: list[tuple[str, str]] = []
        for n, r in enumerate(reports):
            if n == 6:  # published only as a PDF, linked straight from the list
                path = f"/uploadfiles/{r.year + 1}/nb{r.year}.pdf"
                self.add(path, attachment("pdf", r))
                self.expected.reports.add(path)
                entries.append((path, r.title + "（PDF）"))
                continue
            path = f"/info/1050/{64208 + n}.htm"
            self.expected.reports.add(path)
            extra = ""
            if n == 1:
                pdf = f"/uploadfiles/{r.year + 1}/01/{64208 + n}.pdf"
                extra = f"<p><a href=\"javascript:window.open('{pdf}')\">点击查看PDF版</a></p>"
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            if n == 2:  # a copy of the attachment on the spam mirror: never to be fetched
                extra = f'<p><a href="{self.portal.url("spam", "/uploadfiles/nb.pdf")}">附件下载</a></p>'
            main = (f'<table width="100%"><tr><td class="titlestyle">{escape(r.title)}</td></tr>'
                    f'<tr><td class="contentstyle" id="vsb_content">{body_html(r)}{extra}</td></tr></table>')
            html = shell(r.title, self.name, main, charset="gb2312")
            self.add(path, Resp(body=html.encode("gb18030"), content_type="text/html",
                                last_modified=http_date(r.published)))
            entries.append((path, r.title))
        decoy = "/info/1050/60001.htm"
        self.add(decoy, Resp(body=shell("2023年政府工作报告", self.name, "<p>政府工作报告。</p>",
                                        charset="gb2312").encode("gb18030")))
        self.expected.decoys.add(decoy)
        entries.insert(2, (decoy, "2023年政府工作报告"))
        entries.insert(5, ("/info/1050/64999.htm", "某局2021年政府信息公开工作年度报告"))
        self.expected.broken.add("/info/1050/64999.htm")
        entries.insert(7, ("/private/info/1051/1.htm", "某局2020年政府信息公开工作年度报告（内部稿）"))
        self.expected.forbidden.add("/private/info/1051/1.htm")
        self.add("/private/info/1051/1.htm", Resp(body="<p>不应被抓取</p>".encode("gb18030")))
        entries.insert(9, (self.portal.url("spam", "/info/1050/64208.htm"), "2022年政府信息公开工作年度报告（镜像）"))
        pages = [entries[i:i + PER_PAGE] for i in range(0, len(entries), PER_PAGE)]
        for p, chunk in enumerate(pages, start=1):
            items = "".join(f'<tr><td><a href="{escape(u)}" title="{escape(t)}">{escape(t)}</a></td></tr>'
                            for u, t in chunk)
            links = ['<a href="index.html">首页</a>']
            if p > 1:
                links.append(f'<a href="index.html?page={p - 1}">上一页</a>')
            links += [f'<a href="index.html?page={i}">{i}</a>' for i in range(1, len(pages) + 1) if i != p]
            if p < len(pages):
                links.append(f'<a href="index.html?page={p + 1}">下一页</a>')
            links.append(f'<a href="index.html?page={len(pages)}">尾页</a>')
            main = f'<table class="list">{items}</table><div class="pages">{" ".join(links)}</div>'
            declared = "utf-8" if p == 2 else "gb2312"  # page 2 lies about its encoding
            body = shell("政府信息公开年报", self.name, main, charset=declared).encode("gb18030")
            for target in ([COLUMN] if p == 1 else []) + [f"{COLUMN}?page={p}"]:
                self.add(target, Resp(body=body, content_type="text/html"))
                self.expected.listings.add(target)
        empty = '<table class="list"><tr><td><a href="/info/1050/60001.htm">2023年政府工作报告</a></td></tr></table>'
        self.add(EMPTY_COLUMN, Resp(body=shell("部门年报", self.name, empty, charset="gb2312").encode("gb18030"),
                                    content_type="text/html"))
