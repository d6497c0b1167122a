"""The source registry: the real one loads and covers what it must; bad entries are refused."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crawler.navigators import FAMILIES
from crawler.registry import DEFAULT_REGISTRY, RegistryError, load_registry, netloc, parse_registry

SHARED_PORTALS = Path(__file__).resolve().parents[3] / "shared" / "portals.csv"


def test_real_registry_loads_and_covers_provinces_and_families():
    registry = load_registry(DEFAULT_REGISTRY)
    sources = list(registry.sources.values())
    assert len(sources) >= 40
    assert len({s.province for s in sources}) >= 12
    assert {s.cms for s in sources} == set(FAMILIES)
    for s in sources:
        assert s.evidence.startswith(("http://", "https://"))
        assert s.evidence_kind in ("seen", "derived", "cited")
        if s.evidence_kind != "cited":  # a derived column lives on the host of the report seen
            assert netloc(s.evidence).removeprefix("www.") in {n.removeprefix("www.") for n in s.netlocs}


@pytest.mark.skipif(not SHARED_PORTALS.exists(), reason="shared reference material not present")
def test_every_evidence_url_was_seen():
    seen = {row["url"] for row in csv.DictReader(SHARED_PORTALS.open(encoding="utf-8"))}
    columns = {row["column_url"]: row["url"] for row in csv.DictReader(SHARED_PORTALS.open(encoding="utf-8"))}
    for s in load_registry(DEFAULT_REGISTRY).sources.values():
        assert s.evidence in seen, s.id
        assert all(u in columns for u in s.start_urls), s.id


def _entry(**kw):
    base = {"id": "x-col", "agency": "某局", "province": "北京", "level": "部门", "cms": "trs",
            "start_urls": ["https://www.example.gov.cn/ndbg/index.html"],
            "evidence": "https://www.example.gov.cn/ndbg/202401/t20240101_1.html", "evidence_kind": "derived"}
    base.update(kw)
    return base


@pytest.mark.parametrize(("change", "message"), [
    ({"cms": "wordpress"}, "cms must be one of"),
    ({"level": "省"}, "level must be one of"),
    ({"province": "样例省"}, "province must be one of"),
    ({"start_urls": ["ftp://x.gov.cn/a"]}, "bad start URL"),
    ({"evidence": "https://spam.example.com/a.html"}, "evidence URL is on another host"),
    ({"render": "js"}, "render must be one of"),
    ({"colour": "red"}, "unknown field"),
    ({"id": "Bad Id"}, "id must match"),
])
def test_bad_entries_are_refused(change, message):
    with pytest.raises(RegistryError, match=message):
        parse_registry({"sources": [_entry(**change)]})


def test_duplicate_ids_and_untunable_settings_are_refused():
    with pytest.raises(RegistryError, match="duplicate id"):
        parse_registry({"sources": [_entry(), _entry()]})
    with pytest.raises(RegistryError, match="cannot be set"):
        parse_registry({"sources": [_entry()], "settings": {"ROBOTSTXT_OBEY": False}})
    with pytest.raises(RegistryError, match="may not exceed 2"):
        parse_registry({"sources": [_entry()], "settings": {"CONCURRENT_REQUESTS_PER_DOMAIN": 8}})


def test_allowlist_includes_www_twin_only():
    source = parse_registry({"sources": [_entry()]}).sources["x-col"]
    assert source.netlocs == {"www.example.gov.cn", "example.gov.cn"}
