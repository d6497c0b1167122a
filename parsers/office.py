"""Legacy Word files (DOC, WPS): converted to DOCX by LibreOffice, or read by antiword.

LibreOffice is the faithful route (tables with merged cells survive) but costs about a
second a call, so :func:`convert_files` converts many files per call and
:func:`converted_ahead` lets a batch of parses share one call. Parallel LibreOffice
runs that share a user profile silently lose files, so every worker process (and thread)
gets a profile directory of its own. antiword is the fast path: it draws tables with "|"
and is kept only when its text yields the three standard tables.

Every subprocess runs under a timeout and in its own process group, which is killed whole
when the time is up (LibreOffice forks ``soffice.bin``). Whatever else fails on the way (a
converter that cannot be started, a damaged OLE container, a converted file python-docx
rejects) ends as a ``ParseError`` with the reason, like every reader.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from parsers.document import Document
from parsers.errors import ParseError
from parsers.limits import LIMITS, Deadline, check_size

# target format → LibreOffice export filter
FILTERS = {
    "docx": "docx:MS Word 2007 XML",
    "doc": "doc:MS Word 97",
    "pdf": "pdf",
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "rtf": "rtf:Rich Text Format",
    "odt": "odt",
}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def worker_profile() -> Path:
    """This process's and thread's own LibreOffice profile directory (reused across calls:
    a fresh profile costs seconds to create; removed when the process exits)."""
    root = Path(tempfile.gettempdir()) / f"zfxxgk-soffice-{os.getuid()}"
    path = root / f"{os.getpid()}-{threading.get_ident()}"
    if path not in _PROFILES:
        _PROFILES.add(path)
        atexit.register(shutil.rmtree, path, True)
    return path


_PROFILES: set[Path] = set()


def run_limited(cmd: Sequence[str], *, timeout: float, stdin: bytes | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a command with a timeout; on expiry the whole process group is killed and
    ``subprocess.TimeoutExpired`` is raised."""
    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(stdin, timeout=max(timeout, 0.1))
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def convert_files(sources: Sequence[Path], fmt: str, outdir: Path, *,
                  profile: Path | None = None, timeout: float | None = None) -> list[Path | None]:
    """Convert many files with one LibreOffice call. Returns, per source, the converted
    file or None when LibreOffice produced nothing for it. Source stems must be distinct
    (outputs are named after them)."""
    exe = soffice()
    if exe is None:
        raise ParseError("未安装 LibreOffice，无法转换 / LibreOffice (soffice) is not installed")
    if fmt not in FILTERS:
        raise ValueError(f"unknown target format {fmt!r}")
    stems = [Path(s).stem for s in sources]
    if len(set(stems)) != len(stems):
        raise ValueError("source file names must have distinct stems")
    profile = profile or worker_profile()
    profile.mkdir(parents=True, exist_ok=True)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [
        exe, "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault",
        "--nologo", f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--convert-to", FILTERS[fmt], "--outdir", str(outdir), *[str(s) for s in sources],
    ]
    env = dict(os.environ, HOME=str(profile), SAL_USE_VCLPLUGIN="svp")
    limit = timeout if timeout is not None else LIMITS.convert_seconds + 2 * len(sources)
    try:
        run_limited(cmd, timeout=limit, env=env)
    except subprocess.TimeoutExpired as e:
        raise ParseError(f"LibreOffice 转换超时（{limit:.0f} 秒）/ LibreOffice conversion timed out", cause=e) from e
    except OSError as e:
        raise ParseError(f"无法运行 LibreOffice / LibreOffice could not be run ({e})", cause=e) from e
    out: list[Path | None] = []
    for stem in stems:
        target = outdir / f"{stem}.{fmt}"
        out.append(target if target.exists() and target.stat().st_size > 0 else None)
    return out


# (sha256 of the source, target format) → converted bytes, or None when LibreOffice made
# nothing of it: filled by ``converted_ahead`` for the documents about to be parsed.
_AHEAD: dict[tuple[str, str], bytes | None] = {}
_UNREADABLE = "LibreOffice 无法读取该文件（损坏或加密？）/ LibreOffice could not read the document (corrupt or encrypted?)"
# sniffed kind → suffix LibreOffice is given, for the kinds whose readers convert
CONVERTED_KINDS = {"doc": ".doc", "wps": ".wps", "rtf": ".rtf", "odt": ".odt"}


def _key(data: bytes, fmt: str) -> tuple[str, str]:
    return hashlib.sha256(data).hexdigest(), fmt


@contextlib.contextmanager
def converted_ahead(documents: Sequence[bytes], fmt: str = "docx"):
    """Convert, with one LibreOffice call, those of ``documents`` whose readers go through
    LibreOffice, so that each one's later ``parse`` finds its conversion made (about a
    second for the batch instead of a second a document). The parses themselves run as
    usual, one by one, with their own limits; a batch that fails as a whole (a document
    that makes LibreOffice hang) leaves each to be converted alone. Forgotten on exit."""
    from parsers.sniff import sniff

    todo = [(d, CONVERTED_KINDS[k]) for d in documents if (k := sniff(d)) in CONVERTED_KINDS]
    keys = []
    if todo:
        with tempfile.TemporaryDirectory(prefix="zfxxgk-convert-") as tmp:
            sources = []
            for i, (data, suffix) in enumerate(todo):
                src = Path(tmp) / f"d{i:06d}{suffix}"
                src.write_bytes(data)
                sources.append(src)
            try:
                done = convert_files(sources, fmt, Path(tmp) / "out")
            except ParseError:
                done = []
            for (data, _), target in zip(todo, done, strict=False):
                keys.append(_key(data, fmt))
                _AHEAD[keys[-1]] = target.read_bytes() if target is not None else None
    try:
        yield len(keys)
    finally:
        for key in keys:
            _AHEAD.pop(key, None)


