"""The numbers of a report, drawn so that they satisfy FORMAT.md's consistency rules, plus
the rules themselves (evaluated on the generator's own truth) and the deliberate breaks.

Counts are mostly zero, as in real reports of small bodies, with occasional large ones
(tens of thousands of licensing decisions, thousands of applications in a big city)."""

from __future__ import annotations

import random
from typing import Any

from zfxxgk.generator import labels as L

Key = tuple[str, str, str]  # (table, row or item or kind, column or metric or result)

# How busy each level is: scales every count drawn for it.
ACTIVITY = {"省": 2.0, "市": 1.6, "县区": 1.0, "乡镇街道": 0.25, "部门": 0.5}


def _count(rng: random.Random, scale: float, p_zero: float, high: int) -> int:
    """A count: zero with probability ``p_zero``, else log-uniform up to ``high * scale``."""
    if rng.random() < p_zero:
        return 0
    top = max(1.0, high * scale)
    return max(1, int(round(top ** rng.random())))


def draw_proactive(rng: random.Random, era: str, level: str, idle: bool) -> dict[Key, Any]:
    """Table 二. ``idle`` bodies (many streets and small departments) print all zeros."""
    s = ACTIVITY[level]
    gov = level in ("省", "市") or (level == "县区" and rng.random() < 0.3)
    out: dict[Key, Any] = {}
    z = 1.0 if idle else 0.0

    def put(item: str, metric: str, v: Any) -> None:
        out[("proactive", item, metric)] = v

    if era == "2019":
        for item in ("规章", "规范性文件"):
            if item == "规章" and not gov:
                made = pub = total = 0
            else:
                made = _count(rng, s, max(z, 0.4), 40)
                pub = made if rng.random() < 0.8 else rng.randint(0, made)
                total = made + _count(rng, s, max(z, 0.3), 400)
            put(item, "本年新制作数量", made)
            put(item, "本年新公开数量", pub)
            put(item, "对外公开总数量", total)
        for item, high_prev, high_dec in (("行政许可", 600, 100000), ("其他对外管理服务事项", 300, 20000),
                                          ("行政处罚", 2000, 10000), ("行政强制", 100, 600)):
            prev = _count(rng, s, max(z, 0.35), high_prev)
            change = 0
            if prev and rng.random() < 0.35:
                change = rng.randint(-min(prev, 30), 30)
            dec = _count(rng, s, max(z, 0.3), high_dec)
            put(item, "上一年项目数量", prev)
            put(item, "本年增/减", change)
            put(item, "处理决定数量", dec)
        prev = _count(rng, s, max(z, 0.6), 40)
        put("行政事业性收费", "上一年项目数量", prev)
        put("行政事业性收费", "本年增/减", rng.randint(-min(prev, 3), 3) if prev and rng.random() < 0.3 else 0)
        n = _count(rng, s, max(z, 0.4), 400)
        put("政府集中采购", "采购项目数量", n)
        put("政府集中采购", "采购总金额", _amount(rng, n))
    else:
        for item in ("规章", "行政规范性文件"):
            if item == "规章" and not gov:
                made = gone = valid = 0
            else:
                made = _count(rng, s, max(z, 0.4), 30)
                gone = _count(rng, s, max(z, 0.7), 15)
                valid = made + _count(rng, s, max(z, 0.3), 300)
            put(item, "本年制发件数", made)
            put(item, "本年废止件数", gone)
            put(item, "现行有效件数", valid)
        for item, high in (("行政许可", 100000), ("行政处罚", 10000), ("行政强制", 600)):
            put(item, "本年处理决定数量", _count(rng, s, max(z, 0.3), high))
        if rng.random() < max(z, 0.55):
            put("行政事业性收费", "本年收费金额", 0)
        else:
            put("行政事业性收费", "本年收费金额", round(rng.uniform(0.5, 12000.0), 2))
    return out


