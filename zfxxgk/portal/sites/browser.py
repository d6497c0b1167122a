"""A listing that exists only after JavaScript runs: the HTML holds an empty ``<ul>``; a
script fetches ``list.json`` and writes the links. A plain HTTP crawler sees no reports."""

from __future__ import annotations

import json
from html import escape

from zfxxgk.portal.app import Resp, Site, http_date
from zfxxgk.portal.html import body_html
from zfxxgk.portal.reports import reports_for
from zfxxgk.portal.sites.common import shell

COLUMN = "/xxgk/ndbg/index.html"


class BrowserSite(Site):
    key = "jsapp"
    name = "样例市某局（脚本渲染列表）"

    def build(self) -> None:
        items = []
        for n, r in enumerate(reports_for(self.key, 4)):
            path = f"/xxgk/ndbg/{r.year}/nb_{101 + n}.html"
            self.expected.reports.add(path)
            main = f'<div class="detail"><h2>{escape(r.title)}</h2><div class="con_text">{body_html(r)}</div></div>'
            self.add(path, Resp(body=shell(r.title, self.name, main).encode(), etag=True,
                                last_modified=http_date(r.published)))
            items.append({"title": r.title, "url": path, "date": r.published.isoformat()})
        script = """<script>
fetch('list.json').then(function (r) { return r.json(); }).then(function (d) {
  document.getElementById('list').innerHTML = d.items.map(function (i) {
    return '<li><a href="' + i.url + '" title="' + i.title + '">' + i.title + '</a><span>' + i.date + '</span></li>';
  }).join('');
});
</script>"""
        main = f'<h2>年度报告</h2><ul id="list"></ul>{script}'
        self.add(COLUMN, Resp(body=shell("年度报告", self.name, main).encode()))
        self.add("/xxgk/ndbg/list.json", Resp(body=json.dumps({"items": items}, ensure_ascii=False).encode(),
                                              content_type="application/json"))
        self.expected.listings.add(COLUMN)
