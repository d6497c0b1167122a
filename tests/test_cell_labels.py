"""Cells are stored with small label ids, shown with their Chinese labels by the views, in
the order the report prints them; labels the official list lacks are added, not dropped;
archives made with text labels are moved onto ids."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from parsers import Report
from parsers.format_spec import APPLICANTS, application_rows
from parsers.model import APPLICATIONS, PROACTIVE, REVIEW_LITIGATION, Cell, Finding
from zfxxgk import db as archive
from zfxxgk import labels

RECEIVED = "一、本年新收政府信息公开申请数量"
NEW_ROW = "三、本年度办理结果/（八）其他新增情形"


def _report(*cells: Cell, findings: list[Finding] | None = None) -> Report:
    return Report(agency="测试局", year=2021, format_era="2021", title="测试局2021年报告",
                  text="正文", cells=list(cells), findings=findings or [])


def _rows(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def test_cell_tables_hold_ids_and_views_the_labels(db_path: Path) -> None:
    db = archive.connect(db_path)
    rid = archive.write_report(db, _report(
        Cell(APPLICATIONS, RECEIVED, "自然人", 43, "43"),
        Cell(PROACTIVE, "规章", "本年制发件数", 2, "2"),
        Cell(REVIEW_LITIGATION, "行政复议", "结果纠正", 1, "1"),
    ), document_key="a", sha256="s1")
    db.close()
    (row_id, applicant_id, value), = _rows(
        db_path, "SELECT row_id, applicant_id, value FROM application_cells WHERE report_id = ?", rid)
    assert (type(row_id), type(applicant_id), value) == (int, int, 43.0)
    assert _rows(db_path, "SELECT [row] FROM label_applications WHERE id = ?", row_id) == [(RECEIVED,)]
    assert _rows(db_path, "SELECT report_id, [row], applicant, value, raw FROM applications") == [
        (rid, RECEIVED, "自然人", 43.0, "43")]
    assert _rows(db_path, "SELECT item, metric, value FROM proactive_items") == [
        ("规章", "本年制发件数", 2.0)]
    assert _rows(db_path, "SELECT kind, result, value FROM review_litigation") == [
        ("行政复议", "结果纠正", 1.0)]
    views = {r[0] for r in _rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert {"applications", "proactive_items", "review_litigation"} <= views


def test_label_tables_list_official_labels_in_printed_order(db_path: Path) -> None:
    archive.connect(db_path).close()
    rows = _rows(db_path, "SELECT [row] FROM label_applications ORDER BY sort")
    assert [r for (r,) in rows] == [r for r, _ in labels.APPLICATION_ROWS]
    assert _rows(db_path, "SELECT count(*) FROM label_applications WHERE id <> sort") == [(0,)]
    assert [a for (a,) in _rows(db_path, "SELECT applicant FROM label_applicants ORDER BY id")] == [
        a for a, _ in labels.APPLICANTS]
    assert _rows(db_path, "SELECT label FROM label_review WHERE id = 1") == [("行政复议/结果维持",)]


def test_a_reports_cells_list_in_printed_order(db_path: Path) -> None:
    """Written in any order, a report's cells come back row by row as printed, and within
    a row column by column (the cell tables are clustered on the label ids)."""
    order = application_rows(True)
    cells = [Cell(APPLICATIONS, row, a, i, str(i))
             for i, (row, a) in enumerate((r, a) for r in order for a in APPLICANTS)]
    db = archive.connect(db_path)
    rid = archive.write_report(db, _report(*reversed(cells)), document_key="a", sha256="s1")
    db.close()
    listed = _rows(db_path, "SELECT [row], applicant FROM applications WHERE report_id = ?", rid)
    assert listed == [(c.row, c.column) for c in cells]
    stored = _rows(db_path, "SELECT l.[row] FROM application_cells c JOIN label_applications l"
                            " ON l.id = c.row_id WHERE c.report_id = ? AND c.applicant_id = 7", rid)
    assert [r for (r,) in stored] == list(order)


def test_an_unofficial_label_is_added_not_dropped(db_path: Path) -> None:
    db = archive.connect(db_path)
    rid = archive.write_report(db, _report(Cell(APPLICATIONS, NEW_ROW, "自然人", 5, "5"),
                                           Cell(APPLICATIONS, NEW_ROW, "其他个人", 1, "1")),
                               document_key="a", sha256="s1")
    db.close()
    assert _rows(db_path, "SELECT [row], applicant, value FROM applications WHERE report_id = ?",
                 rid) == [(NEW_ROW, "自然人", 5.0), (NEW_ROW, "其他个人", 1.0)]
    (new_id, sort, gloss), = _rows(
        db_path, "SELECT id, sort, gloss_en FROM label_applications WHERE [row] = ?", NEW_ROW)
    assert new_id > len(labels.APPLICATION_ROWS) and sort > len(labels.APPLICATION_ROWS)
    assert gloss is None
    assert _rows(db_path, "SELECT id FROM label_applicants WHERE applicant = '其他个人'") == [(8,)]
    # reopening keeps the added label and every official id
    archive.connect(db_path).close()
    assert _rows(db_path, "SELECT id FROM label_applications WHERE [row] = ?", NEW_ROW) == [(new_id,)]
    assert _rows(db_path, "SELECT id FROM label_applications WHERE [row] = ?", RECEIVED) == [(1,)]


def test_a_label_added_by_a_rolled_back_report_is_added_again(db_path: Path) -> None:
    db = archive.connect(db_path)
    bad = _report(Cell(APPLICATIONS, NEW_ROW, "自然人", 5, "5"),
                  findings=[Finding("rule1_balance", "三/自然人", 1, 0, message="\ud800")])
    with pytest.raises(UnicodeEncodeError):
        archive.write_report(db, bad, document_key="bad", sha256="s0")
    assert _rows(db_path, "SELECT count(*) FROM label_applications WHERE [row] = ?", NEW_ROW) == [(0,)]
    rid = archive.write_report(db, _report(Cell(APPLICATIONS, NEW_ROW, "自然人", 5, "5")),
                               document_key="a", sha256="s1")
    db.close()
    assert _rows(db_path, "SELECT [row], value FROM applications WHERE report_id = ?", rid) == [
        (NEW_ROW, 5.0)]


def _old_archive(db_path: Path) -> None:
    """An archive as built before label ids: cell tables and label tables keyed by text."""
    archive.connect(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.executescript(f"""
            DROP VIEW applications; DROP VIEW proactive_items; DROP VIEW review_litigation;
            DROP TABLE application_cells; DROP TABLE proactive_cells; DROP TABLE review_cells;
            DROP TABLE label_applications;
            INSERT INTO reports (id, document_key, sha256, version, is_current)
                VALUES (1, 'k', 's', 1, 1);
            CREATE TABLE applications (report_id INTEGER, [row] TEXT, applicant TEXT,
                value FLOAT, raw TEXT, PRIMARY KEY (report_id, [row], applicant)) WITHOUT ROWID;
            INSERT INTO applications VALUES (1, '{RECEIVED}', '总计', 12, '12'),
                                            (1, '{NEW_ROW}', '自然人', 3, '3');
            CREATE INDEX idx_applications_row_applicant ON applications ([row], applicant);
            CREATE TABLE proactive_items (report_id INTEGER, item TEXT, metric TEXT,
                value FLOAT, raw TEXT, unit TEXT, PRIMARY KEY (report_id, item, metric))
                WITHOUT ROWID;
            INSERT INTO proactive_items VALUES (1, '政府集中采购', '采购总金额', 83.82, '83.82', '万元');
            CREATE TABLE review_litigation (report_id INTEGER, kind TEXT, result TEXT,
                value FLOAT, raw TEXT, PRIMARY KEY (report_id, kind, result)) WITHOUT ROWID;
            INSERT INTO review_litigation VALUES (1, '行政复议', '总计', 2, '2');
            CREATE TABLE label_applications ([row] TEXT PRIMARY KEY, gloss_en TEXT);
            INSERT INTO label_applications VALUES ('{RECEIVED}', 'I.');
        """)


def test_an_archive_with_text_labels_is_moved_onto_ids(db_path: Path) -> None:
    _old_archive(db_path)
    archive.connect(db_path).close()
    db = sqlite_utils.Database(db_path)
    assert {"applications", "proactive_items", "review_litigation"} <= set(db.view_names())
    assert not {"applications", "proactive_items", "review_litigation"} & set(db.table_names())
    assert _rows(db_path, "SELECT [row], applicant, value, raw FROM applications ORDER BY value") == [
        (NEW_ROW, "自然人", 3.0, "3"), (RECEIVED, "总计", 12.0, "12")]
    assert _rows(db_path, "SELECT item, metric, value, unit FROM proactive_items") == [
        ("政府集中采购", "采购总金额", 83.82, "万元")]
    assert _rows(db_path, "SELECT kind, result, value FROM review_litigation") == [
        ("行政复议", "总计", 2.0)]
    assert db["label_applications"].count == len(labels.APPLICATION_ROWS) + 1
    # and opening it again changes nothing
    archive.connect(db_path).close()
    assert _rows(db_path, "SELECT count(*) FROM applications") == [(2,)]


def _open_archive_repeatedly(path: str, times: int) -> int:
    """Open (and so set up) the archive ``times`` times; the number of opens that failed."""
    failed = 0
    for _ in range(times):
        try:
            db = archive.connect(path)
            archive.ensure_schema(db)
            db.conn.close()
        except sqlite3.OperationalError:
            failed += 1
    return failed


def test_writers_opening_one_archive_at_once_wait_for_each_other(tmp_path: Path) -> None:
    """Several processes setting up one archive at the same moment (concurrent crawls of a
    shared frontier do this): none fails with "database is locked", the label tables end
    up filled once."""
    import multiprocessing

    path = str(tmp_path / "archive.db")
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        failures = pool.starmap(_open_archive_repeatedly, [(path, 10)] * 3)
    assert failures == [0, 0, 0]
    db = sqlite_utils.Database(path)
    assert db.execute("SELECT count(*), count(DISTINCT applicant) FROM label_applicants").fetchone() == (
        len(APPLICANTS), len(APPLICANTS))
