"""Parser fuzzing: Hypothesis mutations of real documents, one corpus per reader format.

A mutated document must end in a ``Report`` or a ``parsers.ParseError`` — nothing else (no
other exception, no hang past the per-document time limit, no dead process). Documents are
parsed in a separate worker process so that a hang or a crash costs that process only; the
worker runs with ``parsers.limits`` ``document_seconds`` lowered to ``DOCUMENT_SECONDS``, and a
document still running ``GRACE`` seconds after that is a hang (the parser failed to keep its
own limit).

Mutations (``mutated``): flipped and overwritten bytes, inserted tokens the format cares
about (PDF operators and lengths, HTML tags and spans, table labels and numbers), deleted,
duplicated and repeated slices, truncation, splices of another document of the format, and
— for DOCX/XLSX — the same inside one XML member of a well-formed zip, so the readers' XML
handling is reached rather than the zip checksum.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hypothesis import strategies as st

DOCUMENT_SECONDS = 20.0  # the per-document limit parsers are held to while fuzzed
GRACE = 10.0
SUFFIX = {"text": "txt", "html": "html", "pdf": "pdf", "docx": "docx", "doc": "doc", "wps": "wps",
          "rtf": "rtf", "odt": "odt",
          "xlsx": "xlsx", "xls": "xls", "png": "png", "jpeg": "jpg", "tiff": "tif", "encrypted": "docx"}
# Formats whose parses run LibreOffice or tesseract (seconds each), or that fall to them once
# mutated (a damaged OLE file is taken for WPS): fuzzed in fewer cases.
SLOW = frozenset({"doc", "wps", "rtf", "odt", "xls", "encrypted", "png", "jpeg", "tiff"})
# Formats whose mutated documents mostly reach LibreOffice: parsed in batches of BATCH that
# share one conversion call (``parsers.office.converted_ahead``).
AHEAD = frozenset({"doc", "wps", "rtf", "odt", "xls", "encrypted"})
BATCH = 50

TOKENS: dict[str, list[bytes]] = {
    "pdf": [b"obj", b"endobj", b"stream\n", b"endstream", b"/Length 999999999", b"/Length -1", b"xref\n0 1\n",
            b"trailer", b"<<", b">>", b"/Filter /FlateDecode", b"%%EOF", b"/Type /Page", b"/Kids [1 0 R]",
            b"999999 0 R", b"/Count 100000", b"BT", b"ET", b"Tj", b"TJ", b"[", b"]", b"(", b")", b"<FFFE>",
            b"/MediaBox [0 0 1e30 1e30]", b"/Encrypt", b"/ObjStm", b"q" * 50, b"Q"],
    "html": [b"<table>", b"</table>", b"<tr>", b"</tr>", b"<td>", b"</td>", b'<td colspan="99999">',
             b'<td rowspan="100000">', b'<td rowspan="-1">', b"<!--", b"-->", b"<script>", b"</script>",
             b"&#x0;", b"&#xD800;", b"&nbsp;", b"<br/>", b'<meta charset="gbk">', b'<meta charset="x-unknown">',
             b"\xef\xbb\xbf", b"<![CDATA[", b"<?xml version='1.0'?>", b"<table><table><table>", b"\x00",
             "总计".encode(), "（七）".encode(), "本年新收政府信息公开申请数量".encode()],
    "text": ["总计".encode(), "（七）".encode(), "一、".encode(), "二、".encode(), b"\t",
             "\u3000".encode(), b"9999999999999999999999", b"-1", b"1e308",
             "三、收到和处理政府信息公开申请情况".encode(), "本年新收政府信息公开申请数量".encode(),
             "行政复议".encode(), "年度报告".encode(), b"\r", b"\x00", b"\xff\xfe", "２０２３".encode()],
    "xml": [b"<w:tbl>", b"</w:tbl>", b"<w:tr>", b"<w:tc>", b'<w:gridSpan w:val="99999"/>', b'<w:vMerge/>',
            b"<w:t>", b"</w:t>", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b"<c r=\"XFD1048576\">",
            b'<dimension ref="A1:XFD1048576"/>', b"<v>1e308</v>", b"<si><t>", "总计".encode(), b"\x00"],
}
TOKENS["text"] += TOKENS["html"][:4]
INTERESTING = [0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x0D, 0x3C, 0x3E, 0x22, 0x25, 0x30, 0x39]


# ------------------------------------------------------------------------------- corpus
def _xlsx(report) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in report.lines():
        ws.append([c for c in line.split("  ")][:30])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rtf(report) -> bytes:
    """A plain RTF of the report's lines (CJK as ``\\uN?`` escapes)."""
    def esc(text: str) -> str:
        return "".join(c if ord(c) < 128 and c not in "\\{}" else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?"
                       for c in text)

    body = "".join(esc(line) + "\\par\n" for line in report.lines())
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0 SimSun;}}\n" + body + "}").encode("ascii")


