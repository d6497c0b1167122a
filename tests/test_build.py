"""Building the archive: seed numbers land in the tables, builds are idempotent, changed
bytes make versions, bad files become parse_failures, a report is written whole or not
at all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from parsers import Finding, Report, parse
from parsers.model import APPLICATIONS, PROACTIVE, REVIEW_LITIGATION, Cell
from tests.conftest import SEED_FILES, copy_seeds, write_generated
from zfxxgk import db as archive
from zfxxgk import fts
from zfxxgk.build import BuildStats, build_archive

KUANCHENG = "001_fc3b1788af86ec1f.txt"
DEHUI = "002_f5d5ef7bb5443bb4.txt"
QIANJIN = "003_cfbb34af7d24d30b.txt"
TABLES = ["reports", "proactive_items", "applications", "review_litigation", "extras",
          "findings", "parse_failures"]


def quiet(_: str) -> None:
    pass


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path / "docs")


@pytest.fixture
def built(seeds: Path, tmp_path: Path) -> tuple[Path, BuildStats]:
    db_path = tmp_path / "archive.db"
    return db_path, build_archive(seeds, db_path, log=quiet)


def one(db_path: Path, sql: str, *params: object) -> object:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(sql, params).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


def counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def report_id(db_path: Path, key: str) -> int:
    return one(db_path, "SELECT id FROM reports WHERE document_key = ? AND is_current = 1", key)


def test_seed_build_stats(built) -> None:
    db_path, stats = built
    assert (stats.documents, stats.reports_added, stats.failures) == (5, 5, 0)
    assert stats.reports_unchanged == 0 and stats.versions_added == 0
    assert stats.cells == 5 * 198
    assert counts(db_path)["reports"] == 5
    assert counts(db_path)["applications"] == 5 * 161
    assert counts(db_path)["proactive_items"] == 5 * 22
    assert counts(db_path)["review_litigation"] == 5 * 15


def test_kuancheng_new_applications_by_natural_persons(built) -> None:
    db_path, _ = built
    rid = report_id(db_path, KUANCHENG)
    value = one(db_path, "SELECT value FROM applications WHERE report_id = ? AND row = ?"
                " AND applicant = '自然人'", rid, "一、本年新收政府信息公开申请数量")
    assert value == 43
    assert one(db_path, "SELECT agency, year, format_era FROM reports WHERE id = ?", rid) == (
        "宽城区", 2020, "2019")


def test_kuancheng_region_and_deadline(built) -> None:
    db_path, _ = built
    rid = report_id(db_path, KUANCHENG)
    row = one(db_path, "SELECT province, city, county, level, published_on, deadline, is_late"
                       " FROM reports WHERE id = ?", rid)
    assert row == ("吉林省", "长春市", "宽城区", "县级", "2021-01-20", "2021-03-31", 0)


def test_dehui_procurement_amount_keeps_its_unit(built) -> None:
    db_path, _ = built
    rid = report_id(db_path, DEHUI)
    row = one(db_path, "SELECT value, unit FROM proactive_items WHERE report_id = ?"
                       " AND item = '政府集中采购' AND metric = '采购总金额'", rid)
    assert row == (83.82, "万元")
    assert one(db_path, "SELECT level FROM reports WHERE id = ?", rid) == "部门"


def test_kuancheng_amount_without_unit_has_none(built) -> None:
    db_path, _ = built
    rid = report_id(db_path, KUANCHENG)
    row = one(db_path, "SELECT value, unit FROM proactive_items WHERE report_id = ?"
                       " AND item = '政府集中采购' AND metric = '采购总金额'", rid)
    assert row == (79245.26, None)
    assert one(db_path, "SELECT value FROM proactive_items WHERE report_id = ?"
                        " AND item = '行政强制' AND metric = '本年增/减'", rid) == -3


def test_extras_are_stored(built) -> None:
    db_path, _ = built
    rid = report_id(db_path, KUANCHENG)
    assert one(db_path, "SELECT key, value FROM extras WHERE report_id = ?", rid) == (
        "政府信息公开发布总数量（非新闻类、消息类）", 106)


def test_seed_003_has_a_rule1_balance_finding(built) -> None:
    db_path, _ = built
    rid = report_id(db_path, QIANJIN)
    with sqlite3.connect(db_path) as conn:
        rules = {r[0] for r in conn.execute(
            "SELECT rule FROM findings WHERE report_id = ?", [rid])}
        n = conn.execute("SELECT n_findings FROM reports WHERE id = ?", [rid]).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM findings WHERE report_id = ?", [rid]).fetchone()[0]
    assert "rule1_balance" in rules
    assert n == total > 0
    assert one(db_path, "SELECT count(*) FROM findings WHERE report_id = ?",
               report_id(db_path, KUANCHENG)) == 0


def test_database_holds_exactly_what_the_parser_read(built, seeds: Path) -> None:
    """Every cell of every seed, as parsed, is in the database with its value and raw."""
    db_path, _ = built
    with sqlite3.connect(db_path) as conn:
        for path in sorted(seeds.iterdir()):
            report = parse(path.read_bytes(), name=path.name)
            rid = report_id(db_path, path.name)
            stored = set()
            for table, a, b, unit in [("proactive_items", "item", "metric", "unit"),
                                      ("applications", "row", "applicant", "NULL"),
                                      ("review_litigation", "kind", "result", "NULL")]:
                stored |= {(table, *r) for r in conn.execute(
                    f"SELECT {a}, {b}, value, {unit} FROM {table} WHERE report_id = ?", [rid])}
            names = {PROACTIVE: "proactive_items", APPLICATIONS: "applications",
                     REVIEW_LITIGATION: "review_litigation"}
            expected = {
                (names[c.table], c.row, c.column,
                 None if c.value is None else float(c.value),
                 c.unit if c.table == PROACTIVE else None)
                for c in report.cells
            }
            assert stored == expected, path.name
            text = conn.execute("SELECT text, title FROM reports WHERE id = ?", [rid]).fetchone()
            assert text == (report.text, report.title)


def test_second_build_adds_nothing(built, seeds: Path) -> None:
    db_path, _ = built
    before = counts(db_path)
    stats = build_archive(seeds, db_path, log=quiet)
    assert (stats.documents, stats.reports_added, stats.reports_unchanged) == (5, 0, 5)
    assert (stats.versions_added, stats.failures, stats.cells) == (0, 0, 0)
    assert counts(db_path) == before


def test_changed_file_becomes_version_2_and_keeps_version_1(built, seeds: Path) -> None:
    db_path, _ = built
    path = seeds / KUANCHENG
    old_id = report_id(db_path, KUANCHENG)
    path.write_bytes(path.read_bytes() + "\n附：更正版。\n".encode())
    stats = build_archive(seeds, db_path, log=quiet)
    assert (stats.reports_added, stats.versions_added, stats.reports_unchanged) == (1, 1, 4)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT id, version, is_current FROM reports WHERE document_key = ? ORDER BY version",
            [KUANCHENG]).fetchall()
    assert rows[0] == (old_id, 1, 0)
    assert rows[1][1:] == (2, 1)
    # version 1 keeps its cells; version 2 has its own
    for rid in (rows[0][0], rows[1][0]):
        assert one(db_path, "SELECT count(*) FROM applications WHERE report_id = ?", rid) == 161
    assert one(db_path, "SELECT count(*) FROM reports WHERE is_current = 1") == 5


def test_garbage_file_is_a_parse_failure_and_the_rest_builds(seeds: Path, tmp_path: Path) -> None:
    (seeds / "broken.bin").write_bytes(bytes(range(256)) * 40)
    (seeds / "empty.txt").write_bytes(b"")
    db_path = tmp_path / "archive.db"
    stats = build_archive(seeds, db_path, log=quiet)
    assert (stats.documents, stats.reports_added, stats.failures) == (7, 5, 2)
    with sqlite3.connect(db_path) as conn:
        failures = dict(conn.execute("SELECT document_key, error FROM parse_failures"))
    assert set(failures) == {"broken.bin", "empty.txt"}
    assert all(failures.values())
    # a second build does not record the same failures again
    again = build_archive(seeds, db_path, log=quiet)
    assert (again.reports_added, again.failures, again.reports_unchanged) == (0, 0, 7)
    assert counts(db_path)["parse_failures"] == 2


def test_progress_is_logged_in_chinese_then_english(seeds: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    build_archive(seeds, tmp_path / "archive.db", log=lines.append)
    assert lines[-1].startswith("建库完成：5 份文件")
    assert "build done: 5 documents, 5 reports added" in lines[-1]


def test_search_index_has_one_row_per_report(built) -> None:
    db_path, _ = built
    assert one(db_path, "SELECT count(*) FROM reports_fts") == 5
    # plain sqlite3 reads the index (no custom tokenizer): 宽城 is 5bbd 57ce
    assert one(db_path, "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?",
               'bigrams : "5bbd57ce"') == report_id(db_path, KUANCHENG)


def test_wal_mode(built) -> None:
    db_path, _ = built
    assert one(db_path, "PRAGMA journal_mode") == "wal"


def _report_with_bad_finding() -> Report:
    return Report(
        agency="测试局", year=2020, format_era="2019", title="测试局2020年报告", text="正文",
        cells=[Cell(APPLICATIONS, "一、本年新收政府信息公开申请数量", "自然人", 1, "1")],
        findings=[Finding("rule1_balance", "三/自然人", 1, 0, message="\ud800")],
    )


def test_a_report_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """A failure after the report row and its cells were inserted leaves no trace."""
    db = archive.connect(tmp_path / "archive.db")
    before = counts(tmp_path / "archive.db")
    db.begin()
    with pytest.raises(UnicodeEncodeError):
        archive.write_report(db, _report_with_bad_finding(), document_key="x.txt", sha256="ab")
    db.commit()
    db.close()
    assert counts(tmp_path / "archive.db") == before
    assert one(tmp_path / "archive.db", "SELECT count(*) FROM reports_fts") == 0


def test_write_report_versions_and_duplicates(tmp_path: Path) -> None:
    db = archive.connect(tmp_path / "archive.db")
    first = Report(agency="长春市宽城区", year=2020, title="t1", text="一",
                   cells=[Cell(PROACTIVE, "规章", "本年新制作数量", 1, "1"),
                          Cell(PROACTIVE, "规章", "本年新制作数量", 2, "2")])
    second = Report(agency="长春市宽城区", year=2021, title="t2", text="二")
    a = archive.write_report(db, first, document_key="k", sha256="s1")
    b = archive.write_report(db, second, document_key="k", sha256="s2")
    assert archive.write_report(db, second, document_key="k", sha256="s2") is None
    rows = list(db.execute("SELECT id, version, is_current FROM reports ORDER BY id"))
    assert rows == [(a, 1, 0), (b, 2, 1)]
    # the repeated cell is kept once and reported as a finding
    assert list(db.execute("SELECT value FROM proactive_items WHERE report_id = ?", [a])) == [(1.0,)]
    assert list(db.execute("SELECT rule FROM findings WHERE report_id = ?", [a])) == [
        ("duplicate_cell",)]
    # the old bytes coming back make version 1 current again, without a new report
    assert archive.write_report(db, first, document_key="k", sha256="s1") is None
    assert list(db.execute("SELECT id FROM reports WHERE is_current = 1")) == [(a,)]
    db.close()


def test_labels_are_filled(built) -> None:
    db_path, _ = built
    db = sqlite_utils.Database(db_path)
    assert db["label_applicants"].count == 7
    assert db["label_review"].count == 15
    rows = {r["row"] for r in db["label_applications"].rows}
    with sqlite3.connect(db_path) as conn:
        used = {r[0] for r in conn.execute("SELECT DISTINCT row FROM applications")}
    assert used <= rows
    assert db["label_rules"].get("rule1_balance")["description_zh"].startswith("各申请人列")


def test_worker_processes_build_the_same_archive(tmp_path: Path, monkeypatch) -> None:
    """Above the pool threshold, parsing runs in worker processes, and a large build
    defers the cell indexes: same archive as inline parsing with indexes kept."""
    import zfxxgk.build

    docs = tmp_path / "docs"
    write_generated(docs, 210, first_seed=5000)
    copy_seeds(docs)
    inline = build_archive(docs, tmp_path / "a" / "archive.db", log=quiet, workers=1)
    monkeypatch.setattr(zfxxgk.build, "BULK_MIN_DOCUMENTS", 100)
    pooled = build_archive(docs, tmp_path / "b" / "archive.db", log=quiet, workers=2)
    indexes = {i.name for i in sqlite_utils.Database(tmp_path / "b" / "archive.db")[
        "application_cells"].indexes}
    assert "idx_application_cells_row_id_applicant_id_value" in indexes
    assert inline.reports_added == pooled.reports_added == 215 - inline.failures
    assert (inline.cells, inline.findings, inline.failures) == (
        pooled.cells, pooled.findings, pooled.failures)
    query = ("SELECT document_key, sha256, agency, year, n_cells, text FROM reports"
             " ORDER BY document_key")
    with sqlite3.connect(tmp_path / "a" / "archive.db") as a, \
            sqlite3.connect(tmp_path / "b" / "archive.db") as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        cells = "SELECT count(*), sum(value) FROM applications"
        assert a.execute(cells).fetchone() == b.execute(cells).fetchone()
        search = ("SELECT r.document_key FROM reports_fts JOIN reports r ON r.id = reports_fts.rowid"
                  " WHERE reports_fts MATCH ? ORDER BY 1")
        for term in ("信", "信息", "信息公开", "政府信息公开工作年度报告", "2021年"):
            found = a.execute(search, [fts.to_match(term)]).fetchall()
            assert found == b.execute(search, [fts.to_match(term)]).fetchall() != []


def test_seed_count() -> None:
    assert len(SEED_FILES) == 5


def test_a_batch_with_an_unwritable_report_keeps_the_others(tmp_path: Path) -> None:
    """If one report of a batch cannot be written, the batch is written again one report
    per transaction: the others land whole, the culprit becomes a parse_failures row."""
    from zfxxgk.build import _Item, _write_batches

    good = [parse(p.read_bytes(), name=p.name) for p in SEED_FILES[:2]]
    items = [
        _Item(SEED_FILES[0].name, "sha-a", report=good[0]),
        _Item("bad.txt", "sha-bad", report=_report_with_bad_finding()),
        _Item(SEED_FILES[1].name, "sha-b", report=good[1]),
        _Item("unreadable.bin", "sha-c", error="不支持的文件格式 / unsupported"),
    ]
    db = archive.connect(tmp_path / "archive.db")
    outcomes = list(_write_batches(db, items, 500))
    db.close()
    assert [(o.document_key, o.failed, o.added is not None) for o in outcomes] == [
        (SEED_FILES[0].name, False, True), ("bad.txt", True, False),
        (SEED_FILES[1].name, False, True), ("unreadable.bin", True, False)]
    got = counts(tmp_path / "archive.db")
    assert (got["reports"], got["applications"], got["parse_failures"]) == (2, 322, 2)
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        errors = dict(conn.execute("SELECT document_key, error FROM parse_failures"))
    assert errors["bad.txt"].startswith("写入失败 / write failed: UnicodeEncodeError")


def test_reports_are_written_as_they_arrive(tmp_path: Path) -> None:
    """The writer does not wait for a whole batch before writing: when the stream hands
    over a document, the ones before it are already in the open transaction (parsing
    processes and the writer then work at the same time). Batches still commit whole."""
    from zfxxgk.build import _Item, _write_batches

    reports = [parse(p.read_bytes(), name=p.name) for p in SEED_FILES[:4]]
    db = archive.connect(tmp_path / "archive.db")
    written_before: list[int] = []

    def stream() -> Iterator[_Item]:
        for i, report in enumerate(reports):
            written_before.append(db.execute("SELECT count(*) FROM reports").fetchone()[0])
            yield _Item(f"doc{i}", f"sha-{i}", report=report)

    outcomes = list(_write_batches(db, stream(), 3))
    db.close()
    assert written_before == [0, 1, 2, 3]
    assert [o.added is not None for o in outcomes] == [True] * 4
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 4


def test_a_failing_stream_leaves_its_open_batch_uncommitted(tmp_path: Path) -> None:
    """An error from the stream itself (a broken worker pool) reaches the caller; the
    reports of the batch it interrupted are not committed, earlier batches are."""
    from zfxxgk.build import _Item, _write_batches

    reports = [parse(p.read_bytes(), name=p.name) for p in SEED_FILES[:3]]

    def stream() -> Iterator[_Item]:
        for i, report in enumerate(reports):
            yield _Item(f"doc{i}", f"sha-{i}", report=report)
        raise RuntimeError("worker died")

    db = archive.connect(tmp_path / "archive.db")
    with pytest.raises(RuntimeError, match="worker died"):
        for _ in _write_batches(db, stream(), 2):
            pass
    db.rollback()
    db.close()
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        keys = [r[0] for r in conn.execute("SELECT document_key FROM reports ORDER BY 1")]
    assert keys == ["doc0", "doc1"]


def test_bulk_load_restores_the_index_even_on_error(tmp_path: Path) -> None:
    db = archive.connect(tmp_path / "archive.db")
    with pytest.raises(RuntimeError), archive.bulk_load(db):
        assert "idx_application_cells_row_id_applicant_id_value" not in {
            i.name for i in db["application_cells"].indexes}
        raise RuntimeError("stop")
    assert "idx_application_cells_row_id_applicant_id_value" in {
        i.name for i in db["application_cells"].indexes}
    settings = dict(db.execute("SELECT k, v FROM reports_fts_config"))
    assert (settings["hashsize"], settings["automerge"]) == (1 << 20, 4)  # FTS5's defaults again
    db.close()
