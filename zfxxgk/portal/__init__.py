"""The bundled sample portal (``zfxxgk sample-portal``): one site per CMS family plus the
obstacles real portals put in a crawler's way, served on 127.0.0.1 only.

    with running_portal() as portal:          # free ports, for tests and the demo
        registry = portal.write_registry(tmp / "sources.yaml")
    with running_portal(faults=FaultPlan(7)):  # the fault-injecting mode (zfxxgk.portal.faults)
        ...
    serve_portal("127.0.0.1", 8700)            # fixed ports 8700…, until interrupted
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from zfxxgk.portal.app import Expected, Portal
from zfxxgk.portal.faults import FaultPlan
from zfxxgk.portal.sites.browser import BrowserSite
from zfxxgk.portal.sites.challenge import ChallengeSite
from zfxxgk.portal.sites.generic import GenericSite
from zfxxgk.portal.sites.gkmlpt import GkmlptSite
from zfxxgk.portal.sites.hanweb import HanwebSite
from zfxxgk.portal.sites.spam import SpamSite
from zfxxgk.portal.sites.trs import TrsSite

SITE_CLASSES = (TrsSite, HanwebSite, GkmlptSite, GenericSite, BrowserSite, ChallengeSite, SpamSite)
REGISTRY_TEMPLATE = Path(__file__).with_name("sources.yaml")
# Which registry source crawls which site.
SOURCE_SITES = {
    "sample-trs": "trs", "sample-hanweb": "hanweb", "sample-gkmlpt": "gkmlpt",
    "sample-generic": "generic", "sample-browser": "jsapp", "sample-challenge": "jsl",
}
DEFAULT_PORT = 8700


class SamplePortal(Portal):
    @property
    def source_sites(self) -> dict[str, str]:
        """Which registry source crawls which site (fault mode adds its own sites)."""
        return {**SOURCE_SITES, **(self.faults.source_sites if self.faults is not None else {})}

    def registry_text(self) -> str:
        text = REGISTRY_TEMPLATE.read_text(encoding="utf-8")
        for key in self.sites:
            text = text.replace("{" + key + "}", self.netloc(key))
        if self.faults is not None:
            text = text.rstrip("\n") + "\n" + self.faults.registry_text(self.netloc)
        return text

    def write_registry(self, path: str | Path) -> Path:
        """Write the sample registry with this portal's addresses; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.registry_text(), encoding="utf-8")
        return path

    def expected(self, source_id: str) -> Expected:
        return self.sites[self.source_sites[source_id]].expected

    def expected_urls(self, source_id: str) -> dict[str, set[str]]:
        """Absolute URLs of what the crawl of a source must (and must not) produce."""
        key = self.source_sites[source_id]
        e = self.sites[key].expected
        return {name: {self.url(key, p) for p in getattr(e, name)}
                for name in ("reports", "attachments", "forbidden", "broken", "decoys", "listings")}


def make_portal(host: str = "127.0.0.1", base_port: int | None = None,
                faults: FaultPlan | None = None) -> SamplePortal:
    """Build the portal; ``base_port`` N puts the sites on N, N+1, … (None: free ports).
    ``faults`` (a ``zfxxgk.portal.faults.FaultPlan``) turns on the fault-injecting mode."""
    sites = [cls() for cls in SITE_CLASSES] + (faults.make_sites() if faults is not None else [])
    ports = None if base_port is None else {s.key: base_port + i for i, s in enumerate(sites)}
    return SamplePortal(sites, host=host, ports=ports, faults=faults)


@contextlib.contextmanager
def running_portal(host: str = "127.0.0.1", base_port: int | None = None,
                   faults: FaultPlan | None = None) -> Iterator[SamplePortal]:
    """The portal serving in background threads for the duration of the block."""
    portal = make_portal(host, base_port, faults)
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()


def serve_portal(host: str = "127.0.0.1", port: int = DEFAULT_PORT, registry_out: str | Path | None = None,
                 log=print) -> None:
    """Serve until interrupted (``zfxxgk sample-portal``). Sites use ``port``, ``port+1``, …"""
    with running_portal(host, port) as portal:
        for key, site in portal.sites.items():
            log(f"{site.name}: {portal.url(key)}")
        if registry_out:
            log(f"来源登记表 / registry: {portal.write_registry(registry_out)}")
        log("按 Ctrl-C 停止 / press Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


__all__ = ["FaultPlan", "SamplePortal", "make_portal", "running_portal", "serve_portal"]
