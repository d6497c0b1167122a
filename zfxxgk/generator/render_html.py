"""HTML renderings of a generated report, in the shapes reports take on the web:

* "word"   — a Word "save as web page" document: MsoNormal paragraphs and spans, tables with
             rowspan/colspan, &nbsp; in empty cells.
* "portal" — a whole TRS-like portal page: header, navigation menu, breadcrumb, 发布时间, the
             report in a TRS_Editor div, a related-articles list naming other reports (other
             bodies, other years) and a footer.
* "split"  — like "word", but table 三 is split across two <table>s (a page break in Word),
             the second part starting with empty continuation cells.

Bytes are UTF-8 or GBK; the meta charset is usually right and sometimes wrong, as on real
sites. Every choice comes from the report's seed, so the same report renders the same bytes.
"""

from __future__ import annotations

import html
import random
from datetime import timedelta

from zfxxgk.generator.layout import Block, GridCell, Table, build_blocks, grid_positions
from zfxxgk.generator.model import GeneratedReport
from zfxxgk.generator.names import other_agencies

HTML_STYLES = ("word", "portal", "split")

_FONT_TEXT = ["仿宋_GB2312", "仿宋", "宋体"]
_FONT_TITLE = ["方正小标宋简体", "宋体", "黑体"]


def render_html(
    report: GeneratedReport,
    style: str = "word",
    *,
    encoding: str | None = None,
    meta_charset: str | None = None,
) -> bytes:
    """The report as HTML bytes. ``encoding`` / ``meta_charset`` default to a seeded choice
    (see ``html_charsets``)."""
    return _render(report, style, encoding, meta_charset)[0]


def html_charsets(report: GeneratedReport, style: str) -> tuple[str, str]:
    """(bytes encoding, declared meta charset) the default rendering uses: mostly UTF-8
    declared as such, else GBK declared gbk or gb2312, and a few pages whose declaration is
    wrong (GBK bytes declared utf-8, or UTF-8 bytes declared gb2312)."""
    return _pick_encoding(random.Random(f"{report.seed}/html/{style}"))


def _render(
    report: GeneratedReport, style: str, encoding: str | None, meta_charset: str | None
) -> tuple[bytes, str, str]:
    if style not in HTML_STYLES:
        raise ValueError(f"unknown HTML style {style!r}; expected one of {HTML_STYLES}")
    rng = random.Random(f"{report.seed}/html/{style}")
    enc, declared = _pick_encoding(rng)
    if encoding is not None and meta_charset is None:
        meta_charset = encoding
    encoding = encoding or enc
    meta_charset = meta_charset or declared
    blocks = build_blocks(report, signature=rng.random() < 0.9)
    body = _word_body(blocks, rng, split=style == "split")
    if style == "portal":
        page = _portal_page(report, body, rng, meta_charset)
    else:
        page = _word_page(report, body, rng, meta_charset)
    return page.encode(encoding, errors="xmlcharrefreplace"), encoding, meta_charset


