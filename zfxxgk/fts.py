"""Chinese full-text search over plain SQLite FTS5: character and bigram tokens.

Why this design: FTS5's built-in ``unicode61`` tokenizer reads a run of Chinese as one
token, so it finds nothing inside a sentence; ``trigram`` cannot match one- or
two-character words; word segmentation (jieba) misses substrings that cross a word
boundary (信息公 in 信息/公开). A custom tokenizer would make the database unreadable to any
tool without it. So the text is rewritten, before it reaches FTS5, into words that
``unicode61`` keeps intact:

* every character becomes the hex of its UTF-16 code unit(s) (ASCII letters lower-cased
  first, as SQLite's LIKE folds only ASCII), e.g. 信 → ``4fe1``, a → ``0061``;
* column ``chars`` holds each distinct non-space code unit once (presence is all a
  one-character query needs);
* column ``bigrams`` holds every overlapping pair of code units, in order, as 8 hex digits
  (信息 → ``4fe1606f``);
* column ``trigrams`` holds every overlapping triple, in order, as 12 hex digits
  (信息公 → ``4fe1606f516c``).

Fixed-width hex lets the columns be produced at C speed (``bytes.hex`` over the UTF-16
bytes), which matters when a build indexes hundreds of millions of characters. A character
outside the BMP is two code units on both the index and the query side, so it still matches
exactly.

A one-character term is its character token, a two-character term its bigram token, and a
term of n ≥ 3 characters the FTS5 phrase of its n − 2 trigrams: consecutive overlapping
trigrams occur exactly where the term occurs, so the match equals a substring match
(``LIKE '%term%'``). Trigrams rather than bigrams for longer terms because the cost of a
phrase is the position lists it reads: a trigram is far rarer than the bigrams it contains
(信息公 against 信息 and 息公), and a phrase of trigrams is one token shorter — at 100,000
reports a three-character term becomes one lookup instead of a phrase. Whitespace separates
terms, which must all occur (AND), as in a search box. Archives indexed before the
``trigrams`` column existed are searched with bigram phrases (``trigrams=False``).

The same functions serve indexing (``zfxxgk.db``) and querying (the Datasette plugin
re-registers ``escape_fts`` with ``to_match``), so the two cannot drift apart.
"""

from __future__ import annotations

import re

FTS_TABLE = "reports_fts"
FTS_COLUMNS = ("chars", "bigrams", "trigrams")

# A token every indexed document carries in ``chars`` (``z`` is no hex digit, so no
# character token can equal it): an empty query matches every document, as LIKE '%%' does.
EVERY_DOCUMENT = "zz"
MATCH_EVERYTHING = f'"{EVERY_DOCUMENT}"'

_ASCII_UPPER = re.compile("[A-Z]+")
# Every character str.isspace() accepts (the BMP holds them all): not indexed in ``chars``.
_WHITESPACE = frozenset(c for c in map(chr, range(0x10000)) if c.isspace())


def fold(text: str) -> str:
    """Lower-case ASCII A–Z only: the case folding SQLite's LIKE does, no more."""
    return _ASCII_UPPER.sub(lambda m: m.group().lower(), text)


def _units(text: str) -> bytes:
    """The folded text as big-endian UTF-16 bytes: two bytes per code unit."""
    return fold(text).encode("utf-16-be", "surrogatepass")


def char_tokens(text: str) -> list[str]:
    """One token per UTF-16 code unit of ``text``, in order (spaces included)."""
    return _units(text).hex(" ", 2).split()


def _grams(units: bytes, k: int) -> str:
    """Space-separated overlapping runs of ``k`` code units, as 4k-hex-digit tokens: token
    i is units[2i : 2i + 2k], laid out by strided slice assignment (no Python loop)."""
    m = len(units) // 2 - k + 1
    if m < 1:
        return ""
    width = 2 * k
    out = bytearray(width * m)
    for j in range(width):
        out[j::width] = units[j : j + 2 * m - 1 : 2]
    return out.hex(" ", width)


