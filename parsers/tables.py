"""Rows of cells → the three standard tables.

The interpreter walks the document's rows once, in reading order, with a small state:
which table it is in (set by section headings and by the labels themselves), the metric
header of table 二, the last row of table 三 and how far table 四 has been filled. It relies
on what every report shares — the official labels and their fixed order — rather than on
any one layout, so the same code reads Word text exports, PDF text and HTML tables:

* a row's labels are its text cells; its values are the value cells after its last known
  label (blanks there are null values; blanks before a label are merged-cell placeholders);
* table 三 rows come in a fixed order, so values with no label of their own (a missing or
  wrapped label) belong to the next row not yet filled;
* table 四's fifteen cells are filled in order from the value rows under its headers.

When the reader knows where each cell was printed (``Document.positions``: PDF, Word,
scans), each number kept also keeps its cell's position (``Cell.where``). Documents
without positions (text, HTML) pay nothing for it: the positions are looked up only for
the values assigned, and only when there are any.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from parsers.format_spec import (
    APPLICANTS,
    ITEM_SYNONYMS,
    PROACTIVE_ITEMS,
    RL_KINDS,
    RL_RESULTS,
    application_rows,
)
from parsers.labels import Label, fold, lookup, strip_notes, unit_in_header
from parsers.model import APPLICATIONS, PROACTIVE, REVIEW_LITIGATION, Cell, Finding
from parsers.page_layout import cell_where
from parsers.values import BLANK, CellValue, clean, read_cell

ALL_KINDS = ("row", "group", "item", "metric", "rl_kind", "rl_result", "applicant", "header")
CONTEXT_KINDS = {
    PROACTIVE: ("item", "metric", "header"),
    APPLICATIONS: ("row", "group", "applicant", "header"),
    REVIEW_LITIGATION: ("rl_kind", "rl_result", "header"),
    None: ("row", "group", "item", "metric", "rl_kind", "header", "applicant"),
}
KIND_TABLE = {
    "item": PROACTIVE,
    "metric": PROACTIVE,
    "row": APPLICATIONS,
    "group": APPLICATIONS,
    "applicant": APPLICATIONS,
    "rl_kind": REVIEW_LITIGATION,
}
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}\.|[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\)|第[一二三四五六七八九十]部分)")
_KEY_VALUE = re.compile(r"^(?P<label>.{2,80}?)[:：]\s*(?P<value>[-+]?[\d,.]+\s*(?:万元|元|条|件|个)?)\s*[。.;；]?$")
_LEADING_PERIOD = re.compile(r"^(?:20\d\d|二〇[一二〇][〇一二三四五六七八九])\s*年度?")
_REVIEW_SLOTS = [(kind, result) for kind in RL_KINDS for result in RL_RESULTS]


@dataclass
class Tables:
    """What the interpreter found: cells, local extras, the era and reader findings."""

    cells: list[Cell] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    era: str | None = None
    era_evidence: str = ""
    findings: list[Finding] = field(default_factory=list)
    found: set[str] = field(default_factory=set)


@dataclass
class _RowView:
    labels: list[tuple[str, Label | None]]
    values: list[tuple[str, CellValue]]
    texts: list[str]
    start: int = 0  # the row's index of values[0], to find the values' positions


@lru_cache(maxsize=1 << 14)
def section_of(cell: str) -> str | None:
    """The table a heading opens ("proactive", "applications", "review_litigation") or
    "end" for the sections after the tables; None when the cell is no such heading."""
    key = _SECTION_NUMBER.sub("", fold(cell))
    if not key or len(key) > 40:
        return None
    label = lookup(key, ("section",), fuzzy=False)
    if label:
        return label.canonical
    return None


def detect_era(rows: list[list[str]]) -> tuple[str | None, str]:
    """The format era from the table headers: metric labels that exist in one era only,
    then items, then the split （六） rows. None when the document has no such header."""
    votes = {"2019": 0, "2021": 0}
    six_split = False
    for row in rows:
        for cell in row:
            if not cell or len(cell) > 60:
                continue
            vote = _era_vote(cell)
            if vote is None:
                continue
            if vote[0]:
                votes[vote[1]] += 1
            elif vote[1] == "2021":
                six_split = True
    if votes["2019"] != votes["2021"]:
        era = max(votes, key=lambda e: votes[e])
        return era, f"table 二 headers ({votes['2019']} vs {votes['2021']})"
    if six_split:
        return "2021", "table 三 （六） sub-rows"
    return None, ""


@lru_cache(maxsize=1 << 16)
def _era_vote(cell: str) -> tuple[bool, str] | None:
    """(is a table 二 header or item, its era) for a cell naming an era-specific label."""
    label = lookup(clean(cell), ("metric", "item", "row"), fuzzy=False)
    if label is None or label.era == "any":
        return None
    return label.kind in ("metric", "item"), label.era


@lru_cache(maxsize=1 << 16)
def _cell(raw: str) -> tuple[str, CellValue]:
    """A cell's cleaned text and its reading (cached: cell texts repeat across reports)."""
    return clean(raw), read_cell(raw)


