"""Decode HTML bytes from portals that often lie about their charset.

Many older portals serve GBK while declaring UTF-8 (or declare nothing), so the declared
charset is only a hint: bytes that decode strictly as UTF-8 are UTF-8, otherwise the hint or
the declaration is tried strictly, then GB18030 (a superset of GBK/GB2312)."""

from __future__ import annotations

import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)

# GB2312 and GBK pages often contain characters outside the declared set: widen to GB18030.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset a page claims (HTTP header first, then meta/XML declaration)."""
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            return m.group(1).lower()
    head = body[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(_WIDEN.get(encoding, encoding))
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None, hint: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding_used)``; never raises on bad bytes."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    for candidate in (hint if hint and hint != "auto" else None, declared_charset(body, content_type)):
        if candidate and candidate.replace("-", "") != "utf8":
            text = _strict(body, candidate)
            if text is not None:
                return text, _WIDEN.get(candidate, candidate)
    text = _strict(body, "gb18030")
    if text is not None:
        return text, "gb18030"
    return body.decode("gb18030", "replace"), "gb18030"
