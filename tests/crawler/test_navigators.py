"""Each navigator on saved page bytes (no network): exactly the reports, pages and
attachments a person reading the page would find."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.navigators import NAVIGATORS
from crawler.navigators.base import Page, is_report_title
from crawler.navigators.hanweb import proxy_form
from crawler.navigators.trs import parse_create_page
from crawler.registry import Source

FIXTURES = Path(__file__).parent / "fixtures"


def page(name: str, url: str, **meta) -> Page:
    return Page(url=url, body=(FIXTURES / name).read_bytes(), meta=meta)


def source(cms: str, url: str, **kw) -> Source:
    return Source(id="t", agency="a", province="北京", level="县级", cms=cms, start_urls=(url,),
                  evidence=url, **kw)


def kinds(fetches, kind):
    return [f.url for f in fetches if f.kind == kind]


def test_trs_literal_paging_and_titles():
    url = "https://www.hanyang.gov.cn/bmxxgk/zfgzjg/qrmzfbgs/zfxxgkndbg/index.shtml"
    out = NAVIGATORS["trs"].handle("listing", page("trs_listing_literal.html", url), source("trs", url))
    base = "https://www.hanyang.gov.cn/bmxxgk/zfgzjg/qrmzfbgs/zfxxgkndbg/"
    assert kinds(out, "report") == [base + "202301/t20230119_2136694.shtml", base + "202201/t20220120_1877001.shtml"]
    assert kinds(out, "listing") == [base + f"index_{i}.shtml" for i in range(1, 5)]
    # the title attribute is preferred over the truncated link text
    assert out[0].title == "汉阳区人民政府办公室2022年政府信息公开工作年度报告"


def test_trs_variable_paging_and_wap_twins():
    url = "http://js.changchun.gov.cn/zcbm/styjrswj/ndbg/index_1.html"
    out = NAVIGATORS["trs"].handle("listing", page("trs_listing_vars.html", url), source("trs", url))
    base = "http://js.changchun.gov.cn/zcbm/styjrswj/ndbg/"
    # the _wap twin of a listed page is dropped; a _wap page alone is kept
    assert kinds(out, "report") == [base + "202401/t20240115_3271106.html", base + "202301/t20230112_3100001_wap.html"]
    assert kinds(out, "listing") == [base + "index.html", base + "index_2.html"]
    assert parse_create_page("createPageHTML(7, 0, \"index\", \"htm\");") == (7, 0, "index", "htm")


def test_hanweb_column_page_asks_the_proxy():
    url = "http://www.nbjb.gov.cn/col/col1229214366/index.html"
    p = page("hanweb_col.html", url)
    proxy, form, perpage = proxy_form(p)
    assert proxy == "http://www.nbjb.gov.cn/module/web/jpage/dataproxy.jsp"
    assert perpage == 15
    assert form == {"col": "1", "appid": "1", "webid": "3185", "path": "/", "columnid": "1229214366",
                    "sourceContentType": "1", "unitid": "7185393", "webname": "宁波市", "permissiontype": "0"}
    out = NAVIGATORS["hanweb"].handle("listing", p, source("hanweb", url))
    assert kinds(out, "report") == ["http://www.nbjb.gov.cn/art/2024/1/18/art_1229214366_59080432.html"]
    (proxy_req,) = [f for f in out if f.handler == "proxy"]
    assert proxy_req.method == "POST"
    assert proxy_req.url == proxy + "?startrecord=1&endrecord=45&perpage=15"
    assert dict(proxy_req.form)["columnid"] == "1229214366"


def test_hanweb_proxy_answer_records_and_windows():
    url = "http://www.nbjb.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    form = (("columnid", "1229214366"), ("webid", "3185"))
    p = page("hanweb_proxy.xml", url, start=1, perpage=15, form=form)
    out = NAVIGATORS["hanweb"].handle("proxy", p, source("hanweb", url))
    assert kinds(out, "report") == [
        "http://www.nbjb.gov.cn/art/2023/1/19/art_1229214366_58000001.html",
        "http://www.nbjb.gov.cn/art/2022/1/20/art_1229214366_57000002.html",
    ]
    # 31 records fit in the first window of 45 (three pages of 15): no further window
    assert [f for f in out if f.handler == "proxy"] == []
    big = Page(url=url, body=p.body.replace(b"<totalrecord>31", b"<totalrecord>100"), meta=p.meta)
    windows = [f for f in NAVIGATORS["hanweb"].handle("proxy", big, source("hanweb", url)) if f.handler == "proxy"]
    assert [f.url.split("?")[1] for f in windows] == ["startrecord=46&endrecord=90&perpage=15",
                                                      "startrecord=91&endrecord=135&perpage=15"]
    assert all(dict(f.form) == dict(form) for f in windows)


def test_gkmlpt_index_then_api_pages():
    url = "http://www.lg.gov.cn/gkmlpt/index#2844"
    out = NAVIGATORS["gkmlpt"].handle("listing", page("gkmlpt_index.html", url, start_url=url), source("gkmlpt", url))
    assert [f.url for f in out] == ["http://www.lg.gov.cn/gkmlpt/api/all/2844?page=1&sid=755035"]
    api = page("gkmlpt_api.json", "http://www.lg.gov.cn/gkmlpt/api/all/2844?page=1&sid=755035", page=1)
    out = NAVIGATORS["gkmlpt"].handle("api", api, source("gkmlpt", url))
    assert kinds(out, "report") == [
        "http://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/content/post_11956962.html",
        "http://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/content/post_10413111.html",
    ]
    # 8 articles, 3 per page → pages 2 and 3
    assert [f.url for f in out if f.handler == "api"] == [
        "http://www.lg.gov.cn/gkmlpt/api/all/2844?page=2&sid=755035",
        "http://www.lg.gov.cn/gkmlpt/api/all/2844?page=3&sid=755035",
    ]


def test_generic_gbk_page_that_claims_utf8():
    url = "http://www.xjwq.gov.cn/xxgk/bmnb/index.htm?page=2"
    out = NAVIGATORS["generic"].handle("listing", page("generic_gbk_wrong_charset.html", url),
                                       source("generic", url, encoding="auto"))
    assert kinds(out, "report") == [
        "http://www.xjwq.gov.cn/info/1050/64208.htm",
        "http://www.xjwq.gov.cn/uploadfiles/2023/01/nb2022.pdf",
    ]
    assert [f.handler for f in out if f.kind == "report"] == ["report", "document"]
    # page links of this listing only (not the search page's "2"); 首页 is page 1 too
    assert kinds(out, "listing") == ["http://www.xjwq.gov.cn/xxgk/bmnb/index.htm",
                                     "http://www.xjwq.gov.cn/xxgk/bmnb/index.htm?page=1",
                                     "http://www.xjwq.gov.cn/xxgk/bmnb/index.htm?page=3"]


def test_vsb_list_next_page():
    url = "http://ccxi.gov.cn/list.jsp?urltype=tree.TreeTempUrl&wbtreeid=1308"
    out = NAVIGATORS["generic"].handle("listing", page("vsb_list.html", url), source("generic", url))
    assert kinds(out, "report") == ["http://ccxi.gov.cn/info/1308/19387.htm", "http://ccxi.gov.cn/info/1308/19000.htm"]
    assert kinds(out, "listing") == [
        "http://ccxi.gov.cn/list.jsp?a2t=4&a2p=2&a2c=10&urltype=tree.TreeTempUrl&wbtreeid=1308",
        "http://ccxi.gov.cn/list.jsp?a2t=4&a2p=4&a2c=10&urltype=tree.TreeTempUrl&wbtreeid=1308",
    ]


def test_hidden_attachments_on_a_report_page():
    url = "http://www.example.gov.cn/zwgk/ndbg/202401/t20240125_1.shtml"
    out = NAVIGATORS["trs"].handle("report", page("report_attachments.html", url), source("trs", url))
    assert [f.url for f in out] == [
        "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=2401251234.docx",
        "http://www.example.gov.cn/uploadfiles/2024/01/nb.wps",
        "http://www.example.gov.cn/zwgk/ndbg/202401/P020240125.xlsx",
        "http://mirror.example.com/copy.pdf",  # navigators are host-blind: the spider drops it
        "http://www.example.gov.cn/zwgk/ndbg/202401/P020240125.pdf",
        "http://www.example.gov.cn/zwgk/ndbg/202401/P020240125_embed.pdf",
        "http://www.example.gov.cn/zwgk/ndbg/202401/W020240125/nb_scan_01.jpg",
    ]
    assert all(f.kind == "attachment" for f in out)


@pytest.mark.parametrize(("title", "expected"), [
    ("XX局2023年政府信息公开工作年度报告", True),
    ("2019年下城区长庆街道信息公开年度工作报告", True),
    ("前进区政府办政府信息公开工作年度报告", True),
    ("某县2022年政府信息公开工作年度…", True),
    ("政府信息公开年报", False),
    ("市直部门政府信息公开年报", False),
    ("2023年政府工作报告", False),
    ("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", False),
    ("2024年政务公开工作要点", False),
])
def test_report_titles(title, expected):
    assert is_report_title(title) is expected