# (cell text, context) → the labels it holds: the same label cells recur in every report.
_LABELS_CACHE: dict[tuple[str, str | None], list[tuple[str, Label | None]]] = {}
_LABELS_CACHE_MAX = 1 << 16


class _Interpreter:
    def __init__(self, era: str) -> None:
        self.era = era
        self.out = Tables(era=era)
        self.context: str | None = None
        # table 二
        self.metrics: list[str] = []
        self.metric_units: dict[str, str] = {}
        self.proactive: dict[tuple[str, str], tuple[str, CellValue]] = {}
        # table 三
        self.app: dict[tuple[str, str], tuple[str, CellValue]] = {}
        self.app_filled: set[str] = set()
        self.last_row: str | None = None
        self.pending_row: str | None = None
        self.six_split: bool | None = None
        # table 四
        self.review_cells: dict[tuple[str, str], tuple[str, CellValue]] = {}
        self.review_pos = 0
        # positions: the current row's (None when the document has none), and the
        # position of each value kept, by (table, row, column)
        self.row_places: list[dict[str, Any] | None] | None = None
        self.where: dict[tuple[str, str, str], dict[str, Any] | None] = {}

    # -- row classification -------------------------------------------------------------
    def view(self, row: list[str]) -> _RowView:
        context = self.context
        kinds = CONTEXT_KINDS[context]
        cells = [_cell(c) for c in row]
        last_known = -1
        labels: list[tuple[str, Label | None]] = []
        texts: list[str] = []
        cache = _LABELS_CACHE
        for i, (text, value) in enumerate(cells):
            if value.kind != "text":
                continue
            texts.append(text)
            found = cache.get((text, context))
            if found is None:
                found = self._labels_in(text, kinds)
                if len(cache) >= _LABELS_CACHE_MAX:
                    cache.clear()
                cache[(text, context)] = found
            labels.extend(found)
            if any(label is not None for _, label in found):
                last_known = i
        if last_known < 0:
            last_text = max((i for i, (_, v) in enumerate(cells) if v.kind == "text"), default=-1)
            start = last_text + 1
        else:
            start = last_known + 1
        values: list[tuple[str, CellValue]] = []
        for text, value in cells[start:]:
            if value.kind == "text":
                break
            values.append((text, value))
        return _RowView(labels, values, texts, start)

    def _label(self, text: str, kinds: tuple[str, ...]) -> Label | None:
        if len(text) > 80:
            return None
        label = lookup(text, kinds)
        if label is None and self.context is not None:
            other = lookup(text, ALL_KINDS, fuzzy=False)
            if other is not None and other.kind in KIND_TABLE:
                label = other
        return label

    def _labels_in(self, text: str, kinds: tuple[str, ...]) -> list[tuple[str, Label | None]]:
        """The label(s) a text cell holds. PDF text puts several labels in one cell
        ("（三）不予公开 1．属于国家秘密", "信息内容 本年制发件数 本年废止件数"): when the whole
        does not match, the cell is read as space-separated labels, longest match first."""
        label = self._label(text, kinds)
        if label is not None or " " not in text:
            return [(text, label)]
        parts = text.split(" ")
        if len(parts) > 16:
            return [(text, None)]
        found: list[tuple[str, Label | None]] = []
        i = 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                piece = " ".join(parts[i:j])
                label = self._label(piece, kinds)
                if label is not None:
                    found.append((piece, label))
                    i = j
                    break
            else:
                found.append((parts[i], None))
                i += 1
        if not any(label is not None for _, label in found):
            return [(text, None)]
        return found

    # -- the walk -----------------------------------------------------------------------
    def feed(self, row: list[str]) -> None:
        nonblank = [c for c in row if _cell(c)[0]]
        if not nonblank:
            return
        if len(nonblank) == 1:
            section = section_of(nonblank[0])
            if section is not None:
                self.context = None if section == "end" else section
                if section != "end":
                    self.out.found.add(section)
                return
            if self._key_value(nonblank[0]):
                return
        view = self.view(row)
        known = [label for _, label in view.labels if label is not None]
        for label in known:
            table = KIND_TABLE.get(label.kind)
            if table and table != self.context:
                if label.kind == "applicant" and self.context == REVIEW_LITIGATION:
                    continue
                self.context = table
                self.out.found.add(table)
        if self.context == PROACTIVE:
            self._proactive(view, known)
        elif self.context == APPLICATIONS:
            self._applications(view, known)
        elif self.context == REVIEW_LITIGATION:
            self._review(view, known)

    def _key_value(self, cell: str) -> bool:
        if ":" not in cell and "：" not in cell:
            return False
        m = _KEY_VALUE.match(clean(cell))
        if not m:
            return False
        value = read_cell(m.group("value"))
        if value.kind != "number":
            return False
        label = _LEADING_PERIOD.sub("", m.group("label").strip())
        extra = lookup(label, ("extra",), fuzzy=False)
        key = extra.canonical if extra else label
        self.out.extra[key] = value.value
        return True

    def _proactive(self, view: _RowView, known: list[Label]) -> None:
        metrics = [label for label in known if label.kind == "metric"]
        if metrics:
            self.metrics = [m.canonical for m in metrics]
            for text, label in view.labels:
                unit = unit_in_header(text)
                if label is not None and label.kind == "metric" and unit:
                    self.metric_units[label.canonical] = unit
            return
        items = [label for label in known if label.kind == "item"]
        if not items:
            self._unknown_row(view, PROACTIVE)
            return
        item = items[-1].canonical
        template = PROACTIVE_ITEMS[self.era]
        if item not in template and ITEM_SYNONYMS.get(item) in template:
            item = ITEM_SYNONYMS[item]
        if item not in template:
            self._extra_row(item, view)
            return
        expected = template[item]
        metrics_here = self.metrics if self.metrics and set(self.metrics) <= set(expected) else expected
        a, b = _fit_span(view.values, len(metrics_here))
        for metric, (raw, value) in zip(metrics_here, view.values[a:b], strict=False):
            self.proactive[(item, metric)] = (raw, value)
        if self.row_places is not None:
            for k, metric in enumerate(metrics_here[:b - a]):
                self.where[(PROACTIVE, item, metric)] = self._place(view.start + a + k)

    def _applications(self, view: _RowView, known: list[Label]) -> None:
        rows = [label for label in known if label.kind == "row"]
        groups = [label for label in known if label.kind == "group"]
        has_values = any(v.kind == "number" for _, v in view.values) or (
            bool(view.values) and bool(known)
        )
        if rows:
            target: str | None = rows[-1].canonical
            if rows[-1].era == "2021":
                self.six_split = True
            elif target is not None and target.endswith("（六）其他处理"):
                self.six_split = False
        elif groups:
            target = self._first_open(groups[-1].canonical + "/")
            if not has_values:
                self.pending_row = target
                return
        elif not known and any(v.kind == "number" for _, v in view.values):
            unknown = [t for t, label in view.labels if label is None]
            if unknown and not _is_stray(unknown[-1]):
                self._extra_row(unknown[-1], view)
                return
            target = self.pending_row or self._next_open()
        else:
            return
        if target is None:
            return
        if not view.values or not has_values:
            self.pending_row = target
            self.last_row = target
            return
        self._assign_app(target, view.values, view.start)

    def _assign_app(self, target: str, values: list[tuple[str, CellValue]], start: int) -> None:
        a, b = _fit_span(values, len(APPLICANTS))
        for applicant, (raw, value) in zip(APPLICANTS, values[a:b], strict=False):
            self.app[(target, applicant)] = (raw, value)
        if self.row_places is not None:
            for k, applicant in enumerate(APPLICANTS[:b - a]):
                self.where[(APPLICATIONS, target, applicant)] = self._place(start + a + k)
        self.app_filled.add(target)
        self.last_row = target
        self.pending_row = None

    def _order(self) -> tuple[str, ...]:
        return application_rows(bool(self.six_split))

    def _first_open(self, prefix: str) -> str | None:
        for row in self._order():
            if row.startswith(prefix) and row not in self.app_filled:
                return row
        return None

    def _next_open(self) -> str | None:
        order = self._order()
        start = order.index(self.last_row) + 1 if self.last_row in order else 0
        for row in order[start:]:
            if row not in self.app_filled:
                return row
        return None

    def _review(self, view: _RowView, known: list[Label]) -> None:
        if self.review_pos >= len(_REVIEW_SLOTS):
            return
        has_data = any(v.kind == "number" or clean(raw) for raw, v in view.values)
        if not has_data:
            return
        kinds = [label for label in known if label.kind == "rl_kind"]
        if kinds:
            kind = kinds[-1].canonical
            kind = RL_KINDS[1] if kind == "行政诉讼" else kind
            self.review_pos = RL_KINDS.index(kind) * len(RL_RESULTS)
        values = list(view.values)
        while values and not clean(values[-1][0]) and len(values) + self.review_pos > len(_REVIEW_SLOTS):
            values.pop()
        places = self.row_places is not None
        for k, (raw, value) in enumerate(values):
            if self.review_pos >= len(_REVIEW_SLOTS):
                break
            slot = _REVIEW_SLOTS[self.review_pos]
            self.review_cells[slot] = (raw, value)
            if places:
                self.where[(REVIEW_LITIGATION, *slot)] = self._place(view.start + k)
            self.review_pos += 1
        if self.review_pos >= len(_REVIEW_SLOTS):
            self.context = None

    def _place(self, index: int) -> dict[str, Any] | None:
        """The current row's position of its cell ``index`` (None past its end)."""
        places = self.row_places
        return places[index] if places is not None and index < len(places) else None

    def _unknown_row(self, view: _RowView, table: str) -> None:
        unknown = [t for t, label in view.labels if label is None]
        if unknown and any(v.kind == "number" for _, v in view.values) and not _is_stray(unknown[-1]):
            self._extra_row(unknown[-1], view)

    def _extra_row(self, label: str, view: _RowView) -> None:
        key = _LEADING_PERIOD.sub("", label).strip()
        bare = strip_notes(unicodedata.normalize("NFKC", key))
        if bare and bare != unicodedata.normalize("NFKC", key):
            key = bare
        numbers = [v.value for _, v in view.values]
        columns = self.metrics if self.context == PROACTIVE else APPLICANTS
        if len(numbers) == len(columns) > 1:
            self.out.extra[key] = dict(zip(columns, numbers, strict=True))
        else:
            self.out.extra[key] = numbers[0] if len(numbers) == 1 else numbers
        self.out.findings.append(
            Finding(
                rule="unknown_row",
                location=f"{self.context}/{key}",
                expected="a label of the standard table",
                actual=key,
                message=f"未识别的行，已存入 extra / unrecognized row kept in extra: {key}",
                severity="info",
            )
        )

    # -- result -------------------------------------------------------------------------
    def finish(self) -> Tables:
        out = self.out
        where = self.where.get if self.where else None
        if PROACTIVE in out.found:
            for item, metrics in PROACTIVE_ITEMS[self.era].items():
                for metric in metrics:
                    raw, value = self.proactive.get((item, metric), ("", BLANK))
                    unit = value.unit or (self.metric_units.get(metric) if value.kind == "number" else None)
                    out.cells.append(Cell(PROACTIVE, item, metric, value.value, raw, unit,
                                          cell_where(where((PROACTIVE, item, metric))) if where else None))
        if APPLICATIONS in out.found:
            split = self.six_split if self.six_split is not None else self.era == "2021"
            for row in application_rows(split):
                for applicant in APPLICANTS:
                    raw, value = self.app.get((row, applicant), ("", BLANK))
                    out.cells.append(Cell(APPLICATIONS, row, applicant, value.value, raw, value.unit,
                                          cell_where(where((APPLICATIONS, row, applicant))) if where else None))
        if REVIEW_LITIGATION in out.found:
            for kind, result in _REVIEW_SLOTS:
                raw, value = self.review_cells.get((kind, result), ("", BLANK))
                out.cells.append(Cell(REVIEW_LITIGATION, kind, result, value.value, raw, value.unit,
                                      cell_where(where((REVIEW_LITIGATION, kind, result))) if where else None))
        for table, name in ((PROACTIVE, "二、主动公开"), (APPLICATIONS, "三、依申请"), (REVIEW_LITIGATION, "四、复议诉讼")):
            if table not in out.found:
                out.findings.append(
                    Finding(
                        rule="missing_table",
                        location=table,
                        expected=f"table {name}",
                        actual=None,
                        message=f"未找到表格 {name} / standard table not found",
                        severity="error",
                    )
                )
        return out