def convert_bytes(data: bytes, suffix: str, fmt: str, *, deadline: Deadline | None = None) -> bytes:
    """One document through LibreOffice (a batch of one), unless ``converted_ahead`` made it."""
    if _AHEAD:
        key = _key(data, fmt)
        if key in _AHEAD:
            made = _AHEAD[key]
            if made is None:
                raise ParseError(_UNREADABLE)
            return made
    with tempfile.TemporaryDirectory(prefix="zfxxgk-convert-") as tmp:
        src = Path(tmp) / f"document{suffix}"
        src.write_bytes(data)
        timeout = deadline.remaining() if deadline else None
        (target,) = convert_files([src], fmt, Path(tmp) / "out", timeout=timeout)
        if target is None:
            raise ParseError(_UNREADABLE)
        return target.read_bytes()


def antiword_text(data: bytes, *, timeout: float) -> str | None:
    """antiword's UTF-8 text of a DOC, or None when antiword is missing or refuses it."""
    exe = shutil.which("antiword")
    if exe is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        try:
            done = run_limited([exe, "-m", "UTF-8.txt", "-w", "0", f.name], timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return done.stdout.decode("utf-8", errors="replace")


def antiword_rows(text: str) -> list[list[str]] | None:
    """antiword text → rows: a table row is drawn as "|a|b|c|", other lines are
    paragraphs. None when a line holds "|" without being such a row: antiword runs the
    rows of wide tables together, and those must go to LibreOffice."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if "|" in stripped:
            if not (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
                return None
            rows.append([c.strip() for c in stripped[1:-1].split("|")])
        elif stripped:
            rows.append([stripped])
    return rows


def read_doc(data: bytes, url: str | None = None) -> Document:
    """DOC reader: antiword when its text yields the standard tables, else LibreOffice."""
    from parsers.docx_reader import library_errors

    check_size(data)
    if doc_encrypted(data):
        raise ParseError("DOC 文档已加密，需要密码 / password-protected DOC")
    deadline = Deadline(LIMITS.document_seconds)
    with library_errors("DOC"):
        text = antiword_text(data, timeout=min(LIMITS.antiword_seconds, deadline.remaining()))
        if text is not None:
            doc = _antiword_document(text)
            if doc is not None:
                return doc
        return _via_docx(data, ".doc", deadline)


def doc_encrypted(data: bytes) -> bool:
    """The fEncrypted flag of a Word 97–2003 file (FIB flags, bit 8 of the word at offset
    10 of the WordDocument stream)."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            fib = ole.openstream("WordDocument").read(12)
    except Exception:  # noqa: BLE001 - unreadable container: the converters will say so
        return False
    return len(fib) >= 12 and bool(int.from_bytes(fib[10:12], "little") & 0x0100)


def refuse_encrypted(data: bytes, url: str | None = None) -> Document:
    """An Office file under a password (OLE container with EncryptionInfo)."""
    raise ParseError("文档已加密，需要密码 / password-protected Office document")


def read_wps(data: bytes, url: str | None = None) -> Document:
    """WPS (and other OLE word-processor files without a Word stream): LibreOffice only."""
    check_size(data)
    return _via_docx(data, ".wps", Deadline(LIMITS.document_seconds))


def read_rtf(data: bytes, url: str | None = None) -> Document:
    """RTF: LibreOffice to DOCX."""
    check_size(data)
    return _via_docx(data, ".rtf", Deadline(LIMITS.document_seconds))


def read_odt(data: bytes, url: str | None = None) -> Document:
    """OpenDocument text: LibreOffice to DOCX."""
    from parsers.docx_reader import check_ooxml

    check_ooxml(data)  # the same zip and DTD checks apply to ODF packages
    return _via_docx(data, ".odt", Deadline(LIMITS.document_seconds))


def _via_docx(data: bytes, suffix: str, deadline: Deadline) -> Document:
    from parsers.docx_reader import library_errors, read_docx_bytes

    with library_errors(suffix.lstrip(".").upper()):
        docx = convert_bytes(data, suffix, "docx", deadline=deadline)
    doc = read_docx_bytes(docx, deadline=deadline)
    doc.format = suffix.lstrip(".")
    doc.meta["converted_by"] = "libreoffice"
    return doc


def _antiword_document(text: str) -> Document | None:
    from parsers.tables import extract_tables

    rows = antiword_rows(text)
    if rows is None:
        return None
    tables = extract_tables(rows)
    if {"proactive", "applications", "review_litigation"} - tables.found:
        return None
    if any(f.rule == "unknown_row" for f in tables.findings):
        return None
    doc = Document(rows=rows, text=text, format="doc")
    doc.meta["converted_by"] = "antiword"
    return doc
