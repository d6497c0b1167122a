"""Summary tables of the current reports, kept in step with the archive at the end of every
build and ingest, so that the canned queries and charts read a few narrow rows per report
instead of millions of cells.

Why: the aggregate queries (totals by year, by province and level, top agencies, outcome
mix) joined the current reports with the cell tables; at 100,000 reports that is seconds
per query, over Datasette's time limit. Each report's key figures never change once
written (a changed document makes a new version), so they are computed once:

* ``report_figures`` -- one row per current report: year, region, level, agency, dates,
  table III received / carried over / disclosed (total column), table IV corrections,
  whether a number check failed;
* ``report_outcomes`` -- per current report and outcome of table III 三 (total column,
  leaf rows only: a row whose sub-rows the report gives is counted through them);
* ``outcome_totals`` -- ``report_outcomes`` summed by year and province;
* ``report_same_as`` -- current reports that are another file of the same publication:
  a portal page that prints the report and links its PDF/Word attachment gives two
  reports of one body and year. One of them is kept (the most cells; on a tie the page,
  which has no OCR or layout to misread), the others are listed here with the report
  they repeat and are left out of the three tables above, so that counts count
  publications, not files.

``refresh`` is incremental and idempotent: rows of reports that are no longer current go,
current reports without a row get one, and the small ``outcome_totals`` is recomputed. The
figures follow the definitions of the original queries over the cell tables exactly (the
tests compare both).
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

RECEIVED = "一、本年新收政府信息公开申请数量"
CARRIED = "二、上年结转政府信息公开申请数量"
DISCLOSED = "三、本年度办理结果/（一）予以公开"
RESULTS = "三、本年度办理结果/"
OUTCOME_TOTAL = "三、本年度办理结果/（七）总计"
TOTAL_APPLICANT = "总计"
CORRECTED = "结果纠正"
NUMBER_RULES = ("rule1_balance", "rule2_outcomes", "rule3_applicant_total",
                "rule4_review_total")

FIGURES = "report_figures"
OUTCOMES = "report_outcomes"
OUTCOME_TOTALS = "outcome_totals"
SAME_AS = "report_same_as"

_FIGURE_COLUMNS: dict[str, type] = {
    "report_id": int, "source_id": str, "year": int, "province": str, "level": str,
    "agency": str, "is_late": int, "published_on": str, "published_on_source": str,
    "deadline": str, "has_received": int, "received": float, "carried": float, "disclosed": float,
    "corrected": float, "inconsistent": int,
}
_OUTCOME_COLUMNS: dict[str, type] = {"report_id": int, "outcome": str, "applications": float}
_TOTAL_COLUMNS: dict[str, type] = {
    "year": int, "province": str, "outcome": str, "applications": float, "reports": int,
}
_SAME_AS_COLUMNS: dict[str, type] = {"report_id": int, "same_as": int, "page_url": str}
# Declared so that Datasette links each row to its reports (and a report's page lists them).
_FOREIGN_KEYS: dict[str, list[tuple[str, str, str]]] = {
    FIGURES: [("report_id", "reports", "id")],
    SAME_AS: [("report_id", "reports", "id"), ("same_as", "reports", "id")],
}
# What the queries group, filter and sort by (covering, so they never read whole rows):
# name -> (table, indexed columns or expressions). sqlite-utils quotes every column it is
# given, which would turn an expression into a string constant, so these are plain SQL.
_INDEXES: dict[str, tuple[str, str]] = {
    # totals_by_year, and missing_reports by agency name
    "idx_report_figures_by_year": (
        FIGURES, "year, agency, received, carried, corrected, inconsistent, is_late"),
    # the charts by year, with or without a province
    "idx_report_figures_by_year_province": (
        FIGURES, "year, province, has_received, received, inconsistent"),
    # by_province_level groups by these expressions: read in order, no sorting
    "idx_report_figures_by_province_level": (
        FIGURES, "coalesce(province, '（未识别）'), coalesce(level, '（未识别）'), agency, year,"
                 " received, province, level"),
    # top_agencies and agency_years
    "idx_report_figures_by_agency": (
        FIGURES, "agency, province, level, year, has_received, received"),
    "idx_report_figures_by_source": (FIGURES, "source_id, year"),
    # the default facets of report_figures (year has its index above)
    "idx_report_figures_province": (FIGURES, "province"),
    "idx_report_figures_level": (FIGURES, "level"),
    "idx_report_figures_is_late": (FIGURES, "is_late"),
    # a default facet of the reports table that has no index of its own
    "idx_reports_format_era": ("reports", "format_era"),
}


def ensure_tables(db: sqlite_utils.Database) -> bool:
    """Create the summary tables and their indexes; a table whose columns differ from
    this module's is made again. Returns True when a table was (re)made: then every row is
    computed again."""
    refill = False
    for name, columns, pk in ((FIGURES, _FIGURE_COLUMNS, "report_id"),
                              (OUTCOMES, _OUTCOME_COLUMNS, ("report_id", "outcome")),
                              (OUTCOME_TOTALS, _TOTAL_COLUMNS, None),
                              (SAME_AS, _SAME_AS_COLUMNS, "report_id")):
        table = db[name]
        if table.exists() and list(table.columns_dict) != list(columns):
            table.drop()
            refill = True
        if not table.exists():
            refill = True
            if isinstance(pk, tuple):  # clustered on its key: no second copy of it
                sql = db.create_table_sql(name, columns, pk=pk)  # type: ignore[arg-type]
                db.execute(sql.strip().rstrip(";") + " WITHOUT ROWID")
            else:
                table.create(columns, pk=pk,  # type: ignore[arg-type]
                             foreign_keys=_FOREIGN_KEYS.get(name))
    _ensure_indexes(db)
    if refill:  # both per-report tables go together
        db.execute(f"DELETE FROM {FIGURES}")
        db.execute(f"DELETE FROM {OUTCOMES}")
    return refill


def _ensure_indexes(db: sqlite_utils.Database) -> None:
    """Create the wanted indexes; drop any other index of the summary tables (one an
    earlier version of this module wanted)."""
    existing = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN (?, ?, ?, ?)", [FIGURES, OUTCOMES, OUTCOME_TOTALS, SAME_AS])}
    for name in existing - set(_INDEXES):
        db.execute(f"DROP INDEX [{name}]")
    for name, (table, columns) in _INDEXES.items():
        db.execute(f"CREATE INDEX IF NOT EXISTS [{name}] ON [{table}] ({columns})")


_LABELS = """
    (SELECT id FROM label_applicants WHERE applicant = :total_applicant) AS total,
    (SELECT id FROM label_applications WHERE [row] = :received) AS received,
    (SELECT id FROM label_applications WHERE [row] = :carried) AS carried,
    (SELECT id FROM label_applications WHERE [row] = :disclosed) AS disclosed
