"""The label lexicon: canonical labels of the standard tables and their variants.

Variants are data (``labels.tsv``), folded with :func:`fold` so that width, spacing,
quotes, numbering style and parenthetical notes never matter. Lookups that find no exact
variant fall back to a strict similarity match within the kinds the caller allows, which
absorbs corrupted labels such as "2.其他法律行政止公开".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

LABELS_FILE = Path(__file__).with_name("labels.tsv")

_QUOTES = str.maketrans({c: '"' for c in "“”„‟「」『』〝〞＂'‘’"})
_NOTE = re.compile(r"\((?:区分处理|单位|历史累计|本列数据)[^)]*\)?")
_ARABIC_NUM = re.compile(r"^(\d{1,2})\s*[.、,]\s*")
_PAREN_NUM = re.compile(r"^\((\d{1,2})\)")
_CN_NUM = re.compile(r"^([一二三四五六七八九十]{1,3})[.,]")
_UNIT_IN_HEADER = re.compile(r"\((?:单位[:]?)?\s*(万元|元|亿元|千元)\s*\)")


def fold(label: str) -> str:
    """Reduce a label to its comparison key.

    NFKC (full width → half width), no whitespace at all, one kind of quote, numbering
    written ``1.`` / ``一、``, and no parenthetical notes such as （区分处理的…） or （单位：万元）.
    """
    s = unicodedata.normalize("NFKC", label)
    if not s.isprintable() or " " in s:  # the plain space is the only printable whitespace
        s = _WHITESPACE.sub("", s)
    s = s.translate(_QUOTES)
    # each pattern needs its first character: skip the regex when it is absent
    if "(" in s:
        s = _NOTE.sub("", s)
        s = _PAREN_NUM.sub(r"\1.", s)
    if s[:1].isdigit():
        s = _ARABIC_NUM.sub(r"\1.", s)
    if s[:1] in _CN_DIGITS:
        s = _CN_NUM.sub(r"\1、", s)
    return s.rstrip(":：;；。")


_WHITESPACE = re.compile(r"\s+")
_CN_DIGITS = frozenset("一二三四五六七八九十")


_ANY_NOTE = re.compile(r"(?<=.)\([^()]*\)")


def strip_notes(key: str) -> str:
    """A folded label without its parenthetical notes: regional reports annotate labels
    ("规章（设区的市、自治州人民政府应提供相关数据）", "上一年项目数量（指2019年事项数）")."""
    return _ANY_NOTE.sub("", key)


def unit_in_header(label: str) -> str | None:
    """The unit a column header declares, e.g. "本年收费金额（单位：万元）" → "万元"."""
    m = _UNIT_IN_HEADER.search(_WHITESPACE.sub("", unicodedata.normalize("NFKC", label)))
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True)
class Label:
    kind: str
    era: str  # "2019", "2021" or "any"
    canonical: str


@cache
def _lexicon() -> tuple[dict[str, list[Label]], dict[str, list[tuple[str, Label]]]]:
    exact: dict[str, list[Label]] = {}
    by_kind: dict[str, list[tuple[str, Label]]] = {}
    for line in LABELS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, era, canonical, variants = line.split("\t")
        label = Label(kind, era, canonical)
        for variant in {canonical.split("/")[-1], *variants.split("|")}:
            key = fold(variant)
            if label not in exact.setdefault(key, []):
                exact[key].append(label)
            by_kind.setdefault(kind, []).append((key, label))
    return exact, by_kind


def all_labels(kind: str) -> list[Label]:
    """Every canonical label of one kind, in the order of the data table."""
    seen: list[Label] = []
    for _, label in _lexicon()[1].get(kind, []):
        if label not in seen:
            seen.append(label)
    return seen


@lru_cache(maxsize=65536)
def lookup(text: str, kinds: tuple[str, ...], fuzzy: bool = True) -> Label | None:
    """The label ``text`` names, among ``kinds`` (in order of preference), or None."""
    key = fold(text)
    if not key:
        return None
    exact = _lexicon()[0]
    bare = strip_notes(key)
    for candidate in (key, bare) if bare != key else (key,):
        for kind in kinds:
            for label in exact.get(candidate, []):
                if label.kind == kind:
                    return label
    if not fuzzy or len(key) < 4 or len(key) > 60:
        return None
    best: tuple[float, Label | None] = (0.0, None)
    second = 0.0
    size = len(key)
    head = key[:2]
    numbering: str | None = None
    key_counts: Counter[str] | None = None
    index = _fuzzy_index()
    for kind in kinds:
        for variant, label, vsize, slack, vhead, vnumbering, vcounts in index.get(kind, ()):
            if abs(vsize - size) > slack:
                continue
            if vhead != head:
                if numbering is None:
                    numbering = _numbering(key)
                if vnumbering != numbering:
                    continue
            # The characters the two share bound the ratio from above. Below _NEVER_MATTERS
            # a variant can neither be accepted nor come close enough to the accepted one to
            # make the match ambiguous, so its exact ratio is not needed.
            if key_counts is None:
                key_counts = Counter(key)
            shared = 0
            for char, count in vcounts:
                mine = key_counts.get(char)
                if mine:
                    shared += count if count < mine else mine
            if 2.0 * shared / (size + vsize) < _NEVER_MATTERS:
                continue
            ratio = difflib.SequenceMatcher(None, key, variant, autojunk=False).ratio()
            if ratio > best[0]:
                if best[1] is not None and best[1].canonical != label.canonical:
                    second = max(second, best[0])
                best = (ratio, label)
            elif best[1] is not None and label.canonical != best[1].canonical:
                second = max(second, ratio)
    if best[1] is not None and best[0] >= 0.8 and best[0] - second >= 0.08:
        return best[1]
    return None


# A match is accepted at a ratio of 0.8 or more, and only 0.08 or more ahead of any other
# label; a variant whose ratio cannot reach 0.71 changes neither decision.
_NEVER_MATTERS = 0.71


@cache
def _fuzzy_index() -> dict[str, list[tuple[str, Label, int, int, str, str, tuple[tuple[str, int], ...]]]]:
    """Per kind, each variant with what the similarity match tests first: its length and
    allowed length difference, first two characters, numbering and character counts."""
    return {
        kind: [
            (variant, label, len(variant), max(3, len(variant) // 3), variant[:2],
             _numbering(variant), tuple(Counter(variant).items()))
            for variant, label in variants
        ]
        for kind, variants in _lexicon()[1].items()
    }


_NUMBERING = re.compile(r"^(\d{1,2}\.|\([一二三四五六七八九十]\)|[一二三四五六七八九十]、)")


def _numbering(key: str) -> str:
    m = _NUMBERING.match(key)
    return m.group(1) if m else ""
