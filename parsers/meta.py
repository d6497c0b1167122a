"""Agency, year, title and publication date of a report, from its title and text.

The title is the document's own (HTML ``<title>``/meta) or its first lines up to the one
that says 报告. The agency is what remains of the title once the year and the words
"政府信息公开工作年度报告" are taken out; the year is the title's, else the year the text
speaks of most.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_YEAR = re.compile(r"(20[0-4]\d)\s*年")
_YEAR_ANY = re.compile(r"(20[0-4]\d)\s*(?:年|度)")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CN_YEAR = re.compile(r"([二][〇零][一二三四][〇零一二三四五六七八九])\s*年")
_REPORT_WORDS = re.compile(
    r"(?:关于)?(?:本?机关)?(?:的)?(?:政府|政务)?(?:信息)?(?:公开)?(?:工作)?(?:年度)?(?:工作)?"
    r"(?:年度)?报告.*$"
)
_PERIOD = re.compile(r"(?:20[0-4]\d|[二][〇零][一二三四][〇零一二三四五六七八九])\s*年度?")
_DATE = re.compile(r"(20[0-4]\d)\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
_TITLE_NOISE = re.compile(r"[\s\u00a0\u3000《》“”\"]+")


@dataclass(frozen=True, slots=True)
class Meta:
    title: str | None
    agency: str | None
    year: int | None
    published_on: str | None
    published_on_source: str | None


def title_from_text(text: str) -> str | None:
    """The first lines up to the one containing 报告 (at most four non-empty lines)."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.strip(" \t\u3000\u00a0")
        if not line:
            continue
        lines.append(line)
        if "报告" in line:
            return "".join(lines)
        if len(lines) >= 4 or len(line) > 60:
            break
    return None


def looks_like_report_title(title: str) -> bool:
    """A page or file title worth reading ("附件", "新建 Microsoft Word 文档" are not)."""
    return any(word in title for word in ("报告", "年报", "年度"))


def agency_from_title(title: str) -> str | None:
    s = _TITLE_NOISE.sub("", title)
    s = _REPORT_WORDS.sub("", s)
    s = _PERIOD.sub("", s)
    s = re.sub(r"(?:信息公开|政务公开|政府信息公开)$", "", s)
    s = s.strip("_-—|：:，,、 ")
    return s or None


def year_from_title(title: str) -> int | None:
    m = _YEAR.search(title) or _YEAR_ANY.search(title)
    if m:
        return int(m.group(1))
    m = _CN_YEAR.search(title)
    return int(m.group(1).translate(_CN_DIGITS)) if m else None


def year_from_text(text: str) -> int | None:
    """The year the body speaks of most (ties → the earlier: reports look back)."""
    counts = Counter(int(y) for y in _YEAR_ANY.findall(text[:6000]))
    if not counts:
        return None
    best = max(counts.values())
    return min(y for y, n in counts.items() if n == best)


def signing_date(text: str) -> str | None:
    """The 落款 date: the last full date in the final lines of the report."""
    tail = "\n".join(text.strip().splitlines()[-12:])
    found = None
    for m in _DATE.finditer(tail):
        y, mo, d = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            found = f"{y:04d}-{mo:02d}-{d:02d}"
    return found


def extract_meta(text: str, title: str | None, page_meta: dict[str, str]) -> Meta:
    own_title = title_from_text(text)
    page_title = title if title and looks_like_report_title(title) else None
    candidates = [t for t in (page_title, own_title) if t]
    agency = None
    year = None
    for t in candidates:
        agency = agency or agency_from_title(t)
        year = year or year_from_title(t)
    agency = agency or page_meta.get("source_agency")
    year = year or year_from_text(text)
    published = page_meta.get("published")
    source = page_meta.get("published_source") if published else None
    if not published:
        published = signing_date(text)
        source = "document" if published else None
    return Meta(
        title=(candidates[0] if candidates else None),
        agency=agency,
        year=year,
        published_on=published,
        published_on_source=source,
    )
