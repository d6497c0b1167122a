"""A page that prints a report and links the same report as an attachment: two files, one
publication. The archive keeps both reports (provenance) but counts the publication once:
``report_same_as`` lists the file left out, the summary tables and canned queries skip it.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from crawler.store import Archive
from zfxxgk import summaries
from zfxxgk.generator import generate_report, render
from zfxxgk.ingest import ingest_captures

PAGE = "http://portal.example/xxgk/ndbg/2021/t20220120_1.html"
OTHER_PAGE = "http://portal.example/xxgk/ndbg/2021/t20220121_2.html"


def _capture(store: Archive, run: int, url: str, data: bytes, content_type: str, *,
             kind: str, parent: str | None) -> None:
    store.record(url=url, body=data, status=200, headers={"Content-Type": content_type},
                 content_type=content_type, source_id=None, run_id=run, parent_url=parent,
                 kind=kind)


def _archive(tmp_path: Path) -> Path:
    db_path = tmp_path / "archive.db"
    store = Archive(db_path, tmp_path / "blobs")
    run = store.start_run(None)
    same = generate_report(501)
    other = generate_report(502)
    # the page prints the report; its attachment is the same report as a text file
    _capture(store, run, PAGE, render(same, "portal").data, "text/html", kind="report", parent=None)
    _capture(store, run, PAGE.replace(".html", ".txt"), render(same, "tabs").data,
             "text/plain; charset=utf-8", kind="attachment", parent=PAGE)
    # another page whose attachment is a different report (another body, another year)
    _capture(store, run, OTHER_PAGE, render(other, "word").data, "text/html", kind="report", parent=None)
    _capture(store, run, OTHER_PAGE.replace(".html", ".txt"), render(generate_report(503), "cells").data,
             "text/plain; charset=utf-8", kind="attachment", parent=OTHER_PAGE)
    store.db.close()
    ingest_captures(db_path, tmp_path / "blobs", log=lambda _: None)
    return db_path


def test_page_and_its_attachment_count_once(tmp_path: Path) -> None:
    db = sqlite_utils.Database(_archive(tmp_path))
    reports = {r["document_key"]: r for r in db.query(
        "SELECT id, document_key, agency, year, n_cells FROM reports WHERE is_current = 1")}
    assert len(reports) == 4  # every file stays in the archive
    page, attachment = reports[PAGE], reports[PAGE.replace(".html", ".txt")]
    assert (page["agency"], page["year"]) == (attachment["agency"], attachment["year"])
    assert page["n_cells"] == attachment["n_cells"]
    # equal cells: the page is kept, the attachment points at it
    assert list(db.query("SELECT report_id, same_as, page_url FROM report_same_as")) == [
        {"report_id": attachment["id"], "same_as": page["id"], "page_url": PAGE}]
    counted = {r["report_id"] for r in db.query("SELECT report_id FROM report_figures")}
    assert counted == {r["id"] for r in reports.values()} - {attachment["id"]}
    outcome_reports = {r["report_id"] for r in db.query("SELECT DISTINCT report_id FROM report_outcomes")}
    assert attachment["id"] not in outcome_reports
    # both ends link to their reports (Datasette shows the links on either page)
    assert {(fk.column, fk.other_table, fk.other_column) for fk in db["report_same_as"].foreign_keys} == {
        ("report_id", "reports", "id"), ("same_as", "reports", "id")}


def test_refresh_again_changes_nothing(tmp_path: Path) -> None:
    db_path = _archive(tmp_path)
    db = sqlite_utils.Database(db_path)
    before = [list(db.query(f"SELECT * FROM {t} ORDER BY 1, 2")) for t in
              ("report_same_as", "report_figures", "report_outcomes", "outcome_totals")]
    assert summaries.refresh(db) == 0
    after = [list(db.query(f"SELECT * FROM {t} ORDER BY 1, 2")) for t in
             ("report_same_as", "report_figures", "report_outcomes", "outcome_totals")]
    assert after == before


def test_grouping_rules() -> None:
    """Rows as ``_PAGE_GROUPS`` gives them: (page id, agency, cells, attachment id, agency,
    cells, page URL)."""
    url = "http://p.example/a.html"
    # the attachment read more cells than the page (a page printing only part of it)
    assert summaries.same_as_pairs([(1, "甲县", 40, 2, "甲县", 200, url)]) == {1: (2, url)}
    # a tie keeps the page; two attachments of it both point there
    assert summaries.same_as_pairs([(1, "甲县", 200, 2, "甲县", 200, url),
                                    (1, "甲县", 200, 3, "甲县", 200, url)]) == {2: (1, url), 3: (1, url)}
    # the same body under a longer name is the same body
    assert summaries.same_as_pairs([(1, "宽城区", 200, 2, "长春市宽城区", 200, url)]) == {2: (1, url)}
    # another body's report attached to the page is not a copy
    assert summaries.same_as_pairs([(1, "甲县", 200, 2, "乙县教育局", 200, url)]) == {}
