"""Consistency rules of FORMAT.md as findings. Numbers are never "fixed": a report whose
figures do not add up is archived as printed, with a finding saying where and by how much.

A blank or dash counts as 0 in a sum; a check is skipped when every cell it involves is
blank (nothing was reported)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from parsers.format_spec import (
    APPLICANTS,
    CARRIED_IN_ROW,
    CARRIED_OUT_ROW,
    RECEIVED_ROW,
    RL_KINDS,
    RL_RESULTS,
    TOTAL_ROW,
    outcome_rows,
)
from parsers.model import APPLICATIONS, REVIEW_LITIGATION, Finding, Report

RULES = {
    "rule1_balance": "勾稽关系：第一项加第二项之和，等于第三项加第四项之和 / received + carried in = handled + carried over",
    "rule2_outcomes": "（七）总计等于各项办理结果之和 / （七）总计 equals the sum of the outcomes",
    "rule3_applicant_total": "总计列等于自然人与法人或其他组织各列之和 / the 总计 column equals the applicant columns",
    "rule4_review_total": "行政复议、行政诉讼各总计等于前四项之和 / each 总计 of table 四 equals its four results",
    "rule5_year": "报告年度与表格格式、正文年份一致 / the year agrees with the table format and the text",
}


def _num(v: float | int | None) -> float:
    return 0.0 if v is None else float(v)


def _sum(values: Iterable[float | int | None]) -> float:
    return sum([0.0 if v is None else float(v) for v in values])


_APPLICANT_PARTS = tuple(APPLICANTS[:-1])


@cache
def _outcomes(six_split: bool) -> tuple[str, ...]:
    return tuple(outcome_rows(six_split))


def _fmt(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 6)


def _finding(rule: str, location: str, expected: float, actual: float) -> Finding:
    return Finding(
        rule=rule,
        location=location,
        expected=_fmt(expected),
        actual=_fmt(actual),
        message=f"{RULES[rule].split(' / ')[0]}：{location} 应为 {_fmt(expected)}，实为 {_fmt(actual)}",
    )


def validate(report: Report) -> list[Finding]:
    findings: list[Finding] = []
    # table 三 by row then applicant (rows in their first order), table 四 by (kind, result)
    app: dict[str, dict[str, float | int | None]] = {}
    review: dict[tuple[str, str], float | int | None] = {}
    for c in report.cells:  # one pass instead of a filtered copy per table
        if c.table == APPLICATIONS:
            row = app.get(c.row)
            if row is None:
                row = app[c.row] = {}
            row[c.column] = c.value
        elif c.table == REVIEW_LITIGATION:
            review[(c.row, c.column)] = c.value
    if app:
        six_split = any("（六）其他处理/" in r for r in app)
        none: dict[str, float | int | None] = {}
        received, carried_in = app.get(RECEIVED_ROW, none), app.get(CARRIED_IN_ROW, none)
        total_row, carried_out = app.get(TOTAL_ROW, none), app.get(CARRIED_OUT_ROW, none)
        for a in APPLICANTS:
            left = [received.get(a), carried_in.get(a)]
            right = [total_row.get(a), carried_out.get(a)]
            if left.count(None) + right.count(None) < 4 and _sum(left) != _sum(right):
                findings.append(_finding("rule1_balance", f"三/{a}", _sum(left), _sum(right)))
        outcomes = [app.get(r, none) for r in _outcomes(six_split)]
        for a in APPLICANTS:
            parts = [row.get(a) for row in outcomes]
            total = total_row.get(a)
            if (total is not None or parts.count(None) < len(parts)) and _sum(parts) != _num(total):
                findings.append(_finding("rule2_outcomes", f"三/（七）总计/{a}", _sum(parts), _num(total)))
        for name, row in app.items():
            parts = [row.get(a) for a in _APPLICANT_PARTS]
            total = row.get("总计")
            if (total is not None or parts.count(None) < len(parts)) and _sum(parts) != _num(total):
                findings.append(_finding("rule3_applicant_total", f"三/{name}/总计", _sum(parts), _num(total)))
    if review:
        for kind in RL_KINDS:
            parts = [review.get((kind, r)) for r in RL_RESULTS[:-1]]
            total = review.get((kind, "总计"))
            if (total is not None or parts.count(None) < len(parts)) and _sum(parts) != _num(total):
                findings.append(_finding("rule4_review_total", f"四/{kind}/总计", _sum(parts), _num(total)))
    if report.year and report.format_era:
        if report.format_era == "2021" and report.year <= 2020:
            findings.append(
                Finding(
                    "rule5_year",
                    "format_era",
                    "2019",
                    "2021",
                    f"{report.year}年度的报告使用了2021版表格 / a report on {report.year} uses the 2021 tables",
                    "info",
                )
            )
        elif report.format_era == "2019" and report.year >= 2021:
            findings.append(
                Finding(
                    "rule5_year",
                    "format_era",
                    "2021",
                    "2019",
                    f"{report.year}年度的报告仍使用2019版表格 / a report on {report.year} still uses the 2019 tables",
                    "info",
                )
            )
    return findings
