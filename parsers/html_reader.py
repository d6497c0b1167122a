"""HTML (a report page, a whole portal page or a Word "save as web page" export) → Document.

One walk over the page turns it into rows in reading order: each ``<tr>`` of a data table
becomes one row of its own cells (a merged cell appears once, where it starts), each text
block or line outside tables becomes a one-cell row, and layout tables are descended into
instead of being read as giant cells. The main content is then chosen *after* the walk,
from where the report's section headings and table labels were found: the deepest element
holding all of them. Only its rows are kept, minus navigation, "related articles" lists and
other page chrome, which routinely name other years' reports and would mislead the year
and agency extraction.

Cell text joins its pieces with no separator, because Chinese labels are wrapped over
``<br>``/``<p>`` (商<br>业<br>企<br>业 → 商业企业); a cell of only ``&nbsp;``/spaces is "".

``Document.meta`` keys: ``published`` (yyyy-mm-dd) with ``published_source`` ("page-meta",
"page-text" or "url"), ``source_agency``, ``site``, ``charset_declared``, ``charset_used``.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from lxml import etree

from parsers.decode import declared_charset, decode
from parsers.document import Document
from parsers.errors import ParseError

# --- element classes -------------------------------------------------------------------

# fmt: off
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
    "menu", "nav", "ol", "p", "pre", "section", "summary", "ul",
))
_SKIP_TAGS = frozenset((
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "select",
    "option", "textarea", "button", "input", "object", "embed", "iframe", "frame", "frameset",
    "svg", "math", "canvas", "audio", "video", "map", "xml",
))
# fmt: on
_CELL_TAGS = frozenset(("td", "th"))
# Deeper than this the walk stops recursing (Python's stack) and keeps the text as is.
_MAX_DEPTH = 150
_ROW_GROUPS = frozenset(("thead", "tbody", "tfoot"))
_HEADING_TAGS = frozenset(("h1", "h2", "h3"))

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Characters _HIDDEN_STYLE's IGNORECASE matching folds to the ASCII letters of "display"
# and "hidden" (İ, ı → i; ſ → s).
_FOLDING_TO_ASCII = ("\u0130", "\u0131", "\u017f")

# Class/id tokens of page chrome. Rows under such an element are dropped unless it holds
# a report marker itself (some templates name the article box "main-side" and the like).
_CHROME = re.compile(
    r"(?:^|[-_])(?:nav|navbar|menu|submenu|footer|foot|header|head|top|topbar|bottom|"
    r"breadcrumbs?|crumbs?|position|location|weizhi|dqwz|share|fenxiang|related|relate|"
    r"xgwz|xgxx|xglj|xgwj|sidebar|side|aside|copyright|banquan|links?|friendlinks?|yqlj|"
    r"toolbar|tools|print|pager|pagination|pagebar|prevnext|prev|next|sxp|search|login|"
    r"qrcode|ewm|wza|comment)(?:[-_]|\d*$)",
    re.IGNORECASE,
)
# For choosing the title, a header box is fine (titles live there); menus and lists are not.
_NOT_TITLE = re.compile(
    r"(?:^|[-_])(?:nav|navbar|menu|footer|foot|breadcrumbs?|crumbs?|position|location|"
    r"related|relate|xgwz|xgxx|xglj|sidebar|side|copyright|links?|friendlinks?|pager|"
    r"pagination|prevnext|prev|next|list)(?:[-_]|\d*$)",
    re.IGNORECASE,
)
_CHROME_TAGS = frozenset(("nav", "header", "footer", "aside"))

# Lines that are page furniture wherever they appear (they start the line).
_FURNITURE_LINE = re.compile(
    r"^[【\[]?\s*(?:上一篇|下一篇|上一条|下一条|打印本页|打印此页|关闭窗口|关闭本页|分享到|扫一扫|"
    r"返回顶部)|^[【\[]\s*(?:打印|关闭|字号|收藏)"
)
_FURNITURE_MAX_LEN = 100
# A heading after which everything in the same box is a list of other articles.
_RELATED_HEADING = re.compile(
    r"^[【\[]?\s*(?:相关文章|相关链接|相关阅读|相关信息|相关新闻|相关文件|相关稿件|推荐阅读)\s*[】\]]?\s*[:：]?$"
)

# --- report structure markers ----------------------------------------------------------
# Section headings (short lines only: an introduction that lists all six sections in one
# sentence must not count) and labels of the three standard tables.
_MARKER_PATTERNS = (
    r"总体情况",
    r"主动公开政府信息",
    r"收到和处理政府信息公开申请|依申请公开政府信息情况",
    r"行政复议.{0,3}行政诉讼|行政复议.{0,2}诉讼情况",
    r"存在的?主要问题|存在问题|改进情况",
    r"其他需要报告",
    r"第二十条第",
    r"本年新收",
    r"结果维持",
)
_MARKERS = re.compile(
    # Every alternative starts with a plain character: a lookahead for those lets the
    # regex engine skip ahead instead of trying every pattern at every position.
    "(?=[{}])(?:{})".format(
        "".join(sorted({alt[0] for p in _MARKER_PATTERNS for alt in p.split("|")})),
        "|".join(f"(?P<m{i}>{p})" for i, p in enumerate(_MARKER_PATTERNS)),
    )
)
_MARKER_MAX_LEN = 40
_MIN_MARKERS = 3

# Common article containers of TRS, Hanweb, gkmlpt and other portal templates, best first.
_CONTAINER_IDS = ("UCAP-CONTENT", "zoom", "zoomcon", "Zoom", "js_content", "content", "article")
_CONTAINER_CLASSES = (
    "TRS_Editor",
    "TRS_UEDITOR",
    "view",
    "article-content",
    "article_content",
    "articleContent",
    "detail-content",
    "news_content",
    "pages_content",
    "content",
    "article",
)

_WS = re.compile(r"\s+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A source line break between two CJK characters is formatting, not a space.
_SEGMENT_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")

# --- dates and labelled metadata ------------------------------------------------------
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
_DATE_RE = re.compile(_DATE)
_LABELLED_DATE = re.compile(
    r"(发布时间|发布日期|公开日期|发文日期|成文日期|生成日期|日期|时间)\s*[:：]?\s*[\[【(（]?\s*"
    + _DATE
)
_DATE_LABEL_RANK = {
    "发布时间": 0,
    "发布日期": 0,
    "公开日期": 1,
    "发文日期": 2,
    "成文日期": 3,
    "生成日期": 4,
    "日期": 5,
    "时间": 5,
}
_SOURCE = re.compile(
    r"(?:信息来源|文章来源|来源|发布机构|发文机关|发布单位)\s*[:：]\s*([^\s|｜【】\[\]，,:：]{2,60})"
)
_SOURCE_TAIL = re.compile(
    r"(?:发布时间|发布日期|时间|日期|作者|浏览|点击|访问|字号|阅读|编辑|责任).*$"
)
_URL_DATE = re.compile(r"/t(20\d{2})(\d{2})(\d{2})_\d+")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|—+|–|\s-\s|-{1,2}(?=\D))\s*")
_TITLE_WORDS = re.compile(r"报告|年报")

_META_TITLE = ("articletitle", "og:title", "title", "dc.title")
_META_DATE = (
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "firstpublishedtime",
    "article:published_time",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
)
_META_SOURCE = ("contentsource", "source", "dc.publisher")
_META_SITE = ("sitename", "og:site_name")


@dataclass(slots=True)
class _Row:
    cells: list[str]
    origin: etree._Element
    table: bool
    markers: int = 0  # report markers found in this row's own cells (bits of _MARKERS)


@dataclass(slots=True)
class _Walk:
    """State of the one walk over the page."""

    rows: list[_Row] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    buffer_origin: etree._Element | None = None
    depth: int = 0
    # the page's hidden elements (see _hidden_elements); tested by identity
    hidden: frozenset[etree._Element] | set[etree._Element] = frozenset()
    # elements holding a skipped or hidden element (see _blocked); None: no shortcuts
    blocked: set[etree._Element] | None = None

    def add_text(self, text: str, block: etree._Element) -> None:
        if not self.buffer:
            self.buffer_origin = block
        self.buffer.append(text)

    def flush(self) -> None:
        if self.buffer:
            line = clean_text("".join(self.buffer))
            if line and self.buffer_origin is not None:
                self.rows.append(_Row([line], self.buffer_origin, False))
        self.buffer = []
        self.buffer_origin = None


# --- public API -------------------------------------------------------------------------


def read_html(data: bytes, url: str | None = None) -> Document:
    """Read an HTML page or bare report markup into a ``Document`` (format "html")."""
    declared = declared_charset(data)
    decoded = decode(data, declared)
    markup = _utf8_markup(data, decoded.text, decoded.charset)
    root = _parse_markup(markup)
    body = root.find("body")
    if body is None:
        body = root

    hidden = _hidden_elements(root) if _may_hide(markup) else frozenset()
    walk = _Walk(hidden=hidden, blocked=_blocked(body, hidden, markup))
    _walk_block(body, body, walk)
    walk.flush()
    rows = walk.rows

    masks = _marker_masks(rows)
    container = _choose_container(body, masks, rows)
    kept = _content_rows(rows, container, masks)

    meta: dict[str, str] = {}
    if declared:
        meta["charset_declared"] = declared
    meta["charset_used"] = decoded.charset
    metas = _meta_tags(root)
    outside, inside = _rows_around(rows, container)
    _published(meta, metas, outside, inside, url)
    _source_agency(meta, metas, outside)
    site = _first(metas, _META_SITE)
    if site:
        meta["site"] = site

    cells = [r.cells for r in kept]
    text = "\n".join("\t".join(c) for c in cells)
    title = _title(root, body, metas, container, walk.hidden)
    return Document(rows=cells, text=text, title=title, meta=meta, format="html")


def parse_tree(text: str) -> etree._Element:
    """Parse decoded HTML with comments (Word's conditional blocks) and PIs removed."""
    return _parse_markup(text.encode("utf-8"))


def _utf8_markup(data: bytes, text: str, charset: str) -> bytes:
    """``text`` in UTF-8: ``data`` itself when it decoded whole as strict UTF-8 (the round
    trip is exact), which saves encoding the page again. Not when a BOM was dropped or an
    incomplete character cut off at the end (``decode`` says "utf-8" then too; such an end
    is a byte of 0x80 or more, a whole page's last byte is then one too, and gets encoded)."""
    if charset == "utf-8" and data[-1:] < b"\x80" and not data.startswith(codecs.BOM_UTF8):
        return data
    return text.encode("utf-8")


def _parse_markup(markup: bytes) -> etree._Element:
    """``parse_tree`` of the text's UTF-8 bytes (the walk's pre-checks read the same bytes)."""
    # lxml's HTML parser (libxml2) with plain elements: lxml.html's element classes cost a
    # class lookup per node and nothing here needs them.
    # huge_tree: libxml2 otherwise stops reading at nesting depth 256 (old pages with
    # hundreds of unclosed <font> tags get there) and silently drops the rest.
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        root = etree.fromstring(markup, parser)
    except (etree.ParserError, ValueError) as err:
        raise ParseError("HTML 文档无法解析 / unreadable HTML", cause=err) from err
    if root is None:
        raise ParseError("HTML 文档为空 / empty HTML document")
    return root


def clean_text(text: str) -> str:
    """Collapse whitespace (``&nbsp;`` and full-width spaces included) to single spaces,
    drop source line breaks between CJK characters, trim the ends."""
    # fast paths: the plain space is the only printable whitespace character
    if text.isprintable():
        return text.strip() if "  " not in text else _WS.sub(" ", text).strip()
    if text.isspace():
        return ""
    if "\n" in text:
        text = _SEGMENT_BREAK.sub("", text)
    return _WS.sub(" ", text).strip()


# --- the walk ---------------------------------------------------------------------------


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    if not isinstance(tag, str):
        return None  # comment, PI, entity
    return tag.lower()


def _hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _hidden_elements(
    root: etree._Element, source: str | None = None
) -> frozenset[etree._Element] | set[etree._Element]:
    """Every hidden element under ``root``, found once, so that the walk tests membership
    instead of reading two attributes of every element it meets (the set keeps the
    element proxies alive, so lxml hands out the same objects and identity holds).
    ``source``: the markup ``root`` was parsed from; most pages cannot hide anything."""
    if source is not None and not _may_hide(source.encode("utf-8")):
        return frozenset()
    return {el for el in root.iter(etree.Element) if _hidden(el)}


# _FOLDING_TO_ASCII in UTF-8
_FOLDING_BYTES = tuple(c.encode("utf-8") for c in _FOLDING_TO_ASCII)


def _may_hide(markup: bytes) -> bool:
    """Could the page parsed from the UTF-8 ``markup`` hide an element? Only if its markup
    says "hidden" or "display" in some case, or spells characters as references (&#…;):
    attribute names and values are the source text with entities decoded, and no named
    entity decodes to a letter. In UTF-8 an ASCII letter is only ever its own byte, so
    lower-casing the bytes finds every spelling at the cost of one pass."""
    # one-byte searches (memchr) first: "#" and the lead bytes of the folding characters
    # are rare in Chinese text, and a longer needle costs a slower scan of every byte
    if b"#" in markup and b"&#" in markup:
        return True
    if (b"\xc4" in markup or b"\xc5" in markup) and any(c in markup for c in _FOLDING_BYTES):
        return True
    lower = markup.lower()
    return b"hidden" in lower or b"display" in lower


def _all_text(el: etree._Element) -> str:
    """Every text node under ``el`` in document order, joined (its own tail excluded):
    ``"".join(el.itertext())`` for a tree without comments or PIs, gathered by libxml2 in
    one call (several times faster than itertext's iteration)."""
    return _tostring(el, method="text", encoding=str, with_tail=False)


_tostring = etree.tostring


# Tag names libxml2's HTML parser does not lower-case that Python's str.lower() turns into
# an ASCII name (only KELVIN SIGN → "k"); the walk compares lower-cased names.
_LOWERS_TO_ASCII = "\u212a".encode()


def _blocked(
    body: etree._Element,
    hidden: frozenset[etree._Element] | set[etree._Element],
    markup: bytes,
) -> set[etree._Element] | None:
    """Every element with a skipped element (script, style, …), a hidden one or a non-
    element node somewhere under it. Any other element's text is all of its text, which
    libxml2 gathers in one call where the walk would visit element by element (see
    ``_inline_text``, ``_cell_text``). None when the shortcut is unsafe: the parser lower-cases ASCII
    letters of tag names only, and a name with a KELVIN SIGN lower-cases to "link"."""
    if _LOWERS_TO_ASCII in markup:
        return None
    blocked: set[etree._Element] = set()
    specials = body.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity, *_SKIP_TAGS)
    for found in (specials, hidden):
        for el in found:
            for above in el.iterancestors():
                if above in blocked:
                    break
                blocked.add(above)
    return blocked


