"""The sample portal's fault-injecting mode: what real portals do to a crawler, at random but
reproducibly (every decision is drawn from the seed, the site and the request target, never
from the order requests arrive in).

    plan = FaultPlan(seed=7)
    with running_portal(faults=plan) as portal:       # two more sites, faults switched on
        ...crawl...                                    # plan.injections: what was done
        plan.active = False                            # the same portal, well behaved again

Two kinds of trouble:

* **Transient faults** (only while ``active``) on the pages, data answers and documents of
  every HTTP site: 500/502/503 (503 with and without ``Retry-After``), no answer at all
  (timeout), a stall in the middle of the body, a body cut short (chunked, never finished),
  a Content-Length longer than the body, a reset connection, a 404 for a listed report, and
  answers whose bytes are right but whose Content-Type is wrong, missing, or names UTF-8 for
  a GBK page. A faulted target fails its first attempt only (a retry survives it) or every
  attempt (a gap the next crawl must fill).
* **Permanent traps** on two extra sites that exist in this mode: ``traps`` (a GBK column
  whose pages lie about their charset, broken HTML nesting, a redirect chain, a redirect
  loop, a chain longer than any crawler follows, redirects to cloud-metadata and LAN
  addresses, to ``file://`` and to another host, a 2 GB attachment with and without a
  declared length — streamed from one small buffer, never held in memory — a gzip bomb,
  a listed report that is gone, a meta-refresh loop, a never-ending "下一页" pagination
  and a calendar whose day links go on forever) and ``tls`` (a column served over HTTPS
  with a self-signed certificate made at start, for 127.0.0.1).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import select
import socket
import ssl
import struct
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from zfxxgk.portal.app import Req, Resp, Site, http_date
from zfxxgk.portal.html import body_html
from zfxxgk.portal.reports import reports_for
from zfxxgk.portal.sites.common import attachment, shell

Answer = Callable[[], tuple[int, dict[str, str], bytes]]

# fault kind → the error kind a crawl must record when it never gets past it (None: the
# answer is complete and right, only its headers are odd — the page must still be captured)
FAULT_ERRORS: dict[str, str | None] = {
    "http_500": "http_500",
    "http_502": "http_502",
    "http_503": "http_503",
    "http_503_retry_after": "http_503",
    "timeout": "timeout",
    "stall_body": "timeout",
    "truncated": "data_loss",
    "wrong_length": "data_loss",
    "reset": "connection_lost",
    "not_found": "http_404",
    "wrong_type": None,
    "no_type": None,
    "gbk_declared_utf8": None,
}
DOCUMENT_ONLY = {"not_found"}  # "404s for listed reports": never on a listing
ALWAYS = 1_000_000  # attempts a hard fault fails
RETRY_AFTER = 1  # seconds, in the 503 that carries Retry-After

HUGE_BYTES = 2 * 1024 ** 3  # the 2 GB attachment
BOMB_BYTES = 256 * 1024 ** 2  # what the gzip bomb inflates to (4x DOWNLOAD_MAXSIZE)
_CHUNK = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 9)  # the one buffer the huge bodies repeat


@dataclass(frozen=True)
class Fault:
    kind: str
    failing: int  # how many attempts fail (1: a retry survives it; ALWAYS: every one)

    @property
    def error(self) -> str | None:
        return FAULT_ERRORS[self.kind]

    @property
    def hard(self) -> bool:
        return self.error is not None and (self.failing >= ALWAYS or self.kind in DOCUMENT_ONLY)


@dataclass(frozen=True)
class Injection:
    site: str
    target: str
    kind: str
    attempt: int
    at: float  # time.monotonic() when injected


@dataclass
class FaultPlan:
    """Which request gets which fault, and the log of what was injected."""

    seed: int = 7
    rate: float = 0.35  # share of eligible targets that get a fault
    active: bool = True  # transient faults on (the trap sites are there either way)
    stall_seconds: float = 12.0  # a timeout/stall lasts this long unless the client leaves
    injections: list[Injection] = field(default_factory=list)
    # (site, target) pairs whose faults a retry always survives: the start pages, so that
    # one unlucky draw does not hide a whole site from every other fault
    spared: set[tuple[str, str]] = field(default_factory=set)
    streamed: dict[str, int] = field(default_factory=dict)  # huge path → bytes actually sent
    # (site, target) of every faulted target → when each attempt at it arrived
    attempt_times: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: Counter[tuple[str, str]] = Counter()
        self._faults: dict[tuple[str, str], Fault] = {}
        self.sites: dict[str, Site] = {}

    # the portal's side ---------------------------------------------------------------------
    def make_sites(self) -> list[Site]:
        """The extra sites of this mode (added to the portal by ``make_portal``)."""
        self.sites = {s.key: s for s in (TrapSite(), TlsSite())}
        return list(self.sites.values())

    source_sites = {"sample-traps": "traps", "sample-tls": "tls"}

    def registry_text(self, netloc: Callable[[str], str]) -> str:
        """Registry entries of the extra sites (appended to the sample registry)."""
        return REGISTRY_ENTRIES.replace("{traps}", netloc("traps")).replace("{tls}", netloc("tls"))

    def serve(self, handler: Any, site: Site, req: Req, answer: Answer) -> bool:
        """Answer ``req`` in a faulty way if the plan says so; False lets the site answer."""
        fault = self._fault_now(site, req) if self.active else None
        if fault is not None:
            getattr(self, "_" + fault.kind)(handler, answer)
            handler.close_connection = True
            return True
        raw = getattr(site, "serve_raw", None)
        return bool(raw and raw(handler, req, self))

    # decisions -----------------------------------------------------------------------------
    def fault_for(self, site: Site, target: str) -> Fault | None:
        """The fault a target gets (same seed, site and target: same fault, every time)."""
        eligible = getattr(site, "fault_eligible", None)
        if target.startswith("/robots.txt") or (eligible is not None and not eligible(target)):
            return None
        rng = random.Random(f"{self.seed}|{site.key}|{target}")
        if rng.random() >= self.rate:
            return None
        is_document = target.split("?")[0] in site.expected.reports | site.expected.attachments
        kinds = [k for k in FAULT_ERRORS if is_document or k not in DOCUMENT_ONLY]
        kind = rng.choice(kinds)
        failing = 1 if rng.random() < 0.5 else ALWAYS
        if (site.key, target) in self.spared:  # a start page: fails once at most
            return Fault("http_503" if kind in DOCUMENT_ONLY else kind, 1)
        return Fault(kind, failing)

    def _fault_now(self, site: Site, req: Req) -> Fault | None:
        fault = self.fault_for(site, req.target)
        if fault is None:
            return None
        with self._lock:
            self._faults[(site.key, req.target)] = fault
            self._attempts[(site.key, req.target)] += 1
            self.attempt_times.setdefault((site.key, req.target), []).append(time.monotonic())
            attempt = self._attempts[(site.key, req.target)]
            if attempt > fault.failing:
                return None
            self.injections.append(Injection(site.key, req.target, fault.kind, attempt, time.monotonic()))
        return fault

    def reset(self) -> None:
        """Forget attempts and injections (a new crawl starts from the same plan)."""
        with self._lock:
            self._attempts.clear()
            self._faults.clear()
            self.attempt_times.clear()
            self.injections.clear()
            self.streamed.clear()

    def injected(self) -> dict[tuple[str, str], Fault]:
        """Every (site, target) that got a fault, with the fault."""
        with self._lock:
            return {(i.site, i.target): self._faults[(i.site, i.target)] for i in self.injections}

    # the faults themselves (each writes to the handler's socket and returns) --------------
    def _status(self, handler: Any, status: int, extra: dict[str, str] | None = None) -> None:
        body = f"<html><body><h1>{status}</h1><p>服务暂时不可用 / service unavailable</p></body></html>".encode()
        handler.write(status, {"Content-Type": "text/html; charset=utf-8", **(extra or {})}, body)

    def _http_500(self, handler: Any, answer: Answer) -> None:
        self._status(handler, 500)

    def _http_502(self, handler: Any, answer: Answer) -> None:
        self._status(handler, 502)

    def _http_503(self, handler: Any, answer: Answer) -> None:
        self._status(handler, 503)

    def _http_503_retry_after(self, handler: Any, answer: Answer) -> None:
        self._status(handler, 503, {"Retry-After": str(RETRY_AFTER)})

    def _not_found(self, handler: Any, answer: Answer) -> None:
        self._status(handler, 404)

    def _timeout(self, handler: Any, answer: Answer) -> None:
        self._wait_for_client(handler)

    def _stall_body(self, handler: Any, answer: Answer) -> None:
        status, headers, body = answer()
        self._head(handler, status, headers, len(body))
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        self._wait_for_client(handler)

    def _truncated(self, handler: Any, answer: Answer) -> None:
        status, headers, body = answer()
        self._head(handler, status, {**headers, "Transfer-Encoding": "chunked"}, None)
        half = body[: max(1, len(body) // 2)]
        handler.wfile.write(b"%x\r\n" % len(body) + half)  # the chunk is announced whole
        handler.wfile.flush()

    def _wrong_length(self, handler: Any, answer: Answer) -> None:
        status, headers, body = answer()
        self._head(handler, status, headers, len(body) + 4096)
        handler.wfile.write(body)
        handler.wfile.flush()

    def _reset(self, handler: Any, answer: Answer) -> None:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _wrong_type(self, handler: Any, answer: Answer) -> None:
        status, headers, body = answer()
        handler.write(status, {**headers, "Content-Type": "application/octet-stream"}, body)

    def _no_type(self, handler: Any, answer: Answer) -> None:
        status, headers, body = answer()
        handler.write(status, {k: v for k, v in headers.items() if k.lower() != "content-type"}, body)

    def _gbk_declared_utf8(self, handler: Any, answer: Answer) -> None:
        status, headers, body = answer()
        handler.write(status, {**headers, "Content-Type": "text/html; charset=utf-8"}, body)

    @staticmethod
    def _head(handler: Any, status: int, headers: dict[str, str], length: int | None) -> None:
        handler.send_response(status)
        for k, v in headers.items():
            handler.send_header(k, v)
        if length is not None:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()

    def _wait_for_client(self, handler: Any) -> None:
        """Say nothing more until the client gives up (or ``stall_seconds`` pass)."""
        end = time.monotonic() + self.stall_seconds
        while time.monotonic() < end:
            try:
                readable, _, _ = select.select([handler.connection], [], [], 0.2)
            except (OSError, ValueError):
                return
            if readable:  # the client closed (it sends nothing else while it waits)
                return


# ---------------------------------------------------------------------------- the trap site
COLUMN = "/xxgk/nb/index.html"
CAL_PREFIX = "/xxgk/nb/index_"  # + YYYYMMDD.html: the calendar's day pages


def broken_nesting(html: str) -> str:
    """Article HTML as a careless editor leaves it: cells and rows never closed, stray end
    tags, inline tags left open across blocks, a table inside a paragraph."""
    out = html.replace("</td>", "").replace("</tr>", "")
    out = out.replace("<table ", "<p><b><i><table ", 1).replace("</strong></p>", "</strong></div></span>")
    return out.replace("</table>", "</table></td></font>", 1) + "<div><p>（完）<span>"


class TrapSite(Site):
    key = "traps"
    name = "样例镇人民政府（故障与陷阱）"

    def build(self) -> None:
        reports = reports_for(self.key, 5)
        a, b, c, d, e = reports
        portal = self.portal
        self.permanent_errors: dict[str, str] = {}  # path → error kind a crawl must record

        def article(r: Any, body: str, extra: str = "") -> str:
            main = (f'<table width="100%"><tr><td class="titlestyle">{escape(r.title)}</td></tr>'
                    f'<tr><td class="contentstyle" id="vsb_content">{body}{extra}</td></tr></table>')
            return shell(r.title, self.name, main, charset="utf-8")

        # A: GBK bytes, UTF-8 declared in the header and in the page
        self.add("/info/2001.htm", Resp(body=article(a, body_html(a)).encode("gb18030"),
                                        content_type="text/html; charset=utf-8", last_modified=http_date(a.published)))
        # B: broken nesting, no Content-Type at all (served raw, see serve_raw)
        self.no_type = {"/info/2002.htm"}
        self.add("/info/2002.htm", Resp(body=broken_nesting(article(b, body_html(b))).encode("utf-8")))
        # C: behind a chain of five redirects
        for i in range(1, 6):
            nxt = f"/go/chain/{i + 1}" if i < 5 else "/info/2003.htm"
            self.add(f"/go/chain/{i}", Resp(301 if i == 5 else 302, headers={"Location": nxt}))
        self.add("/info/2003.htm", Resp(body=article(c, body_html(c)).encode(), etag=True))
        # D: a real attachment and two 2 GB ones (declared length / chunked without one)
        links = ('<p>附件：<a href="/files/2004.pdf">报告全文.pdf</a></p>'
                 '<p>附件：<a href="/files/huge.pdf">报告扫描件（2 GB）.pdf</a></p>'
                 '<p>附件：<a href="/files/stream.pdf">报告扫描件（分块）.pdf</a></p>')
        self.add("/info/2004.htm", Resp(body=article(d, body_html(d), links).encode()))
        self.add("/files/2004.pdf", attachment("pdf", d))
        self.huge = {"/files/huge.pdf": True, "/files/stream.pdf": False}  # path → length declared
        # E: on page 2, its table without a single closing cell tag
        self.add("/info/2007.htm", Resp(body=broken_nesting(article(e, body_html(e))).encode()))
        self.expected.reports |= {"/info/2001.htm", "/info/2002.htm", "/info/2003.htm", "/info/2004.htm",
                                  "/info/2007.htm"}
        self.expected.attachments.add("/files/2004.pdf")
        # traps that must end as recorded errors
        self.bomb = "/info/2005.htm"
        for i in range(1, 31):  # longer than any crawler's redirect limit
            self.add(f"/go/long/{i}", Resp(302, headers={"Location": f"/go/long/{i + 1}"}))
        self.add("/loop/a", Resp(302, headers={"Location": "/loop/b"}))
        self.add("/loop/b", Resp(302, headers={"Location": "/loop/a"}))
        for here, there in (("a", "b"), ("b", "a")):  # the same loop by <meta http-equiv="refresh">
            refresh = f'<html><head><meta http-equiv="refresh" content="0;url=/loop/meta-{there}"></head></html>'
            self.add(f"/loop/meta-{here}", Resp(body=refresh.encode()))
        self.add("/go/meta", Resp(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
        self.add("/go/lan", Resp(302, headers={"Location": "http://10.0.0.1/xxgk/nb.html"}))
        self.add("/go/file", Resp(302, headers={"Location": "file:///etc/passwd"}))
        self.add("/go/offsite", Resp(302, headers={"Location": portal.url("spam", "/info/1050/64208.htm")}))
        self.permanent_errors = {
            "/files/huge.pdf": "too_large", "/files/stream.pdf": "too_large", self.bomb: "too_large",
            "/loop/a": "redirect_loop", "/loop/meta-a": "redirect_loop", "/go/long/1": "redirect_max",
            "/go/meta": "blocked_address", "/go/lan": "blocked_address", "/go/file": "blocked_scheme",
            "/info/2006.htm": "http_404",
        }
        self.expected.broken.add("/info/2006.htm")
        year = a.year
        entries = [
            ("/info/2001.htm", a.title), ("/info/2002.htm", b.title), ("/go/chain/1", c.title),
            ("/info/2004.htm", d.title),
            (self.bomb, f"样例镇{year}年政府信息公开工作年度报告（压缩版）"),
            ("/loop/a", f"样例镇{year - 1}年政府信息公开工作年度报告（循环）"),
            ("/loop/meta-a", f"样例镇{year - 10}年政府信息公开工作年度报告（刷新循环）"),
            ("/go/long/1", f"样例镇{year - 2}年政府信息公开工作年度报告（多次跳转）"),
            ("/go/meta", f"样例镇{year - 3}年政府信息公开工作年度报告（内网）"),
            ("/go/lan", f"样例镇{year - 4}年政府信息公开工作年度报告（局域网）"),
            ("/go/file", f"样例镇{year - 5}年政府信息公开工作年度报告（本地文件）"),
            ("/go/offsite", f"样例镇{year - 6}年政府信息公开工作年度报告（外站）"),
            ("/info/2006.htm", f"样例镇{year - 7}年政府信息公开工作年度报告（已删除）"),
            ("file:///etc/passwd", f"样例镇{year - 8}年政府信息公开工作年度报告（文件）"),
            ("ftp://127.0.0.1/nb.pdf", f"样例镇{year - 9}年政府信息公开工作年度报告（FTP）"),
        ]
        self.page_one = self._listing(entries, 1)
        self.page_two = self._listing([("/info/2007.htm", e.title)], 2)
        self.expected.listings |= {COLUMN, f"{COLUMN}?page=2"}

    def _listing(self, entries: list[tuple[str, str]], page: int) -> bytes:
        rows = "".join(f'<tr><td><a href="{escape(u)}" title="{escape(t)}">{escape(t)}</a></td></tr>'
                       for u, t in entries)
        pages = f'<div class="pages"><a href="index.html?page={page + 1}">下一页</a></div>'
        calendar = self._calendar(dt.date(2024, 1, 1)) if page == 1 else ""
        main = f'<table class="list">{rows}</table>{pages}{calendar}'
        # GBK bytes that say UTF-8 (the header says so too, see handle)
        return shell("政府信息公开年报", self.name, main, charset="utf-8").encode("gb18030")

    @staticmethod
    def _calendar(day: dt.date) -> str:
        """A month of day links (``index_YYYYMMDD.html``, text = the day number) with
        previous/next links: page-number variants of the column URL, without end."""
        first = day.replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        prev = first - dt.timedelta(days=1)
        days = []
        d = first
        while d < nxt:
            days.append(f'<a href="/xxgk/nb/index_{d:%Y%m%d}.html">{d.day}</a>')
            d += dt.timedelta(days=1)
        return (f'<div class="calendar"><span>{first:%Y年%m月}</span>{" ".join(days)}'
                f'<a href="/xxgk/nb/index_{prev:%Y%m%d}.html">上一页</a>'
                f'<a href="/xxgk/nb/index_{nxt:%Y%m%d}.html">下一页</a></div>')

    def is_trap_listing(self, target: str) -> bool:
        """Pages of the endless spaces (which of them a crawl reaches depends on its budget)."""
        return target.startswith(CAL_PREFIX) or (target.startswith(COLUMN + "?page=")
                                                 and target not in self.expected.listings)

    def fault_eligible(self, target: str) -> bool:
        path = target.split("?")[0]
        return target in self.expected.listings or path in self.expected.reports | self.expected.attachments

    def handle(self, req: Req) -> Resp:
        gbk_utf8 = "text/html; charset=utf-8"
        if req.path == COLUMN:
            page = req.args().get("page", "1")
            if page == "1" or not req.query:
                return Resp(body=self.page_one, content_type=gbk_utf8)
            if page == "2":
                return Resp(body=self.page_two, content_type=gbk_utf8)
            if page.isdigit() and int(page) < 10 ** 6:  # the pagination that never ends
                more = f'<div class="pages"><a href="index.html?page={int(page) + 1}">下一页</a></div>'
                return Resp(body=shell(f"第{page}页", self.name, f'<table class="list"></table>{more}').encode())
        if req.path.startswith(CAL_PREFIX) and req.path.endswith(".html"):
            try:
                day = dt.datetime.strptime(req.path[len(CAL_PREFIX):-5], "%Y%m%d").date()
            except ValueError:
                day = None
            if day is not None:
                return Resp(body=shell(f"{day:%Y年%m月%d日}", self.name, self._calendar(day)).encode())
        return super().handle(req)

    def serve_raw(self, handler: Any, req: Req, plan: FaultPlan) -> bool:
        """Answers the ordinary path cannot give: huge streams, the bomb, no Content-Type."""
        if req.path in self.huge:
            plan.streamed[req.path] = stream_huge(handler, declared=self.huge[req.path])
            handler.close_connection = True
            return True
        if req.path == self.bomb:
            body = gzip_bomb()
            handler.write(200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}, body)
            return True
        if req.path in self.no_type:
            status, headers, body = handler.answer(self, req)
            handler.write(status, {k: v for k, v in headers.items() if k.lower() != "content-type"}, body)
            return True
        return False


def stream_huge(handler: Any, *, declared: bool) -> int:
    """Send a 2 GB "PDF" from one 1 MB buffer until done or the client hangs up; returns the
    bytes sent. ``declared``: with Content-Length, else chunked without any length."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/pdf")
    if declared:
        handler.send_header("Content-Length", str(HUGE_BYTES))
    else:
        handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    sent = 0
    try:
        while sent < HUGE_BYTES:
            if declared:
                handler.wfile.write(_CHUNK)
            else:
                handler.wfile.write(b"%x\r\n" % len(_CHUNK) + _CHUNK + b"\r\n")
            sent += len(_CHUNK)
        if not declared:
            handler.wfile.write(b"0\r\n\r\n")
    except (OSError, ValueError):
        pass  # the client stopped reading, as it must
    return sent


