"""The report generator's own invariants: consistent reports obey FORMAT.md's rules,
inconsistent ones break exactly the declared rule, a seed always gives the same report and
the same bytes, both format eras come out right, and every style prints the official labels.

The rules are written out again here, on the truth JSON, rather than taken from the
generator: a test that reused the generator's arithmetic would only check it against itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from zfxxgk.generator import STYLES, generate_report, render
from zfxxgk.generator.names import LEVELS

SEED_000 = Path(__file__).resolve().parent.parent / "zfxxgk/samples/seeds/000_f2ccba1aa56a8eac.txt"

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
KINDS = ["行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"]
ROWS_HEAD = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果/（一）予以公开",
    "三、本年度办理结果/（二）部分公开",
    *[f"三、本年度办理结果/（三）不予公开/{x}" for x in (
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
        "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")],
    *[f"三、本年度办理结果/（四）无法提供/{x}" for x in (
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")],
    *[f"三、本年度办理结果/（五）不予处理/{x}" for x in (
        "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息")],
]
SIX_SINGLE = ["三、本年度办理结果/（六）其他处理"]
SIX_SPLIT = [
    "三、本年度办理结果/（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "三、本年度办理结果/（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "三、本年度办理结果/（六）其他处理/3.其他",
]
ROWS_TAIL = ["三、本年度办理结果/（七）总计", "四、结转下年度继续办理"]
PROACTIVE = {
    "2019": [("规章", "本年新制作数量"), ("规章", "本年新公开数量"), ("规章", "对外公开总数量"),
             ("规范性文件", "本年新制作数量"), ("规范性文件", "本年新公开数量"), ("规范性文件", "对外公开总数量"),
             ("行政许可", "上一年项目数量"), ("行政许可", "本年增/减"), ("行政许可", "处理决定数量"),
             ("其他对外管理服务事项", "上一年项目数量"), ("其他对外管理服务事项", "本年增/减"),
             ("其他对外管理服务事项", "处理决定数量"),
             ("行政处罚", "上一年项目数量"), ("行政处罚", "本年增/减"), ("行政处罚", "处理决定数量"),
             ("行政强制", "上一年项目数量"), ("行政强制", "本年增/减"), ("行政强制", "处理决定数量"),
             ("行政事业性收费", "上一年项目数量"), ("行政事业性收费", "本年增/减"),
             ("政府集中采购", "采购项目数量"), ("政府集中采购", "采购总金额")],
    "2021": [("规章", "本年制发件数"), ("规章", "本年废止件数"), ("规章", "现行有效件数"),
             ("行政规范性文件", "本年制发件数"), ("行政规范性文件", "本年废止件数"),
             ("行政规范性文件", "现行有效件数"),
             ("行政许可", "本年处理决定数量"), ("行政处罚", "本年处理决定数量"),
             ("行政强制", "本年处理决定数量"), ("行政事业性收费", "本年收费金额")],
}


def _grid(truth: dict[str, Any]) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float], list[str]]:
    app = {(c["row"], c["applicant"]): c["value"] or 0 for c in truth["applications"]}
    rl = {(c["kind"], c["result"]): c["value"] or 0 for c in truth["review_litigation"]}
    rows = list(dict.fromkeys(c["row"] for c in truth["applications"]))
    return app, rl, rows


def broken_rules(truth: dict[str, Any]) -> set[tuple[int, str]]:
    """FORMAT.md rules 1–4 on a truth JSON (blank = 0): the broken (rule, where) pairs."""
    app, rl, rows = _grid(truth)
    outcomes = [r for r in rows if r.startswith("三、") and not r.endswith("（七）总计")]
    out: set[tuple[int, str]] = set()
    for col in APPLICANTS:
        if app[(ROWS_HEAD[0], col)] + app[(ROWS_HEAD[1], col)] != app[(ROWS_TAIL[0], col)] + app[(ROWS_TAIL[1], col)]:
            out.add((1, col))
        if sum(app[(r, col)] for r in outcomes) != app[(ROWS_TAIL[0], col)]:
            out.add((2, col))
    for row in rows:
        if sum(app[(row, c)] for c in APPLICANTS[:-1]) != app[(row, "总计")]:
            out.add((3, row))
    for kind in KINDS:
        if sum(rl[(kind, r)] for r in RESULTS[:-1]) != rl[(kind, "总计")]:
            out.add((4, kind))
    return out


def _where(finding: dict[str, Any]) -> str:
    return finding.get("column") or finding.get("row") or finding["kind"]


@pytest.mark.parametrize("era", ["2019", "2021"])
def test_consistent_reports_obey_every_rule(era: str) -> None:
    for seed in range(150):
        report = generate_report(seed, era=era)
        assert broken_rules(report.truth) == set(), seed
        assert report.expected_findings == []


@pytest.mark.parametrize("rule", [1, 2, 3, 4])
def test_inconsistent_reports_break_exactly_the_declared_rule(rule: int) -> None:
    for seed in range(60):
        report = generate_report(seed, consistent=False, broken_rule=rule)
        broken = broken_rules(report.truth)
        assert {r for r, _ in broken} == {rule}, seed
        assert broken == {(f["rule"], _where(f)) for f in report.expected_findings}, seed


def test_inconsistent_reports_pick_every_rule() -> None:
    rules = Counter(generate_report(s, consistent=False).expected_findings[0]["rule"] for s in range(80))
    assert set(rules) == {1, 2, 3, 4}


def test_broken_cells_are_printed_as_numbers() -> None:
    """A break is never hidden behind blanks: every cell of a broken rule instance prints
    a number, so any reader (blank-as-zero or blank-as-missing) sees the same mismatch."""
    for seed in range(80):
        report = generate_report(seed, consistent=False)
        for f in report.expected_findings:
            if f["rule"] == 4:
                cells = [("review_litigation", f["kind"], r) for r in RESULTS]
            elif f["rule"] == 3:
                cells = [("applications", f["row"], c) for c in APPLICANTS]
            else:
                cells = [k for k in report.cells if k[0] == "applications" and k[2] == f["column"]
                         and (f["rule"] == 2) == k[1].startswith("三、")]
            assert all(report.cells[k].value is not None for k in cells), (seed, f)


def test_same_seed_same_report_and_bytes() -> None:
    for seed in (0, 7, 123456789):
        a, b = generate_report(seed, consistent=False), generate_report(seed, consistent=False)
        assert a.truth == b.truth
        assert a.expected_findings == b.expected_findings
        for style in STYLES:
            assert render(a, style).data == render(b, style).data
    assert generate_report(1).truth != generate_report(2).truth


@pytest.mark.parametrize("era", ["2019", "2021"])
def test_era_shapes(era: str) -> None:
    six_layouts = Counter()
    for seed in range(120):
        report = generate_report(seed, era=era)
        truth = report.truth
        assert truth["format_era"] == era
        assert truth["year"] in ((2019, 2020) if era == "2019" else (2021, 2022, 2023, 2024))
        assert [(c["item"], c["metric"]) for c in truth["proactive"]] == PROACTIVE[era]
        rows = list(dict.fromkeys(c["row"] for c in truth["applications"]))
        six = rows[len(ROWS_HEAD):-2]
        assert rows[:len(ROWS_HEAD)] == ROWS_HEAD and rows[-2:] == ROWS_TAIL
        assert six in (SIX_SINGLE, SIX_SPLIT)
        if era == "2019":
            assert six == SIX_SINGLE
        six_layouts[len(six)] += 1
        assert [c["applicant"] for c in truth["applications"]] == APPLICANTS * len(rows)
        assert [(c["kind"], c["result"]) for c in truth["review_litigation"]] == [
            (k, r) for k in KINDS for r in RESULTS]
        signed = report.signed_on
        assert signed.year == truth["year"] + 1 and signed.month <= 3
    if era == "2021":
        # Most print the three （六） sub-rows; a few keep the single row, as real ones do.
        assert six_layouts[3] > six_layouts[1] > 0


def test_values_are_realistic() -> None:
    seen: Counter[str] = Counter()
    for seed in range(300):
        truth = generate_report(seed).truth
        for c in truth["proactive"] + truth["applications"] + truth["review_litigation"]:
            v = c["value"]
            if v is None:
                seen["null"] += 1
            elif v == 0:
                seen["zero"] += 1
            elif v < 0:
                seen["negative"] += 1
                assert c["metric"] == "本年增/减"
            elif v >= 10000:
                seen["large"] += 1
            if "unit" in c:
                seen[c["unit"]] += 1
                assert c["metric"] in ("采购总金额", "本年收费金额")
            if c.get("metric") == "本年收费金额" and v is not None:
                assert c["unit"] == "万元"  # written in the header 本年收费金额（单位：万元）
        for c in truth["applications"]:
            assert c["value"] is None or (isinstance(c["value"], int) and c["value"] >= 0)
    assert seen["zero"] > 10 * (seen["large"] + seen["negative"])
    assert seen["null"] > 0 and seen["negative"] > 0 and seen["large"] > 0
    assert seen["元"] > 0 and seen["万元"] > 0


def test_agencies_cover_levels_and_provinces() -> None:
    reports = [generate_report(s) for s in range(300)]
    assert {r.agency.level for r in reports} == set(LEVELS)
    assert len({r.agency.province for r in reports}) >= 12
    assert all(r.agency.name in r.title for r in reports)
    names = {r.agency.name for r in reports}
    assert any(n.endswith("街道办事处") for n in names)
    assert any(n.endswith("人民政府办公室") for n in names)
    assert any(re.search(r"县.+局$", n) for n in names)


def _fold(text: str) -> str:
    """Text with whitespace removed and brackets half-width, for label containment."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


