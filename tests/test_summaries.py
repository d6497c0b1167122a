"""The summary tables (``zfxxgk.summaries``) against the queries they replace.

The canned queries and dashboard charts read ``report_figures`` / ``outcome_totals``,
computed once per report at the end of a build. Here a real archive is built (seeds and
generated reports, ``tests/product_archive``), then one document is replaced by another
report (a new version, whose figures must replace the old ones), and every rewritten query
must return exactly what the original SQL over the reports and cell tables returns: same
columns, same rows, same order. The original SQL is kept below as the oracle.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
import yaml

from tests.product_archive import SOURCES, build_product_archive
from zfxxgk import summaries
from zfxxgk.build import build_archive
from zfxxgk.generator import generate_report, render
from zfxxgk.serve import METADATA

SUMMARY_TABLES = (summaries.FIGURES, summaries.OUTCOMES, summaries.OUTCOME_TOTALS)

# The queries as first written, straight over the reports and cell tables: the oracle.
ORIGINAL_QUERIES = {
    "totals_by_year": """
with total as (
  select id from label_applicants where applicant = '总计'
), received as materialized (
  select report_id, value from application_cells
  where row_id = (select id from label_applications where row = '一、本年新收政府信息公开申请数量')
    and applicant_id = (select id from total)
), carried as materialized (
  select report_id, value from application_cells
  where row_id = (select id from label_applications where row = '二、上年结转政府信息公开申请数量')
    and applicant_id = (select id from total)
), corrected as materialized (
  select report_id, sum(value) as value from review_cells
  where label_id in (select id from label_review where result = '结果纠正')
  group by report_id
), inconsistent as materialized (
  select distinct report_id from findings
  where rule in ('rule1_balance', 'rule2_outcomes', 'rule3_applicant_total', 'rule4_review_total')
)
select
  r.year as "年度 year",
  count(*) as "报告数 reports",
  count(distinct r.agency) as "机关数 agencies",
  sum(rc.value) as "新收申请 applications received",
  sum(ca.value) as "上年结转 carried over",
  sum(co.value) as "被纠正 corrected",
  sum(i.report_id is not null) as "数字不符 inconsistent",
  sum(r.is_late = 1) as "逾期发布 late"
from reports r
left join received rc on rc.report_id = r.id
left join carried ca on ca.report_id = r.id
left join corrected co on co.report_id = r.id
left join inconsistent i on i.report_id = r.id
where r.is_current = 1
group by r.year
order by r.year desc
""",
    "by_province_level": """
with received as (
  select report_id, value from application_cells
  where row_id = (select id from label_applications where row = '一、本年新收政府信息公开申请数量')
    and applicant_id = (select id from label_applicants where applicant = '总计')
)
select
  coalesce(r.province, '（未识别）') as "省份 province",
  coalesce(r.level, '（未识别）') as "层级 level",
  count(*) as "报告数 reports",
  count(distinct r.agency) as "机关数 agencies",
  min(r.year) as "最早年度 first year",
  max(r.year) as "最近年度 last year",
  sum(a.value) as "新收申请 applications received"
from reports r
left join received a on a.report_id = r.id
where r.is_current = 1
group by 1, 2
order by 3 desc, 1, 2
""",
    "top_agencies": """
with received as (
  select report_id, value from application_cells
  where row_id = (select id from label_applications where row = '一、本年新收政府信息公开申请数量')
    and applicant_id = (select id from label_applicants where applicant = '总计')
)
select
  r.agency as "机关 agency",
  r.province as "省份 province",
  r.level as "层级 level",
  count(*) as "报告数 reports",
  group_concat(r.year, '、') as "年度 years",
  sum(a.value) as "新收申请 applications received"
from reports r
join received a on a.report_id = r.id
where r.is_current = 1
  and (:year = '' or r.year = cast(:year as integer))
group by r.agency, r.province, r.level
having sum(a.value) > 0
order by sum(a.value) desc, r.agency
limit 100
""",
    "outcome_mix": """
