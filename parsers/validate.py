"""Consistency rules of FORMAT.md as findings. Numbers are never "fixed": a report whose
figures do not add up is archived as printed, with a finding saying where and by how much.

A blank or dash counts as 0 in a sum; a check is skipped when every cell it involves is
blank (nothing was reported)."""

from __future__ import annotations

from collections.abc import Iterable

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
    return sum(_num(v) for v in values)


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
    app = {(c.row, c.column): c.value for c in report.table(APPLICATIONS)}
    if app:
        rows = {row for row, _ in app}
        six_split = any("（六）其他处理/" in r for r in rows)
        outcomes = outcome_rows(six_split)
        for a in APPLICANTS:
            left = [app.get((RECEIVED_ROW, a)), app.get((CARRIED_IN_ROW, a))]
            right = [app.get((TOTAL_ROW, a)), app.get((CARRIED_OUT_ROW, a))]
            if any(v is not None for v in left + right) and _sum(left) != _sum(right):
                findings.append(_finding("rule1_balance", f"三/{a}", _sum(left), _sum(right)))
        for a in APPLICANTS:
            parts = [app.get((r, a)) for r in outcomes]
            total = app.get((TOTAL_ROW, a))
            if any(v is not None for v in [*parts, total]) and _sum(parts) != _num(total):
                findings.append(_finding("rule2_outcomes", f"三/（七）总计/{a}", _sum(parts), _num(total)))
        for row in sorted(rows, key=list(dict.fromkeys(r for r, _ in app)).index):
            parts = [app.get((row, a)) for a in APPLICANTS[:-1]]
            total = app.get((row, "总计"))
            if any(v is not None for v in [*parts, total]) and _sum(parts) != _num(total):
                findings.append(_finding("rule3_applicant_total", f"三/{row}/总计", _sum(parts), _num(total)))
    review = {(c.row, c.column): c.value for c in report.table(REVIEW_LITIGATION)}
    if review:
        for kind in RL_KINDS:
            parts = [review.get((kind, r)) for r in RL_RESULTS[:-1]]
            total = review.get((kind, "总计"))
            if any(v is not None for v in [*parts, total]) and _sum(parts) != _num(total):
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