# Descendants that make an element more than one run of text: they break the line, hold
# table rows or are left out. (Tag names from libxml2's HTML parser are lower case.)
_NOT_INLINE = _BLOCK_TAGS | _SKIP_TAGS | _CELL_TAGS | frozenset(("br", "table", "tr"))


def _inline_text(el: etree._Element, walk: _Walk) -> str | None:
    """All text under ``el`` (its own tail excluded) when nothing under it breaks the line
    or is left out — what walking it would add as one run — else None."""
    blocked = walk.blocked
    if blocked is None or el in blocked:
        return None
    for child in el.iterdescendants():
        if child.tag in _NOT_INLINE:
            return None
    return _all_text(el)


def _walk_block(el: etree._Element, block: etree._Element, walk: _Walk) -> None:
    """Walk the content of ``el``; inline text accumulates into the line of ``block``."""
    if el.text:
        if _tag(el) == "pre":
            _add_pre(el.text, block, walk)
        else:
            walk.add_text(el.text, block)
    for child in el:
        _visit(child, block, walk)
        if child.tail:
            walk.add_text(child.tail, block)


def _add_pre(text: str, block: etree._Element, walk: _Walk) -> None:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            walk.flush()
        walk.add_text(line, block)


def _visit(el: etree._Element, block: etree._Element, walk: _Walk) -> None:
    tag = _tag(el)
    if tag is None or tag in _SKIP_TAGS or (walk.hidden and el in walk.hidden):
        return
    if walk.depth > _MAX_DEPTH:  # pathological nesting: keep the text, stop recursing
        walk.add_text("".join(el.itertext()), block)
        return
    walk.depth += 1
    try:
        _visit_element(el, tag, block, walk)
    finally:
        walk.depth -= 1