def _pick_encoding(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.62:
        return "utf-8", "utf-8"
    if roll < 0.72:
        return "gbk", "gbk"
    if roll < 0.84:
        return "gbk", "gb2312"
    if roll < 0.92:
        return "gbk", "utf-8"  # wrong: declared utf-8, bytes GBK
    return "utf-8", "gb2312"  # wrong: declared gb2312, bytes UTF-8


def _esc(text: str) -> str:
    """Escape for HTML; no-break spaces become &nbsp; (GBK has no U+00A0)."""
    return html.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def _span(text: str, font: str, size: str, lang: bool = False) -> str:
    attrs = " lang=EN-US" if lang else ""
    return f"<span{attrs} style='font-size:{size};font-family:{font}'>{_esc(text)}</span>"


def _cell_html(cell: GridCell, continued: bool, rng: random.Random, width: int) -> str:
    attrs = [f"width={width * cell.colspan}"]
    if not continued:
        if cell.rowspan > 1:
            attrs.append(f"rowspan={cell.rowspan}")
        if cell.colspan > 1:
            attrs.append(f"colspan={cell.colspan}")
    attrs.append("valign=center style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'")
    text = "" if continued else cell.text
    lines = text.split("\n") if text.strip() else []
    if not lines:
        inner = "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US>&nbsp;</span></p>"
    else:
        inner = "".join(
            "<p class=MsoNormal align=center style='text-align:center'>"
            + _span(line, "宋体", "10.5pt", lang=cell.value and rng.random() < 0.7)
            + "</p>"
            for line in lines
        )
    return f"<td {' '.join(attrs)}>{inner}</td>"


def _table_html(table: Table, rng: random.Random, rows: list[list[tuple[GridCell, bool]]]) -> str:
    width = {"proactive": 140, "applications": 60, "review_litigation": 40}[table.name]
    out = ["<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
           "style='border-collapse:collapse;border:none'>"]
    for row in rows:
        out.append(" <tr style='height:20.0pt'>")
        for cell, continued in row:
            if continued:
                continue  # covered by a rowspan
            out.append("  " + _cell_html(cell, False, rng, width))
        out.append(" </tr>")
    out.append("</table>")
    return "\n".join(out)


def _split_tables(table: Table, rng: random.Random) -> list[str]:
    """Table 三 broken in two at a row inside 三、本年度办理结果: the second table opens with
    empty cells standing for the row-spanning labels that continue (Word's page split)."""
    rows = grid_positions(table)
    cut = rng.randint(7, len(rows) - 3)
    first: list[list[tuple[GridCell, bool]]] = []
    for ri, row in enumerate(rows[:cut]):
        clipped = []
        for cell, continued in row:
            if not continued and cell.rowspan > 1 and ri + cell.rowspan > cut:
                cell = GridCell(cell.text, cut - ri, cell.colspan, cell.value)
            clipped.append((cell, continued))
        first.append(clipped)
    # Continuation cells: one empty cell per label still spanning at the cut.
    spanning: dict[int, GridCell] = {}
    for ri, row in enumerate(rows[:cut]):
        for cell, continued in row:
            if not continued and ri + cell.rowspan > cut:
                spanning[id(cell)] = GridCell("", ri + cell.rowspan - cut, cell.colspan)
    second: list[list[tuple[GridCell, bool]]] = []
    for ri, row in enumerate(rows[cut:]):
        line = []
        for cell, continued in row:
            if continued and id(cell) in spanning:
                if ri == 0:
                    line.append((spanning[id(cell)], False))
                continue
            line.append((cell, continued))
        second.append(line)
    return [_table_html(table, rng, first), _table_html(table, rng, second)]


def _word_body(blocks: list[Block], rng: random.Random, *, split: bool) -> str:
    font = rng.choice(_FONT_TEXT)
    out: list[str] = []
    for b in blocks:
        if b.kind == "title":
            for line in b.lines:
                out.append("<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'>"
                           f"<b>{_span(line, rng.choice(_FONT_TITLE), '22.0pt')}</b></p>")
        elif b.kind == "heading":
            out.append("<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
                       f"{_span(b.text, '黑体', '16.0pt')}</p>")
        elif b.kind == "para":
            out.append("<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
                       f"{_span(b.text, font, '16.0pt')}</p>")
        elif b.kind == "table":
            if split and b.table.name == "applications":
                first, second = _split_tables(b.table, rng)
                out.append(first)
                if rng.random() < 0.5:
                    out.append("<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>")
                out.append(second)
            else:
                out.append(_table_html(b.table, rng, grid_positions(b.table)))
            out.append("<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>")
        elif b.kind == "signature":
            for line in b.lines:
                out.append("<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt'>"
                           f"{_span(line, font, '16.0pt')}</p>")
    return "\n".join(out)


def _meta(charset: str) -> str:
    return f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'


def _word_page(report: GeneratedReport, body: str, rng: random.Random, charset: str) -> str:
    title = report.title if rng.random() < 0.8 else rng.choice(["", "附件"])
    return (
        "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
        "xmlns:w=\"urn:schemas-microsoft-com:office:word\">\n<head>\n"
        f"{_meta(charset)}\n<meta name=Generator content=\"Microsoft Word 15 (filtered)\">\n"
        f"<title>{_esc(title)}</title>\n"
        "<style>\n<!--\n p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm;text-align:justify;"
        "font-size:10.5pt;font-family:等线;}\n@page WordSection1 {size:595.3pt 841.9pt;}\n"
        "div.WordSection1 {page:WordSection1;}\n-->\n</style>\n</head>\n"
        "<body lang=ZH-CN style='text-justify-trim:punctuation'>\n<div class=WordSection1>\n"
        f"{body}\n</div>\n</body>\n</html>\n"
    )


_NAV = ["首页", "政务公开", "政务服务", "互动交流", "走进" , "专题专栏"]


def _portal_page(report: GeneratedReport, body: str, rng: random.Random, charset: str) -> str:
    a = report.agency
    site = a.site
    pub = report.published_on
    stamp = f"{pub.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
    column = rng.choice(["政府信息公开年报", "政府信息公开工作年度报告", "年度报告"])
    host = f"www.{rng.choice(['gov', 'zwgk', 'xxgk'])}{rng.randint(10, 99)}.gov.cn"
    related = []
    for i, name in enumerate(other_agencies(rng, a, rng.randint(4, 8))):
        y = rng.choice([report.year - 1, report.year, report.year - 2])
        d = pub - timedelta(days=rng.randint(0, 400) + 365 * (report.year - y))
        rid = rng.randint(1000000, 9999999)
        related.append(
            f'<li><a href="../{d:%Y%m}/t{d:%Y%m%d}_{rid}.html" target="_blank">'
            f"{_esc(name)}{y}年政府信息公开工作年度报告</a><span>{d.isoformat()}</span></li>"
            if i % 3 else
            f'<li><a href="../{d:%Y%m}/t{d:%Y%m%d}_{rid}.html">{_esc(name)}关于做好{y + 1}年政务公开工作的通知</a>'
            f"<span>{d.isoformat()}</span></li>"
        )
    nav = "".join(f'<li><a href="/{i}/">{_esc(n if n != "走进" else "走进" + site[:2])}</a></li>'
                  for i, n in enumerate(_NAV))
    repeat_title = rng.random() < 0.4
    content = body
    if not repeat_title:
        # Editors often drop the Word title from the body: the page <h1> carries it.
        content = "\n".join(line for line in body.split("\n") if "font-size:22.0pt" not in line)
    return (
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
        "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
        "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
        f"{_meta(charset)}\n"
        f"<title>{_esc(report.title)}_{_esc(site)}</title>\n"
        f'<meta name="SiteName" content="{_esc(site)}">\n'
        f'<meta name="SiteDomain" content="{host}">\n'
        f'<meta name="ColumnName" content="{column}">\n'
        f'<meta name="ArticleTitle" content="{_esc(report.title)}">\n'
        f'<meta name="PubDate" content="{stamp}">\n'
        f'<meta name="ContentSource" content="{_esc(a.name)}">\n'
        '<link rel="stylesheet" href="/images/common.css" type="text/css">\n'
        '<script type="text/javascript" src="/js/jquery.min.js"></script>\n'
        "</head>\n<body>\n"
        f'<div class="header"><div class="logo"><img src="/images/logo.png" alt="{_esc(site)}"></div>'
        '<div class="search"><form action="/search"><input type="text" name="q" placeholder="请输入关键字">'
        '<button type="submit">搜索</button></form></div>'
        '<div class="toplinks"><a href="/">无障碍</a> | <a href="/">长者模式</a> | <a href="/">English</a></div></div>\n'
        f'<div class="nav"><ul>{nav}</ul></div>\n'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
        f'<a href="/zwgk/zfxxgk/">政府信息公开</a> &gt; <a href="./">{column}</a></div>\n'
        '<div class="article">\n'
        f'<h1 class="title">{_esc(report.title)}</h1>\n'
        f'<div class="info"><span>发布时间：{stamp}</span><span>来源：{_esc(a.name)}</span>'
        '<span>浏览次数：<script>document.write(Math.floor(Math.random()*1000))</script></span>'
        '<span class="fontsize">字号：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</span></div>\n'
        f'<div class="TRS_Editor">\n{content}\n</div>\n'
        '<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>\n'
        "</div>\n"
        f'<div class="related"><h3>相关文章</h3><ul>{"".join(related)}</ul></div>\n'
        f'<div class="footer"><p>主办单位：{_esc(site)}办公室　承办单位：{_esc(site)}政务服务和数据管理局</p>'
        f"<p>网站标识码：{rng.randint(1000000000, 9999999999)}　ICP备案号：ICP备{rng.randint(10000000, 99999999)}号"
        f"　公网安备 {rng.randint(10000000000000, 99999999999999)}号</p>"
        f"<p>版权所有：{_esc(site)}　联系电话：0{rng.randint(10, 999)}-{rng.randint(1000000, 99999999)}</p></div>\n"
        "</body>\n</html>\n"
    )
