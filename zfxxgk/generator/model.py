"""A generated annual report: its truth (the FORMAT.md JSON shape) and every printing
decision the renderers need. The truth is fixed here, before any rendering, so it stays
right by construction; renderers only print what this model says."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from zfxxgk.generator import labels as L
from zfxxgk.generator.names import Agency, pick_agency
from zfxxgk.generator.numbers import (
    Key,
    break_rule,
    check_rules,
    draw_applications,
    draw_proactive,
    draw_review_litigation,
)
from zfxxgk.generator.prose import draw_prose

ERAS = ("2019", "2021")
YEARS = {"2019": (2019, 2020), "2021": (2021, 2022, 2023, 2024)}
NULL_MARKERS = ["", "-", "—", "/", "无"]
_FULL = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


@dataclass(slots=True)
class CellSpec:
    """One printed cell: the truth ``value`` (None for a blank/dash), the text as printed and
    the unit the document writes (in the cell or in its header)."""

    value: int | float | None
    raw: str
    unit: str | None = None


@dataclass(slots=True)
class GeneratedReport:
    """Everything about one synthetic report. ``truth`` gives the JSON of FORMAT.md."""

    seed: int
    agency: Agency
    year: int
    era: str
    six_split: bool
    consistent: bool
    cells: dict[Key, CellSpec]
    extra: dict[str, Any]
    extra_raw: dict[str, Any]
    expected_findings: list[dict[str, Any]]
    title_lines: list[str]
    headings: dict[str, str]
    paragraphs: dict[str, list[str]]
    signed_on: date
    published_on: date
    variants: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return "".join(self.title_lines)

    @property
    def truth(self) -> dict[str, Any]:
        """The report as FORMAT.md's JSON (cells in printed order)."""
        proactive = []
        for item, metrics in (L.PROACTIVE_2019 if self.era == "2019" else L.PROACTIVE_2021).items():
            for metric in metrics:
                c = self.cells[("proactive", item, metric)]
                d: dict[str, Any] = {"item": item, "metric": metric, "value": c.value}
                if c.unit and c.value is not None:
                    d["unit"] = c.unit
                proactive.append(d)
        applications = [
            {"row": row, "applicant": col, "value": self.cells[("applications", row, col)].value}
            for row in L.application_rows(self.six_split)
            for col in L.APPLICANTS
        ]
        review = [
            {"kind": kind, "result": res, "value": self.cells[("review_litigation", kind, res)].value}
            for kind in L.RL_KINDS
            for res in L.RL_RESULTS
        ]
        return {
            "agency": self.agency.name,
            "year": self.year,
            "format_era": self.era,
            "proactive": proactive,
            "applications": applications,
            "review_litigation": review,
            "extra": dict(self.extra),
        }

    def values(self) -> dict[Key, Any]:
        return {k: c.value for k, c in self.cells.items()}


def _digits(text: str, fullwidth: bool) -> str:
    return text.translate(_FULL) if fullwidth else text


def _fmt_amount(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.2f}"