"""

# One report's figures. ``__SOURCE__`` names the reports (as ``r``) the rows are made for.
_FIGURES_SELECT = f"""
WITH ids AS (SELECT {_LABELS})
SELECT
  r.id AS report_id, r.source_id AS source_id, r.year AS year, r.province AS province,
  r.level AS level, r.agency AS agency, r.is_late AS is_late,
  r.published_on AS published_on, r.published_on_source AS published_on_source,
  r.deadline AS deadline,
  rc.report_id IS NOT NULL AS has_received, rc.value AS received, ca.value AS carried,
  di.value AS disclosed,
  (SELECT sum(t.value) FROM review_cells t WHERE t.report_id = r.id
     AND t.label_id IN (SELECT id FROM label_review WHERE result = :corrected)) AS corrected,
  EXISTS (SELECT 1 FROM findings f WHERE f.report_id = r.id
     AND f.rule IN (:rule1, :rule2, :rule3, :rule4)) AS inconsistent
FROM __SOURCE__
CROSS JOIN ids
LEFT JOIN application_cells rc
  ON rc.report_id = r.id AND rc.row_id = ids.received AND rc.applicant_id = ids.total
LEFT JOIN application_cells ca
  ON ca.report_id = r.id AND ca.row_id = ids.carried AND ca.applicant_id = ids.total
LEFT JOIN application_cells di
  ON di.report_id = r.id AND di.row_id = ids.disclosed AND di.applicant_id = ids.total
"""
_FILL_FIGURES = (f"INSERT INTO {FIGURES} ({', '.join(_FIGURE_COLUMNS)})"
                 + _FIGURES_SELECT.replace(
                     "__SOURCE__", "temp.fresh_reports n JOIN reports r ON r.id = n.id"))

# The outcome rows of table III 三 (without （七）总计), each with the outcome it belongs to,
# and which of them have sub-rows.
_OUTCOME_ROWS_SELECT = """
SELECT id, CASE WHEN instr(path, '/') > 0 THEN substr(path, 1, instr(path, '/') - 1)
                ELSE path END AS outcome
