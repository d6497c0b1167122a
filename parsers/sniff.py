"""Which reader a document needs, decided from its bytes (magic numbers and markup), not
from its name or declared content type."""

from __future__ import annotations

import re

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
    head = data[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if _HTML.search(head[:2048]):
        return "html"
    sample = data[:8192]
    if b"\x00" in sample and not (data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff")):
        return "binary"
    return "text"