def generate_report(
    seed: int,
    *,
    era: str | None = None,
    consistent: bool = True,
    broken_rule: int | None = None,
    level: str | None = None,
    year: int | None = None,
) -> GeneratedReport:
    """A realistic report drawn from ``random.Random(seed)`` alone (same seed, same report).

    era        -- "2019" (reports on 2019 and 2020) or "2021" (2021 onward); None: either.
    consistent -- False breaks one of FORMAT.md's rules 1–4 (``broken_rule``, or a random
                  one) and lists the broken rule instances in ``expected_findings``.
    level      -- 省 / 市 / 县区 / 乡镇街道 / 部门, or None for a weighted choice.
    year       -- the reported year (must belong to the era); None: drawn.
    """
    rng = random.Random(seed)
    if year is not None:
        era = era or ("2019" if year <= 2020 else "2021")
    era = era or rng.choice(ERAS)
    if era not in ERAS:
        raise ValueError(f"era must be one of {ERAS}")
    year = year or rng.choice(YEARS[era])
    if year not in YEARS[era]:
        raise ValueError(f"year {year} does not belong to the {era} format")
    agency = pick_agency(rng, level)
    # Some 2021-era reports still print the single （六）其他处理 row of the 2019 format.
    six_split = era == "2021" and rng.random() > 0.15
    idle = agency.level in ("乡镇街道", "部门") and rng.random() < 0.35

    numbers: dict[Key, Any] = {}
    numbers.update(draw_proactive(rng, era, agency.level, idle))
    numbers.update(draw_applications(rng, agency.level, six_split, idle))
    numbers.update(draw_review_litigation(rng, agency.level, idle))

    protected: set[Key] = set()
    expected: list[dict[str, Any]] = []
    if not consistent:
        rule = broken_rule or rng.randint(1, 4)
        protected = set(break_rule(rng, numbers, rule, six_split))
        expected = check_rules(numbers, six_split)
        assert expected and all(f["rule"] == rule for f in expected), expected

    variants = _draw_variants(rng, agency, era)
    cells = _print_cells(rng, numbers, variants, protected, era)

    extra: dict[str, Any] = {}
    extra_raw: dict[str, Any] = {}
    if variants["published_total"]:
        n = rng.choice([0, rng.randint(1, 30), rng.randint(30, 3000)])
        extra[L.EXTRA_PUBLISHED_TOTAL] = n
        extra_raw[L.EXTRA_PUBLISHED_TOTAL] = str(n)
    if variants["other_docs"]:
        metrics = L.PROACTIVE_2019["规章"] if era == "2019" else L.PROACTIVE_2021["规章"]
        made = rng.randint(0, 300)
        vals = [made, rng.randint(0, made), made + rng.randint(0, 600)]
        extra[L.EXTRA_OTHER_DOCS] = dict(zip(metrics, vals, strict=True))
        extra_raw[L.EXTRA_OTHER_DOCS] = [str(v) for v in vals]

    received_cell = cells[("applications", L.RECEIVED, L.TOTAL)]
    litigated = any(numbers[("review_litigation", k, "总计")] for k in L.RL_KINDS) or any(
        k[0] == "review_litigation" for k in protected
    )
    ctx = {
        "year": year,
        "next_year": year + 1,
        "name": agency.name,
        "short": agency.short,
        "site": agency.site,
        "received": received_cell.value,
        "posted": rng.randint(20, 5000),
        "litigated": litigated,
    }
    paragraphs = draw_prose(rng, ctx)
    signed_on = _signing_date(rng, year)
    return GeneratedReport(
        seed=seed,
        agency=agency,
        year=year,
        era=era,
        six_split=six_split,
        consistent=consistent,
        cells=cells,
        extra=extra,
        extra_raw=extra_raw,
        expected_findings=expected,
        title_lines=_title_lines(rng, agency.name, year),
        headings=_headings(rng),
        paragraphs=paragraphs,
        signed_on=signed_on,
        published_on=signed_on + timedelta(days=rng.choice([0, 0, 1, 2, 5])),
        variants=variants,
    )


def _signing_date(rng: random.Random, year: int) -> date:
    """Reports are due by 31 January; a few come in February or March."""
    month = rng.choices([1, 2, 3], weights=[8, 1, 1])[0]
    return date(year + 1, month, rng.randint(5 if month == 1 else 1, 28))


def _title_lines(rng: random.Random, name: str, year: int) -> list[str]:
    return rng.choice([
        [f"{name}{year}年政府信息公开工作年度报告"],
        [f"{name}{year}年", "政府信息公开工作年度报告"],
        [name, f"{year}年政府信息公开工作年度报告"],
        [f"{name}{year}年度政府信息公开工作年度报告"],
        [f"{year}年{name}政府信息公开工作年度报告"],
    ])


_HEADINGS = {
    "overview": (["总体情况"], "一", "1"),
    "proactive": (["主动公开政府信息情况", "行政机关主动公开政府信息情况"], "二", "2"),
    "applications": (["收到和处理政府信息公开申请情况"], "三", "3"),
    "review_litigation": (["政府信息公开行政复议、行政诉讼情况"], "四", "4"),
    "problems": (["存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况",
                  "存在问题及改进情况", "存在主要问题及改进情况"], "五", "5"),
    "other": (["其他需要报告的事项"], "六", "6"),
}