with current as (
  select id from reports
  where is_current = 1 and (:year = '' or year = cast(:year as integer))
), outcome as (
  select id, substr(row, length('三、本年度办理结果/') + 1) as path
  from label_applications
  where row > '三、本年度办理结果/' and row < '三、本年度办理结果0'
    and row <> '三、本年度办理结果/（七）总计'
), nested as (
  select p.id as parent, c.id as child
  from label_applications p
  join label_applications c on c.row > p.row || '/' and c.row < p.row || '0'
), grouped as (
  select
    case when instr(o.path, '/') > 0 then substr(o.path, 1, instr(o.path, '/') - 1)
         else o.path end as outcome,
    sum(a.value) as n,
    count(distinct a.report_id) as reports
  from outcome o
  cross join application_cells a on a.row_id = o.id
    and a.applicant_id = (select id from label_applicants where applicant = '总计')
  where +a.report_id in current
    and (o.id not in (select parent from nested) or not exists (
      select 1 from nested n
      join application_cells c on c.report_id = a.report_id and c.row_id = n.child
        and c.applicant_id = a.applicant_id
      where n.parent = a.row_id
    ))
  group by 1
)
select
  g.outcome as "办理结果 outcome",
  l.gloss_en as "英文 English",
  g.n as "件数 applications",
  round(100.0 * g.n / nullif((select sum(n) from grouped), 0), 1) as "占比 share %",
  g.reports as "报告数 reports"
from grouped g
left join label_applications l on l.row = '三、本年度办理结果/' || g.outcome
order by instr('一二三四五六', substr(g.outcome, 2, 1))
""",
    "inconsistent_reports": """
select
  f.report_id,
  r.agency as "机关 agency",
  r.year as "年度 year",
  f.rule as "规则 rule",
  lr.description_zh as "规则说明 rule",
  f.location as "位置 location",
  f.expected as "应为 expected",
  f.actual as "实为 actual"
from findings f
join reports r on r.id = f.report_id
left join label_rules lr on lr.rule = f.rule
where r.is_current = 1
  and f.rule in ('rule1_balance', 'rule2_outcomes', 'rule3_applicant_total', 'rule4_review_total')
order by r.year desc, r.agency, f.id
""",
    "corrected_cases": """
select
  rl.report_id,
  r.agency as "机关 agency",
  r.province as "省份 province",
  r.year as "年度 year",
  lv.kind as "类别 kind",
  lv.gloss_en as "英文 English",
  rl.value as "纠正件数 corrected",
  (select t.value from review_cells t
   where t.report_id = rl.report_id
     and t.label_id = (select id from label_review where kind = lv.kind and result = '总计'))
    as "总件数 total cases"
from label_review lv
join review_cells rl on rl.label_id = lv.id and rl.value > 0
join reports r on r.id = rl.report_id
where lv.result = '结果纠正' and r.is_current = 1
order by rl.value desc, r.year desc, r.agency
""",
    "agency_years": """
with total as (
  select id from label_applicants where applicant = '总计'
), y as (
  select
    r.id as report_id, r.agency, r.year,
    (select value from application_cells a where a.report_id = r.id
      and a.row_id = (select id from label_applications where row = '一、本年新收政府信息公开申请数量')
      and a.applicant_id = (select id from total)) as received,
    (select value from application_cells a where a.report_id = r.id
      and a.row_id = (select id from label_applications where row = '三、本年度办理结果/（一）予以公开')
      and a.applicant_id = (select id from total)) as disclosed,
    (select sum(value) from review_cells t where t.report_id = r.id
      and t.label_id in (select id from label_review where result = '结果纠正')) as corrected
  from reports r
  where r.is_current = 1 and :agency <> '' and r.agency like '%' || :agency || '%'
)
select
  report_id,
  agency as "机关 agency",
  year as "年度 year",
  received as "新收申请 received",
  received - lag(received) over w as "较上年 change",
  round(100.0 * (received - lag(received) over w) / nullif(lag(received) over w, 0), 1)
    as "变化率 change %",
  disclosed as "予以公开 disclosed",
  corrected as "被纠正 corrected"
