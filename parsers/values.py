"""Reading one table cell: a number (with the unit written in it), a blank, or text.

Convention (FORMAT.md): ``value`` is the number, or None for blank / dash / slash / 无;
the unit is kept only when the cell writes one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?\s*"
    r"(?P<unit>万元|亿元|千元|元|件|条|个|项|次|人次|家|宗)?$"
)
_BLANK = re.compile(r"^(?:[-—–―─_~/\\]+|无|空)$")
_SPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class CellValue:
    """``kind`` is "number", "blank" (null value) or "text" (not a value cell)."""

    kind: str
    value: int | float | None = None
    unit: str | None = None


BLANK = CellValue("blank")
TEXT = CellValue("text")


def clean(raw: str) -> str:
    """Cell text with no-break and ideographic spaces turned into plain ones and trimmed."""
    # The plain space is the only printable whitespace: most cells need no regex at all.
    if raw.isprintable() and "  " not in raw:
        return raw.strip()
    return _SPACE_RUN.sub(" ", raw).strip()


@lru_cache(maxsize=1 << 16)
def read_cell(raw: str) -> CellValue:
    """Classify a cell and read its number. Cached: reports repeat the same few hundred
    cell texts (labels, small numbers, dashes), and the result is immutable."""
    s = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    if not s.isprintable() or " " in s:
        s = _SPACE_RUN.sub("", s)
    if s == "":
        return BLANK
    if _BLANK.match(s):
        return BLANK
    m = _NUMBER.match(s)
    if not m:
        return TEXT
    digits = m.group("int").replace(",", "")
    if m.group("frac"):
        value: int | float = float(digits + m.group("frac"))
    else:
        value = int(digits)
    if m.group("sign") == "-":
        value = -value
    return CellValue("number", value, m.group("unit") if m.group("unit") in _MONEY else None)


_MONEY = {"万元", "亿元", "千元", "元"}


def is_value(raw: str) -> bool:
    return read_cell(raw).kind != "text"
