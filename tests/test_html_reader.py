"""The HTML reader: rows, title and page metadata from report pages as portals serve them.

Fixtures (tests/fixtures/html, bytes as served; made by make_fixtures.py there) re-render
the seed reports in the markup of real portal families; their truth is the seed's
truth.json. ``generic_jiangbei_2021.html`` is a 2021-format report whose numbers are
written out by hand below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import ParseError, parse
from parsers.html_reader import read_html
from tests.truth import SEEDS, flatten, load

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"

# fixture → what the page says about itself (read off the fixture by hand)
PAGES = {
    "word_kuancheng_2020_gb2312.html": {
        "seed": "001_fc3b1788af86ec1f",
        "title": "宽城区2020年度政府信息公开工作年度报告",
        "meta": {"charset_declared": "gb2312", "charset_used": "gb18030"},
    },
    "trs_mushihe_2020.html": {
        "seed": "000_f2ccba1aa56a8eac",
        "title": "长春市九台区沐石河街道办事处2020年政府信息公开工作年度报告",
        "meta": {
            "charset_declared": "utf-8",
            "charset_used": "utf-8",
            "published": "2021-01-25",
            "published_source": "page-meta",
            "source_agency": "九台区沐石河街道办事处",
            "site": "长春市九台区人民政府",
        },
    },
    "hanweb_changqing_2019_gbk_declared_utf8.html": {
        "seed": "004_ab964e0bbb01e447",
        "title": "2019年下城区长庆街道信息公开年度工作报告",
        "meta": {
            "charset_declared": "utf-8",
            "charset_used": "gb18030",
            "published": "2020-01-17",
            "published_source": "page-text",
            "source_agency": "长庆街道",
            "site": "杭州市下城区人民政府",
        },
    },
    "gkmlpt_qianjin_2020.html": {
        "seed": "003_cfbb34af7d24d30b",
        "title": "前进区政府办政府信息公开工作年度报告",
        "meta": {
            "charset_declared": "utf-8",
            "charset_used": "utf-8",
            "published": "2021-01-29",  # 发布日期, not the 成文日期 2021-01-28 printed first
            "published_source": "page-text",
            "source_agency": "前进区人民政府办公室",
            "site": "前进区人民政府",
        },
    },
    "layout_dehui_2020_bom.html": {
        "seed": "002_f5d5ef7bb5443bb4",
        "title": "德惠市机关事务管理局2020年政府信息公开工作年度报告",
        "meta": {
            "charset_used": "utf-8",
            "published": "2021-01-19",
            "published_source": "page-text",
        },
    },
    "generic_jiangbei_2021.html": {
        "seed": None,
        "title": "江北县交通运输局2021年政府信息公开工作年度报告",
        "meta": {
            "charset_declared": "utf-8",
            "charset_used": "utf-8",
            "published": "2022-01-25",
            "published_source": "page-text",
            "source_agency": "江北县交通运输局",
        },
    },
}

# Menu entries and list headings whose words also occur in report prose: never a whole row.
CHROME_ROWS = [
    ["信息公开指南"],
    ["信息公开制度"],
    ["信息公开"],
    ["相关信息"],
    ["相关文章"],
    ["政府信息公开年报"],
]

SEED_FIXTURES = [name for name, page in PAGES.items() if page["seed"]]

# What other pages name: menus, breadcrumbs, other years' reports, footers.
CHROME_TEXT = [
    "首页",
    "当前位置",
    "您现在的位置",
    "上一篇",
    "下一篇",
    "上一条",
    "下一条",
    "相关文章",
    "2019年政府信息公开工作年度报告",
    "2021年政府信息公开工作年度报告",
    "2022年政府信息公开工作年度报告",
    "营城街道",
    "打印本页",
    "关闭窗口",
    "浏览次数",
    "版权所有",
    "网站标识码",
    "ICP",
    "索引号",
    "document.write",
    "createPageHTML",
]

APPLICATION_LABELS_2019 = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理",
    "（七）总计",
    "四、结转下年度继续办理",
]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def html(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def row_after(rows: list[list[str]], first_cell: str) -> list[str]:
    return next(r for r in rows if r and r[0] == first_cell)


# --- the fixtures, reader level -------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAGES))
def test_fixture_title_and_meta(name) -> None:
    doc = read_html(fixture(name))
    assert doc.format == "html"
    assert doc.title == PAGES[name]["title"]
    assert doc.meta == PAGES[name]["meta"]


@pytest.mark.parametrize("name", list(PAGES))
def test_fixture_rows_hold_only_the_report(name) -> None:
    doc = read_html(fixture(name))
    everything = "\n".join("\t".join(r) for r in doc.rows)
    leaked = [t for t in CHROME_TEXT if t in everything]
    assert leaked == []
    assert [r for r in doc.rows if r in CHROME_ROWS] == []
    assert doc.text == everything
    # no page region read as one giant cell
    assert max(len(c) for r in doc.rows for c in r) < 600
    assert all(r for r in doc.rows)


@pytest.mark.parametrize("name", list(PAGES))
def test_fixture_sections_in_order(name) -> None:
    lines = [r[0] for r in read_html(fixture(name)).rows if len(r) == 1]
    marks = [
        "总体情况",
        "主动公开政府信息情况",
        "收到和处理政府信息公开申请情况",
        "行政复议、行政诉讼情况",
        "改进情况",
        "其他需要报告的事项",
    ]
    where = [next(i for i, line in enumerate(lines) if m in line and len(line) < 30) for m in marks]
    assert where == sorted(where)


@pytest.mark.parametrize("name", SEED_FIXTURES)
def test_fixture_review_table_rows(name) -> None:
    rows = read_html(fixture(name)).rows
    top = rows.index(["行政复议", "行政诉讼"])
    second, third, values = rows[top + 1], rows[top + 2], rows[top + 3]
    assert [c.replace(" ", "") for c in second] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
    ]
    assert len(third) == 10  # the five rowspan=2 cells above are not repeated
    assert len(values) == 15


def test_word_export_rows() -> None:
    rows = read_html(fixture("word_kuancheng_2020_gb2312.html")).rows
    assert rows[0] == ["宽城区2020年度政府信息公开工作年度报告"]
    start = rows.index(["第二十条第（一）项"])
    assert rows[start + 1] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert row_after(rows, "行政强制") == ["行政强制", "81", "-3", "83"]
    assert row_after(rows, "政府集中采购") == ["政府集中采购", "333", "79245.26"]
    head = next(i for i, r in enumerate(rows) if r[0].startswith("（本列数据的勾稽关系为"))
    assert rows[head][1:] == ["申请人情况"]
    assert rows[head + 1] == ["自然人", "法人或其他组织", "总计"]
    # vertical headers (商<br>业<br>企<br>业) joined, merged cells not repeated
    assert rows[head + 2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    data = rows[head + 3 : head + 3 + 23]
    assert data[2] == ["三、本年度办理结果", "（一）予以公开", "29", "0", "0", "0", "0", "0", "29"]
    assert data[3] == [
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "5",
        "0",
        "0",
        "0",
        "0",
        "0",
        "5",
    ]
    assert data[4] == ["（三）不予公开", "1.属于国家秘密"] + ["0"] * 7
    assert data[5] == ["2.其他法律行政法规禁止公开"] + ["0"] * 7
    # &nbsp; cells are blank (null values), and they stay cells
    assert data[20] == ["（六）其他处理", "", "", "", "", "", "", ""]
    assert data[22] == ["四、结转下年度继续办理", "7", "0", "0", "0", "0", "0", "7"]
    # Word's zero-height column-width row is not a row of the report
    assert rows[head + 3 + 23] == ["四、 政府信息公开行政复议、行政诉讼情况"]


def test_word_export_markup_is_gone() -> None:
    doc = read_html(fixture("word_kuancheng_2020_gb2312.html"))
    for noise in (
        "mso",
        "MsoNormal",
        "font-family",
        "@page",
        "Word.Document",
        "Administrator",
        "supportLists",
        "endif",
        "\xa0",
    ):
        assert noise not in doc.text
    # Word's list numbering (inside <![if !supportLists]>) is kept as text
    assert ["一、 总体情况"] in doc.rows
    assert doc.rows[-2:] == [["宽城区政务服务和数字化建设管理局"], ["2021年1月20日"]]


def test_trs_table_split_over_three_tables_reads_in_order() -> None:
    rows = read_html(fixture("trs_mushihe_2020.html")).rows
    head = next(i for i, r in enumerate(rows) if r[0].startswith("（本列数据的勾稽关系为"))
    assert rows[head][0].endswith("=2019办结数+2019未结数（跨年办理数）")  # a wrapped corner note
    data = rows[head + 3 : head + 3 + 23]
    labels = [r[-8] for r in data]
    assert labels == APPLICATION_LABELS_2019
    assert all(r[-7:] == ["0"] * 7 for r in data)


def test_trs_title_is_not_a_related_report() -> None:
    doc = read_html(fixture("trs_mushihe_2020.html"))
    assert "2020年" in doc.title
    assert doc.rows[0] == ["一、总体情况"]
    assert doc.rows[-1] == ["无其他需要报告事项。"]


def test_hanweb_gbk_page_declaring_utf8() -> None:
    doc = read_html(fixture("hanweb_changqing_2019_gbk_declared_utf8.html"))
    assert "\ufffd" not in doc.text
    assert row_after(doc.rows, "政府集中采购") == ["政府集中采购", "65", "7117339.04元"]
    assert row_after(doc.rows, "行政处罚") == ["行政处罚", "-", "288", "-"]
    # the label of （一）予以公开 is missing in this report: its cells follow 三、
    assert row_after(doc.rows, "三、本年度办理结果") == ["三、本年度办理结果"] + ["-"] * 7 + [""]
    assert row_after(doc.rows, "四、结转下年度继续办理") == [
        "四、结转下年度继续办理",
        "-",
        "-",
        "-",
        "-",
    ]
    head = next(i for i, r in enumerate(doc.rows) if r[0].startswith("（本列数据"))
    assert doc.rows[head + 2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def test_gkmlpt_info_table_is_not_content() -> None:
    doc = read_html(fixture("gkmlpt_qianjin_2020.html"))
    assert doc.rows[0] == ["一、总体情况"]
    assert not any("成文日期" in c or "发布机构" in c for r in doc.rows for c in r)
    assert row_after(doc.rows, "一、本年新收政府信息公开申请数量")[1:] == [
        "4",
        "0",
        "0",
        "0",
        "0",
        "0",
        "4",
    ]


def test_layout_tables_are_descended() -> None:
    doc = read_html(fixture("layout_dehui_2020_bom.html"))
    assert doc.rows[0] == ["1、 总体情况"]
    assert row_after(doc.rows, "政府集中采购") == ["政府集中采购", "1", "83.82万元"]
    assert not any("信息公开目录" in c for r in doc.rows for c in r)


# --- small pages, one behaviour each -------------------------------------------------------


def test_rowspan_and_colspan_cells_appear_once() -> None:
    doc = read_html(
        html(
            "<table><tr><td rowspan=2 colspan=2>甲</td><td>1</td></tr>"
            "<tr><td>2</td></tr><tr><td>乙</td><td colspan=2>3</td></tr></table>"
        )
    )
    assert doc.rows == [["甲", "1"], ["2"], ["乙", "3"]]
    assert doc.text == "甲\t1\n2\n乙\t3"


def test_cell_text_joins_inline_pieces_and_paragraphs_without_separator() -> None:
    doc = read_html(
        html(
            "<table><tr><td>商<br>业<br/>企<br>\n业</td><td><p>本年新</p>\n<p>制作数量</p></td>"
            "<td><span>结果</span><font>维持</font></td><td>&nbsp;</td><td> \u3000 </td>"
            "<td><p><o:p>&nbsp;</o:p></p></td><td>2.其他法律<b>行政</b>法规\n禁止公开</td></tr></table>"
        )
    )
    assert doc.rows == [
        ["商业企业", "本年新制作数量", "结果维持", "", "", "", "2.其他法律行政法规禁止公开"]
    ]


def test_whitespace_around_line_breaks_in_a_cell_is_dropped() -> None:
    doc = read_html(
        html(
            "<table><tr><td>\n  <p>83.82</p>\n  <p> 万元 </p>\n</td><td>0<br>\n 0</td>"
            "<td>本年<br> 新制作 <br>数量</td></tr></table>"
        )
    )
    assert doc.rows == [["83.82万元", "00", "本年新制作数量"]]


def test_spaces_inside_a_cell_are_kept_single() -> None:
    doc = read_html(html("<table><tr><td>结果&nbsp;&nbsp;维持</td><td> 0 </td></tr></table>"))
    assert doc.rows == [["结果 维持", "0"]]


def test_text_blocks_become_one_cell_rows() -> None:
    doc = read_html(
        html(
            "<h2>一、总体情况</h2><div>第一段<br>第二行</div><ul><li>甲</li><li>乙</li></ul>"
            "散落的文字<p>段落<span>内联</span>文字</p>"
        )
    )
    assert doc.rows == [
        ["一、总体情况"],
        ["第一段"],
        ["第二行"],
        ["甲"],
        ["乙"],
        ["散落的文字"],
        ["段落内联文字"],
    ]


def test_nested_layout_tables_emit_their_inner_rows() -> None:
    doc = read_html(
        html(
            "<table><tr><td><p>二、主动公开政府信息情况</p>"
            "<table><tr><td>规章</td><td>0</td></tr><tr><td>规范性文件</td><td>3</td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p></td></tr></table>"
        )
    )
    assert doc.rows == [
        ["二、主动公开政府信息情况"],
        ["规章", "0"],
        ["规范性文件", "3"],
        ["三、收到和处理政府信息公开申请情况"],
    ]


def test_hidden_script_style_and_comments_are_dropped() -> None:
    doc = read_html(
        html(
            "<style>p{color:red}</style><script>var a='一、总体情况';</script>"
            "<!--[if gte mso 9]><xml><w:WordDocument>隐藏</w:WordDocument></xml><![endif]-->"
            "<p>可见</p><p style='display: none'>不可见</p><div hidden>也不可见</div>"
            "<noscript>请启用脚本</noscript><table><tr style='display:none'><td>隐藏行</td></tr>"
            "<tr><td>0</td></tr></table>"
        )
    )
    assert doc.rows == [["可见"], ["0"]]


def test_bare_report_markup_without_html_or_body() -> None:
    doc = read_html(
        "<p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table>".encode("gbk")
    )
    assert doc.rows == [["一、总体情况"], ["规章", "0"]]
    assert doc.meta == {"charset_used": "gb18030"}
    assert doc.title is None


def test_main_content_is_the_deepest_box_with_all_report_headings() -> None:
    sections = "".join(
        f"<p>{h}</p><p>正文。</p>"
        for h in [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        ]
    )
    page = html(
        "<div id=menu><a>主动公开</a><a>依申请公开</a></div>"
        "<div class=wrap><div class=left><p>本站推荐</p><p>XX区2018年政府信息公开工作年度报告</p></div>"
        f"<div class=right><div class=box>{sections}</div></div></div>"
        "<div><p>XX区2021年政府信息公开工作年度报告</p></div>"
    )
    doc = read_html(page)
    assert doc.rows[0] == ["一、总体情况"]
    assert doc.rows[-1] == ["正文。"]
    assert len(doc.rows) == 12


def test_an_introduction_naming_every_section_is_not_the_content() -> None:
    intro = (
        "本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
        "行政诉讼情况、存在的主要问题及改进情况和其他需要报告的事项，共六个部分。"
    )
    page = html(
        f"<div class=nav><p>首页</p></div><div class=c><p>{intro}</p><p>一、总体情况</p>"
        "<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p></div>"
    )
    assert [r[0] for r in read_html(page).rows] == [
        intro,
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]


def test_known_container_when_the_page_has_no_report_headings() -> None:
    page = html(
        "<div class=nav><a>首页</a></div><div class=TRS_Editor><p>附件：年度报告（PDF）</p></div>"
        "<div class=footer>版权所有</div>"
    )
    assert read_html(page).rows == [["附件：年度报告（PDF）"]]


def test_related_list_inside_the_content_box_is_dropped() -> None:
    page = html(
        "<div id=zoom><p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
        "<p>正文完。</p><div><h4>相关链接</h4><p>某区2019年年度报告</p><p>某区2021年年度报告</p></div>"
        "<p>【打印本页】【关闭窗口】</p></div>"
    )
    rows = read_html(page).rows
    assert rows[-1] == ["正文完。"]


def test_related_heading_directly_in_the_content_box_ends_the_content() -> None:
    page = html(
        "<div id=zoom><p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
        "<p>正文完。</p><p>相关文章：</p><p>某区2019年年度报告</p><ul><li>某区2021年年度报告</li></ul></div>"
    )
    assert read_html(page).rows[-1] == ["正文完。"]


def test_title_from_title_element_without_site_name() -> None:
    for title in (
        "某区2020年政府信息公开工作年度报告_某区人民政府",
        "某区人民政府 | 某区2020年政府信息公开工作年度报告",
        "某区2020年政府信息公开工作年度报告 - 某区人民政府门户网站",
        "某区2020年政府信息公开工作年度报告——某区人民政府",
        "某区2020年政府信息公开工作年度报告｜某区人民政府",
    ):
        doc = read_html(html("<p>正文</p>", head=f"<title>{title}</title>"))
        assert doc.title == "某区2020年政府信息公开工作年度报告", title


def test_title_element_naming_a_report_wins_over_a_site_name_h1() -> None:
    doc = read_html(
        html(
            "<h1>某区人民政府</h1><div class=TRS_Editor><p>一、总体情况</p></div>"
            "<div class=title>某区2019年政府信息公开工作年度报告</div>",
            head="<title>某区2020年政府信息公开工作年度报告_某区人民政府</title>",
        )
    )
    assert doc.title == "某区2020年政府信息公开工作年度报告"


def test_h1_when_nothing_names_a_report() -> None:
    doc = read_html(html("<h1>某局工作通报</h1><p>正文</p>", head="<title>某区人民政府</title>"))
    assert doc.title == "某局工作通报"


def test_meta_title_wins_over_headings() -> None:
    doc = read_html(
        html(
            "<h1>某区人民政府</h1><h2>另一个标题报告</h2>",
            head='<meta name="ArticleTitle" content="某局2022年政府信息公开工作年度报告"><title>x</title>',
        )
    )
    assert doc.title == "某局2022年政府信息公开工作年度报告"


def test_og_title_and_site_name() -> None:
    doc = read_html(
        html(
            "<p>正文</p>",
            head='<meta property="og:title" content="某局2022年年度报告"><meta property="og:site_name" content="某市政府">',
        )
    )
    assert (doc.title, doc.meta.get("site")) == ("某局2022年年度报告", "某市政府")


@pytest.mark.parametrize(
    ("info", "published", "source"),
    [
        ('<meta name="PubDate" content="2023/1/18 10:00:00">', "2023-01-18", "page-meta"),
        ('<meta name="publishdate" content="2023-01-18">', "2023-01-18", "page-meta"),
        ("<div>发布时间：2023-01-18 10:30</div>", "2023-01-18", "page-text"),
        ("<div>发布日期： 2023年1月18日</div>", "2023-01-18", "page-text"),
        (
            "<div>成文日期：2023-01-16</div><div>发布日期：2023-01-18</div>",
            "2023-01-18",
            "page-text",
        ),
        ("<div>成文日期：2023-01-16</div>", "2023-01-16", "page-text"),
        ("<div>日期：[2023.01.18]</div>", "2023-01-18", "page-text"),
        ("<div>发布时间：2023-02-30</div>", None, None),  # no such day
    ],
)
def test_published_date(info, published, source) -> None:
    meta_tags = info if info.startswith("<meta") else ""
    body = "" if meta_tags else info
    doc = read_html(html(body + "<div id=zoom><p>2021年1月20日</p></div>", head=meta_tags))
    assert doc.meta.get("published") == published
    assert doc.meta.get("published_source") == source


def test_published_date_from_a_trs_url_when_the_page_has_none() -> None:
    doc = read_html(html("<p>正文</p>"), url="http://x.gov.cn/ndbg/202301/t20230119_2136694.shtml")
    assert (doc.meta["published"], doc.meta["published_source"]) == ("2023-01-19", "url")


def test_the_report_signing_date_is_not_the_publication_date() -> None:
    doc = read_html(html("<div id=zoom><p>一、总体情况</p><p>某局</p><p>2021年1月20日</p></div>"))
    assert "published" not in doc.meta


@pytest.mark.parametrize(
    ("info", "agency"),
    [
        ("<div>来源：某区政务服务和数字化建设管理局</div>", "某区政务服务和数字化建设管理局"),
        ("<div>信息来源：某区民政局发布时间：2023-01-18</div>", "某区民政局"),
        ("<span>文章来源: 某县司法局 </span><span>作者：张三</span>", "某县司法局"),
        ("<table><tr><td>发布机构：</td><td>某市交通运输局</td></tr></table>", "某市交通运输局"),
    ],
)
def test_source_agency_from_page_text(info, agency) -> None:
    doc = read_html(
        html(info + "<div class=TRS_Editor><p>报告正文内容。</p>" + "<p>正文</p>" * 30 + "</div>")
    )
    assert doc.meta.get("source_agency") == agency


def test_deeply_nested_markup_keeps_its_text() -> None:
    """Old pages nest hundreds of unclosed <font> tags; libxml2's default limit (256)
    would silently drop everything after them."""
    deep = b"<font>" * 600 + "规章".encode() + b"</font>" * 600
    doc = read_html(
        b"<html><body><p>a</p><table><tr><td>"
        + deep
        + b"</td><td>0</td></tr></table>"
        + b"<div>" * 600
        + "正文".encode()
        + b"</div>" * 600
        + b"<p>b</p></body></html>"
    )
    assert doc.rows == [["a"], ["规章", "0"], ["正文"], ["b"]]


def test_empty_page_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        read_html(b"   ")


# --- end to end: parsers.parse on the fixtures ------------------------------------------------


@pytest.mark.parametrize("name", SEED_FIXTURES)
def test_seed_fixture_parses_to_the_seed_truth(name) -> None:
    truth = load(SEEDS / f"{PAGES[name]['seed']}.truth.json")
    report = parse(fixture(name), name="x.html").to_json()
    want, got = flatten(truth), flatten(report)
    assert len(want) == 198
    wrong = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    assert wrong == {}
    assert set(got) == set(want)
    assert report["year"] == truth["year"]
    assert report["format_era"] == truth["format_era"]
    assert report["agency"] and (
        report["agency"] in truth["agency"] or truth["agency"] in report["agency"]
    )


# 2021-format fixture: its numbers, written out by hand (column order: 自然人, 商业企业,
# 科研机构, 社会公益组织, 法律服务机构, 其他, 总计).
ZERO = [0] * 7
JIANGBEI_APPLICATIONS = {
    "一、本年新收政府信息公开申请数量": [9, 2, 0, 0, 1, 0, 12],
    "二、上年结转政府信息公开申请数量": [1, 0, 0, 0, 0, 0, 1],
    "三、本年度办理结果/（一）予以公开": [4, 1, 0, 0, 0, 0, 5],
    "三、本年度办理结果/（二）部分公开": [1, 0, 0, 0, 0, 0, 1],
    "三、本年度办理结果/（三）不予公开/1.属于国家秘密": [0] * 7,
    "三、本年度办理结果/（三）不予公开/2.其他法律行政法规禁止公开": [0] * 7,
    "三、本年度办理结果/（三）不予公开/3.危及“三安全一稳定”": [0] * 7,
    "三、本年度办理结果/（三）不予公开/4.保护第三方合法权益": [0, 1, 0, 0, 0, 0, 1],
    "三、本年度办理结果/（三）不予公开/5.属于三类内部事务信息": [0] * 7,
    "三、本年度办理结果/（三）不予公开/6.属于四类过程性信息": [1, 0, 0, 0, 0, 0, 1],
    "三、本年度办理结果/（三）不予公开/7.属于行政执法案卷": [0] * 7,
    "三、本年度办理结果/（三）不予公开/8.属于行政查询事项": [0] * 7,
    "三、本年度办理结果/（四）无法提供/1.本机关不掌握相关政府信息": [2, 0, 0, 0, 1, 0, 3],
    "三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作": [0] * 7,
    "三、本年度办理结果/（四）无法提供/3.补正后申请内容仍不明确": [0] * 7,
    "三、本年度办理结果/（五）不予处理/1.信访举报投诉类申请": [1, 0, 0, 0, 0, 0, 1],
    "三、本年度办理结果/（五）不予处理/2.重复申请": [0] * 7,
    "三、本年度办理结果/（五）不予处理/3.要求提供公开出版物": [0] * 7,
    "三、本年度办理结果/（五）不予处理/4.无正当理由大量反复申请": [0] * 7,
    "三、本年度办理结果/（五）不予处理/5.要求行政机关确认或重新出具已获取信息": [0] * 7,
    "三、本年度办理结果/（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": ZERO,
    "三、本年度办理结果/（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": ZERO,
    "三、本年度办理结果/（六）其他处理/3.其他": [0] * 7,
    "三、本年度办理结果/（七）总计": [9, 2, 0, 0, 1, 0, 12],
    "四、结转下年度继续办理": [1, 0, 0, 0, 0, 0, 1],
}
JIANGBEI_PROACTIVE = [
    {"item": "规章", "metric": "本年制发件数", "value": 0},
    {"item": "规章", "metric": "本年废止件数", "value": 0},
    {"item": "规章", "metric": "现行有效件数", "value": 0},
    {"item": "行政规范性文件", "metric": "本年制发件数", "value": 2},
    {"item": "行政规范性文件", "metric": "本年废止件数", "value": 1},
    {"item": "行政规范性文件", "metric": "现行有效件数", "value": 9},
    {"item": "行政许可", "metric": "本年处理决定数量", "value": 1536},
    {"item": "行政处罚", "metric": "本年处理决定数量", "value": 87},
    {"item": "行政强制", "metric": "本年处理决定数量", "value": 3},
    {"item": "行政事业性收费", "metric": "本年收费金额", "value": 12.6, "unit": "万元"},
]
JIANGBEI_REVIEW = {
    "行政复议": [1, 0, 0, 1, 2],
    "行政诉讼/未经复议直接起诉": [0, 0, 0, 0, 0],
    "行政诉讼/复议后起诉": [1, 0, 0, 0, 1],
}
APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def jiangbei_truth() -> dict:
    return {
        "proactive": JIANGBEI_PROACTIVE,
        "applications": [
            {"row": row, "applicant": a, "value": v}
            for row, values in JIANGBEI_APPLICATIONS.items()
            for a, v in zip(APPLICANTS, values, strict=True)
        ],
        "review_litigation": [
            {"kind": kind, "result": r, "value": v}
            for kind, values in JIANGBEI_REVIEW.items()
            for r, v in zip(RESULTS, values, strict=True)
        ],
    }


def test_2021_fixture_parses_to_its_numbers() -> None:
    report = parse(fixture("generic_jiangbei_2021.html"), name="x.html").to_json()
    want, got = flatten(jiangbei_truth()), flatten(report)
    assert len(want) == 10 + 175 + 15
    wrong = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    assert wrong == {}
    assert set(got) == set(want)
    assert (report["agency"], report["year"], report["format_era"]) == (
        "江北县交通运输局",
        2021,
        "2021",
    )
    assert report["published_on"] == "2022-01-25"
    assert report["findings"] == []