from y
window w as (partition by agency order by year)
order by agency, year
""",
    "missing_reports": """
select
  s.id as "来源 source_id",
  s.agency as "机关 agency",
  s.province as "省份 province",
  s.city as "城市 city",
  s.level as "层级 level",
  s.start_urls as "起始网址 start URLs"
from sources s
where :year <> ''
  and not exists (
    select 1 from reports r
    where r.is_current = 1 and r.year = cast(:year as integer)
      and (r.source_id = s.id or (r.source_id is null and r.agency = s.agency))
  )
order by s.province, s.agency
""",
    "late_reports": """
select
  r.id as report_id,
  r.agency as "机关 agency",
  r.province as "省份 province",
  r.level as "层级 level",
  r.year as "年度 year",
  r.published_on as "发布日期 published on",
  r.published_on_source as "日期来源 date from",
  coalesce(r.deadline, (r.year + 1) || '-01-31') as "期限 deadline",
  cast(julianday(r.published_on)
       - julianday(coalesce(r.deadline, (r.year + 1) || '-01-31')) as integer)
    as "逾期天数 days late"
from reports r
where r.is_current = 1
  and coalesce(r.is_late,
               r.published_on > coalesce(r.deadline, (r.year + 1) || '-01-31')) = 1
order by 9 desc, r.agency
""",
}

# The dashboard's chart queries as first written (``[[ ... ]]``: the optional province filter).
ORIGINAL_CHARTS = {
    "reports-total": """
select count(*) as n from reports where is_current = 1 [[ and province = :province ]]
""",
    "applications-total": """
select cast(coalesce(sum(a.value), 0) as integer) as n
from reports r join application_cells a on a.report_id = r.id
  and a.row_id = (select id from label_applications where row = '一、本年新收政府信息公开申请数量')
  and a.applicant_id = (select id from label_applicants where applicant = '总计')
where r.is_current = 1 [[ and r.province = :province ]]
""",
    "applications-per-year": """
select r.year as year, sum(a.value) as received
from reports r join application_cells a on a.report_id = r.id
  and a.row_id = (select id from label_applications where row = '一、本年新收政府信息公开申请数量')
  and a.applicant_id = (select id from label_applicants where applicant = '总计')
where r.is_current = 1 and r.year is not null [[ and r.province = :province ]]
group by r.year order by r.year
""",
    "outcome-shares": """
with current as (
  select id from reports r where r.is_current = 1 [[ and r.province = :province ]]
), outcome as (
  select id, substr(row, length('三、本年度办理结果/') + 1) as path
  from label_applications
  where row > '三、本年度办理结果/' and row < '三、本年度办理结果0'
    and row <> '三、本年度办理结果/（七）总计'
), nested as (
  select p.id as parent, c.id as child
  from label_applications p
  join label_applications c on c.row > p.row || '/' and c.row < p.row || '0'
), leaves as (
  select o.path, sum(a.value) as value
  from outcome o
  cross join application_cells a on a.row_id = o.id
    and a.applicant_id = (select id from label_applicants where applicant = '总计')
  where +a.report_id in current
    and (o.id not in (select parent from nested) or not exists (
      select 1 from nested n
      join application_cells c on c.report_id = a.report_id and c.row_id = n.child
        and c.applicant_id = a.applicant_id
      where n.parent = a.row_id
    ))
  group by o.id
)
select
  case when instr(path, '/') > 0 then substr(path, 1, instr(path, '/') - 1)
       else path end as outcome,
  sum(value) as n,
  instr('一二三四五六', substr(min(path), 2, 1)) as "order"
from leaves group by 1 having sum(value) > 0
order by instr('一二三四五六', substr(outcome, 2, 1))
""",
    "reports-by-province": """
select coalesce(province, '（未识别）') as province, count(*) as reports
from reports where is_current = 1 [[ and province = :province ]]
group by 1 order by 2 desc
""",
    "findings-rate": """