def index_columns(text: str) -> tuple[str, str, str]:
    """The ``(chars, bigrams, trigrams)`` column values that index ``text``.

    ``chars`` lists each distinct non-space code unit once (after ``EVERY_DOCUMENT``,
    which lets an empty query match all); ``bigrams`` and ``trigrams`` list every
    overlapping pair and triple in order, whitespace included, so that a phrase can never
    match across characters that are not adjacent in the text.
    """
    folded = fold(text or "")
    distinct = "".join(sorted(set(folded) - _WHITESPACE))
    chars = distinct.encode("utf-16-be", "surrogatepass").hex(" ", 2)
    chars = f"{EVERY_DOCUMENT} {chars}" if chars else EVERY_DOCUMENT
    units = folded.encode("utf-16-be", "surrogatepass")
    return chars, _grams(units, 2), _grams(units, 3)


def document_text(title: str | None, text: str | None) -> str:
    """What is indexed for a report: title, newline, text (the newline keeps a phrase
    from matching across the two)."""
    return f"{title or ''}\n{text or ''}"


def query_terms(query: str) -> list[str]:
    """Split a search-box query into terms: any run of whitespace separates them."""
    return (query or "").split()


def term_match(term: str, *, trigrams: bool = True) -> str:
    """The FTS5 expression matching documents that contain ``term`` as a substring
    (``trigrams=False``: for an archive indexed without the ``trigrams`` column).

    No column filter: a character token (4 hex digits, or ``zz``), a bigram (8) and a
    trigram (12) each occur in one column only, so a filter would select nothing less, and
    FTS5 would copy every position list to apply it (a fifth of the time of a long phrase
    over 100,000 reports)."""
    units = _units(term)
    if len(units) == 2:
        return f'"{units.hex()}"'
    if len(units) == 4 or not trigrams:
        return f'"{_grams(units, 2)}"'
    return f'"{_grams(units, 3)}"'


def to_match(query: str | None, *, trigrams: bool = True) -> str:
    """Turn what a user typed into an FTS5 MATCH expression over ``reports_fts``.

    Every whitespace-separated term must occur as a substring (ASCII case-insensitive).
    An empty query matches every document (FTS5 would reject an empty expression).
    """
    terms = query_terms(query or "")
    if not terms:
        return MATCH_EVERYTHING
    return " AND ".join(term_match(t, trigrams=trigrams) for t in terms)


def snippet(text: str | None, query: str | None, width: int = 80, *,
            start: str = "", end: str = "", ellipsis: str = "…") -> str:
    """A window of about ``width`` characters of ``text`` around the first query match.

    Contentless FTS5 has no ``snippet()``; this gives search results their context.
    Every occurrence of a query term inside the window is wrapped in ``start``/``end``
    (plain text: escape the result before wrapping it in HTML markers yourself, or pass
    markers and escape the rest). Matching folds ASCII case like the search does.
    Without a match, the beginning of the text is returned.
    """
    if not text:
        return ""
    width = max(int(width), 1)
    folded = fold(text)
    terms = [fold(t) for t in query_terms(query or "")]
    hits = [(folded.find(t), t) for t in terms]
    hits = [(pos, t) for pos, t in hits if pos >= 0]
    if hits:
        pos, term = min(hits)
        left = max(0, pos - max(0, (width - len(term)) // 2))
    else:
        left = 0
    right = min(len(text), left + width)
    left = max(0, min(left, right - width))
    window = _mark(text[left:right], folded[left:right], terms, start, end)
    return (ellipsis if left > 0 else "") + window + (ellipsis if right < len(text) else "")


def _mark(window: str, folded: str, terms: list[str], start: str, end: str) -> str:
    """Wrap each occurrence of any term (longest first at a position) in markers."""
    if not (start or end) or not terms:
        return window
    ordered = sorted(set(terms), key=len, reverse=True)
    out: list[str] = []
    i = 0
    while i < len(window):
        for term in ordered:
            if folded.startswith(term, i):
                out.append(start + window[i:i + len(term)] + end)
                i += len(term)
                break
        else:
            out.append(window[i])
            i += 1
    return "".join(out)