def _odt(report) -> bytes:
    """A minimal OpenDocument text package: one paragraph per line."""
    from xml.sax.saxutils import escape

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    paras = "".join(f"<text:p>{escape(line)}</text:p>" for line in report.lines())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f"<office:body><office:text>{paras}</office:text></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_corpus(workdir: Path, formats: set[str] | None = None) -> dict[str, list[bytes]]:
    """Real documents per reader format (only formats ``parsers.readers.READERS`` lists,
    and only those this machine can produce: LibreOffice for DOC/XLS, poppler for scans)."""
    from parsers.readers import READERS
    from zfxxgk.generator import STYLES, generate_report, render
    from zfxxgk.portal.documents import make_docx, make_pdf
    from zfxxgk.portal.html import body_html
    from zfxxgk.portal.reports import SEEDS_DIR, generated_report, seed_reports
    from zfxxgk.portal.sites.common import shell

    wanted = set(READERS) if formats is None else set(formats) & set(READERS)
    seeds = seed_reports()
    gen = generated_report(4242)
    out: dict[str, list[bytes]] = {}
    rendered = [render(generate_report(5000 + i), s) for i, s in enumerate(STYLES)]
    out["text"] = [p.read_bytes() for p in sorted(SEEDS_DIR.glob("*.txt"))] + [
        r.data for r in rendered if r.name.endswith(".txt")]
    out["html"] = [r.data for r in rendered if r.name.endswith(".html")] + [
        shell(gen.title, "样例县人民政府", body_html(gen), charset="gb2312").encode("gb18030")]
    out["pdf"] = [make_pdf(seeds[0]), make_pdf(gen)]
    out["docx"] = [make_docx(seeds[1]), make_docx(gen)]
    out["xlsx"] = [_xlsx(seeds[2]), _xlsx(gen)]
    out["rtf"] = [_rtf(seeds[3])]
    out["odt"] = [_odt(seeds[4])]
    workdir.mkdir(parents=True, exist_ok=True)
    if wanted & {"doc", "xls"} and shutil.which("soffice"):
        from parsers.office import convert_files

        src = workdir / "src"
        src.mkdir(exist_ok=True)
        (src / "r.docx").write_bytes(out["docx"][0])
        (src / "t.xlsx").write_bytes(out["xlsx"][0])
        if "doc" in wanted:
            (doc,) = convert_files([src / "r.docx"], "doc", workdir / "doc")
            if doc:
                out["doc"] = [doc.read_bytes()]
        if "xls" in wanted:
            (xls,) = convert_files([src / "t.xlsx"], "xls", workdir / "xls")
            if xls:
                out["xls"] = [xls.read_bytes()]
    if wanted & {"png", "jpeg", "tiff"} and shutil.which("pdftoppm") and shutil.which("soffice"):
        scan = table_scan(out["docx"][1], workdir / "scan")
        for kind, fmt, options in (("png", "PNG", {}), ("jpeg", "JPEG", {"quality": 85}),
                                   ("tiff", "TIFF", {"compression": "tiff_lzw"})):
            buf = io.BytesIO()
            scan.save(buf, fmt, dpi=(300, 300), **options)
            out[kind] = [buf.getvalue()]
    if "encrypted" in wanted:
        try:
            from msoffcrypto.format.ooxml import OOXMLFile

            encrypted = io.BytesIO()
            OOXMLFile(io.BytesIO(out["docx"][0])).encrypt("zfxxgk", encrypted)
            out["encrypted"] = [encrypted.getvalue()]
        except Exception:  # noqa: BLE001 - msoffcrypto-tool is a development dependency
            pass
    return {k: v for k, v in out.items() if k in wanted and v}


