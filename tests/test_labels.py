"""Every variant in the label table resolves to its canonical label (one test row per
variant), plus the folding rules and the similarity fallback for corrupted labels."""

from __future__ import annotations

import pytest

from parsers.labels import LABELS_FILE, fold, lookup, unit_in_header


def _variants() -> list[tuple[str, str, str]]:
    rows = []
    for line in LABELS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _era, canonical, variants = line.split("\t")
        for variant in variants.split("|"):
            rows.append((kind, canonical, variant))
    return rows


VARIANTS = _variants()


def test_label_table_is_not_empty() -> None:
    assert len(VARIANTS) > 100


@pytest.mark.parametrize(("kind", "canonical", "variant"), VARIANTS, ids=[f"{k}:{v}" for k, _, v in VARIANTS])
def test_variant_resolves(kind, canonical, variant) -> None:
    label = lookup(variant, (kind,), fuzzy=False)
    assert label is not None and label.canonical == canonical


@pytest.mark.parametrize(
    ("printed", "kind", "canonical"),
    [
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "row", "三、本年度办理结果/（二）部分公开"),
        ("(二) 部分公开(区分处理的,只记这一情形,不计其他情形)", "row", "三、本年度办理结果/（二）部分公开"),
        ("1. 属于国家秘密", "row", "三、本年度办理结果/（三）不予公开/1.属于国家秘密"),
        ("1、属于国家秘密", "row", "三、本年度办理结果/（三）不予公开/1.属于国家秘密"),
        ("（1）属于国家秘密", "row", "三、本年度办理结果/（三）不予公开/1.属于国家秘密"),
        ("3.危及”三安全一稳定“", "row", "三、本年度办理结果/（三）不予公开/3.危及“三安全一稳定”"),
        ("2.其他法律行政止公开", "row", "三、本年度办理结果/（三）不予公开/2.其他法律行政法规禁止公开"),
        ("5.要求行政机关确认或重新出具已获取的信息", "row",
         "三、本年度办理结果/（五）不予处理/5.要求行政机关确认或重新出具已获取信息"),
        ("商\n业\n企\n业", "applicant", "商业企业"),
        ("结果 维持", "rl_result", "结果维持"),
        ("本年收费金额（单位：万元）", "metric", "本年收费金额"),
        ("现行有效件数 (历史累计)", "metric", "现行有效件数"),
        ("本年新\n制作数量", "metric", "本年新制作数量"),
        ("第二十条第(一)项", "header", "第二十条第（一）项"),
    ],
)
def test_printed_forms(printed, kind, canonical) -> None:
    label = lookup(printed, (kind,))
    assert label is not None and label.canonical == canonical


@pytest.mark.parametrize("text", ["本机关", "2020年", "政府信息公开工作", "其他处理情况说明文字较长的一段话"])
def test_unrelated_text_matches_nothing(text) -> None:
    assert lookup(text, ("row", "group", "item", "metric", "applicant", "rl_kind", "rl_result")) is None


def test_fold() -> None:
    assert fold("（ 一 ）予以公开") == "(一)予以公开"
    assert fold("１．属于国家秘密") == "1.属于国家秘密"
    assert fold("一．本年新收政府信息公开申请数量") == "一、本年新收政府信息公开申请数量"


def test_unit_in_header() -> None:
    assert unit_in_header("本年收费金额（单位：万元）") == "万元"
    assert unit_in_header("采购总金额(元)") == "元"
    assert unit_in_header("采购总金额") is None
