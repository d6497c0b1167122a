"""The sample portal's server: one small HTTP site per port on 127.0.0.1 (sites are told apart
by host:port, as real portals are by host name), every page built in memory at start from
fixed inputs, so each start serves the same bytes. Report pages and attachments answer
conditional GETs (ETag and/or Last-Modified) like the static servers in front of real CMSs.

For tests the portal keeps a log of every request and can hold chosen requests until
released (to stop a crawl at a known point)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

HTML = "text/html; charset=utf-8"


@dataclass
class Resp:
    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = False
    last_modified: str | None = None  # an HTTP date


@dataclass
class Req:
    method: str
    path: str  # without query
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query if self.query else "")

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def args(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))

    def cookies(self) -> dict[str, str]:
        out = {}
        for part in self.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                out[name] = value
        return out


@dataclass
class Expected:
    """What a crawler must find on a site (paths), and what it must not fetch."""

    reports: set[str] = field(default_factory=set)
    attachments: set[str] = field(default_factory=set)
    forbidden: set[str] = field(default_factory=set)  # linked but disallowed by robots.txt
    broken: set[str] = field(default_factory=set)  # linked, answer 404
    decoys: set[str] = field(default_factory=set)  # listed but not reports
    listings: set[str] = field(default_factory=set)


def http_date(d: Any) -> str:
    from datetime import UTC, datetime

    return format_datetime(datetime(d.year, d.month, d.day, 8, 0, 0, tzinfo=UTC), usegmt=True)


class Site:
    """A site: static routes (path or path?query → Resp) plus optional dynamic handling."""

    key = ""
    name = ""
    scheme = "http"  # "https" for a site whose server wraps its sockets in TLS (``ssl_context``)
    ssl_context: Any = None
    robots_txt = "User-agent: *\nDisallow:\n"

    def __init__(self) -> None:
        self.routes: dict[str, Resp] = {}
        self.expected = Expected()
        self.portal: Any = None

    def build(self) -> None:
        """Fill ``routes`` and ``expected`` (called once the portal knows every site's URL)."""

    def add(self, path: str, resp: Resp) -> None:
        self.routes[path] = resp

    def handle(self, req: Req) -> Resp:
        if req.path == "/robots.txt":
            return Resp(body=self.robots_txt.encode(), content_type="text/plain; charset=utf-8")
        resp = self.routes.get(req.target) or (self.routes.get(req.path) if not req.query else None)
        if resp is None:
            return Resp(404, b"<html><body><h1>404 Not Found</h1></body></html>")
        return resp


def _conditional(req: Req, resp: Resp) -> tuple[int, dict[str, str]]:
    headers = {"Content-Type": resp.content_type, **resp.headers}
    if resp.status != 200:
        return resp.status, headers
    fresh = None
    if resp.etag:
        etag = '"' + hashlib.sha1(resp.body).hexdigest()[:16] + '"'
        headers["ETag"] = etag
        if "if-none-match" in req.headers:
            fresh = etag in [t.strip() for t in req.headers["if-none-match"].split(",")]
    if resp.last_modified:
        headers["Last-Modified"] = resp.last_modified
        if fresh is None and "if-modified-since" in req.headers:
            try:
                fresh = parsedate_to_datetime(req.headers["if-modified-since"]) >= parsedate_to_datetime(
                    resp.last_modified)
            except (TypeError, ValueError):
                fresh = False
    return (304 if fresh else 200), headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SamplePortal/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        server: _SiteServer = self.server  # type: ignore[assignment]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        req = Req(self.command, parts.path or "/", parts.query,
                  {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length) if length else b"")
        portal = server.site.portal
        portal.record(server.site.key, req)
        portal.wait_if_held(server.site.key, req)
        faults = portal.faults  # a FaultPlan (zfxxgk.portal.faults) may answer in its own way
        if faults is not None and faults.serve(self, server.site, req, lambda: self.answer(server.site, req)):
            return
        self.write(*self.answer(server.site, req))

    def answer(self, site: Site, req: Req) -> tuple[int, dict[str, str], bytes]:
        """What the site answers: status, headers and body (empty for 304 and HEAD)."""
        try:
            resp = site.handle(req)
        except Exception as e:  # noqa: BLE001 - a bug in a sample page must show as a 500
            resp = Resp(500, f"<html><body>500 {type(e).__name__}: {e}</body></html>".encode())
        status, headers = _conditional(req, resp)
        body = b"" if status == 304 or self.command == "HEAD" else resp.body
        return status, headers, body

    def write(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status, "Web Server Is Down" if status == 521 else None)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if status != 304 else 0))
        self.end_headers()
        if body:
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _serve


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], site: Site):
        self.site = site
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """A TLS site does its handshake here, in the request's own thread."""
        if self.site.ssl_context is not None:
            request.settimeout(30)
            request = self.site.ssl_context.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away (a killed crawler) is normal here, not worth a traceback."""
        import ssl
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            super().handle_error(request, client_address)


class Portal:
    """All sites, each on its own port of ``host`` (loopback only)."""

    def __init__(self, sites: list[Site], host: str = "127.0.0.1", ports: dict[str, int] | None = None,
                 faults: Any = None):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sample portal serves on loopback only")
        self.host = host
        self.faults = faults  # None, or a zfxxgk.portal.faults.FaultPlan
        self.sites = {s.key: s for s in sites}
        self.log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._hold: Callable[[str, Req], bool] | None = None
        self._release = threading.Event()
        self._held = threading.Event()
        self._servers: dict[str, _SiteServer] = {}
        for site in sites:
            site.portal = self
            self._servers[site.key] = _SiteServer((host, (ports or {}).get(site.key, 0)), site)
        for site in sites:
            site.build()
        self._threads: list[threading.Thread] = []

    # addresses ---------------------------------------------------------------------------
    def netloc(self, key: str) -> str:
        return f"{self.host}:{self._servers[key].server_address[1]}"

    def url(self, key: str, path: str = "/") -> str:
        return f"{self.sites[key].scheme}://{self.netloc(key)}{path}"

    # test hooks ----------------------------------------------------------------------------
    def record(self, key: str, req: Req) -> None:
        with self._lock:
            self.log.append((key, req.method, req.target))

    def requests_to(self, key: str) -> list[tuple[str, str]]:
        with self._lock:
            return [(m, t) for k, m, t in self.log if k == key]

    def hold(self, predicate: Callable[[str, Req], bool]) -> None:
        """Keep matching requests waiting until ``release()``."""
        self._release.clear()
        self._held.clear()
        self._hold = predicate

    def wait_until_held(self, timeout: float) -> bool:
        return self._held.wait(timeout)

    def release(self) -> None:
        self._hold = None
        self._release.set()

    def wait_if_held(self, key: str, req: Req) -> None:
        hold = self._hold
        if hold is not None and hold(key, req):
            self._held.set()
            self._release.wait(120)

    # lifecycle -----------------------------------------------------------------------------
    def start(self) -> Portal:
        for key, server in self._servers.items():
            t = threading.Thread(target=server.serve_forever, name=f"portal-{key}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self.release()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Portal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
