"""A Hanweb (大汉) jcms-style site: ``/col/col<id>/index.html`` carries only the jpage
configuration; its entries come from POST ``/module/web/jpage/dataproxy.jsp`` as an XML
recordset of CDATA ``<li>`` records. Report pages ``/art/Y/M/D/art_<col>_<id>.html`` are GBK;
attachments open through ``onclick="window.open(...)"`` and a download module."""

from __future__ import annotations

from datetime import date
from html import escape
from urllib.parse import quote

from zfxxgk.portal.app import Req, Resp, Site
from zfxxgk.portal.html import body_html
from zfxxgk.portal.reports import reports_for
from zfxxgk.portal.sites.common import attachment, placeholder_label, shell

COLUMN_ID = "1229214366"
WEBID, UNITID, WEBNAME = "3", "5881934", "样例区人民政府"
PER_PAGE = 3


class HanwebSite(Site):
    key = "hanweb"
    name = "样例区人民政府（大汉 jcms 样式）"

    def build(self) -> None:
        self.records: list[str] = []
        for n, r in enumerate(reports_for(self.key, 9, (2,))):
            d = r.published
            path = f"/art/{d.year}/{d.month}/{d.day}/art_{COLUMN_ID}_{4236209 + n * 3}.html"
            self.expected.reports.add(path)
            extra = ""
            if n == 0:
                doc = f"/module/download/downfile.jsp?classid=0&filename={d:%y%m%d}1234.docx"
                extra = (f'<p><a href="javascript:void(0)" onclick="window.open(\'{doc}\')">'
                         f"附件：{escape(r.title)}.docx</a></p>")
                self.add(doc, attachment("docx", r))
                self.expected.attachments.add(doc)
            elif n == 1:
                doc = f"/picture/0/{d:%y%m%d}1235.doc"
                extra = f'<p><a href="{doc}">附件：报告全文.doc{placeholder_label("doc")}</a></p>'
                self.add(doc, attachment("doc", r))
                self.expected.attachments.add(doc)
            elif n == 2:
                pdf = f"/module/download/downfile.jsp?classid=0&filename={d:%y%m%d}1236.pdf"
                extra = f'<p><a href="{pdf}" target="_blank">{escape(r.title)}（PDF版）</a></p>'
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            main = (f'<div class="art"><h2 class="title">{escape(r.title)}</h2>'
                    f'<div class="zoom" id="zoom">{body_html(r)}</div>{extra}</div>')
            html = shell(r.title, self.name, main, charset="gb2312")
            self.add(path, Resp(body=html.encode("gb18030"), content_type="text/html", etag=True))
            self.records.append(self._record(path, r.title, d))
        decoy = f"/art/2024/1/8/art_{COLUMN_ID}_4236100.html"
        self.add(decoy, Resp(body=shell("2024年政务公开工作要点", self.name, "<p>要点。</p>").encode()))
        self.records.insert(5, self._record(decoy, "2024年政务公开工作要点", date(2024, 1, 8)))
        self.expected.decoys.add(decoy)
        proxy_link = (f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={WEBID}&path=/&columnid={COLUMN_ID}"
                      f"&unitid={UNITID}&webname={quote(WEBNAME)}&permissiontype=0")
        main = f"""<div class="crumb">当前位置：首页 &gt; 信息公开 &gt; 政府信息公开年报</div>
<div id="{UNITID}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{proxy_link}"></a>]]></nextgroup>
<recordset></recordset></datastore></script></div>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>$(document).ready(function(){{$('#{UNITID}').jpage({{
  dataStore: null, perPage: {PER_PAGE}, groupSize: 3, proxyUrl: '/module/web/jpage/dataproxy.jsp',
  barPosition: 'bottom', ajaxParam: {{col: 1, appid: 1, webid: {WEBID}, path: '/', columnid: {COLUMN_ID},
  sourceContentType: 1, unitid: {UNITID}, webname: '{WEBNAME}', permissiontype: 0}}}});}});</script>"""
        col = f"/col/col{COLUMN_ID}/index.html"
        self.add(col, Resp(body=shell("政府信息公开年报", self.name, main).encode()))
        self.expected.listings.add(col)

    @staticmethod
    def _record(path: str, title: str, d: date) -> str:
        return (f'<li><a href="{path}" title="{escape(title)}" target="_blank">{escape(title)}</a>'
                f"<span>{d:%Y-%m-%d}</span></li>")

    def handle(self, req: Req) -> Resp:
        if req.path != "/module/web/jpage/dataproxy.jsp":
            return super().handle(req)
        form, args = req.form(), req.args()
        ok = (req.method == "POST" and form.get("columnid") == COLUMN_ID and form.get("webid") == WEBID
              and form.get("unitid") == UNITID)
        records = self.records if ok else []
        start = max(int(args.get("startrecord", 1)), 1)
        end = min(int(args.get("endrecord", PER_PAGE * 3)), len(records))
        chosen = records[start - 1:end]
        xml = ('<?xml version="1.0" encoding="UTF-8"?><datastore>'
               f"<totalrecord>{len(records)}</totalrecord><totalpage>{-(-len(records) // PER_PAGE)}</totalpage>"
               "<recordset>" + "".join(f"<record><![CDATA[{r}]]></record>" for r in chosen)
               + "</recordset></datastore>")
        return Resp(body=xml.encode("utf-8"), content_type="text/xml;charset=UTF-8")