def _fit_span(values: list[tuple[str, CellValue]], n: int) -> tuple[int, int]:
    """The values for ``n`` columns, as the slice ``values[a:b]`` (a slice, so that their
    positions can follow): surplus blanks dropped — leading ones first (the empty fields a
    label spanning several columns leaves in PDF text), then trailing padding; missing
    cells are left out (they stay null)."""
    a, b = 0, len(values)
    while b - a > n and not clean(values[a][0]):
        a += 1
    while b - a > n and not clean(values[b - 1][0]):
        b -= 1
    return a, min(b, a + n)


def _is_stray(text: str) -> bool:
    """A fragment left by a page break or a wrapped label ("理"), not a row of its own."""
    key = unicodedata.normalize("NFKC", text).strip()
    return len(key) <= 2


def extract_tables(rows: list[list[str]], *, year: int | None = None,
                   positions: list[list[dict[str, Any] | None]] | None = None) -> Tables:
    """Interpret a document's rows. ``year`` only breaks ties when no header names the era;
    ``positions`` (parallel to ``rows``, as ``Document.positions``) become ``Cell.where``."""
    era, evidence = detect_era(rows)
    if era is None:
        era = "2021" if (year or 0) >= 2021 else "2019"
        evidence = "no era-specific header; from the year" if year else "default"
    interp = _Interpreter(era)
    if positions is None:
        for row in rows:
            interp.feed(row)
    else:
        n = len(positions)
        for i, row in enumerate(rows):
            interp.row_places = (positions[i] if i < n else None) or []
            interp.feed(row)
    out = interp.finish()
    out.era_evidence = evidence
    return out
