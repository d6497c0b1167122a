"""A Guangdong gkmlpt-style site: ``/gkmlpt/index`` names the site id in ``window._CONFIG``;
the column (``#2844``) lists its entries through ``/gkmlpt/api/all/2844?page=N&sid=…`` JSON.
Report pages ``/xxgk/xxgknb/content/post_<id>.html`` embed their PDF in an iframe."""

from __future__ import annotations

import json
from datetime import date
from html import escape

from zfxxgk.portal.app import Req, Resp, Site, http_date
from zfxxgk.portal.html import body_html
from zfxxgk.portal.reports import reports_for
from zfxxgk.portal.sites.common import attachment, shell

SID, COLUMN = "755035", "2844"
PAGE_SIZE = 4


class GkmlptSite(Site):
    key = "gkmlpt"
    name = "样例区人民政府（广东政务公开平台样式）"

    def build(self) -> None:
        self.articles: list[dict[str, object]] = []
        for n, r in enumerate(reports_for(self.key, 7, (3,))):
            post = 11956962 + n * 101
            path = f"/xxgk/xxgknb/content/post_{post}.html"
            self.expected.reports.add(path)
            extra = ""
            if n == 0:
                pdf = f"/attachment/0/{post // 1000}/{post}/nb{r.year}.pdf"
                extra = f'<div class="pdf"><iframe src="{pdf}" width="100%" height="900"></iframe></div>'
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            elif n == 1:
                docx = f"/attachment/0/{post // 1000}/{post}/nb{r.year}.docx"
                extra = f'<p class="fj">附件：<a href="{docx}">{escape(r.title)}.docx</a></p>'
                self.add(docx, attachment("docx", r))
                self.expected.attachments.add(docx)
            main = (f'<div class="content"><h1>{escape(r.title)}</h1><div class="article-content">'
                    f"{body_html(r)}</div>{extra}</div>")
            self.add(path, Resp(body=shell(r.title, self.name, main).encode(), last_modified=http_date(r.published)))
            self.articles.append(self._article(post, r.title, r.published))
        decoy_post = 11900001
        decoy = f"/xxgk/xxgknb/content/post_{decoy_post}.html"
        self.add(decoy, Resp(body=shell("2024年政府信息公开工作方案", self.name, "<p>方案。</p>").encode()))
        self.articles.insert(3, self._article(decoy_post, "2024年政府信息公开工作方案", date(2024, 2, 1)))
        self.expected.decoys.add(decoy)
        head = (f"<script>window._CONFIG = {{SID: '{SID}', SITE_NAME: '{self.name}', "
                "API: '/gkmlpt/api/all/'};</script>")
        main = '<div id="app">加载中……</div><script src="/gkmlpt/static/app.js"></script>'
        self.add("/gkmlpt/index", Resp(body=shell("政府信息公开", self.name, main, head=head).encode()))
        self.expected.listings.add("/gkmlpt/index")

    def _article(self, post: int, title: str, d: date) -> dict[str, object]:
        return {"id": post, "title": title, "url": self.portal.url(self.key, f"/xxgk/xxgknb/content/post_{post}.html"),
                "first_publish_time": d.isoformat(), "columns": [int(COLUMN)]}

    def handle(self, req: Req) -> Resp:
        if req.path != f"/gkmlpt/api/all/{COLUMN}":
            return super().handle(req)
        args = req.args()
        if args.get("sid") != SID:
            return Resp(body=b'{"articles": [], "total": 0, "error": "sid"}', content_type="application/json")
        page = max(int(args.get("page", 1) or 1), 1)
        chunk = self.articles[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        data = {"articles": chunk, "total": len(self.articles), "page": page}
        return Resp(body=json.dumps(data, ensure_ascii=False).encode(), content_type="application/json;charset=UTF-8")