def _headings(rng: random.Random) -> dict[str, str]:
    """Section headings, wording and numbering varied as in real reports (seeds 000–002
    number some sections "4、 " / "5、 " in Arabic digits)."""
    arabic = rng.random() < 0.2
    out = {}
    for key, (words, cn, ar) in _HEADINGS.items():
        word = words[0] if rng.random() < 0.7 else rng.choice(words)
        if arabic and key in ("overview", "review_litigation", "problems") and rng.random() < 0.7:
            out[key] = f"{ar}、 {word}"
        else:
            out[key] = f"{cn}、{word}"
    return out


def _draw_variants(rng: random.Random, agency: Agency, era: str) -> dict[str, Any]:
    """Report-level printing choices, shared by every renderer."""
    hubei = agency.province == "湖北省"
    jilin = agency.province == "吉林省"
    null_style = rng.choices(["none", "dash_all", "sparse"], weights=[70, 8, 22])[0]
    return {
        "null_style": null_style,
        "null_marker": rng.choice(NULL_MARKERS) if null_style == "sparse" else "-",
        "fullwidth": rng.random() < 0.06,
        "noisy_spaces": rng.random() < 0.25,
        "split_headers": rng.random() < 0.3,
        "vertical_headers": rng.random() < 0.15,
        "partial_note": rng.random() < 0.85,
        "half_width_parens": rng.random() < 0.15,
        "leaf_space": rng.random() < 0.15,
        "corner_note": rng.random() < 0.9,
        "omit_first_outcome_label": rng.random() < 0.04,
        "corrupt_label": rng.random() < 0.05,
        "hubei_notes": hubei and rng.random() < 0.5,
        "valid_note": era == "2021" and rng.random() < 0.3,
        "fee_in_cell": rng.random() < 0.2,
        "published_total": (jilin and era == "2019" and rng.random() < 0.7) or rng.random() < 0.05,
        "published_total_in_table": rng.random() < 0.7,
        "other_docs": hubei and rng.random() < 0.8,
    }


def _print_cells(
    rng: random.Random,
    numbers: dict[Key, Any],
    variants: dict[str, Any],
    protected: set[Key],
    era: str,
) -> dict[Key, CellSpec]:
    """Decide how each number is printed, and so its truth value: zeros may print as a
    blank or dash (value None); numbers may be full-width or carry stray spaces."""
    style = variants["null_style"]
    marker = variants["null_marker"]
    blank_rows: set[tuple[str, str]] = set()
    if style == "sparse":
        rows = sorted({(k[0], k[1]) for k in numbers})
        blank_rows = set(rng.sample(rows, k=min(len(rows), rng.randint(1, 4))))
    out: dict[Key, CellSpec] = {}
    for key in sorted(numbers, key=str):
        v = numbers[key]
        unit = None
        if isinstance(v, tuple):
            v, unit = v
        fee = key[2] == "本年收费金额"
        if fee:
            unit = "万元"  # written in the header 本年收费金额（单位：万元）
        is_zero = v == 0
        nullable = is_zero and key not in protected and not fee
        blank = nullable and (
            style == "dash_all"
            or (style == "sparse" and ((key[0], key[1]) in blank_rows or rng.random() < 0.05))
        )
        if blank:
            out[key] = CellSpec(None, marker if style == "sparse" else "-", None)
            continue
        if unit and is_zero and not fee:
            unit = None
        text = _fmt_amount(v) if isinstance(v, float) else str(v)
        if fee and variants["fee_in_cell"] and not is_zero:
            text += "万元"
        elif unit and not fee:
            text += unit
        text = _digits(text, variants["fullwidth"])
        if variants["noisy_spaces"] and rng.random() < 0.3:
            text = rng.choice(["\u00a0" + text, text + "\u00a0", " " + text + " ", text + "\u00a0\u00a0"])
        out[key] = CellSpec(v, text, unit)
    return out
