"""Each real seed report parses to exactly its hand-verified truth: every cell, the unit
where one is written, agency, year and format era."""

from __future__ import annotations

import pytest

from parsers import parse
from tests.truth import flatten, load, seed_pairs

PAIRS = seed_pairs()


def test_all_seeds_are_bundled() -> None:
    assert len(PAIRS) == 5
    assert all(src.exists() for _, src in PAIRS)


@pytest.mark.parametrize(("truth_path", "source"), PAIRS, ids=[p[1].stem for p in PAIRS])
def test_seed_parses_to_truth(truth_path, source) -> None:
    truth = load(truth_path)
    report = parse(source.read_bytes(), name=source.name).to_json()
    want, got = flatten(truth), flatten(report)
    assert len(want) == 198
    wrong = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    assert wrong == {}
    assert set(got) == set(want)
    assert report["year"] == truth["year"]
    assert report["format_era"] == truth["format_era"]
    assert report["agency"] in truth["agency"] or truth["agency"] in report["agency"]


@pytest.mark.parametrize(("truth_path", "source"), PAIRS, ids=[p[1].stem for p in PAIRS])
def test_seed_extras(truth_path, source) -> None:
    truth = load(truth_path)
    report = parse(source.read_bytes(), name=source.name)
    assert report.extra == truth.get("extra", {})


def test_seed_003_breaks_the_balance_rule() -> None:
    """一+二 = 4 but （七）总计 + 四 = 0: the 勾稽关系 finding, on the columns that carry it."""
    source = next(src for _, src in PAIRS if src.name.startswith("003_"))
    findings = parse(source.read_bytes(), name=source.name).findings
    balance = {(f.location, f.expected, f.actual) for f in findings if f.rule == "rule1_balance"}
    assert balance == {("三/自然人", 4, 0), ("三/总计", 4, 0)}
    outcomes = {(f.location, f.expected, f.actual) for f in findings if f.rule == "rule2_outcomes"}
    assert outcomes == {("三/（七）总计/自然人", 4, 0), ("三/（七）总计/总计", 4, 0)}


@pytest.mark.parametrize("prefix", ["000_", "001_", "002_", "004_"])
def test_consistent_seeds_have_no_arithmetic_findings(prefix) -> None:
    source = next(src for _, src in PAIRS if src.name.startswith(prefix))
    rules = {f.rule for f in parse(source.read_bytes(), name=source.name).findings}
    assert not rules & {"rule1_balance", "rule2_outcomes", "rule3_applicant_total", "rule4_review_total"}


def test_signing_dates_of_seeds() -> None:
    dates = {src.name[:3]: parse(src.read_bytes(), name=src.name).published_on for _, src in PAIRS}
    assert dates["001"] == "2021-01-20"
    assert dates["002"] == "2021-01-18"
