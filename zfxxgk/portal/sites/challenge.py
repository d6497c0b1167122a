"""A TRS-style site behind an anti-bot wall: without a valid ``__jsl_clearance`` cookie every
page (robots.txt excepted) answers HTTP 521 with a script that computes the cookie and
reloads, as the 加速乐 service does. A browser passes; a plain HTTP client does not."""

from __future__ import annotations

import hashlib
from datetime import date
from html import escape

from zfxxgk.portal.app import Req, Resp, Site, http_date
from zfxxgk.portal.html import body_html
from zfxxgk.portal.reports import reports_for
from zfxxgk.portal.sites.common import attachment, shell, trs_path

COLUMN = "/gkml/zfxxgknb"
A, B, C = 0x1F3A, 37, 0x99  # the arithmetic the challenge script performs


def clearance(uid: str) -> str:
    """The cookie value the challenge script computes for ``__jsluid_h=uid``."""
    return f"{uid[:8]}|{A * B + C:x}"


class ChallengeSite(Site):
    key = "jsl"
    name = "样例市某局（有反爬验证）"
    uid = hashlib.sha1(b"sample-portal-jsl").hexdigest()[:24]

    def build(self) -> None:
        reports = reports_for(self.key, 4)
        entries = []
        for n, r in enumerate(reports):
            path = trs_path(COLUMN, r.published, 501 + n, "html")
            self.expected.reports.add(path)
            extra = ""
            if n == 0:
                pdf = path.rsplit("/", 1)[0] + f"/P0{501 + n}.pdf"
                extra = f'<p>附件：<a href="{pdf}">{escape(r.title)}.pdf</a></p>'
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            main = f'<h2>{escape(r.title)}</h2><div class="TRS_Editor">{body_html(r)}</div>{extra}'
            self.add(path, Resp(body=shell(r.title, self.name, main).encode(), etag=True,
                                last_modified=http_date(r.published)))
            entries.append((path, r.title, r.published))
        for p in range(2):
            chunk = entries[p * 2:(p + 1) * 2]
            items = "".join(f'<li><a href="./{u[len(COLUMN) + 1:]}">{escape(t)}</a><span>{d:%Y-%m-%d}</span></li>'
                            for u, t, d in chunk)
            main = f'<ul>{items}</ul><script>createPageHTML(2, {p}, "index", "html");</script>'
            name = "index.html" if p == 0 else f"index_{p}.html"
            self.add(f"{COLUMN}/{name}", Resp(body=shell("政府信息公开年报", self.name, main).encode()))
            self.expected.listings.add(f"{COLUMN}/{name}")
        self.last_modified = http_date(date(2024, 1, 1))

    def challenge(self) -> Resp:
        script = (f"<script>var x={A},y={B},z={C};"
                  f"document.cookie='__jsl_clearance='+'{self.uid[:8]}|'+(x*y+z).toString(16)+';max-age=3600;path=/';"
                  "location.href=location.pathname+location.search</script>")
        return Resp(521, f"<html><head></head><body>{script}</body></html>".encode(),
                    headers={"Set-Cookie": f"__jsluid_h={self.uid}; max-age=31536000; path=/; HttpOnly"})

    def handle(self, req: Req) -> Resp:
        if req.path == "/robots.txt":
            return super().handle(req)
        if req.cookies().get("__jsl_clearance") != clearance(self.uid):
            return self.challenge()
        return super().handle(req)