def _visit_element(el: etree._Element, tag: str, block: etree._Element, walk: _Walk) -> None:
    if tag == "br":
        walk.flush()
    elif tag == "table":
        walk.flush()
        _walk_table(el, walk)
    elif tag in _BLOCK_TAGS or tag in _CELL_TAGS or tag == "tr":
        walk.flush()
        if tag == "tr":
            _walk_row(el, walk)
        else:
            text = None if tag == "pre" else _inline_text(el, walk)
            if text is None:
                _walk_block(el, el, walk)
            elif text:
                walk.add_text(text, el)
        walk.flush()
    else:
        text = _inline_text(el, walk)
        if text is None:
            _walk_block(el, block, walk)
        elif text:
            walk.add_text(text, block)


def _walk_table(table: etree._Element, walk: _Walk) -> None:
    for child in table:
        tag = _tag(child)
        if tag is None:
            pass
        elif tag == "tr":
            _walk_row(child, walk)
        elif tag in _ROW_GROUPS:
            if not (walk.hidden and child in walk.hidden):
                _walk_table(child, walk)
        elif tag == "caption":
            walk.flush()
            _walk_block(child, child, walk)
            walk.flush()
        else:  # stray markup inside a table (forms, paragraphs, nested tables)
            _visit(child, table, walk)
        if child.tail and child.tail.strip():
            walk.add_text(child.tail, table)
            walk.flush()


