"""The shape of the standard tables in each format era (国办公开办函〔2019〕60号 and
〔2021〕30号): which items carry which metrics, the applicant columns, the row order of
table 三 and the cells of table 四. Labels themselves (and their variants) live in
``labels.tsv``; this module only says how they are arranged."""

from __future__ import annotations

from functools import cache

from parsers.labels import all_labels

ERAS = ("2019", "2021")

PROACTIVE_ITEMS: dict[str, dict[str, list[str]]] = {
    "2019": {
        "规章": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        "规范性文件": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        "行政许可": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "其他对外管理服务事项": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "行政处罚": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "行政强制": ["上一年项目数量", "本年增/减", "处理决定数量"],
        "行政事业性收费": ["上一年项目数量", "本年增/减"],
        "政府集中采购": ["采购项目数量", "采购总金额"],
    },
    "2021": {
        "规章": ["本年制发件数", "本年废止件数", "现行有效件数"],
        "行政规范性文件": ["本年制发件数", "本年废止件数", "现行有效件数"],
        "行政许可": ["本年处理决定数量"],
        "行政处罚": ["本年处理决定数量"],
        "行政强制": ["本年处理决定数量"],
        "行政事业性收费": ["本年收费金额"],
    },
}

# The same row under the other era's name.
ITEM_SYNONYMS = {"规范性文件": "行政规范性文件", "行政规范性文件": "规范性文件"}

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

RL_KINDS = ["行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"]
RL_RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

SIX_SINGLE = "三、本年度办理结果/（六）其他处理"
TOTAL_ROW = "三、本年度办理结果/（七）总计"
RECEIVED_ROW = "一、本年新收政府信息公开申请数量"
CARRIED_IN_ROW = "二、上年结转政府信息公开申请数量"
CARRIED_OUT_ROW = "四、结转下年度继续办理"
OUTCOME_PREFIX = "三、本年度办理结果/"


@cache
def application_rows(six_split: bool) -> tuple[str, ...]:
    """Row paths of table 三 in printed order: the 2019 layout has one （六）其他处理 row,
    the 2021 layout three sub-rows. Real 2021-era reports print either."""
    rows = []
    for label in all_labels("row"):
        if label.era == "any" or label.era == ("2021" if six_split else "2019"):
            rows.append(label.canonical)
    return tuple(rows)


def outcome_rows(six_split: bool) -> list[str]:
    """The rows （七）总计 sums: every outcome leaf of 三、本年度办理结果."""
    return [r for r in application_rows(six_split) if r.startswith(OUTCOME_PREFIX) and r != TOTAL_ROW]
