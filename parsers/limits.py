"""Per-document limits: size, pages, decompressed size, and time.

Archived documents come from thousands of portals; a few are huge, broken or hostile (zip
bombs, endless content streams). Every binary reader checks the size first, works under a
:class:`Deadline`, and gives each subprocess the time that is left, so one bad document
costs at most ``document_seconds`` and ends in a ``ParseError`` with the reason.
"""

from __future__ import annotations

import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from parsers.errors import ParseError


@dataclass(slots=True)
class Limits:
    max_bytes: int = 64 * 1024 * 1024  # one document as downloaded
    max_pages: int = 300  # PDF pages, TIFF frames
    max_unzipped: int = 256 * 1024 * 1024  # all members of a DOCX/XLSX together
    max_zip_ratio: int = 200  # uncompressed/compressed, per member (bombs go far beyond)
    max_zip_members: int = 10_000
    max_image_pixels: int = 120_000_000  # one page image (A3 at 600 dpi is ~70 M)
    max_cells: int = 2_000_000  # spreadsheet cells read
    document_seconds: float = 300.0  # whole document, OCR included
    convert_seconds: float = 90.0  # one LibreOffice call (plus 2 s a file in a batch)
    antiword_seconds: float = 15.0
    ocr_page_seconds: float = 90.0  # one tesseract run


LIMITS = Limits()


@contextmanager
def override(**changes: float | int) -> Iterator[Limits]:
    """Temporarily change limits (tests, the benchmark, a caller with other needs). The
    one ``LIMITS`` object is changed in place, so every module that imported it sees the
    change; it is process-wide, not per thread."""
    saved = replace(LIMITS)
    for name, value in changes.items():
        if not hasattr(LIMITS, name):
            raise AttributeError(f"no limit named {name!r}")
        setattr(LIMITS, name, value)
    try:
        yield LIMITS
    finally:
        for name in changes:
            setattr(LIMITS, name, getattr(saved, name))


class TimeLimitExceeded(ParseError):
    """The document took longer than its time budget."""


class Deadline:
    """A time budget. ``check`` is called between pages and rows; ``guard`` additionally
    interrupts a single long library call (main thread only, through SIGALRM)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def check(self, what: str = "") -> None:
        if self.expired():
            raise TimeLimitExceeded(self._message(what))

    def _message(self, what: str) -> str:
        where = f"（{what}）" if what else ""
        return f"处理超时{where}：超过 {self.seconds:g} 秒 / time limit of {self.seconds:g} s exceeded"

    @contextmanager
    def guard(self, what: str = "") -> Iterator[None]:
        self.check(what)
        usable = (
            threading.current_thread() is threading.main_thread()
            and hasattr(signal, "setitimer")
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0
        )
        if not usable:
            yield
            return

        def on_alarm(signum: int, frame: object) -> None:
            raise TimeLimitExceeded(self._message(what))

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(self.remaining(), 0.001))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def check_size(data: bytes) -> None:
    if len(data) > LIMITS.max_bytes:
        raise ParseError(
            f"文件过大：{len(data) / 1048576:.1f} MB，上限 {LIMITS.max_bytes / 1048576:.0f} MB"
            f" / document too large ({len(data)} bytes)"
        )


def check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs before anything is decompressed: too many members, too much
    uncompressed data in total, or a member compressed beyond any real document."""
    members = archive.infolist()
    if len(members) > LIMITS.max_zip_members:
        raise ParseError(f"压缩包成员过多（{len(members)}）/ too many zip members")
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > 1024 * 1024 and m.file_size > LIMITS.max_zip_ratio * max(m.compress_size, 1):
            raise ParseError(
                f"疑似压缩炸弹：{m.filename} 压缩比 {m.file_size // max(m.compress_size, 1)}:1"
                " / zip bomb suspected (compression ratio)"
            )
    if total > LIMITS.max_unzipped:
        raise ParseError(
            f"解压后过大：{total / 1048576:.0f} MB / zip bomb suspected (uncompressed size {total} bytes)"
        )


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, reading no more than its declared size (a forged header cannot
    make it inflate without end)."""
    info = archive.getinfo(name)
    limit = min(info.file_size, LIMITS.max_unzipped)
    with archive.open(info) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ParseError(f"压缩成员大小与声明不符：{name} / zip member larger than declared")
    return data