def _plain_text(report, style: str) -> str:
    out = render(report, style)
    if out.name.endswith(".html"):
        doc = lxml.html.fromstring(out.data.decode(out.encoding))
        return doc.text_content()
    return out.data.decode(out.encoding)


def _expected_labels(report) -> list[str]:
    v = report.variants
    labels = ["一、", "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
              "政府信息公开行政复议、行政诉讼情况", "其他需要报告的事项", "信息内容",
              "申请人情况", "法人或其他组织", *APPLICANTS, "行政复议", "行政诉讼",
              "未经复议直接起诉", "复议后起诉", *RESULTS]
    labels += sorted({x for pair in PROACTIVE[report.era] for x in pair})
    labels += ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    if report.era == "2019":
        labels.append("第二十条第（九）项")
    for row in {c["row"] for c in report.truth["applications"]}:
        labels += row.split("/")
    if v["omit_first_outcome_label"]:
        labels.remove("（一）予以公开")
    if v["corrupt_label"]:
        labels.remove("2.其他法律行政法规禁止公开")
    labels += [report.agency.name, str(report.year)]
    return labels


@pytest.mark.parametrize("style", STYLES)
def test_every_style_prints_the_official_labels(style: str) -> None:
    for seed in range(40):
        report = generate_report(seed, consistent=seed % 2 == 0)
        text = _fold(_plain_text(report, style))
        missing = [x for x in _expected_labels(report) if _fold(x) not in text]
        assert missing == [], (seed, style)
        for name in report.extra_raw:
            assert _fold(name) in text


