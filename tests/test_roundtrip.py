"""Round trip: a generated report, rendered in any style, parses back to exactly its truth —
every cell (value, and unit where one is written), agency, year, format era, extras — and an
inconsistent report yields a finding of the rule that was broken, at the cells broken.

The truth comes from the generator's model (fixed before rendering), never from the parser.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parsers import parse
from zfxxgk.generator import STYLES, GeneratedReport, generate_report, render

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CORE_RULES = ("rule1", "rule2", "rule3", "rule4")


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def cell_differences(report: GeneratedReport, parsed: dict[str, Any]) -> list[tuple]:
    """(table, row, column, truth value, parsed value) for each cell that differs, plus
    cells the parser produced beyond the truth, plus unit disagreements on non-zero cells."""
    keys = {"proactive": ("item", "metric"), "applications": ("row", "applicant"),
            "review_litigation": ("kind", "result")}
    diffs = []
    for table, (a, b) in keys.items():
        got = {(c[a], c[b]): c for c in parsed[table]}
        want = {(c[a], c[b]): c for c in report.truth[table]}
        for key, c in want.items():
            g = got.get(key)
            if g is None:
                diffs.append((table, *key, c["value"], "<missing>"))
            elif not _same(c["value"], g["value"]):
                diffs.append((table, *key, c["value"], g["value"]))
            elif c["value"] and c.get("unit") != g.get("unit"):
                diffs.append((table, *key, f"unit {c.get('unit')}", f"unit {g.get('unit')}"))
        diffs += [(table, *key, "<absent>", got[key]["value"]) for key in got.keys() - want.keys()]
    return diffs


def _parse(report: GeneratedReport, style: str) -> dict[str, Any]:
    out = render(report, style)
    return parse(out.data, name=out.name).to_json()


def _check_meta(report: GeneratedReport, parsed: dict[str, Any]) -> None:
    assert parsed["agency"] == report.agency.name
    assert parsed["year"] == report.year
    assert parsed["format_era"] == report.era
    assert parsed["extra"] == report.truth["extra"]


def _where(expected: dict[str, Any]) -> str:
    return expected.get("column") or expected.get("row") or expected["kind"]


@SETTINGS
@given(seed=SEEDS, style=st.sampled_from(STYLES))
@example(seed=0, style="cells")
def test_consistent_report_round_trips(seed: int, style: str) -> None:
    report = generate_report(seed)
    parsed = _parse(report, style)
    assert cell_differences(report, parsed) == []
    _check_meta(report, parsed)
    core = [f for f in parsed["findings"] if f["rule"].startswith(CORE_RULES)]
    assert core == []


@SETTINGS
@given(seed=SEEDS, style=st.sampled_from(STYLES), rule=st.integers(min_value=1, max_value=4))
def test_inconsistent_report_flags_the_broken_rule(seed: int, style: str, rule: int) -> None:
    report = generate_report(seed, consistent=False, broken_rule=rule)
    parsed = _parse(report, style)
    assert cell_differences(report, parsed) == []
    core = [f for f in parsed["findings"] if f["rule"].startswith(CORE_RULES)]
    assert {f["rule"].split("_")[0] for f in core} == {f"rule{rule}"}
    assert len(core) == len(report.expected_findings)
    for expected in report.expected_findings:
        where = _where(expected)
        assert any(where in f["location"] for f in core), (where, [f["location"] for f in core])


@SETTINGS
@given(seed=SEEDS, era=st.sampled_from(["2019", "2021"]), style=st.sampled_from(STYLES))
def test_both_eras_round_trip(seed: int, era: str, style: str) -> None:
    report = generate_report(seed, era=era)
    parsed = _parse(report, style)
    assert cell_differences(report, parsed) == []
    _check_meta(report, parsed)