FROM (
  SELECT id, substr([row], length(:results) + 1) AS path
  FROM label_applications
  WHERE [row] > :results AND [row] < substr(:results, 1, length(:results) - 1) || '0'
    AND [row] <> :outcome_total
)
"""
_OUTCOME_NESTED_SELECT = """
SELECT p.id AS parent, c.id AS child
FROM label_applications p
JOIN label_applications c ON c.[row] > p.[row] || '/' AND c.[row] < p.[row] || '0'
"""
# Leaf rows only: a row with sub-rows counts only in a report that gives none of them.
# ``__SOURCE__``: the reports (as ``n``); ``__ROWS__``, ``__NESTED__``: the two above.
_OUTCOMES_SELECT = """
SELECT a.report_id AS report_id, o.outcome AS outcome, sum(a.value) AS applications
FROM __SOURCE__
JOIN application_cells a ON a.report_id = n.id
JOIN __ROWS__ o ON o.id = a.row_id
WHERE a.applicant_id = (SELECT id FROM label_applicants WHERE applicant = :total_applicant)
  AND (a.row_id NOT IN (SELECT parent FROM __NESTED__) OR NOT EXISTS (
    SELECT 1 FROM __NESTED__ nn
    JOIN application_cells c ON c.report_id = a.report_id AND c.row_id = nn.child
      AND c.applicant_id = a.applicant_id
    WHERE nn.parent = a.row_id
  ))
GROUP BY 1, 2
"""
_FILL_OUTCOMES = (f"INSERT INTO {OUTCOMES} (report_id, outcome, applications)"
                  + _OUTCOMES_SELECT.replace("__SOURCE__", "temp.fresh_reports n")
                  .replace("__ROWS__", "temp.outcome_rows")
                  .replace("__NESTED__", "temp.outcome_nested"))

_TOTALS_SELECT = f"""
SELECT f.year AS year, f.province AS province, o.outcome AS outcome,
  sum(o.applications) AS applications, count(*) AS reports
FROM {OUTCOMES} o JOIN {FIGURES} f ON f.report_id = o.report_id
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
"""
_FILL_TOTALS = f"INSERT INTO {OUTCOME_TOTALS} ({', '.join(_TOTAL_COLUMNS)})" + _TOTALS_SELECT


def _params() -> dict[str, str]:
    return {
        "total_applicant": TOTAL_APPLICANT, "received": RECEIVED, "carried": CARRIED,
        "disclosed": DISCLOSED, "corrected": CORRECTED, "results": RESULTS,
        "outcome_total": OUTCOME_TOTAL,
        **{f"rule{i}": rule for i, rule in enumerate(NUMBER_RULES, 1)},
    }


def refresh(db: sqlite_utils.Database) -> int:
    """Bring the summary tables in line with the current reports (one transaction);
    return how many reports got new figures."""
    params = _params()
    with db.atomic():
        refilled = ensure_tables(db)
        conn = db.conn
        regrouped = _refresh_same_as(conn)
        gone = conn.execute(f"DELETE FROM {FIGURES} WHERE report_id NOT IN"
                            " (SELECT id FROM reports WHERE is_current = 1)"
                            f" OR report_id IN (SELECT report_id FROM {SAME_AS})").rowcount
        conn.execute(f"DELETE FROM {OUTCOMES} WHERE report_id NOT IN"
                     f" (SELECT report_id FROM {FIGURES})")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS fresh_reports (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.fresh_reports")
        conn.execute(f"INSERT INTO temp.fresh_reports SELECT id FROM reports"
                     f" WHERE is_current = 1 AND id NOT IN (SELECT report_id FROM {FIGURES})"
                     f" AND id NOT IN (SELECT report_id FROM {SAME_AS})")
        (fresh,) = conn.execute("SELECT count(*) FROM temp.fresh_reports").fetchone()
        if refilled or gone or fresh or regrouped:
            if fresh:
                conn.execute(_FILL_FIGURES, {k: params[k] for k in (
                    "total_applicant", "received", "carried", "disclosed", "corrected",
                    "rule1", "rule2", "rule3", "rule4")})
                _fill_outcomes(conn, params)
            conn.execute(f"DELETE FROM {OUTCOME_TOTALS}")
            conn.execute(_FILL_TOTALS)
            for table in (FIGURES, OUTCOMES, OUTCOME_TOTALS):  # statistics for the planner
                conn.execute(f"ANALYZE [{table}]")
        conn.execute("DELETE FROM temp.fresh_reports")
    return int(fresh)


# Each current report read from an attachment whose page (the capture's parent) also
# gave a current report of the same year: the page and its attachments are one group.
_PAGE_GROUPS = """
SELECT p.id, p.agency, p.n_cells, a.id, a.agency, a.n_cells, p.document_key
FROM reports a
JOIN captures c ON c.id = a.capture_id
JOIN reports p ON p.document_key = c.parent_url AND p.is_current = 1 AND p.id <> a.id
WHERE a.is_current = 1 AND c.kind = 'attachment' AND c.parent_url IS NOT NULL
  AND a.year = p.year