@pytest.mark.parametrize("style", STYLES)
def test_every_style_prints_every_value(style: str) -> None:
    """Each cell's printed text appears, in table order, in the rendering."""
    for seed in range(20):
        report = generate_report(seed)
        text = _plain_text(report, style)
        pos = text.index(report.headings["proactive"].split("、", 1)[1])
        for key, cell in report.cells.items():
            raw = cell.raw.strip(" \u00a0")
            if raw:
                assert raw in text[pos:], (seed, key, raw)


def test_cells_style_matches_a_real_word_export() -> None:
    """The header of table 四 in the "cells" style is line for line the one of seed 000."""
    seed_lines = SEED_000.read_text(encoding="utf-8").splitlines()
    start = seed_lines.index("\t行政复议")
    end = next(i for i in range(start, len(seed_lines)) if seed_lines[i].strip() == "0")
    want = seed_lines[start:end]
    for seed in range(30):
        report = generate_report(seed)
        if report.variants["vertical_headers"]:
            continue
        lines = render(report, "cells").data.decode("utf-8").replace("\r\n", "\n").split("\n")
        s = lines.index("\t行政复议")
        assert lines[s:s + len(want)] == want
        return
    pytest.fail("no report without vertical headers")


def test_html_encodings_and_declarations() -> None:
    seen = Counter()
    for seed in range(200):
        out = render(generate_report(seed), "word")
        head = out.data[:400].decode("ascii", errors="replace")
        assert f"charset={out.declared}" in head
        out.data.decode(out.encoding)
        seen[(out.encoding, out.declared)] += 1
    assert set(seen) == {("utf-8", "utf-8"), ("gbk", "gbk"), ("gbk", "gb2312"),
                         ("gbk", "utf-8"), ("utf-8", "gb2312")}


def test_split_style_breaks_table_three_in_two() -> None:
    for seed in range(20):
        out = render(generate_report(seed), "split")
        doc = lxml.html.fromstring(out.data.decode(out.encoding))
        tables = doc.xpath("//table")
        assert len(tables) == 4
        first, second = (_fold(t.text_content()) for t in tables[1:3])
        assert "一、本年新收" in first and "四、结转下年度继续办理" in second


def test_portal_page_has_the_page_furniture() -> None:
    report = generate_report(5)
    out = render(report, "portal")
    doc = lxml.html.fromstring(out.data.decode(out.encoding))
    text = doc.text_content()
    assert "当前位置" in text and "发布时间" in text and "相关文章" in text and "主办单位" in text
    assert doc.xpath("//meta[@name='ArticleTitle']/@content") == [report.title]
    related = doc.xpath("//div[@class='related']//a/text()")
    assert len(related) >= 4 and all(report.agency.name not in x for x in related)


def test_regional_extras() -> None:
    published = other_docs = 0
    for seed in range(400):
        report = generate_report(seed)
        text = _fold(_plain_text(report, "cells"))
        if "政府信息公开发布总数量（非新闻类、消息类）" in report.extra:
            published += 1
            n = report.extra["政府信息公开发布总数量（非新闻类、消息类）"]
            assert _fold(f"{report.year}年本行政区域（或本部门）政府信息公开发布总数量（非新闻类、消息类）：{n}") in text
        if "其他主动公开文件" in report.extra:
            other_docs += 1
            assert report.agency.province == "湖北省"
            assert list(report.extra["其他主动公开文件"]) == [m for i, m in PROACTIVE[report.era][:3]]
    assert published > 0 and other_docs > 0


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError):
        generate_report(1, era="2020")
    with pytest.raises(ValueError):
        generate_report(1, era="2019", year=2022)
    with pytest.raises(ValueError):
        generate_report(1, consistent=False, broken_rule=5)
    assert generate_report(1, year=2020).era == "2019"
    assert generate_report(1, level="乡镇街道").agency.level == "乡镇街道"
