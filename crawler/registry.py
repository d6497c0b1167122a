"""The source registry: which report columns to crawl and why we believe they exist.

Each entry rests on a URL seen in public material (``evidence``); ``evidence_kind`` says whether
the column URL itself was ``seen``, ``cited`` by a report, or ``derived`` from a report URL.
The registry is also the host allowlist: only its hosts are ever requested. Loading validates
every entry and reports all problems at once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.navigators import FAMILIES

LEVELS = ("省级", "市级", "县级", "乡镇", "部门")
PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
)
RENDERS = ("http", "browser")
ENCODINGS = ("auto", "utf-8", "gbk", "gb2312", "gb18030")
EVIDENCE_KINDS = ("seen", "cited", "derived")
FILTERS = ("title", "all")
# Crawl settings a registry file may tune (e.g. no delays for the loopback sample portal).
TUNABLE_SETTINGS = {
    "DOWNLOAD_DELAY": float, "AUTOTHROTTLE_START_DELAY": float, "AUTOTHROTTLE_MAX_DELAY": float,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": float, "CONCURRENT_REQUESTS": int,
    "CONCURRENT_REQUESTS_PER_DOMAIN": int, "DOWNLOAD_TIMEOUT": float, "RETRY_TIMES": int,
    "RETRY_BACKOFF_BASE": float, "RETRY_BACKOFF_MAX": float,
}
MAX_PER_DOMAIN = 2
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


class RegistryError(ValueError):
    """The registry file is unreadable or has invalid entries (all problems listed)."""


def netloc(url: str) -> str:
    """Host and non-default port, lower-cased: the unit the allowlist works on."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        return f"{host}:{port}"
    return host


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True)
class Source:
    id: str
    agency: str
    province: str
    level: str
    cms: str
    start_urls: tuple[str, ...]
    evidence: str
    evidence_kind: str = "seen"
    city: str = ""
    county: str = ""
    render: str = "http"
    encoding: str = "auto"
    notes: str = ""
    hosts: tuple[str, ...] = ()
    filter: str = "title"
    max_pages: int = 60
    render_wait: str = ""

    @property
    def netlocs(self) -> frozenset[str]:
        """Hosts this source may fetch from (www./bare twins included)."""
        hosts = {netloc(u) for u in self.start_urls} | {h.lower() for h in self.hosts}
        return frozenset(hosts | {_bare(h) for h in hosts} | {f"www.{_bare(h)}" for h in hosts})

    def row(self) -> dict[str, Any]:
        """The ``sources`` table row (SCHEMA.md)."""
        import json

        evidence = self.evidence if self.evidence_kind == "seen" else f"{self.evidence_kind}: {self.evidence}"
        return {
            "id": self.id, "agency": self.agency, "province": self.province, "city": self.city,
            "county": self.county, "level": self.level, "cms": self.cms,
            "start_urls": json.dumps(list(self.start_urls), ensure_ascii=False),
            "render": self.render, "encoding": self.encoding, "evidence": evidence,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Registry:
    sources: dict[str, Source]
    settings: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    sample: bool = False  # the bundled sample portal's registry (loopback hosts allowed)

    def select(self, ids: Iterable[str] | None = None) -> list[Source]:
        if not ids:
            return list(self.sources.values())
        missing = [i for i in ids if i not in self.sources]
        if missing:
            raise RegistryError(f"未知来源 / unknown source id(s): {', '.join(missing)}")
        return [self.sources[i] for i in ids]

    def source_for(self, url: str) -> Source | None:
        host = netloc(url)
        return next((s for s in self.sources.values() if host in s.netlocs), None)


def _validate_entry(raw: Mapping[str, Any], strict_real: bool) -> tuple[Source | None, list[str]]:
    errors: list[str] = []
    sid = str(raw.get("id", ""))
    where = f"source {sid or '?'}"
    if not _ID.match(sid):
        errors.append(f"{where}: id must match {_ID.pattern}")
    for key in ("agency", "province", "level", "cms", "start_urls", "evidence"):
        if not raw.get(key):
            errors.append(f"{where}: missing {key}")
    known = set(Source.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        errors.append(f"{where}: unknown field(s) {sorted(unknown)}")
    if errors:
        return None, errors
    urls = raw["start_urls"]
    urls = (urls,) if isinstance(urls, str) else tuple(urls)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            errors.append(f"{where}: bad start URL {url!r}")
    if raw["cms"] not in FAMILIES:
        errors.append(f"{where}: cms must be one of {FAMILIES}")
    if raw["level"] not in LEVELS:
        errors.append(f"{where}: level must be one of {LEVELS}")
    checks = (("render", RENDERS), ("encoding", ENCODINGS), ("evidence_kind", EVIDENCE_KINDS), ("filter", FILTERS))
    for key, allowed in checks:
        if key in raw and raw[key] not in allowed:
            errors.append(f"{where}: {key} must be one of {allowed}")
    if strict_real:
        if raw["province"] not in PROVINCES:
            errors.append(f"{where}: province must be one of the 31 provincial divisions")
        ev = urlsplit(str(raw["evidence"]))
        if ev.scheme not in ("http", "https") or not ev.hostname:
            errors.append(f"{where}: evidence must be a URL")
        elif raw.get("evidence_kind") != "cited" and netloc(str(raw["evidence"])) not in {
            netloc(u) for u in urls} | {
            _bare(netloc(u)) for u in urls} | {f"www.{_bare(netloc(u))}" for u in urls}:
            errors.append(f"{where}: evidence URL is on another host than the start URLs "
                          "(only a column `cited` by a report may be elsewhere)")
    if errors:
        return None, errors
    values = dict(raw)
    values["start_urls"] = urls
    values["hosts"] = tuple(raw.get("hosts") or ())
    values["max_pages"] = int(raw.get("max_pages", 60))
    return Source(**values), []


def parse_registry(data: Mapping[str, Any], *, strict_real: bool = True, path: Path | None = None) -> Registry:
    """Validate registry data (a mapping with ``sources`` and optional ``settings``)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("sources"), list):
        raise RegistryError("registry must be a mapping with a 'sources' list")
    errors: list[str] = []
    sources: dict[str, Source] = {}
    for raw in data["sources"]:
        if not isinstance(raw, Mapping):
            errors.append(f"entry is not a mapping: {raw!r}")
            continue
        source, problems = _validate_entry(raw, strict_real)
        errors += problems
        if source is not None:
            if source.id in sources:
                errors.append(f"source {source.id}: duplicate id")
            sources[source.id] = source
    settings = dict(data.get("settings") or {})
    for key, value in settings.items():
        kind = TUNABLE_SETTINGS.get(key)
        if kind is None:
            errors.append(f"settings: {key} cannot be set from a registry")
            continue
        try:
            settings[key] = kind(value)
        except (TypeError, ValueError):
            errors.append(f"settings: {key} must be {kind.__name__}")
    if settings.get("CONCURRENT_REQUESTS_PER_DOMAIN", 1) > MAX_PER_DOMAIN:
        errors.append(f"settings: CONCURRENT_REQUESTS_PER_DOMAIN may not exceed {MAX_PER_DOMAIN}")
    if errors:
        raise RegistryError("registry invalid:\n  " + "\n  ".join(errors))
    return Registry(sources=sources, settings=settings, path=path)


def load_registry(path: str | Path, *, strict_real: bool | None = None) -> Registry:
    """Read and validate a registry file. ``strict_real`` (default: the file does not say
    ``sample: true``) also demands real provinces and evidence URLs on the source's host."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RegistryError(f"cannot read registry {path}: {e}") from e
    sample = bool(isinstance(data, Mapping) and data.get("sample"))
    if strict_real is None:
        strict_real = not sample
    return replace(parse_registry(data, strict_real=strict_real, path=path), sample=sample)


DEFAULT_REGISTRY = Path(__file__).with_name("sources.yaml")