ORDER BY p.id, a.id
"""


def _same_body(a: str | None, b: str | None) -> bool:
    """Agency names of one body as a page title and its attachment may print them
    ("宽城区" / "长春市宽城区"): equal, one inside the other, or one unknown."""
    if not a or not b:
        return True
    return a in b or b in a


def same_as_pairs(groups: list[tuple]) -> dict[int, tuple[int, str]]:
    """report id → (the report it repeats, the page's URL), from ``_PAGE_GROUPS`` rows.
    Kept in each group: the most cells, then the page, then the first written."""
    by_page: dict[int, list[tuple[int, str | None, int, bool]]] = {}
    urls: dict[int, str] = {}
    for page, page_agency, page_cells, att, att_agency, att_cells, url in groups:
        members = by_page.setdefault(page, [(page, page_agency, page_cells or 0, True)])
        members.append((att, att_agency, att_cells or 0, False))
        urls[page] = url
    out: dict[int, tuple[int, str]] = {}
    for page, members in by_page.items():
        keep = max(members, key=lambda m: (m[2], m[3], -m[0]))
        for report_id, agency, _, _ in members:
            if report_id != keep[0] and report_id not in out and _same_body(agency, keep[1]):
                out[report_id] = (keep[0], urls[page])
    return out


def _refresh_same_as(conn: sqlite3.Connection) -> bool:
    """Recompute ``report_same_as`` (a few rows: attachments of pages); True if it changed."""
    pairs = same_as_pairs(conn.execute(_PAGE_GROUPS).fetchall())
    before = {(r, s, u) for r, s, u in conn.execute(
        f"SELECT report_id, same_as, page_url FROM {SAME_AS}")}
    after = {(r, s, u) for r, (s, u) in pairs.items()}
    if before == after:
        return False
    conn.execute(f"DELETE FROM {SAME_AS}")
    conn.executemany(f"INSERT INTO {SAME_AS} (report_id, same_as, page_url) VALUES (?, ?, ?)",
                     sorted(after))
    return True


def _fill_outcomes(conn, params: dict[str, str]) -> None:
    """``report_outcomes`` of the fresh reports, through the two tiny outcome tables."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS outcome_rows"
                 " (id INTEGER PRIMARY KEY, outcome TEXT)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS outcome_nested"
                 " (parent INTEGER, child INTEGER, PRIMARY KEY (parent, child))")
    conn.execute("DELETE FROM temp.outcome_rows")
    conn.execute("DELETE FROM temp.outcome_nested")
    conn.execute("INSERT INTO temp.outcome_rows (id, outcome)" + _OUTCOME_ROWS_SELECT,
                 {k: params[k] for k in ("results", "outcome_total")})
    conn.execute("INSERT INTO temp.outcome_nested (parent, child)" + _OUTCOME_NESTED_SELECT)
    conn.execute(_FILL_OUTCOMES, {"total_applicant": params["total_applicant"]})


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _bound(sql: str, params: dict[str, str]) -> str:
    """``sql`` with its named parameters written in as literals (a view takes none)."""
    for name in sorted(params, key=len, reverse=True):
        sql = sql.replace(f":{name}", _literal(params[name]))
    return sql


def fallback_views(conn: sqlite3.Connection) -> bool:
    """On an archive without summary tables (made by an older version, or written by
    something other than a build or ingest), make temporary views of the same names and
    columns, computed from the cell tables on every query: slow, but the canned queries
    and charts still answer, and correctly. Temporary objects work on a read-only
    connection and leave the file untouched. Returns True when the views were made."""
    names = {n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    needed = {"reports", "application_cells", "review_cells", "findings",
              "label_applications", "label_applicants", "label_review"}
    if not needed <= names or FIGURES in names:
        return False
    params = _params()
    outcomes = (
        f"WITH outcome_rows AS ({_OUTCOME_ROWS_SELECT}),"
        f" outcome_nested AS ({_OUTCOME_NESTED_SELECT})"
        + _OUTCOMES_SELECT.replace("__SOURCE__", "(SELECT id FROM reports WHERE is_current = 1) n")
        .replace("__ROWS__", "outcome_rows").replace("__NESTED__", "outcome_nested")
    )
    views = {
        FIGURES: _FIGURES_SELECT.replace("__SOURCE__", "reports r") + " WHERE r.is_current = 1",
        OUTCOMES: outcomes,
        OUTCOME_TOTALS: _TOTALS_SELECT,
    }
    for name, select in views.items():
        conn.execute(f"CREATE TEMP VIEW IF NOT EXISTS [{name}] AS {_bound(select, params)}")
    return True