def _walk_row(tr: etree._Element, walk: _Walk) -> None:
    hidden = walk.hidden
    if hidden and tr in hidden:
        return
    cells: list[etree._Element] = []
    stray = False  # markup other than cells right in the row (see _walk_stray)
    lower = walk.blocked is None  # else tag names are lower case already (see _blocked)
    for c in tr:
        tag = _tag(c) if lower else c.tag
        if tag in _CELL_TAGS:
            if not (hidden and c in hidden):
                cells.append(c)
        elif isinstance(tag, str) and tag not in _SKIP_TAGS:
            stray = True
    if not cells:
        _walk_block(tr, tr, walk)  # rows holding only stray markup
        walk.flush()
        return
    # most rows hold no table at all: one look at the row before one per cell
    layout = next(tr.iter("table"), None) is not None and any(
        c.find(".//table") is not None for c in cells
    )
    texts = [] if layout else [_cell_text(c, walk) for c in cells]
    if layout or (
        max(map(len, texts)) > _PROSE_MIN
        and any(_is_prose_cell(c, t) for c, t in zip(cells, texts, strict=True))
    ):
        if stray:
            _walk_stray(tr, cells, walk)
            return
        for c in cells:
            walk.flush()
            _walk_block(c, c, walk)
            walk.flush()
        return
    if any(texts) or not _spacer_row(tr):
        walk.rows.append(_Row(texts, tr, True))
    if stray:
        _walk_stray(tr, [], walk)


