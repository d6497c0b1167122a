"""The printed document as blocks (title, headings, paragraphs, tables as grids of merged
cells, 落款), built from a ``GeneratedReport``. Text and HTML renderers share this layout, so
every style prints the same labels and the same cell text."""

from __future__ import annotations

from dataclasses import dataclass, field

from zfxxgk.generator import labels as L
from zfxxgk.generator.model import GeneratedReport

CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
PARTIAL_NOTE = "（区分处理的，只计这一情形，不计其他情形）"
PARTIAL_NOTE_HALF = "(区分处理的,只记这一情形,不计其他情形)"

HUBEI_ITEM_NOTES = {
    "规章": "（设区的市、自治州人民政府应提供相关数据）",
    "规范性文件": "（行政机关制定发布的决定、公告、通告、意见、通知等，一般情况下属于规范性文件）",
    "行政规范性文件": "（行政机关制定发布的决定、公告、通告、意见、通知等，一般情况下属于规范性文件）",
    L.EXTRA_OTHER_DOCS: "（含以本单位或本单位办公室名义正式签发的、除规范性文件以外的主动公开文件）",
}


@dataclass(slots=True)
class GridCell:
    """A table cell starting at its row; ``text`` may hold newlines (lines of the cell)."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False


@dataclass(slots=True)
class Table:
    name: str
    width: int
    rows: list[list[GridCell]] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    """kind: "title" (lines), "heading", "para", "table", "signature" (lines)."""

    kind: str
    text: str = ""
    lines: list[str] = field(default_factory=list)
    table: Table | None = None


def _parens(label: str, half: bool) -> str:
    """（一）予以公开 → (一) 予以公开 in half-width printing."""
    if not half:
        return label
    return label.replace("（", "(").replace("）", ") ", 1).replace("）", ")")


def _split_vertical(text: str, step: int) -> str:
    return "\n".join(text[i:i + step] for i in range(0, len(text), step))


def proactive_table(r: GeneratedReport) -> Table:
    v = r.variants
    split = v["split_headers"]
    t = Table("proactive", 4)

    def value_cells(item: str, metrics: list[str], width: int) -> list[GridCell]:
        cells = [GridCell(r.cells[("proactive", item, m)].raw, value=True) for m in metrics]
        cells[-1].colspan = width - len(metrics) + 1
        return cells

    def item_label(item: str) -> str:
        return item + (HUBEI_ITEM_NOTES.get(item, "") if v["hubei_notes"] else "")

    if r.era == "2019":
        articles, items = L.ARTICLES_2019, L.PROACTIVE_2019
        names = {"本年新制作数量": "本年新\n制作数量" if split else "本年新制作数量",
                 "本年新公开数量": "本年新\n公开数量" if split else "本年新公开数量"}
    else:
        articles, items = L.ARTICLES_2021, L.PROACTIVE_2021
        names = {"本年收费金额": "本年收费金额（单位：万元）"}
        if v["valid_note"]:
            names["现行有效件数"] = "现行有效件数（历史累计）"
    for article, article_items in articles:
        t.rows.append([GridCell(article, colspan=4)])
        metrics = items[article_items[0]]
        header = [GridCell(names.get(m, m)) for m in metrics]
        header[-1].colspan = 4 - len(metrics)
        t.rows.append([GridCell("信息内容"), *header])
        for item in article_items:
            t.rows.append([GridCell(item_label(item)), *value_cells(item, metrics, 3)])
        if article == "第二十条第（一）项" and L.EXTRA_OTHER_DOCS in r.extra:
            raws = r.extra_raw[L.EXTRA_OTHER_DOCS]
            t.rows.append([GridCell(item_label(L.EXTRA_OTHER_DOCS)),
                           *[GridCell(x, value=True) for x in raws]])
    if L.EXTRA_PUBLISHED_TOTAL in r.extra and v["published_total_in_table"]:
        t.rows.append([GridCell(published_total_line(r), colspan=4)])
    return t


def published_total_line(r: GeneratedReport) -> str:
    n = r.extra_raw[L.EXTRA_PUBLISHED_TOTAL]
    return f"{r.year}年本行政区域（或本部门）政府信息公开发布总数量（非新闻类、消息类）：{n}"


def applications_table(r: GeneratedReport) -> Table:
    v = r.variants
    half = v["half_width_parens"]
    t = Table("applications", 10)
    orgs = L.APPLICANT_COLUMNS[1:]
    t.rows.append([GridCell(CORNER_NOTE if v["corner_note"] else "", rowspan=3, colspan=3),
                   GridCell("申请人情况", colspan=7)])
    t.rows.append([GridCell("自然人", rowspan=2), GridCell("法人或其他组织", colspan=5),
                   GridCell("总计", rowspan=2)])
    t.rows.append([GridCell(_split_vertical(o, 1) if v["vertical_headers"] else o) for o in orgs])

    def values(row: str) -> list[GridCell]:
        return [GridCell(r.cells[("applications", row, c)].raw, value=True) for c in L.APPLICANTS]

    t.rows.append([GridCell(L.RECEIVED, colspan=3), *values(L.RECEIVED)])
    t.rows.append([GridCell(L.CARRIED_IN, colspan=3), *values(L.CARRIED_IN)])
    groups = L.outcome_groups(r.six_split)
    n_result_rows = sum(max(1, len(leaves)) for _, leaves in groups) + 1
    first = True
    for group, leaves in groups:
        label = group
        if group == "（二）部分公开" and v["partial_note"]:
            label += PARTIAL_NOTE_HALF if half else PARTIAL_NOTE
        label = _parens(label, half)
        if group == "（一）予以公开" and v["omit_first_outcome_label"]:
            label = ""
        lead = [GridCell(L.RESULTS, rowspan=n_result_rows)] if first else []
        first = False
        if not leaves:
            t.rows.append([*lead, GridCell(label, colspan=2), *values(f"{L.RESULTS}/{group}")])
            continue
        for i, leaf in enumerate(leaves):
            printed = leaf
            if v["corrupt_label"] and leaf == "2.其他法律行政法规禁止公开":
                printed = "2.其他法律行政止公开"
            if v["leaf_space"]:
                printed = printed.replace(".", ". ", 1)
            head = [GridCell(label, rowspan=len(leaves))] if i == 0 else []
            t.rows.append([*head, GridCell(printed), *values(f"{L.RESULTS}/{group}/{leaf}")])
        lead = []
    t.rows.append([GridCell(_parens("（七）总计", half), colspan=2), *values(L.OUTCOME_TOTAL)])
    t.rows.append([GridCell(L.CARRIED_OUT, colspan=3), *values(L.CARRIED_OUT)])
    return t


def review_table(r: GeneratedReport) -> Table:
    vertical = r.variants["vertical_headers"]
    t = Table("review_litigation", 15)
    res = [_split_vertical(x, 2) if vertical and x != "总计" else x for x in L.RL_RESULTS]
    t.rows.append([GridCell("行政复议", colspan=5), GridCell("行政诉讼", colspan=10)])
    t.rows.append([*[GridCell(x, rowspan=2) for x in res],
                   GridCell("未经复议直接起诉", colspan=5), GridCell("复议后起诉", colspan=5)])
    t.rows.append([GridCell(x) for x in res + res])
    t.rows.append([GridCell(r.cells[("review_litigation", k, x)].raw, value=True)
                   for k in L.RL_KINDS for x in L.RL_RESULTS])
    return t


def build_blocks(r: GeneratedReport, *, signature: bool = True) -> list[Block]:
    """The whole report in reading order."""
    p = r.paragraphs
    out = [Block("title", lines=list(r.title_lines))]
    out += [Block("para", text=x) for x in p["intro"]]
    out.append(Block("heading", text=r.headings["overview"]))
    out += [Block("para", text=x) for x in p["overview"]]
    out.append(Block("heading", text=r.headings["proactive"]))
    out += [Block("para", text=x) for x in p["proactive"]]
    out.append(Block("table", table=proactive_table(r)))
    if L.EXTRA_PUBLISHED_TOTAL in r.extra and not r.variants["published_total_in_table"]:
        out.append(Block("para", text=published_total_line(r)))
    out.append(Block("heading", text=r.headings["applications"]))
    out += [Block("para", text=x) for x in p["applications"]]
    out.append(Block("table", table=applications_table(r)))
    out.append(Block("heading", text=r.headings["review_litigation"]))
    out += [Block("para", text=x) for x in p["review_litigation"]]
    out.append(Block("table", table=review_table(r)))
    out.append(Block("heading", text=r.headings["problems"]))
    out += [Block("para", text=x) for x in p["problems"]]
    out.append(Block("heading", text=r.headings["other"]))
    out += [Block("para", text=x) for x in p["other"]]
    if signature:
        d = r.signed_on
        out.append(Block("signature", lines=[r.agency.name, f"{d.year}年{d.month}月{d.day}日"]))
    return out


def grid_positions(table: Table) -> list[list[tuple[GridCell, bool]]]:
    """Per row, in column order, (cell, continued): each cell starting in the row with
    continued=False, and each cell from a row above that still spans it with continued=True
    (a vertical-merge continuation)."""
    covered: dict[tuple[int, int], GridCell] = {}
    out: list[list[tuple[GridCell, bool]]] = []
    for ri, row in enumerate(table.rows):
        col = 0
        line: list[tuple[GridCell, bool]] = []
        cells = iter(row)
        while col < table.width:
            if (ri, col) in covered:
                span = covered[(ri, col)]
                line.append((span, True))
                col += span.colspan
                continue
            cell = next(cells, None)
            if cell is None:
                break
            line.append((cell, False))
            for dr in range(1, cell.rowspan):
                covered[(ri + dr, col)] = cell
            col += cell.colspan
        if next(cells, None) is not None or col != table.width:
            raise ValueError(f"row {ri} of table {table.name} does not fill {table.width} columns")
        out.append(line)
    return out