def _amount(rng: random.Random, n: int) -> Any:
    """采购总金额 as (number, unit written in the cell): unit may be absent, 万元 or 元."""
    if n == 0:
        return (0, None)
    unit = rng.choice([None, "万元", "万元", "元"])
    value: float | int = round(rng.uniform(5000, 9_999_999) if unit == "元" else rng.uniform(0.5, 90000), 2)
    if unit == "元" and rng.random() < 0.3:
        value = int(value)  # e.g. 251000元
    return (value, unit)


# Relative frequency of the outcome leaves, keyed by a prefix of the path under 三、.
_OUTCOME_WEIGHTS = {
    "（一）予以公开": 45, "（二）部分公开": 9, "（三）不予公开": 1.5, "（四）无法提供/1": 16,
    "（四）无法提供/2": 3, "（四）无法提供/3": 3, "（五）不予处理/1": 5, "（五）不予处理/2": 3,
    "（五）不予处理/3": 1, "（五）不予处理/4": 1, "（五）不予处理/5": 1, "（六）其他处理": 5,
}


def _weight(row: str) -> float:
    tail = row.split("/", 1)[1]
    return next((w for key, w in _OUTCOME_WEIGHTS.items() if tail.startswith(key)), 1.0)


def draw_applications(rng: random.Random, level: str, six_split: bool, idle: bool) -> dict[Key, int]:
    """Table 三 satisfying rules 1–3: per column 一+二 = （七）+四, （七） = Σ outcomes, and the
    总计 column is the sum of the six applicant columns."""
    s = ACTIVITY[level]
    outcomes = L.outcome_rows(six_split)
    weights = [_weight(r) for r in outcomes]
    out: dict[Key, int] = {}
    p_zero = {"自然人": 0.3, "商业企业": 0.7, "科研机构": 0.95, "社会公益组织": 0.95,
              "法律服务机构": 0.85, "其他": 0.85}
    high = {"自然人": 400, "商业企业": 60, "科研机构": 5, "社会公益组织": 5, "法律服务机构": 20, "其他": 20}
    big_city = level in ("省", "市") and rng.random() < 0.3
    for col in L.APPLICANT_COLUMNS:
        received = 0 if idle else _count(rng, s * (6 if big_city else 1), p_zero[col], high[col])
        carried_in = rng.randint(0, max(0, received // 5)) if received and rng.random() < 0.3 else 0
        handled = received + carried_in
        carried_out = rng.randint(0, handled // 6) if handled and rng.random() < 0.3 else 0
        done = handled - carried_out
        counts = dict.fromkeys(outcomes, 0)
        for row in rng.choices(outcomes, weights=weights, k=done):
            counts[row] += 1
        out[("applications", L.RECEIVED, col)] = received
        out[("applications", L.CARRIED_IN, col)] = carried_in
        for row in outcomes:
            out[("applications", row, col)] = counts[row]
        out[("applications", L.OUTCOME_TOTAL, col)] = done
        out[("applications", L.CARRIED_OUT, col)] = carried_out
    for row in L.application_rows(six_split):
        out[("applications", row, L.TOTAL)] = sum(out[("applications", row, c)] for c in L.APPLICANT_COLUMNS)
    return out


def draw_review_litigation(rng: random.Random, level: str, idle: bool) -> dict[Key, int]:
    """Table 四: each 总计 is the sum of the four results before it."""
    out: dict[Key, int] = {}
    busy = not idle and rng.random() < {"省": 0.9, "市": 0.8, "县区": 0.45}.get(level, 0.12)
    for kind in L.RL_KINDS:
        parts = [0, 0, 0, 0]
        if busy and rng.random() < 0.7:
            top = 40 if level in ("省", "市") else 8
            parts = [_count(rng, 1.0, p, top) for p in (0.3, 0.7, 0.6, 0.6)]
        for result, v in zip(L.RL_RESULTS[:4], parts, strict=True):
            out[("review_litigation", kind, result)] = v
        out[("review_litigation", kind, "总计")] = sum(parts)
    return out


# ---------------------------------------------------------------------------------------
# The consistency rules of FORMAT.md, on a {key: value} map (None counts as 0).

def _v(cells: dict[Key, Any], key: Key) -> float:
    v = cells.get(key)
    return 0 if v is None else v


def check_rules(cells: dict[Key, Any], six_split: bool) -> list[dict[str, Any]]:
    """Every broken rule instance: {"rule": n, "table", "row"/"column" or "kind"}."""
    broken: list[dict[str, Any]] = []
    A = "applications"
    outcomes = L.outcome_rows(six_split)
    for col in L.APPLICANTS:
        lhs = _v(cells, (A, L.RECEIVED, col)) + _v(cells, (A, L.CARRIED_IN, col))
        rhs = _v(cells, (A, L.OUTCOME_TOTAL, col)) + _v(cells, (A, L.CARRIED_OUT, col))
        if lhs != rhs:
            broken.append({"rule": 1, "table": A, "column": col, "expected": lhs, "actual": rhs})
        total = sum(_v(cells, (A, r, col)) for r in outcomes)
        if total != _v(cells, (A, L.OUTCOME_TOTAL, col)):
            broken.append({"rule": 2, "table": A, "column": col, "expected": total,
                           "actual": _v(cells, (A, L.OUTCOME_TOTAL, col))})
    for row in L.application_rows(six_split):
        total = sum(_v(cells, (A, row, c)) for c in L.APPLICANT_COLUMNS)
        if total != _v(cells, (A, row, L.TOTAL)):
            broken.append({"rule": 3, "table": A, "row": row, "expected": total,
                           "actual": _v(cells, (A, row, L.TOTAL))})
    for kind in L.RL_KINDS:
        total = sum(_v(cells, ("review_litigation", kind, r)) for r in L.RL_RESULTS[:4])
        if total != _v(cells, ("review_litigation", kind, "总计")):
            broken.append({"rule": 4, "table": "review_litigation", "kind": kind, "expected": total,
                           "actual": _v(cells, ("review_litigation", kind, "总计"))})
    return broken


def break_rule(rng: random.Random, cells: dict[Key, Any], rule: int, six_split: bool) -> list[Key]:
    """Change the numbers so that exactly ``rule`` is broken (and no other), in place.
    Returns every cell the broken rule instances read, which must then be printed as numbers
    (not blanks) so that the break is visible whatever a reader does with blanks."""
    A = "applications"
    col = rng.choice(L.APPLICANT_COLUMNS)
    d = rng.randint(1, 9)
    if rule == 1:
        row = rng.choice([L.RECEIVED, L.CARRIED_OUT])
        cells[(A, row, col)] += d
        cells[(A, row, L.TOTAL)] += d
        cols = [col, L.TOTAL]
        return [(A, r, c) for c in cols for r in (L.RECEIVED, L.CARRIED_IN, L.OUTCOME_TOTAL, L.CARRIED_OUT)]
    if rule == 2:
        row = rng.choice(L.outcome_rows(six_split))
        cells[(A, row, col)] += d
        cells[(A, row, L.TOTAL)] += d
        return [(A, r, c) for c in (col, L.TOTAL) for r in [*L.outcome_rows(six_split), L.OUTCOME_TOTAL]]
    if rule == 3:
        first = rng.choice([L.RECEIVED, L.CARRIED_IN])
        cells[(A, first, col)] += d
        cells[(A, L.CARRIED_OUT, col)] += d
        return [(A, r, c) for r in (first, L.CARRIED_OUT) for c in L.APPLICANTS]
    if rule == 4:
        kind = rng.choice(L.RL_KINDS)
        key = ("review_litigation", kind, rng.choice(L.RL_RESULTS))
        if key[2] == "总计" and cells[key] > 0 and rng.random() < 0.5:
            cells[key] = 0  # printed 0 although results were counted (a real pattern)
        else:
            cells[key] += d
        return [("review_litigation", kind, r) for r in L.RL_RESULTS]
    raise ValueError(f"rule must be 1-4, not {rule}")
