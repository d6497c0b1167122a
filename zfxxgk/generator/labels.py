"""The official table layout of both format eras, written out here on purpose: the truth of a
generated report must not depend on the parser's own label tables (FORMAT.md is the source)."""

from __future__ import annotations

PROACTIVE_2019: dict[str, list[str]] = {
    "规章": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
    "规范性文件": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
    "行政许可": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "其他对外管理服务事项": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "行政处罚": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "行政强制": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "行政事业性收费": ["上一年项目数量", "本年增/减"],
    "政府集中采购": ["采购项目数量", "采购总金额"],
}
PROACTIVE_2021: dict[str, list[str]] = {
    "规章": ["本年制发件数", "本年废止件数", "现行有效件数"],
    "行政规范性文件": ["本年制发件数", "本年废止件数", "现行有效件数"],
    "行政许可": ["本年处理决定数量"],
    "行政处罚": ["本年处理决定数量"],
    "行政强制": ["本年处理决定数量"],
    "行政事业性收费": ["本年收费金额"],
}
# Article of the Regulations each block of table 二 is printed under.
ARTICLES_2019 = [
    ("第二十条第（一）项", ["规章", "规范性文件"]),
    ("第二十条第（五）项", ["行政许可", "其他对外管理服务事项"]),
    ("第二十条第（六）项", ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["行政事业性收费"]),
    ("第二十条第（九）项", ["政府集中采购"]),
]
ARTICLES_2021 = [
    ("第二十条第（一）项", ["规章", "行政规范性文件"]),
    ("第二十条第（五）项", ["行政许可"]),
    ("第二十条第（六）项", ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["行政事业性收费"]),
]

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
APPLICANT_COLUMNS = APPLICANTS[:-1]
TOTAL = "总计"

RECEIVED = "一、本年新收政府信息公开申请数量"
CARRIED_IN = "二、上年结转政府信息公开申请数量"
RESULTS = "三、本年度办理结果"
OUTCOME_TOTAL = "三、本年度办理结果/（七）总计"
CARRIED_OUT = "四、结转下年度继续办理"

# Outcome groups of 三、本年度办理结果: (group label, leaf labels). An empty leaf list means the
# group is itself a leaf row.
OUTCOME_GROUPS_COMMON = [
    ("（一）予以公开", []),
    ("（二）部分公开", []),
    ("（三）不予公开", ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                    "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
                    "7.属于行政执法案卷", "8.属于行政查询事项"]),
    ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
                    "3.补正后申请内容仍不明确"]),
    ("（五）不予处理", ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
                    "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"]),
]
OTHER_SPLIT = ("（六）其他处理", [
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
])
OTHER_SINGLE = ("（六）其他处理", [])


def outcome_groups(six_split: bool) -> list[tuple[str, list[str]]]:
    """Outcome groups in printed order, without （七）总计."""
    return OUTCOME_GROUPS_COMMON + [OTHER_SPLIT if six_split else OTHER_SINGLE]


def outcome_rows(six_split: bool) -> list[str]:
    """Row paths of every outcome leaf: the rows （七）总计 adds up."""
    rows = []
    for group, leaves in outcome_groups(six_split):
        if leaves:
            rows += [f"{RESULTS}/{group}/{leaf}" for leaf in leaves]
        else:
            rows.append(f"{RESULTS}/{group}")
    return rows


def application_rows(six_split: bool) -> list[str]:
    """All row paths of table 三 in printed order."""
    return [RECEIVED, CARRIED_IN, *outcome_rows(six_split), OUTCOME_TOTAL, CARRIED_OUT]


RL_KINDS = ["行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"]
RL_RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

# Local additions kept in ``extra``.
EXTRA_PUBLISHED_TOTAL = "政府信息公开发布总数量（非新闻类、消息类）"
EXTRA_OTHER_DOCS = "其他主动公开文件"

SECTION_KEYS = ("overview", "proactive", "applications", "review_litigation", "problems", "other")