_bomb: list[bytes] = []
_bomb_lock = threading.Lock()


def gzip_bomb() -> bytes:
    """~250 KB of gzip that inflates to ``BOMB_BYTES`` of HTML (made once, kept)."""
    with _bomb_lock:
        if not _bomb:
            z = zlib.compressobj(9, zlib.DEFLATED, 31)
            piece = b"<p>" + b"\xe5\xb9\xb4" * 1000 + b"</p>\n"
            head = b"<html><head><meta charset='utf-8'></head><body>"
            parts = [z.compress(head)]
            block = piece * (1024 * 1024 // len(piece))
            for _ in range(BOMB_BYTES // len(block) + 1):
                parts.append(z.compress(block))
            parts.append(z.flush())
            _bomb.append(b"".join(parts))
        return _bomb[0]


# ------------------------------------------------------------------------------ the TLS site
class TlsSite(Site):
    key = "tls"
    name = "样例市某委员会（HTTPS，自签名证书）"
    scheme = "https"
    COLUMN = "/xxgk/ndbg/index.html"

    def __init__(self) -> None:
        super().__init__()
        self.ssl_context = self_signed_context("127.0.0.1")

    def build(self) -> None:
        rows = []
        for n, r in enumerate(reports_for(self.key, 2)):
            path = f"/xxgk/ndbg/{r.year}/art_{9001 + n}.html"
            extra = ""
            if n == 0:
                pdf = f"/xxgk/ndbg/{r.year}/P{9001 + n}.pdf"
                extra = f'<p>附件：<a href="{pdf}">{escape(r.title)}.pdf</a></p>'
                self.add(pdf, attachment("pdf", r))
                self.expected.attachments.add(pdf)
            main = f'<h2>{escape(r.title)}</h2><div class="content">{body_html(r)}</div>{extra}'
            self.add(path, Resp(body=shell(r.title, self.name, main).encode(), etag=True))
            self.expected.reports.add(path)
            rows.append(f'<li><a href="{path}">{escape(r.title)}</a></li>')
        self.add(self.COLUMN, Resp(body=shell("年度报告", self.name, f"<ul>{''.join(rows)}</ul>").encode()))
        self.expected.listings.add(self.COLUMN)


def self_signed_context(host: str) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for ``host`` (an IP)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        context.load_cert_chain(cert_path, key_path)
    return context


REGISTRY_ENTRIES = """
  - id: sample-traps
    agency: 样例镇人民政府
    province: 样例省
    level: 乡镇
    cms: generic
    max_pages: 20
    start_urls: ["http://{traps}/xxgk/nb/index.html"]
    evidence: "http://{traps}/xxgk/nb/index.html"
    notes: 故障门户：错误的字符集声明、嵌套错乱的网页、跳转链与跳转循环、内网与本地文件跳转、2 GB 附件、gzip 炸弹、无尽分页与日历
  - id: sample-tls
    agency: 样例市某委员会
    province: 样例省
    level: 部门
    cms: generic
    start_urls: ["https://{tls}/xxgk/ndbg/index.html"]
    evidence: "https://{tls}/xxgk/ndbg/index.html"
    notes: HTTPS 自签名证书（127.0.0.1）
"""
