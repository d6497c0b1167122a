"""A spam/gambling mirror that copies government report pages under their original paths
and links back out. Not in any registry: a crawler must never request it."""

from __future__ import annotations

from zfxxgk.portal.app import Req, Resp, Site

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>2022年政府信息公开工作年度报告-365体育</title>
</head><body><h1>365bet 体育投注 真人娱乐</h1><p>2022年政府信息公开工作年度报告（转载）</p>
<a href="/uploadfiles/nb.pdf">下载</a></body></html>"""


class SpamSite(Site):
    key = "spam"
    name = "镜像站（垃圾站样例）"

    def handle(self, req: Req) -> Resp:
        return Resp(body=PAGE.encode())