def _walk_stray(tr: etree._Element, cells: list[etree._Element], walk: _Walk) -> None:
    """A row with markup right in it besides its cells: what an unclosed cell followed by
    stray end tags (``</td></font>``) leaves, libxml2 putting the rest of the page's
    content (paragraphs, the report's tables) into the row, where browsers show it. Walk
    that markup and ``cells`` (the row's cells, when they are read as page regions; a data
    row has been kept as one row already) in document order."""
    walk.flush()
    for c in tr:
        if c in cells:
            _walk_block(c, c, walk)
        elif c.tag not in _CELL_TAGS:
            _visit(c, tr, walk)
            if c.tail:
                walk.add_text(c.tail, tr)
        walk.flush()


_PROSE_MIN = 200  # a cell of no more characters is never prose


def _is_prose_cell(cell: etree._Element, text: str) -> bool:
    """A cell holding several paragraphs of prose: a page region of a layout table (as is
    any cell holding a nested table), not a value or a label."""
    if len(text) <= _PROSE_MIN:
        return False
    return sum(1 for _ in cell.iter("p", "div", "h1", "h2", "h3", "h4", "li")) >= 2


def _spacer_row(tr: etree._Element) -> bool:
    """Word's zero-height row of borderless empty cells that only fixes column widths
    (other blank rows stay: their empty cells are null values)."""
    height = (tr.get("height") or "").strip().lower().removesuffix("px")
    if height in ("0", "1"):
        return True
    return all(
        not (c.text or "").strip() and len(c) == 0 and "border:none" in (c.get("style") or "")
        for c in tr
    )


# Elements that end the line of text before them and start a new one.
_LINE_BREAKS = _BLOCK_TAGS | _CELL_TAGS | {"br"}
# Marks a line break while a cell's pieces are gathered: a lone surrogate, which text from
# lxml (decoded from well-formed UTF-8) can never hold.
_BREAK = "\udfff"


def cell_text(
    cell: etree._Element, hidden: frozenset[etree._Element] | set[etree._Element] | None = None
) -> str:
    """All text of a cell joined with no separator (see the module docstring). Where a
    ``<br>`` or a paragraph breaks the line, the whitespace around the break goes too, as
    a browser drops it at line ends: "<p>83.82</p>\n<p>万元</p>" → "83.82万元".
    ``hidden``: the page's hidden elements when known (else found under ``cell``)."""
    if len(cell) == 0:
        return clean_text(cell.text or "")
    if hidden is None:
        hidden = _hidden_elements(cell)
    pieces: list[str] = []
    _gather(cell, pieces, 0, hidden)
    return "".join([clean_text(line) for line in "".join(pieces).split(_BREAK) if line])


def _cell_text(cell: etree._Element, walk: _Walk) -> str:
    """``cell_text`` with the page's walk state: a cell whose text holds no whitespace at
    all reads the same whatever breaks its lines, so libxml2 gives it in one call (as
    ``_all_text``, inlined: most cells of a page come here; see ``_blocked``); a cell of
    only whitespace is ""."""
    blocked = walk.blocked
    if blocked is not None and cell not in blocked:
        text = _tostring(cell, method="text", encoding=str, with_tail=False)
        if " " not in text and text.isprintable():
            return text
        if not text or text.isspace():
            return ""
    return cell_text(cell, walk.hidden)


def _gather(
    el: etree._Element,
    pieces: list[str],
    depth: int,
    hidden: frozenset[etree._Element] | set[etree._Element],
) -> None:
    if depth > _MAX_DEPTH:
        pieces.append("".join(el.itertext()))
        return
    text = el.text
    if text:
        pieces.append(text)
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            tag = tag.lower()
            if tag not in _SKIP_TAGS and not (hidden and child in hidden):
                breaks = tag in _LINE_BREAKS
                if breaks:
                    pieces.append(_BREAK)
                if len(child):
                    _gather(child, pieces, depth + 1, hidden)
                else:  # a leaf (most are): its text, without the call
                    text = child.text
                    if text:
                        pieces.append(text)
                if breaks:
                    pieces.append(_BREAK)
        tail = child.tail
        if tail:
            pieces.append(tail)


# --- the main content -----------------------------------------------------------------


