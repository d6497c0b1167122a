"""What one crawl process shares between spider, middlewares and pipeline: the selected
sources, the archive, the run ledger and the WARC files. Built from settings that
``crawler.runner`` fills in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.ledger import Ledger
from crawler.registry import Registry, Source, load_registry, netloc
from crawler.store import Archive
from crawler.warc import RunWarc


@dataclass
class CrawlContext:
    registry: Registry
    sources: dict[str, Source]
    archive: Archive
    ledger: Ledger
    runs: dict[str, int]
    warc_dir: Path
    software: str

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> CrawlContext:
        registry = load_registry(settings["ZFXXGK_REGISTRY"])
        runs = {k: int(v) for k, v in json.loads(settings["ZFXXGK_RUNS"]).items()}
        archive = Archive(settings["ZFXXGK_DB"], settings["ZFXXGK_BLOBS"])
        return cls(
            registry=registry,
            sources={sid: registry.sources[sid] for sid in runs},
            archive=archive,
            ledger=Ledger(archive, runs),
            runs=runs,
            warc_dir=Path(settings["ZFXXGK_WARC_DIR"]),
            software=settings.get("USER_AGENT", "zfxxgk"),
        )

    def __post_init__(self) -> None:
        self._warcs: dict[str, RunWarc] = {}
        self._by_host = {host: sid for sid, s in self.sources.items() for host in s.netlocs}

    def source_id_for(self, url: str, meta: dict | None = None) -> str:
        """The source a request belongs to (its meta, else its host, else the first one)."""
        if meta and meta.get("source_id") in self.sources:
            return meta["source_id"]
        return self._by_host.get(netloc(url), next(iter(self.sources)))

    def warc(self, source_id: str) -> RunWarc:
        if source_id not in self._warcs:
            self._warcs[source_id] = RunWarc(self.warc_dir, self.runs[source_id], self.software)
            self.ledger[source_id].warc = self._warcs[source_id].path.name
            self.ledger.flush()  # the run row names its WARC part before any record lands in it
        return self._warcs[source_id]

    def close(self) -> None:
        for w in self._warcs.values():
            w.close()
