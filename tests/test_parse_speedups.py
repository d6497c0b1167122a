"""The parsers' shortcuts give what the long way gives.

The HTML reader reads a cell or a paragraph with one libxml2 call when nothing under it is
skipped, hidden or breaks a line, searches the report markers of the whole page at once,
and decides from the page's bytes whether an element can be hidden or a class name can
name a heading. Each shortcut is checked here against the element-by-element reading (the
reader's own fallback) on the test fixtures, generated pages and pages made to defeat the
shortcuts; the label folding against the regular expressions it skips.

Also: the table after stray ``</td></font>`` end tags, and Word's "[bookmark: _GoBack]"."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from parsers import html_reader as H
from parsers import parse
from parsers.decode import declared_charset, decode
from parsers.labels import LABELS_FILE, fold
from parsers.text_reader import drop_bookmarks, read_text
from zfxxgk.generator import HTML_STYLES, generate_report, render

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))

# Pages that defeat one shortcut or another: whitespace and breaks inside cells, skipped
# and hidden markup inside cells and paragraphs, class names that do or do not name a
# heading, references, case, and the characters that only case-folding turns into ASCII.
CRAFTED = [
    "<table><tr><td> 83.82 </td><td><p>83.82</p>\n<p>万元</p></td><td>&nbsp;</td>"
    "<td>a<br>b</td><td>商<br/>业<br/>企<br/>业</td><td>x <b>y</b>  z</td></tr></table>",
    "<table><tr><td>1<script>var a = 2;</script></td><td>2<style>p{}</style>3</td>"
    "<td><span style='display:none'>9</span>4</td><td><span hidden>8</span>5</td></tr></table>",
    "<p>一、总体情况<span style='DISPLAY: NONE'>隐藏</span></p><p>二、主动公开<select><option>x"
    "</option></select>政府信息情况</p><div>本年新收<div>行政复议</div>结果维持</div>",
    "<div class='Title'>2020年政府信息公开工作年度报告</div><p>正文</p>",
    "<div class='x-tit'>某局年度报告</div><div id='bt1'>其他报告</div><p>总体情况</p>",
    "<div class='biaoti'>某局年度报告</div><div class='subtitle'>副标题报告</div>",
    "<div class='&#116;itle'>实体年度报告</div>",
    "<div class='x&Tab;title'>制表符年度报告</div>",
    "<div class='t\u0131tle'>无点i年度报告</div><div class='T\u0130TLE'>有点I年度报告</div>",
    "<div class='ti\u017ftle'>长s年度报告</div><p style='di\u017fplay:none'>长s隐藏</p>",
    "<title>某县年度报告</title><h2>二级标题年度报告</h2><h1>一级</h1><div class=main>正文</div>",
    "<table><tr><td>a</td><lin\u212a>开尔文</lin\u212a><td>b</td></tr></table>",
    "<p>&#104;idden<span style='&#100;isplay:none'>x</span>y</p>",
    "<pre>第一行\n第二行</pre><p>一<pre>甲\n乙</pre>二</p>",
    "<table><tr><td>外<table><tr><td>内</td></tr></table></td></font><p>段落</p>"
    "<table><tr><td>规章</td><td>1</td></tr></table>尾</tr></table>",
    "<table><tr><td>规章</td><td>1</td><span>行内</span></tr><tr height=0><td></td>"
    "<p>零高</p></tr></table>",
]


def _pages() -> list[bytes]:
    pages = [p.read_bytes() for p in FIXTURES]
    pages += [render(generate_report(700 + i), HTML_STYLES[i % len(HTML_STYLES)]).data for i in range(9)]
    pages += [("<html><head><meta charset=utf-8></head><body>" + c + "</body></html>").encode() for c in CRAFTED]
    return pages


PAGES = _pages()


def _tree(data: bytes):
    markup = decode(data, declared_charset(data)).text.encode("utf-8")
    root = H._parse_markup(markup)
    body = root.find("body")
    return markup, root, body if body is not None else root


def _walk(body, hidden, blocked):
    walk = H._Walk(hidden=hidden, blocked=blocked)
    H._walk_block(body, body, walk)
    walk.flush()
    return walk


@pytest.mark.parametrize("index", range(len(PAGES)))
def test_shortcut_walk_gives_the_rows_of_the_element_walk(index):
    markup, root, body = _tree(PAGES[index])
    hidden = H._hidden_elements(root)
    assert H._may_hide(markup) or not hidden
    fast = _walk(body, hidden, H._blocked(body, hidden, markup))
    slow = _walk(body, hidden, None)
    assert [(r.cells, r.origin, r.table) for r in fast.rows] == [(r.cells, r.origin, r.table) for r in slow.rows]
    assert fast.rows  # every page has some text


@pytest.mark.parametrize("index", range(len(PAGES)))
def test_cell_shortcut_gives_cell_text(index):
    markup, root, body = _tree(PAGES[index])
    hidden = H._hidden_elements(root)
    walk = H._Walk(hidden=hidden, blocked=H._blocked(body, hidden, markup))
    cells = list(body.iter("td", "th", "p", "div", "h1", "h2"))
    assert [H._cell_text(c, walk) for c in cells] == [H.cell_text(c, hidden) for c in cells]


def test_cell_text_reads_breaks_spaces_and_skipped_markup():
    _, root, body = _tree(("<body>" + CRAFTED[0] + CRAFTED[1] + "</body>").encode())
    hidden = H._hidden_elements(root)
    walk = H._Walk(hidden=hidden, blocked=H._blocked(body, hidden, b""))
    texts = [H._cell_text(c, walk) for c in body.iter("td")]
    assert texts == ["83.82", "83.82万元", "", "ab", "商业企业", "x y z", "1", "23", "4", "5"]


def test_heading_candidates_keep_every_heading_name():
    """The XPath leaves out class and id values without a "t": none of them can match."""
    page = "<html><body>{}</body></html>"
    names = ["title", "x-TIT", "bt", "biaoti", "&#116;itle", "x&Tab;title", "t\u0131tle", "T\u0130TLE"]
    for name in names:
        for attr in ("class", "id"):
            markup = page.format(f"<p class=MsoNormal>x</p><div {attr}='{name}'>y</div>").encode()
            _, _, body = _tree(markup)
            found = H._heading_candidates(body)
            assert [el.tag for el in found] == ["div"], (attr, name)
    _, _, body = _tree(page.format("<h2 class=bt>a</h2><p class=MsoNormal>b</p><h1>c</h1>").encode())
    assert [el.tag for el in H._heading_candidates(body)] == ["h2", "h1"]


def test_may_hide_sees_every_spelling():
    assert not H._may_hide(b"<p style='color:red'>x</p>")
    for markup in ["<p style='DISPLAY:none'>", "<p Hidden>", "<p style='&#100;isplay:none'>",
                   "<p style='d\u0130splay:none'>", "<p style='vi\u017fibility:hidden'>"]:
        assert H._may_hide(markup.encode()), markup


def _masks_per_cell(rows):
    """The marker search cell by cell (the reference for the page-wide search)."""
    masks = {}
    for row in rows:
        bits = 0
        for cell in row.cells:
            if len(cell) <= H._MARKER_MAX_LEN:
                for m in H._MARKERS.finditer(cell):
                    bits |= 1 << int(m.lastgroup[1:])
        if bits:
            el = row.origin
            while el is not None:
                masks[el] = masks.get(el, 0) | bits
                el = el.getparent()
    return masks


@pytest.mark.parametrize("index", range(len(PAGES)))
def test_page_wide_marker_search_matches_the_search_per_cell(index):
    markup, root, body = _tree(PAGES[index])
    rows = _walk(body, frozenset(), None).rows
    want = _masks_per_cell(rows)
    got = H._marker_masks(rows)
    assert list(got.items()) == list(want.items())


def test_markers_cover_every_pattern():
    for i, pattern in enumerate(H._MARKER_PATTERNS):
        for alt in pattern.split("|"):
            sample = alt.replace(".{0,3}", "、").replace(".{0,2}", "").replace("的?", "的")
            m = H._MARKERS.search("x" + sample + "y")
            assert m is not None and m.lastgroup == f"m{i}", sample


def test_tables_after_stray_end_tags_are_kept():
    page = ("<html><body><table><tr><td class=content><p>一、总体情况</p>"
            "<table><tr><td>外层表</td></tr></table></td></font>"
            "<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>本年新收</td><td>5</td></tr></table>"
            "</tr></table></body></html>")
    doc = H.read_html(page.encode())
    assert ["三、收到和处理政府信息公开申请情况"] in doc.rows
    assert ["本年新收", "5"] in doc.rows
    assert doc.rows.index(["一、总体情况"]) < doc.rows.index(["本年新收", "5"])


def test_stray_end_tags_page_reads_as_its_well_formed_twin():
    findings = ROOT / "tests" / "robustness" / "findings"
    broken = parse((findings / "html-stray-end-tags.html").read_bytes(), name="a.html")
    clean = parse((findings / "html-stray-end-tags.clean.html").read_bytes(), name="a.html")
    assert [(c.table, c.row, c.column, c.value) for c in broken.cells] == [
        (c.table, c.row, c.column, c.value) for c in clean.cells]
    assert len(broken.cells) == 198
    assert broken.title == clean.title == "綦江区人民政府2020年政府信息公开工作年度报告"


def test_word_bookmarks_leave_the_text():
    assert drop_bookmarks("一\n[bookmark: _GoBack]\n二\n") == "一\n二\n"
    assert drop_bookmarks("[bookmark: _GoBack]四、复议\n") == "四、复议\n"
    assert drop_bookmarks("\t规章\n[bookmark: _GoBack]\n\t0\n") == "\t规章\n\t0\n"
    seeds = ROOT / "zfxxgk" / "samples" / "seeds"
    marked = [p for p in sorted(seeds.glob("*.txt")) if b"[bookmark: _GoBack]" in p.read_bytes()]
    assert marked
    for path in marked:
        doc = read_text(path.read_bytes())
        assert "GoBack" not in doc.text and "[bookmark" not in doc.text
        assert not any("GoBack" in cell for row in doc.rows for cell in row)


_QUOTES = str.maketrans({c: '"' for c in "“”„‟「」『』〝〞＂'‘’"})


def _fold_every_pattern(label: str) -> str:
    """``fold`` with every regular expression applied (the reference for its shortcuts)."""
    s = unicodedata.normalize("NFKC", label)
    s = re.sub(r"\s+", "", s).translate(_QUOTES)
    s = re.sub(r"\((?:区分处理|单位|历史累计|本列数据)[^)]*\)?", "", s)
    s = re.sub(r"^\((\d{1,2})\)", r"\1.", s)
    s = re.sub(r"^(\d{1,2})\s*[.、,]\s*", r"\1.", s)
    s = re.sub(r"^([一二三四五六七八九十]{1,3})[.,]", r"\1、", s)
    return s.rstrip(":：;；。")


def test_fold_shortcuts_change_nothing():
    texts = set()
    for line in LABELS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            texts.update(line.split("\t")[-1].split("|"))
    rng = random.Random(5)
    alphabet = list("（）() \u3000\t\n\xa012３一二十、.,:：;。“”'\"区分处理单位历史累计本列数据Ａａ①⑴")
    texts.update("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(20000))
    assert len(texts) > 10000
    assert [fold(t) for t in sorted(texts)] == [_fold_every_pattern(t) for t in sorted(texts)]


def test_utf8_pages_are_parsed_from_their_own_bytes():
    cases = [p for p in PAGES] + [b"\xef\xbb\xbf<p>x</p>", "<p>中文</p>".encode() + "中".encode()[:2],
                                  "<p>中文".encode(), b"", "<p>\u00e9</p>".encode("latin-1")]
    for data in cases:
        decoded = decode(data, declared_charset(data))
        markup = H._utf8_markup(data, decoded.text, decoded.charset)
        assert markup == decoded.text.encode("utf-8")
        assert (markup is data) == (decoded.charset == "utf-8" and data[:3] != b"\xef\xbb\xbf"
                                    and (not data or data[-1] < 0x80))