def _marker_masks(rows: list[_Row]) -> dict[etree._Element, int]:
    """Set each row's own markers; return, for every element holding a report marker,
    the set of markers under it (bits)."""
    masks: dict[etree._Element, int] = {}
    # One search over the whole page's cells, joined by line breaks, which no marker
    # pattern can match across (no literal holds one, "." stops at it): the same matches
    # as a search per cell, at the cost of one call. starts[i]: where row i begins.
    joined = ["\n".join(row.cells) for row in rows]
    starts = list(accumulate([len(j) + 1 for j in joined], initial=0))
    found: dict[int, int] = {}
    for m in _MARKERS.finditer("\n".join(joined)):
        i = bisect_right(starts, m.start()) - 1
        end = starts[i]
        for cell in rows[i].cells:  # the cell the match is in
            end += len(cell) + 1
            if m.start() < end:
                break
        if len(cell) <= _MARKER_MAX_LEN:
            found[i] = found.get(i, 0) | 1 << int(m.lastgroup[1:])  # type: ignore[index]
    for i, bits in found.items():
        row = rows[i]
        row.markers = bits
        el: etree._Element | None = row.origin
        while el is not None:
            masks[el] = masks.get(el, 0) | bits
            el = el.getparent()
    return masks


def _is_chrome(el: etree._Element) -> bool:
    return _tag(el) in _CHROME_TAGS or _names_match(el, _CHROME)


def _names_match(el: etree._Element, pattern: re.Pattern[str]) -> bool:
    """Does a class or id token of ``el`` match ``pattern``?"""
    for name in ("class", "id"):
        value = el.get(name)
        if value and any(pattern.search(token) for token in value.split()):
            return True
    return False


def _choose_container(
    body: etree._Element, masks: dict[etree._Element, int], rows: list[_Row]
) -> etree._Element:
    """The deepest element holding every report marker found outside page chrome; else a
    known article container of the common portal templates; else the body."""
    full = 0
    for row in rows:
        if row.markers & ~full and not _under_chrome(row.origin, body):
            full |= row.markers
    if full.bit_count() >= _MIN_MARKERS:
        best: etree._Element | None = None
        best_depth = -1
        for el, bits in masks.items():
            if bits & full == full:
                depth = sum(1 for _ in el.iterancestors())
                if depth > best_depth:
                    best, best_depth = el, depth
        if best is not None:
            return best
    known = _known_container(body)
    return known if known is not None else body


