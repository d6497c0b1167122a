"""A report's numbers on its own page, each with where it was read.

Cells record their place in the original (the ``where`` column: the page; for scans the
pixel box and the OCR confidence; for spreadsheets the sheet and cell), so a reader can
check a number against the document. The report page lists the three tables' cells with
that place written out ("第3页 p.3"), and the cell tables and views show the same text
instead of the bare JSON (exports keep the JSON).
"""

from __future__ import annotations

import json

import markupsafe

from datasette import hookimpl

LOW_CONFIDENCE = 70.0  # the OCR reader's threshold (parsers.ocr_reader.MIN_CONFIDENCE)

CELL_TABLES = ("proactive_cells", "application_cells", "review_cells",
               "proactive_items", "applications", "review_litigation")

# (key, heading, label columns, SQL) per standard table, in printed order
_SECTIONS = (
    ("proactive", "表二 主动公开 / Table II, proactive disclosure", ("信息类别 item", "指标 metric"),
     "select l.item, l.metric, c.value, c.raw, c.unit, {where} as [where]"
     " from proactive_cells c join label_proactive l on l.id = c.label_id"
     " where c.report_id = ? order by c.label_id"),
    ("applications", "表三 依申请公开 / Table III, applications", ("行 row", "申请人 applicant"),
     "select l.[row], a.applicant, c.value, c.raw, null as unit, {where} as [where]"
     " from application_cells c join label_applications l on l.id = c.row_id"
     " join label_applicants a on a.id = c.applicant_id"
     " where c.report_id = ? order by l.sort, c.row_id, c.applicant_id"),
    ("review_litigation", "表四 行政复议、行政诉讼 / Table IV, review and litigation",
     ("类别 kind", "结果 result"),
     "select l.kind, l.result, c.value, c.raw, null as unit, {where} as [where]"
     " from review_cells c join label_review l on l.id = c.label_id"
     " where c.report_id = ? order by c.label_id"),
)


def where_parts(where: dict | None) -> tuple[str, bool]:
    """The place as a reader says it (Chinese first) and whether the OCR was unsure."""
    if not where:
        return "", False
    if "page" not in where:
        if "sheet" in where:
            return f"工作表 {where['sheet']} {where.get('cell') or ''} / sheet".strip(), False
        return "", False
    page = where["page"]
    parts = [f"第{page}页 p.{page}"]
    box = where.get("box")
    if box:
        unit = f" px@{where['dpi']}dpi" if where.get("dpi") else ""
        parts.append(f"框 box [{', '.join(_number(v) for v in box)}]{unit}")
    conf = where.get("confidence")
    low = conf is not None and conf < LOW_CONFIDENCE
    if conf is not None:
        parts.append(f"识别置信度 OCR confidence {_number(conf)}" + ("（偏低 low）" if low else ""))
    return " · ".join(parts), low


def _number(v: object) -> str:
    """A number without a spurious ".0" (values are stored as REAL)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _parse(text: object) -> dict | None:
    if not text or not isinstance(text, str):
        return None
    try:
        got = json.loads(text)
    except ValueError:
        return None
    return got if isinstance(got, dict) else None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """The cell tables' ``where`` column as text ("第3页 p.3"), the JSON in its title."""
    if column != "where" or table not in CELL_TABLES:
        return None
    text, low = where_parts(_parse(value))
    if not text:
        return None
    return markupsafe.Markup('<span class="cell-where{}" title="{}">{}</span>').format(
        " low-confidence" if low else "", value, text)


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    """On a report's page: its cells, table by table, each with where it was read."""
    if view_name != "row" or table != "reports" or request is None:
        return {}

    async def inner():
        pk = request.url_vars.get("pks", "")
        if not pk.isdigit():
            return {}
        db = datasette.get_database(database)
        tables = set(await db.table_names())
        sections = []
        for key, heading, labels, sql in _SECTIONS:
            storage = sql.split(" from ", 1)[1].split()[0]
            if storage not in tables:
                continue
            columns = {c for c in await db.table_columns(storage)}
            query = sql.format(where="c.[where]" if "where" in columns else "null")
            cells = []
            placed = 0
            for r in (await db.execute(query, [int(pk)])).rows:
                text, low = where_parts(_parse(r["where"]))
                placed += bool(text)
                cells.append({"labels": (r[0], r[1]), "value": _number(r["value"]), "raw": r["raw"],
                              "unit": r["unit"], "where": text, "low": low})
            if cells:
                sections.append({"key": key, "heading": heading, "labels": labels,
                                 "cells": cells, "placed": placed})
        return {"report_cells": sections}

    return inner
