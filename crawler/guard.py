"""The crawler's SSRF guard: a request leaves only for http(s) URLs whose host resolves to
public addresses, whatever a page or a redirect says.

The host allowlist (``HostAllowlistMiddleware``) already keeps requests on registry hosts;
this guard covers what an allowlist cannot: a registry host whose name resolves to a private
address (a misconfigured or hostile DNS record), a redirect to ``file://`` or another scheme,
a redirect loop (which Scrapy's duplicate filter would otherwise drop without a word), and
a browser-rendered page that ended up on a private address.

Loopback is reachable only when the setting ``ZFXXGK_ALLOW_LOOPBACK`` is true or the
registry is a sample registry (``sample: true``: the bundled portal serves on 127.0.0.1);
even then never through a redirect from a source on a public address. Other private,
link-local (cloud metadata at 169.254.169.254), shared, multicast and unspecified addresses
are never reachable. A checked name is pinned in Scrapy's DNS cache, so the connection goes
to the address that was checked.

Every refusal is a ``Blocked`` (an ``IgnoreRequest`` with a ``kind``), so the spider's
errback books it in ``crawl_runs.errors``: ``blocked_scheme``, ``blocked_address``,
``redirect_loop``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.response import get_meta_refresh

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_CACHE_LIMIT = 10_000


class Blocked(IgnoreRequest):
    """A request the guard refused; ``kind`` is the error kind booked for it."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself (``127.0.0.1``, ``[::1]``, ``::ffff:10.0.0.1``)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def resolve(host: str) -> list[IPAddress]:
    """Every address ``host`` resolves to (literal addresses without any lookup; names in
    the forms ``inet_aton`` accepts — ``2130706433``, ``127.1`` — are numeric too)."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []  # unresolvable: the download fails on its own and is booked as such
    out: list[IPAddress] = []
    for info in infos:
        ip = literal_address(str(info[4][0]).split("%", 1)[0])
        if ip is not None and ip not in out:
            out.append(ip)
    return out


def is_public(ip: IPAddress) -> bool:
    return ip.is_global and not ip.is_multicast


def address_problem(addresses: Iterable[IPAddress], *, allow_loopback: bool) -> str | None:
    """Why these addresses may not be fetched (None: they may)."""
    for ip in addresses:
        if is_public(ip):
            continue
        if ip.is_loopback and allow_loopback:
            continue
        return f"{ip} is not a public address"
    return None


def check_url(url: str, *, allow_loopback: bool, redirected_from: list[str] | None = None,
              resolver: Any = resolve) -> Blocked | None:
    """The refusal for fetching ``url`` (None: allowed). ``redirected_from``: the URLs a
    redirect chain came through; if it started on a public address, loopback is refused
    too."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        return Blocked("blocked_scheme", f"scheme {parts.scheme or '(none)'!r} of {url} is not http(s)")
    host = parts.hostname or ""
    if not host:
        return Blocked("blocked_scheme", f"no host in {url}")
    addresses = resolver(host)
    loopback_ok = allow_loopback
    if loopback_ok and redirected_from:
        origin = urlsplit(redirected_from[0]).hostname or ""
        origin_addresses = resolver(origin)
        if origin_addresses and all(is_public(ip) for ip in origin_addresses):
            loopback_ok = False
    problem = address_problem(addresses, allow_loopback=loopback_ok)
    if problem:
        via = f" (redirected from {redirected_from[0]})" if redirected_from else ""
        return Blocked("blocked_address", f"{url}: {problem}{via}")
    return None


class _Resolver:
    """``resolve`` with a bounded cache, pinning each checked name in Scrapy's DNS cache."""

    def __init__(self) -> None:
        self.cache: dict[str, list[IPAddress]] = {}

    async def addresses(self, host: str) -> list[IPAddress]:
        if host not in self.cache:
            if literal_address(host) is not None:
                found = resolve(host)
            else:
                found = await asyncio.get_running_loop().run_in_executor(None, resolve, host)
                self._pin(host, found)
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            self.cache[host] = found
        return self.cache[host]

    @staticmethod
    def _pin(host: str, found: list[IPAddress]) -> None:
        v4 = [str(ip) for ip in found if ip.version == 4]
        if not v4:
            return
        try:
            from scrapy.resolver import dnscache
        except ImportError:  # pragma: no cover - the cache is part of Scrapy's resolver
            return
        if host not in dnscache:
            dnscache[host] = v4[0]

    def cached(self, host: str) -> list[IPAddress]:
        return self.cache.get(host) or resolve(host)


def allow_loopback(crawler: Crawler) -> bool:
    """Loopback is for the sample portal: the setting, or a sample registry."""
    if crawler.settings.getbool("ZFXXGK_ALLOW_LOOPBACK"):
        return True
    spider = crawler.spider
    registry = getattr(getattr(spider, "ctx", None), "registry", None)
    return bool(getattr(registry, "sample", False))


class SsrfGuardMiddleware:
    """Before the allowlist (order 50): scheme and address of every request, redirects and
    robots.txt requests included."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.resolver = _Resolver()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        addresses = await self.resolver.addresses(host) if host else []
        origins = request.meta.get("redirect_urls") or None
        if origins:
            origin = urlsplit(origins[0]).hostname or ""
            if origin:
                await self.resolver.addresses(origin)
        blocked = check_url(request.url, allow_loopback=allow_loopback(self.crawler), redirected_from=origins,
                            resolver=lambda h: addresses if h == host else self.resolver.cached(h))
        if blocked is not None:
            logger.warning("SSRF guard: %s", blocked)
            raise blocked
        return None


class RedirectGuardMiddleware:
    """Between the network and Scrapy's redirect middlewares (order 650): a redirect (HTTP or
    meta refresh) to another scheme or back into its own chain is refused and booked, not
    silently dropped;
    a browser-rendered page that landed on a refused address is not kept."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if "playwright" in response.flags and response.url != request.url:
            blocked = check_url(response.url, allow_loopback=allow_loopback(self.crawler),
                                redirected_from=[request.url])
            if blocked is not None:
                raise blocked
        target = self._redirect_target(request, response)
        if target is None or request.meta.get("dont_redirect"):
            return response
        scheme = urlsplit(target).scheme.lower()
        if scheme not in SCHEMES:
            raise Blocked("blocked_scheme", f"{request.url} redirects to {target}: not http(s)")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if _same(target) in {_same(u) for u in chain}:
            raise Blocked("redirect_loop", f"{request.url} redirects back to {target}")
        return response

    def _redirect_target(self, request: Request, response: Response) -> str | None:
        """Where the response sends the crawler: a Location, or a meta refresh that Scrapy's
        MetaRefreshMiddleware would follow."""
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            return urljoin(request.url, location.decode("latin-1").strip())
        if isinstance(response, HtmlResponse) and self.crawler.settings.getbool("METAREFRESH_ENABLED", True):
            try:
                interval, url = get_meta_refresh(response)
            except Exception:  # noqa: BLE001 - an unreadable page has no refresh to follow
                return None
            if url and interval < self.crawler.settings.getfloat("METAREFRESH_MAXDELAY", 100):
                return url
        return None


def _same(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{parts.path or '/'}?{parts.query}"