def _under_chrome(el: etree._Element, stop: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None and node is not stop:
        if _is_chrome(node):
            return True
        node = node.getparent()
    return False


def _known_container(body: etree._Element) -> etree._Element | None:
    found: dict[str, etree._Element] = {}
    for el in body.iter():
        if _tag(el) is None:
            continue
        ident = el.get("id")
        if ident in _CONTAINER_IDS and ("#" + ident) not in found:
            found["#" + ident] = el
        for token in (el.get("class") or "").split():
            if token in _CONTAINER_CLASSES and token not in found:
                found[token] = el
    for key in ("#UCAP-CONTENT", "TRS_Editor", "TRS_UEDITOR", "#zoom", "#zoomcon", "#Zoom"):
        if key in found:
            return found[key]
    for key in _CONTAINER_CLASSES + tuple("#" + i for i in _CONTAINER_IDS):
        el = found.get(key)
        if el is not None and _text_size(el) >= 50:
            return el
    return None


def _text_size(el: etree._Element) -> int:
    return len(clean_text("".join(el.itertext())))


def _content_rows(
    rows: list[_Row], container: etree._Element, masks: dict[etree._Element, int]
) -> list[_Row]:
    """Rows under ``container``, without chrome boxes holding no report marker and without
    "related articles" lists."""
    kept: list[_Row] = []
    related_box: etree._Element | None = None
    verdicts: dict[etree._Element, bool] = {}
    places: dict[etree._Element, int] = {}
    for row in rows:
        place = _place(row.origin, container, masks, verdicts, places)
        if place != _KEPT:  # outside the content, or in a chrome box
            continue
        if related_box is not None and (
            related_box is container or _below(row.origin, related_box, container)
        ):
            continue
        if not row.table and len(row.cells) == 1:
            line = row.cells[0]
            if _RELATED_HEADING.match(line):
                # the list is the heading's box; a heading right in the content box ends it
                parent = row.origin.getparent() if row.origin is not container else None
                related_box = parent if parent is not None and parent is not container else container
                continue
            if len(line) < _FURNITURE_MAX_LEN and _FURNITURE_LINE.match(line):
                continue
        kept.append(row)
    return kept


_OUTSIDE, _KEPT, _DROPPED = 0, 1, 2


def _place(
    el: etree._Element,
    container: etree._Element,
    masks: dict[etree._Element, int],
    verdicts: dict[etree._Element, bool],
    places: dict[etree._Element, int],
    *,
    judge: bool = True,
) -> int:
    """Where ``el`` is: outside ``container``, inside it, or inside it under a chrome box
    holding no report marker (``el`` included, ``container`` not; only when ``judge``).
    Remembered for every element on the way up, so rows of one table cost one look."""
    path: list[etree._Element] = []
    node: etree._Element | None = el
    place = _OUTSIDE
    while node is not None:
        if node is container:
            place = _KEPT
            break
        known = places.get(node)
        if known is not None:
            place = known
            break
        path.append(node)
        node = node.getparent()
    for node in reversed(path):
        if judge and place == _KEPT and _drop_box(node, masks, verdicts):
            place = _DROPPED
        places[node] = place
    return place


def _below(el: etree._Element, box: etree._Element, container: etree._Element) -> bool:
    """Is ``box`` ``el`` or one of its ancestors inside ``container``?"""
    node: etree._Element | None = el
    while node is not None and node is not container:
        if node is box:
            return True
        node = node.getparent()
    return False


def _chain_to(el: etree._Element, container: etree._Element) -> list[etree._Element] | None:
    """Elements from ``el`` up to (excluding) ``container``; None if not inside it."""
    chain: list[etree._Element] = []
    node: etree._Element | None = el
    while node is not None:
        if node is container:
            return chain
        chain.append(node)
        node = node.getparent()
    return None


def _drop_box(
    el: etree._Element, masks: dict[etree._Element, int], verdicts: dict[etree._Element, bool]
) -> bool:
    verdict = verdicts.get(el)
    if verdict is None:
        verdict = _is_chrome(el) and not masks.get(el)
        verdicts[el] = verdict
    return verdict


# --- title and metadata -----------------------------------------------------------------


def _meta_tags(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    head = root.find("head")
    scope = head if head is not None else root
    for el in scope.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        content = clean_text(el.get("content") or "")
        if name and content and name not in out:
            out[name] = content
    return out


def _first(metas: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if metas.get(name):
            return metas[name]
    return None


def _title(
    root: etree._Element,
    body: etree._Element,
    metas: dict[str, str],
    container: etree._Element,
    hidden: frozenset[etree._Element] | set[etree._Element] | None = None,
) -> str | None:
    """Meta ArticleTitle/og:title; else the heading naming a report near the content; else
    the part of ``<title>`` naming a report; else the page's ``<h1>``; else ``<title>``
    without the site name."""
    title = _first(metas, _META_TITLE)
    if title:
        return title
    heading, h1 = _main_heading(body, container, hidden)
    if heading:
        return heading
    el = root.find(".//title")
    page_title = _strip_site_name(clean_text("".join(el.itertext()))) if el is not None else ""
    if page_title and _TITLE_WORDS.search(page_title):
        return page_title
    return h1 or page_title or None


def _main_heading(
    body: etree._Element,
    container: etree._Element,
    hidden: frozenset[etree._Element] | set[etree._Element] | None = None,
) -> tuple[str | None, str | None]:
    """(the nearest heading-like element — h1–h3 or a *title* box — naming a report before
    the content, or else the first one inside it; the last ``<h1>`` before the content, or
    else the first inside it).
    Headings after the content belong to other articles."""
    before: str | None = None
    last_h1: str | None = None
    # Only heading-like elements matter, in document order: the first one that follows
    # the content (and is not in it) ends the search.
    follows = _follows(container)
    for el in _heading_candidates(body):
        is_inside = _chain_to(el, container) is not None
        if not is_inside and follows(el):
            break  # past the content
        tag = _tag(el)
        if tag is None or not _is_heading(el, tag):
            continue
        text = cell_text(el, hidden)
        if not 4 <= len(text) <= 120 or _in_link_or_list(el, body):
            continue
        if _TITLE_WORDS.search(text):
            if is_inside:
                return before or text, last_h1
            before = text
        elif tag == "h1" and (not is_inside or last_h1 is None):
            last_h1 = text
    return before, last_h1


_HEADING_NAME = re.compile(r"(?:^|[-_\s])(?:title|tit|bt|biaoti)(?:[-_\s]|\d*$)", re.I)


def _follows(container: etree._Element) -> Callable[[etree._Element], bool]:
    """A test: does an element outside ``container`` come after it in document order?
    (Where the two branches meet, compare the positions of their branches.)"""
    branch_of: dict[etree._Element, etree._Element] = {}  # ancestor → its child on the path
    node = container
    parent = node.getparent()
    while parent is not None:
        branch_of[parent] = node
        node, parent = parent, parent.getparent()

    def follows(el: etree._Element) -> bool:
        if el in branch_of:  # an ancestor of the content comes before it
            return False
        node = el
        parent = node.getparent()
        while parent is not None:
            mine = branch_of.get(parent)
            if mine is not None:
                return parent.index(node) > parent.index(mine)
            node, parent = parent, parent.getparent()
        return False

    return follows


def _is_heading(el: etree._Element, tag: str) -> bool:
    if tag in _HEADING_TAGS:
        return True
    for name in ("class", "id"):
        value = el.get(name)
        if value and _HEADING_NAME.search(value):
            return True
    return False


# h1–h3 elements and every class and id value, in document order (an element's
# attributes come right after it), gathered by libxml2 rather than element by element.
# Only values with a "t" can match _HEADING_NAME (each of its words has one, and no other
# character folds to "t"), which leaves out most class values of Word exports (MsoNormal).
_HEADINGS_AND_NAMES = etree.XPath(
    "descendant-or-self::h1 | descendant-or-self::h2 | descendant-or-self::h3"
    " | .//@class[contains(., 't') or contains(., 'T')]"
    " | .//@id[contains(., 't') or contains(., 'T')]"
)


def _heading_candidates(body: etree._Element) -> list[etree._Element]:
    """The elements under ``body`` (itself included) that ``_is_heading`` accepts, in
    document order; class and id values repeat, so each is matched once."""
    names: dict[str, bool] = {}
    found: list[etree._Element] = []
    for item in _HEADINGS_AND_NAMES(body):
        if isinstance(item, str):  # an attribute value
            hit = names.get(item)
            if hit is None:
                hit = names[item] = _HEADING_NAME.search(item) is not None
            if not hit:
                continue
            item = item.getparent()
        if not found or found[-1] is not item:
            found.append(item)
    return found


def _in_link_or_list(el: etree._Element, stop: etree._Element) -> bool:
    """Headings of other articles: links, list items, menus, related-article boxes."""
    node: etree._Element | None = el
    while node is not None and node is not stop:
        if _tag(node) in ("a", "li", "nav") or _names_match(node, _NOT_TITLE):
            return True
        node = node.getparent()
    return len(el) == 1 and _tag(el[0]) == "a" and not (el.text or "").strip()


def _strip_site_name(title: str) -> str:
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    if len(parts) <= 1:
        return title
    for part in parts:
        if _TITLE_WORDS.search(part):
            return part
    return parts[0]


def iso_date(text: str) -> str | None:
    """The first plausible date in ``text`` as yyyy-mm-dd."""
    for m in _DATE_RE.finditer(text):
        value = _valid_date(m.group(1), m.group(2), m.group(3))
        if value:
            return value
    return None


def _valid_date(y: str, m: str, d: str) -> str | None:
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    if not 1990 <= value.year <= 2100:
        return None
    return value.isoformat()


def _rows_around(rows: list[_Row], container: etree._Element) -> tuple[list[str], list[str]]:
    """Page lines outside the content (those before it, then those after it) and the
    lines inside it."""
    before: list[str] = []
    after: list[str] = []
    inside: list[str] = []
    places: dict[etree._Element, int] = {}
    for row in rows:
        line = "\t".join(row.cells)
        if _place(row.origin, container, {}, {}, places, judge=False) != _OUTSIDE:
            inside.append(line)
        elif inside:
            after.append(line)
        else:
            before.append(line)
    return before + after, inside


def _published(
    meta: dict[str, str],
    metas: dict[str, str],
    outside: list[str],
    inside: list[str],
    url: str | None,
) -> None:
    """Meta tags first; then a labelled date in the page text around the content (any
    label) or in it (发布时间/发布日期 only: a report's own dates are not its publication);
    last the date a TRS URL carries (…/t20230119_2136694.shtml)."""
    value = _first(metas, _META_DATE)
    found = iso_date(value) if value else None
    if found:
        meta["published"], meta["published_source"] = found, "page-meta"
        return
    found = _labelled_date(outside) or _labelled_date(inside, strict=True)
    if found:
        meta["published"], meta["published_source"] = found, "page-text"
        return
    m = _URL_DATE.search(url or "")
    if m:
        found = _valid_date(m.group(1), m.group(2), m.group(3))
        if found:
            meta["published"], meta["published_source"] = found, "url"


def _labelled_date(lines: list[str], *, strict: bool = False) -> str | None:
    best: tuple[int, str] | None = None
    for line in lines:
        if "日期" not in line and "时间" not in line:
            continue
        for m in _LABELLED_DATE.finditer(line):
            rank = _DATE_LABEL_RANK[m.group(1)]
            if strict and rank > 0:
                continue
            value = _valid_date(m.group(2), m.group(3), m.group(4))
            if value and (best is None or rank < best[0]):
                best = (rank, value)
        if best is not None and best[0] == 0:
            break
    return best[1] if best else None


def _source_agency(meta: dict[str, str], metas: dict[str, str], outside: list[str]) -> None:
    """Meta ContentSource; else "来源：…" / "发布机构：…" in the page text around the content."""
    value = _first(metas, _META_SOURCE)
    if value:
        meta["source_agency"] = value
        return
    for line in outside:
        m = _SOURCE.search(line)
        if m:
            name = _SOURCE_TAIL.sub("", m.group(1)).strip()
            if len(name) >= 2:
                meta["source_agency"] = name
                return
