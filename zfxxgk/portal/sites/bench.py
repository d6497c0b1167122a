"""A large generated TRS-style site for the crawl benchmark: ``n`` small report pages behind
``createPageHTML`` paging, each answering conditional GETs. Reports can be added later to
measure an incremental crawl."""

from __future__ import annotations

from datetime import date, timedelta

from zfxxgk.portal.app import Resp, Site, http_date

COLUMN = "/zwgk/zfxxgknb"
PER_PAGE = 20
FILLER = "本机关坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。" * 12


_REGISTRY_HEAD = """sample: true
settings:
  DOWNLOAD_DELAY: 0
  AUTOTHROTTLE_START_DELAY: 0
  AUTOTHROTTLE_MAX_DELAY: 1
  AUTOTHROTTLE_TARGET_CONCURRENCY: 2
  CONCURRENT_REQUESTS: 16
  CONCURRENT_REQUESTS_PER_DOMAIN: 2
sources:
"""


def bench_registry(portal, sites: list[BenchSite], *, extra: str = "") -> str:
    """The sources registry (YAML) of the benchmark sites served by ``portal``: the
    sample's politeness turned down, one source per site; ``extra`` is added to each
    source (e.g. ``"    max_pages: 10000\n"``)."""
    return _REGISTRY_HEAD + "".join(
        f"  - id: bench-{i}\n    agency: 基准{i}\n    province: 样例\n    level: 部门\n    cms: trs\n"
        f"    start_urls: [\"{portal.url(s.key, COLUMN + '/index.shtml')}\"]\n"
        f"    evidence: \"{portal.url(s.key, '/')}\"\n{extra}" for i, s in enumerate(sites))


class BenchSite(Site):
    name = "基准测试站点"

    def __init__(self, key: str, n_reports: int):
        super().__init__()
        self.key = key
        self.n = n_reports

    def build(self) -> None:
        self.entries: list[tuple[str, str]] = []
        for i in range(self.n):
            self.add_report(i)
        self.rebuild_listings()

    def add_report(self, i: int) -> None:
        d = date(2021, 1, 1) + timedelta(days=i % 1400)
        path = f"{COLUMN}/{d:%Y%m}/t{d:%Y%m%d}_{100000 + i}.shtml"
        title = f"基准单位{i}号{2020 + i % 5}年政府信息公开工作年度报告"
        body = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
                f"<div class='TRS_Editor'><p>{FILLER}</p><table border='1'><tr><td>收到申请</td>"
                f"<td>{i % 97}</td></tr></table></div></body></html>")
        self.add(path, Resp(body=body.encode(), etag=True, last_modified=http_date(d)))
        self.entries.insert(0, (path, title))
        self.expected.reports.add(path)

    def rebuild_listings(self) -> None:
        pages = [self.entries[i:i + PER_PAGE] for i in range(0, len(self.entries), PER_PAGE)]
        for p, chunk in enumerate(pages):
            items = "".join(f'<li><a href="./{u[len(COLUMN) + 1:]}">{t}</a></li>' for u, t in chunk)
            html = (f"<html><head><meta charset='utf-8'></head><body><ul>{items}</ul>"
                    f"<script>createPageHTML({len(pages)}, {p}, 'index', 'shtml');</script></body></html>")
            self.add(f"{COLUMN}/index.shtml" if p == 0 else f"{COLUMN}/index_{p}.shtml", Resp(body=html.encode()))

    def add_reports(self, count: int) -> None:
        """Publish ``count`` more reports (newest first), as a portal does each January."""
        for i in range(self.n, self.n + count):
            self.add_report(i)
        self.n += count
        self.rebuild_listings()