select r.year as year,
  round(100.0 * sum(exists (
    select 1 from findings f where f.report_id = r.id
    and f.rule in ('rule1_balance', 'rule2_outcomes', 'rule3_applicant_total', 'rule4_review_total')
  )) / count(*), 1) as percent,
  count(*) as reports
from reports r
where r.is_current = 1 and r.year is not null [[ and r.province = :province ]]
group by r.year order by r.year
""",
}


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    """The product archive, then one generated document replaced by another report under
    the same name and built again: a second version that becomes current."""
    archive = build_product_archive(tmp_path_factory.mktemp("summaries") / "archive")
    docs = archive.root / "documents"
    replaced = sorted(p for p in docs.iterdir() if p.name.endswith("_tabs.txt"))[0]
    other = render(generate_report(777, level="部门", consistent=False, broken_rule=1), "tabs")
    replaced.write_bytes(other.data)
    stats = build_archive(docs, archive.db_path, log=lambda _: None, workers=1)
    assert stats.versions_added == 1
    return archive.db_path


@pytest.fixture(scope="module")
def conn(archive_path):
    con = sqlite3.connect(archive_path)
    yield con
    con.close()


def _metadata() -> dict:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


def _run(conn: sqlite3.Connection, sql: str, params: dict[str, str]):
    cur = conn.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()


def _params(conn: sqlite3.Connection, names: list[str]) -> list[dict[str, str]]:
    """Every parameter value worth trying: empty, each year in the archive and one
    without reports; whole agency names, a part shared by many, and no match."""
    years = [str(y) for (y,) in conn.execute("select distinct year from reports")]
    agencies = [a for (a,) in conn.execute("select distinct agency from reports limit 4")]
    values = {"year": ["", "1999", *years], "agency": ["", "局", "区", "没有这个机关", *agencies]}
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in values[name]]
    return combos


def test_archive_has_what_the_queries_look_for(conn):
    """The comparison means something: several years, findings of rules 1–4, corrections,
    late reports, a superseded version and registry agencies with and without reports."""
    (years,) = conn.execute("select count(distinct year) from reports").fetchone()
    (old,) = conn.execute("select count(*) from reports where is_current = 0").fetchone()
    (inconsistent,) = conn.execute(
        "select count(distinct report_id) from findings where rule like 'rule_\\_%' escape '\\'"
    ).fetchone()
    (corrected,) = conn.execute(
        "select count(*) from review_cells c join label_review l on l.id = c.label_id"
        " where l.result = '结果纠正' and c.value > 0").fetchone()
    (late,) = conn.execute("select count(*) from reports where is_late = 1").fetchone()
    assert years >= 2 and old == 1 and inconsistent >= 4 and corrected >= 1 and late >= 1
    assert len(SOURCES) == conn.execute("select count(*) from sources").fetchone()[0]


def test_figures_cover_exactly_the_current_reports(conn):
    current = {r for (r,) in conn.execute("select id from reports where is_current = 1")}
    figures = [r for (r,) in conn.execute(f"select report_id from {summaries.FIGURES}")]
    assert sorted(figures) == sorted(current)
    outcome_reports = {r for (r,) in conn.execute(f"select report_id from {summaries.OUTCOMES}")}
    assert outcome_reports <= current and outcome_reports
    (stale,) = conn.execute("select id from reports where is_current = 0").fetchone()
    assert stale not in figures and stale not in outcome_reports


@pytest.mark.parametrize("slug", sorted(ORIGINAL_QUERIES))
def test_canned_query_equals_original(conn, slug):
    spec = _metadata()["databases"]["archive"]["queries"][slug]
    assert any(t in spec["sql"] for t in SUMMARY_TABLES) or slug == "corrected_cases"
    rows = 0
    for params in _params(conn, spec.get("params", [])):
        new = _run(conn, spec["sql"], params)
        assert new == _run(conn, ORIGINAL_QUERIES[slug], params), params
        rows += len(new[1])
    assert rows > 0  # the archive has something for every query


# Charts whose original order leaves ties unordered (``order by 2 desc``): same rows.
TIES_UNORDERED = {"reports-by-province"}


def _expand(query: str, province: str | None) -> tuple[str, dict[str, str]]:
    """A chart query without (``province`` None) or with its optional filter."""
    if province is None:
        return re.sub(r"\[\[.*?\]\]", "", query, flags=re.S), {}
    return re.sub(r"\[\[(.*?)\]\]", r"\1", query, flags=re.S), {"province": province}


@pytest.mark.parametrize("slug", sorted(ORIGINAL_CHARTS))
def test_dashboard_chart_equals_original(conn, slug):
    query = _metadata()["plugins"]["datasette-dashboards"]["overview"]["charts"][slug]["query"]
    assert any(t in query for t in SUMMARY_TABLES)
    provinces = [p for (p,) in conn.execute("select distinct province from reports")]
    rows = 0
    for province in [None, "没有这个省", *provinces]:
        new_sql, params = _expand(query, province)
        old_sql, _ = _expand(ORIGINAL_CHARTS[slug], province)
        new, old = _run(conn, new_sql, params), _run(conn, old_sql, params)
        if slug in TIES_UNORDERED:
            new, old = (new[0], sorted(new[1])), (old[0], sorted(old[1]))
        assert new == old, province
        rows += len(new[1])
    assert rows > len(provinces)


def _contents(db_path: Path) -> dict[str, list]:
    con = sqlite3.connect(db_path)
    try:
        return {t: sorted(con.execute(f"select * from {t}"), key=repr) for t in SUMMARY_TABLES}
    finally:
        con.close()


def test_refresh_is_idempotent_and_equals_a_full_recompute(archive_path, tmp_path):
    before = _contents(archive_path)
    copy = tmp_path / "archive.db"
    shutil.copy(archive_path, copy)
    db = sqlite_utils.Database(copy)
    assert summaries.refresh(db) == 0  # nothing new: nothing recomputed
    assert _contents(copy) == before
    for table in SUMMARY_TABLES:
        db[table].drop()
    (current,) = db.execute("select count(*) from reports where is_current = 1").fetchone()
    assert summaries.refresh(db) == current
    db.close()
    assert _contents(copy) == before


def test_an_older_version_made_current_again_gets_its_figures_back(archive_path, tmp_path):
    copy = tmp_path / "archive.db"
    shutil.copy(archive_path, copy)
    db = sqlite_utils.Database(copy)
    (old, key) = db.execute("select id, document_key from reports where is_current = 0").fetchone()
    db.execute("update reports set is_current = (id = ?) where document_key = ?", [old, key])
    db.conn.commit()
    assert summaries.refresh(db) == 1
    figures = {r for (r,) in db.execute(f"select report_id from {summaries.FIGURES}")}
    current = {r for (r,) in db.execute("select id from reports where is_current = 1")}
    assert old in figures and figures == current
    db.close()


def test_an_archive_without_summary_tables_answers_through_fallback_views(archive_path, tmp_path):
    """An archive written without a build's last step (or by an older version) gets
    temporary views of the same names: every query gives the same answer, read-only."""
    copy = tmp_path / "archive.db"
    shutil.copy(archive_path, copy)
    db = sqlite_utils.Database(copy)
    for table in SUMMARY_TABLES:
        db[table].drop()
    db.close()
    built = sqlite3.connect(archive_path)
    bare = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        assert summaries.fallback_views(bare)
        assert not summaries.fallback_views(built)  # has the tables: left alone
        queries = _metadata()["databases"]["archive"]["queries"]
        for slug in ORIGINAL_QUERIES:
            spec = queries[slug]
            for params in _params(built, spec.get("params", [])):
                assert _run(bare, spec["sql"], params) == _run(built, spec["sql"], params), slug
        for table in SUMMARY_TABLES:
            order = "order by " + ", ".join(str(i + 1) for i in range(3))
            assert _run(bare, f"select * from {table} {order}", {}) == \
                _run(built, f"select * from {table} {order}", {}), table
    finally:
        built.close()
        bare.close()
