"""Bytes → text for documents whose charset declaration cannot be trusted.

Portal pages are often GBK while their ``<meta>`` (or the HTTP header) says UTF-8, or the
reverse, so the charset is decided from the bytes themselves: a strict decode either
succeeds or it does not, and UTF-8 is almost never valid by accident for Chinese text in a
legacy encoding. The declared charset only breaks ties and serves as a late fallback.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Names seen in the wild mapped to what Python should decode them with. GB2312 and GBK
# declarations are decoded as GB18030, their superset (pages declaring GB2312 routinely
# contain GBK-only characters such as 镕 or 堃).
_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5",
}

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

_ODD = re.compile("[\u0370-\u04ff\u3040-\u30ff\u3100-\u312f\ue000-\uf8ff]")

# A declaration has to appear early to count (the HTML standard looks at 1024 bytes;
# Word exports put a long <head> first, so look a little further).
_SNIFF_BYTES = 8192


class Decoded(NamedTuple):
    """The text and the codec that produced it (``-replace`` when bytes were lost)."""

    text: str
    charset: str


def normalize_charset(name: str | None) -> str | None:
    """A charset label as Python can decode it, or None for unknown labels."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset the document says it uses (``<meta charset>``, ``http-equiv``
    content-type or an XML declaration), lower-cased as written, or None.

    Only for reporting and tie-breaking: ``decode`` never relies on it alone.
    """
    head = data[:_SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match is None:
        return None
    return match.group(1).decode("ascii", "replace").lower()


def charset_from_content_type(header: str | None) -> str | None:
    """The ``charset=`` parameter of an HTTP Content-Type header, lower-cased, or None."""
    if not header:
        return None
    match = _HEADER_CHARSET.search(header)
    return match.group(1).lower() if match else None


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data``, deciding the charset from the bytes.

    Order: a byte-order mark wins; then strict UTF-8; then strict GB18030 (covers GB2312
    and GBK); then strict Big5; then the declared charset with replacement characters;
    finally whichever of UTF-8 / GB18030 loses fewer characters. When both GB18030 and
    Big5 decode cleanly (double-byte encodings overlap a lot) the one producing fewer
    characters that never occur in Chinese reports wins, GB18030 on a tie.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(codec, "replace"), codec)

    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        if _cut_at_end(err, len(data)):
            return Decoded(data[: err.start].decode("utf-8"), "utf-8")

    gb = _strict(data, "gb18030")
    big5 = _strict(data, "big5")
    if gb is not None and (big5 is None or _oddness(gb) <= _oddness(big5)):
        return Decoded(gb, "gb18030")
    if big5 is not None:
        return Decoded(big5, "big5")

    wanted = normalize_charset(declared)
    if wanted is not None and wanted not in ("utf-8", "gb18030", "big5"):
        return Decoded(data.decode(wanted, "replace"), wanted + "-replace")

    candidates = [data.decode(codec, "replace") for codec in ("utf-8", "gb18030")]
    losses = [t.count("\ufffd") for t in candidates]
    if wanted == "gb18030" or losses[1] < losses[0]:
        return Decoded(candidates[1], "gb18030-replace")
    return Decoded(candidates[0], "utf-8-replace")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """The text of ``data`` (see ``decode`` for how the charset is chosen)."""
    return decode(data, declared).text


def _oddness(text: str) -> int:
    """How many characters look like the wrong double-byte codec: kana, Greek, Cyrillic,
    bopomofo and private-use characters are what Big5 bytes become under GB18030 (and
    the reverse); Chinese report text has next to none of them."""
    return len(_ODD.findall(text))


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _cut_at_end(err: UnicodeDecodeError, size: int) -> bool:
    """True when UTF-8's first fault is a character cut off at the very end (a truncated
    capture): such bytes are UTF-8, and a legacy codec would turn them into mojibake."""
    return err.end == size and err.start >= size - 3 and err.reason == "unexpected end of data"
