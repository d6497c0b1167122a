"""Which reader a document needs, decided from its bytes (magic numbers and markup), not
from its name or declared content type.

Containers are looked into: a zip is "docx" or "xlsx" by its member names (also when its
central directory is cut off); an OLE compound file is "doc" (a WordDocument stream —
Word and WPS Office both write it), "xls" (Workbook/Book), "encrypted" (an OOXML file
under a password is an OLE file with EncryptionInfo) or "wps" (other word-processor
files, e.g. Works and old Kingsoft formats, left to LibreOffice)."""

from __future__ import annotations

import io
import re
import zipfile

_MAGIC = [
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # DOC, WPS, XLS
    (b"PK\x03\x04", "zip"),  # DOCX, XLSX
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"{\\rtf", "rtf"),
]
_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|meta|div|p|tr|td)\b", re.I)


def sniff(data: bytes, name: str | None = None) -> str:
    """"html", "text", or the binary format's short name ("pdf", "ole", "zip", ...)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data = data[:8192].decode("utf-16", errors="ignore").encode("utf-8")
    head = data[:4096].lstrip(b"\xef\xbb\xbf\x00 \t\r\n")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                return _zip_kind(data)
            if kind == "ole":
                return _ole_kind(data)
            return kind
    if _HTML.search(head[:2048]):
        return "html"
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary"
    return "text"


_ZIP_MEMBERS = [(b"word/document.xml", "docx"), (b"xl/workbook.xml", "xlsx"), (b"word/", "docx"), (b"xl/", "xlsx")]


def _zip_kind(data: bytes) -> str:
    """"docx", "xlsx", "odt" or "zip". Member names come from the central directory, or,
    for a truncated file, from the local headers at the start."""
    if data[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument.text" in data[38:100]:
        return "odt"  # ODF stores its mimetype first, uncompressed
    try:
        names = "\n".join(zipfile.ZipFile(io.BytesIO(data)).namelist()).encode()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        names = data[: 1 << 20]
    for marker, kind in _ZIP_MEMBERS:
        if marker in names:
            return kind
    return "zip"


_OLE_STREAMS = [
    ("encryptioninfo", "encrypted"),
    ("encryptedpackage", "encrypted"),
    ("worddocument", "doc"),
    ("workbook", "xls"),
    ("book", "xls"),
]


def _ole_kind(data: bytes) -> str:
    """"doc", "xls", "encrypted" or "wps" from the streams of an OLE compound file."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
    except Exception:  # noqa: BLE001 - a damaged directory: fall back to the names' bytes
        lowered = data.lower()  # directory names are UTF-16-LE; ASCII bytes lower-case alike
        streams = {name for name, _ in _OLE_STREAMS if name.encode("utf-16-le") in lowered}
    for name, kind in _OLE_STREAMS:
        if name in streams:
            return kind
    return "wps"

