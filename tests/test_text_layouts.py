"""Text layouts beyond the seeds: PDF text with space-separated cells, parent and child
labels in one cell, a 2021-era report with the split （六） rows, a unit in a header, a
regional extra row. Expected values are the ones written into the fixture by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import parse
from parsers.text_reader import split_inline_values, text_to_rows

FIXTURES = Path(__file__).parent / "fixtures" / "text"


@pytest.fixture(scope="module")
def report_2021():
    return parse((FIXTURES / "2021_layout_spaces.txt").read_bytes(), name="2021_layout_spaces.txt")


def test_meta_2021(report_2021) -> None:
    assert report_2021.agency == "荆州市沙市区自然资源和规划局"
    assert report_2021.year == 2022
    assert report_2021.format_era == "2021"
    assert report_2021.published_on == "2023-01-16"
    assert report_2021.published_on_source == "document"


def test_proactive_2021(report_2021) -> None:
    got = {(c.row, c.column): (c.value, c.unit) for c in report_2021.table("proactive")}
    assert got == {
        ("规章", "本年制发件数"): (0, None),
        ("规章", "本年废止件数"): (0, None),
        ("规章", "现行有效件数"): (0, None),
        ("行政规范性文件", "本年制发件数"): (2, None),
        ("行政规范性文件", "本年废止件数"): (1, None),
        ("行政规范性文件", "现行有效件数"): (14, None),
        ("行政许可", "本年处理决定数量"): (1206, None),
        ("行政处罚", "本年处理决定数量"): (37, None),
        ("行政强制", "本年处理决定数量"): (None, None),
        ("行政事业性收费", "本年收费金额"): (251.5, "万元"),
    }


def test_applications_2021_split_six(report_2021) -> None:
    cells = report_2021.table("applications")
    assert len(cells) == 25 * 7
    v = {(c.row, c.column): c.value for c in cells}
    assert v[("一、本年新收政府信息公开申请数量", "自然人")] == 9
    assert v[("一、本年新收政府信息公开申请数量", "商业企业")] == 2
    assert v[("一、本年新收政府信息公开申请数量", "总计")] == 12
    assert v[("三、本年度办理结果/（一）予以公开", "总计")] == 5
    assert v[("三、本年度办理结果/（四）无法提供/1.本机关不掌握相关政府信息", "商业企业")] == 1
    six_1 = "三、本年度办理结果/（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    assert v[(six_1, "法律服务机构")] == 1
    assert v[("三、本年度办理结果/（七）总计", "总计")] == 12
    assert v[("四、结转下年度继续办理", "自然人")] == 1
    assert sum(1 for c in cells if c.value not in (0, None)) == 26


def test_review_2021(report_2021) -> None:
    v = [c.value for c in report_2021.table("review_litigation")]
    assert v == [2, 1, 0, 0, 3, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1]


def test_consistent_and_extra_row_kept(report_2021) -> None:
    assert report_2021.extra == {"其他主动公开文件": {"本年制发件数": 12, "本年废止件数": 0, "现行有效件数": 12}}
    assert [(f.rule, f.location) for f in report_2021.findings] == [
        ("unknown_row", "proactive/其他主动公开文件")
    ]


def test_word_export_cells_and_continuations() -> None:
    text = "标题\n\t信息内容\n\t本年新\n制作数量\n\t规章\n\n\t商\n业\n企\n业\n\t\xa0\n\t\n\n正文一段。\n"
    assert text_to_rows(text) == [
        ["标题"],
        ["信息内容", "本年新\n制作数量", "规章"],
        ["商\n业\n企\n业", "\xa0", ""],
        ["正文一段。"],
    ]


def test_tab_rows_keep_empty_fields() -> None:
    assert text_to_rows("\t\t自然人\t法人或其他组织\n规章\t0\t0\t0") == [
        ["", "", "自然人", "法人或其他组织"],
        ["规章", "0", "0", "0"],
    ]


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("规章 0 0 0", ["规章", "0", "0", "0"]),
        ("行政处罚   766   －   8178", ["行政处罚", "766", "－", "8178"]),
        ("0 0 0", ["0", "0", "0"]),
        ("收到依申请公开政府信息 4 条", ["收到依申请公开政府信息 4 条"]),
        ("2020 度政府信息公开工作", ["2020 度政府信息公开工作"]),
        ("1. 属于国家秘密", ["1. 属于国家秘密"]),
    ],
)
def test_inline_values(line, cells) -> None:
    assert split_inline_values(line) == cells


def test_gbk_text_is_decoded_from_bytes() -> None:
    raw = (FIXTURES / "2021_layout_spaces.txt").read_text(encoding="utf-8").encode("gbk")
    report = parse(raw, name="gbk.txt")
    assert report.agency == "荆州市沙市区自然资源和规划局"
    assert report.value("applications", "三、本年度办理结果/（七）总计", "总计") == 12


def test_wrapped_line_starting_with_closing_punctuation_is_joined() -> None:
    """PDF text wraps lines anywhere, but never starts a line with 、，。） (避头点)."""
    text = "\u3000\u30002020年本行政区域（或本部门）政府信息公开发布总数量（非新闻类\n、消息类）：2185\n\n下一段"
    assert text_to_rows(text) == [
        ["\u3000\u30002020年本行政区域（或本部门）政府信息公开发布总数量（非新闻类\n、消息类）：2185"],
        ["下一段"],
    ]


def test_wrapped_line_ending_with_opening_bracket_is_joined() -> None:
    text = "2019年本行政区域（或本部门）政府信息公开发布总数量（\n非新闻类、消息类）：0\n\n下一段"
    assert text_to_rows(text) == [
        ["2019年本行政区域（或本部门）政府信息公开发布总数量（\n非新闻类、消息类）：0"],
        ["下一段"],
    ]
