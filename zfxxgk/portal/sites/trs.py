"""A TRS WCM-style site: the column's pages are ``index.shtml``, ``index_1.shtml``, … with the
page count only in ``createPageHTML(...)`` (no page links in the HTML); reports at
``/zwgk/zfxxgknb/YYYYMM/tYYYYMMDD_<id>.shtml`` with attachments linked directly, through a
pdf.js viewer iframe, or embedded."""

from __future__ import annotations

from datetime import date
from html import escape

from zfxxgk.portal.app import Resp, Site, http_date
from zfxxgk.portal.html import body_html
from zfxxgk.portal.reports import reports_for
from zfxxgk.portal.sites.common import attachment, shell, trs_path

COLUMN = "/zwgk/zfxxgknb"
PER_PAGE = 3


class TrsSite(Site):
    key = "trs"
    name = "样例市人民政府（TRS 样式）"

    def build(self) -> None:
        reports = reports_for(self.key, 8, (0, 1))
        decoy_day = date(2024, 1, 5)
        entries: list[tuple[str, str, date]] = []
        for n, r in enumerate(reports):
            ident = 2136694 + n * 17
            path = trs_path(COLUMN, r.published, ident)
            entries.append((path, r.title, r.published))
            self.expected.reports.add(path)
            folder = path.rsplit("/", 1)[0]
            extra = ""
            if n == 0:
                pdf = f"{folder}/P0{r.published:%Y%m%d}{ident}.pdf"
                extra = f'<p>附件：<a href="./{pdf.rsplit("/", 1)[1]}">{escape(r.title)}.pdf</a></p>'
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            elif n == 1:
                pdf = f"{folder}/P0{r.published:%Y%m%d}{ident}.pdf"
                extra = f'<iframe src="/pdfjs/web/viewer.html?file={pdf}" width="100%" height="800"></iframe>'
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            elif n == 2:
                pdf = f"{folder}/W0{r.published:%Y%m%d}{ident}.pdf"
                extra = f'<embed src="{pdf}" type="application/pdf" width="100%" height="800"/>'
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            elif n == 3:
                docx = f"{folder}/W0{r.published:%Y%m%d}{ident}.docx"
                extra = f'<p><a href="{docx}" title="附件">附件下载（DOCX）</a></p>'
                self.add(docx, attachment("docx", r))
                self.expected.attachments.add(docx)
            elif n == 4:
                missing = f"{folder}/P0{ident}_missing.pdf"
                extra = f'<p>附件：<a href="{missing}">原文PDF</a></p>'
                self.expected.broken.add(missing)
            main = (f'<div class="article"><h2>{escape(r.title)}</h2>'
                    f'<div class="info">发布日期：{r.published:%Y-%m-%d}</div>'
                    f'<div class="TRS_Editor">{body_html(r)}</div>{extra}</div>')
            page = Resp(body=shell(r.title, self.name, main).encode("utf-8"), etag=True,
                        last_modified=http_date(r.published))
            self.add(path, page)
            self.add(path.replace(".shtml", "_wap.shtml"), page)  # the mobile twin
        decoy = trs_path(COLUMN, decoy_day, 2100001)
        decoy_title = "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知"
        self.add(decoy, Resp(body=shell(decoy_title, self.name, "<p>通知正文。</p>").encode()))
        entries.insert(4, (decoy, decoy_title, decoy_day))
        self.expected.decoys.add(decoy)
        self.add("/pdfjs/web/viewer.html", Resp(body=b"<html><body><div id='viewer'>pdf.js</div></body></html>"))
        pages = [entries[i:i + PER_PAGE] for i in range(0, len(entries), PER_PAGE)]
        for p, chunk in enumerate(pages):
            name = "index.shtml" if p == 0 else f"index_{p}.shtml"
            items = []
            for path, title, day in chunk:
                rel = "./" + path[len(COLUMN) + 1:]
                items.append(f'<li><a href="{rel}" target="_blank" title="{escape(title)}">{escape(title)}</a>'
                             f'<span>{day:%Y-%m-%d}</span></li>')
                if path in self.expected.reports and p == 1:  # the mobile twin is listed too
                    items.append(f'<li class="wap"><a href="{rel.replace(".shtml", "_wap.shtml")}" '
                                 f'title="{escape(title)}">{escape(title)}</a></li>')
            if p == 0:
                script = f"createPageHTML('page_div',{len(pages)}, {p},'index','shtml',{len(entries)});"
            else:
                script = (f"var countPage = {len(pages)};//共多少页\nvar currentPage = {p};//当前页\n"
                          'createPageHTML(countPage, currentPage, "index", "shtml");')
            main = (f'<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>'
                    f'<ul class="list">{"".join(items)}</ul><div id="page_div"></div>'
                    f'<script type="text/javascript">{script}</script>')
            side = ('<a href="/zwgk/zfxxgknb/index.shtml">政府信息公开年报</a>'
                    '<a href="/zwgk/zfxxgkzn/index.shtml">政府信息公开指南</a>')
            self.add(f"{COLUMN}/{name}", Resp(body=shell("政府信息公开年报", self.name, main, nav=side).encode()))
            self.expected.listings.add(f"{COLUMN}/{name}")