def table_scan(docx: bytes, workdir: Path):
    """A scanner's view of a report's first table: the Word file printed by LibreOffice,
    rendered at 300 dpi in grey by poppler, cut to the table's heading and first rows
    (about 2,000 × 500 pixels: a mutated copy that still decodes is read in about half a second)."""
    import numpy as np
    from PIL import Image

    from parsers.office import convert_files

    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "report.docx").write_bytes(docx)
    (pdf,) = convert_files([workdir / "report.docx"], "pdf", workdir)
    if pdf is None:
        raise RuntimeError("LibreOffice did not print the report")
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(workdir / "page")],
                   check=True, capture_output=True)
    for png in sorted(workdir.glob("page-*.png")):
        page = Image.open(png).convert("L")
        ink = np.asarray(page) < 160
        rules = np.flatnonzero(ink.mean(axis=1) > 0.5)  # a table's top rule spans the text width
        if len(rules):
            top = int(rules[0])
            band = page.crop((0, max(0, top - 120), page.width, min(page.height, top + 400)))
            cols = np.flatnonzero((np.asarray(band) < 160).any(axis=0))
            return band.crop((max(0, int(cols[0]) - 40), 0, min(band.width, int(cols[-1]) + 40), band.height))
    raise RuntimeError("no table on any page of the printed report")


# ---------------------------------------------------------------------------- mutations
def _byte_ops(draw, data: bytearray, tokens: list[bytes], others: list[bytes], steps: int) -> bytearray:
    for _ in range(steps):
        n = len(data)
        op = draw(st.sampled_from(("flip", "set", "insert", "token", "delete", "duplicate", "repeat",
                                   "truncate", "splice")))
        at = draw(st.integers(0, max(n - 1, 0)))
        if op == "flip" and n:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and n:
            data[at] = draw(st.sampled_from(INTERESTING))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "token" and tokens:
            data[at:at] = draw(st.sampled_from(tokens))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 512))]
        elif op == "duplicate" and n:
            piece = data[at:at + draw(st.integers(1, 2048))]
            to = draw(st.integers(0, n))
            data[to:to] = piece
        elif op == "repeat" and n:
            piece = data[at:at + draw(st.integers(1, 64))]
            data[at:at] = piece * draw(st.integers(2, 200))
        elif op == "truncate" and n > 1:
            del data[at + 1:]
        elif op == "splice" and others:
            other = draw(st.sampled_from(others))
            cut = draw(st.integers(0, len(other)))
            data = data[:at] + bytearray(other[cut:])
    return data


def _zip_members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(i, z.read(i)) for i in z.infolist()]
    except Exception:  # noqa: BLE001 - not a zip: byte mutations only
        return None


def mutated(docs: list[bytes], kind: str) -> st.SearchStrategy[bytes]:
    """Mutations of the documents ``docs`` of format ``kind``."""
    tokens = TOKENS.get(kind, TOKENS["text"] if kind in ("text", "encrypted") else [])

    @st.composite
    def mutate(draw) -> bytes:
        base = draw(st.sampled_from(docs))
        steps = draw(st.integers(1, 6))
        members = _zip_members(base) if kind in ("docx", "xlsx", "odt") else None
        if members and draw(st.booleans()):
            xml = [i for i, (info, _) in enumerate(members) if info.filename.endswith((".xml", ".rels"))]
            pick = draw(st.sampled_from(xml))
            info, body = members[pick]
            body = bytes(_byte_ops(draw, bytearray(body), TOKENS["xml"], [], steps))
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for i, (other, content) in enumerate(members):
                    z.writestr(other.filename, body if i == pick else content)
            return out.getvalue()
        return bytes(_byte_ops(draw, bytearray(base), tokens, [d for d in docs if d is not base], steps))

    return mutate()


# ------------------------------------------------------------------------------- worker
WORKER = r'''
import contextlib, os, pickle, struct, sys, time, traceback
out = os.fdopen(os.dup(1), "wb")
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # stray prints must not reach the pipe
from parsers import ParseError, parse
from parsers import limits
from parsers.office import converted_ahead
limits.LIMITS.document_seconds = float(sys.argv[1])
inp = sys.stdin.buffer

def send(value):
    blob = pickle.dumps(value)
    out.write(struct.pack(">Q", len(blob)) + blob)
    out.flush()

while True:
    head = inp.read(8)
    if len(head) < 8:
        break
    ahead, batch = pickle.loads(inp.read(struct.unpack(">Q", head)[0]))
    started = time.perf_counter()
    with converted_ahead([data for _, data in batch]) if ahead else contextlib.nullcontext(0) as made:
        send(("ahead", made, time.perf_counter() - started))
        for name, data in batch:
            started = time.perf_counter()
            try:
                parse(data, name=name)
                result = ("ok", "")
            except ParseError as e:
                result = ("parse_error", str(e)[:300])
            except BaseException as e:
                result = ("exception", "".join(traceback.format_exception(e))[-6000:])
            send((*result, time.perf_counter() - started))
'''


@dataclass
class Outcome:
    kind: str  # ok | parse_error | exception | hang | crash
    detail: str
    seconds: float


class ParseWorker:
    """A process that parses documents one at a time; restarted after a hang or a crash."""

    def __init__(self, document_seconds: float = DOCUMENT_SECONDS, grace: float = GRACE):
        from zfxxgk.crawl import child_env

        self.document_seconds = document_seconds
        self.timeout = document_seconds + grace
        self.env = child_env()
        self.proc: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, str(self.document_seconds)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=self.env)

    def _read(self, n: int, deadline: float) -> bytes | None:
        assert self.proc and self.proc.stdout
        buf = b""
        fd = self.proc.stdout.fileno()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def parse(self, data: bytes, name: str) -> Outcome:
        return self.parse_batch([(name, data)])[0]

    def parse_batch(self, batch: list[tuple[str, bytes]], *, ahead: bool = False) -> list[Outcome]:
        """Outcomes of the documents ``(name, bytes)``, parsed one by one in the worker. With
        ``ahead`` their LibreOffice conversions are first made in one call
        (``parsers.office.converted_ahead``); a batch conversion that does not finish in
        time, or a hang or crash on one document, leaves the rest to be parsed without it."""
        from parsers.limits import LIMITS

        assert self.proc and self.proc.stdin
        started = time.monotonic()
        blob = pickle.dumps((ahead, batch))
        wait = (LIMITS.convert_seconds + 2 * len(batch) if ahead else 0) + GRACE
        try:
            self.proc.stdin.write(struct.pack(">Q", len(blob)) + blob)
            self.proc.stdin.flush()
            ready = self._message(started + wait)
        except (EOFError, BrokenPipeError, struct.error):
            ready = None
        if ready is None:  # the batch conversion itself hung or killed the worker
            self.close()
            self._start()
            if not ahead:
                return [Outcome("crash", "worker died before parsing", time.monotonic() - started)] + (
                    self.parse_batch(batch[1:]) if len(batch) > 1 else [])
            return self.parse_batch(batch)
        out: list[Outcome] = []
        for i in range(len(batch)):
            begun = time.monotonic()
            try:
                answer = self._message(begun + self.timeout)
            except (EOFError, BrokenPipeError, struct.error):
                code = self.proc.wait()
                self._start()
                out.append(Outcome("crash", f"worker died (exit {code})", time.monotonic() - begun))
                return out + (self.parse_batch(batch[i + 1:]) if i + 1 < len(batch) else [])
            if answer is None:
                self.close()
                self._start()
                out.append(Outcome("hang", f"no answer after {self.timeout:g} s", time.monotonic() - begun))
                return out + (self.parse_batch(batch[i + 1:]) if i + 1 < len(batch) else [])
            kind, detail, seconds = answer
            out.append(Outcome(kind, detail, seconds))
        return out

    def _message(self, deadline: float) -> tuple | None:
        head = self._read(8, deadline)
        body = self._read(struct.unpack(">Q", head)[0], deadline) if head else None
        return None if body is None else pickle.loads(body)

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            if self.proc.stdin:
                self.proc.stdin.close()
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None


BAD = ("exception", "hang", "crash")


@dataclass
class FuzzFigures:
    format: str
    cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # saved inputs (path of the .bin)
    max_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def crashes(self) -> int:
        return sum(self.outcomes.get(k, 0) for k in BAD)

    def as_dict(self) -> dict:
        return asdict(self) | {"crashes": self.crashes}


def save_failure(folder: Path, kind: str, data: bytes, outcome: Outcome) -> Path:
    """The input and what happened, named by the input's hash (a finding to report)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{kind}-{outcome.kind}-{hashlib.sha256(data).hexdigest()[:12]}"
    (folder / f"{stem}.bin").write_bytes(data)
    (folder / f"{stem}.txt").write_text(f"{outcome.kind} after {outcome.seconds:.2f} s\n\n{outcome.detail}\n",
                                        encoding="utf-8")
    return folder / f"{stem}.bin"


def fuzz_format(kind: str, docs: list[bytes], cases: int, *, seed: int = 7, worker: ParseWorker | None = None,
                findings: Path | None = None, log: Callable[[str], None] | None = None,
                batch: int | None = None) -> FuzzFigures:
    """Run ``cases`` mutated documents of one format; record every outcome (never stops at
    the first failure: the count of failures is the figure). Formats that go through
    LibreOffice are parsed in batches of ``batch`` (default ``BATCH``) whose conversions
    share one LibreOffice call; every document is still parsed alone, with its own limit."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    own = worker is None
    worker = worker or ParseWorker()
    size = batch or (BATCH if kind in AHEAD else 1)
    figures = FuzzFigures(kind)
    outcomes: Counter[str] = Counter()
    findings = findings or Path(tempfile.gettempdir()) / "zfxxgk-fuzz-findings"
    started = time.perf_counter()
    name = f"fuzz.{SUFFIX.get(kind, 'bin')}"
    pending: list[bytes] = []

    def flush() -> None:
        before = sum(outcomes.values())
        results = worker.parse_batch([(name, d) for d in pending], ahead=kind in AHEAD)
        for data, outcome in zip(pending, results, strict=True):
            outcomes[outcome.kind] += 1
            figures.max_seconds = max(figures.max_seconds, outcome.seconds)
            if outcome.kind in BAD:
                figures.failures.append(str(save_failure(findings, kind, data, outcome)))
        pending.clear()
        n = sum(outcomes.values())
        if log and n // 1000 > before // 1000:
            log(f"  {kind}: {n}/{cases}, {sum(outcomes[k] for k in BAD)} failures")

    def one(data: bytes) -> None:
        pending.append(data)
        if len(pending) >= size:
            flush()

    try:
        for round_ in range(5):  # Hypothesis skips inputs it has already tried: top up
            left = cases - sum(outcomes.values())
            if left <= 0:
                break
            run = hypothesis_seed(seed + round_)(settings(
                max_examples=left, database=None, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck))(given(mutated(docs, kind))(one)))
            run()
            if pending:
                flush()
    finally:
        if own:
            worker.close()
    figures.cases = sum(outcomes.values())
    figures.outcomes = dict(outcomes)
    figures.seconds = round(time.perf_counter() - started, 1)
    figures.max_seconds = round(figures.max_seconds, 2)
    return figures


def reproduce(path: Path, kind: str) -> str:
    """The traceback of a saved input, parsed in this process (for a bug report)."""
    from parsers import ParseError, parse

    try:
        parse(path.read_bytes(), name=f"fuzz.{SUFFIX.get(kind, 'bin')}")
    except ParseError as e:
        return f"ParseError: {e}"
    except Exception:  # noqa: BLE001 - that is what is being shown
        return traceback.format_exc()
    return "parsed without error"
