"""Every number keeps where it was read: the page of a PDF, and for a scan the pixel box and
how sure the OCR was, from the reader through the report JSON and the archive to the
report's page in Datasette.

The pages and boxes are checked against poppler (``pdftotext``), a reader independent of
the one under test: a row's numbers are on the page where poppler prints its label
followed by those numbers, and a scanned number lies where poppler places the word in
the PDF the scan was made from.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from parsers import parse
from parsers.model import APPLICATIONS, PROACTIVE
from parsers.ocr_reader import MIN_CONFIDENCE
from tests.formats_render import Block, Span, convert, have, pdf_to_pngs, render_docx, seed_pdf
from tests.product_archive import running_datasette
from tests.truth import SEEDS
from zfxxgk import db as archive
from zfxxgk.build import build_archive

pytestmark = pytest.mark.skipif(not have("soffice", "pdftotext", "pdftoppm", "tesseract"),
                                reason="LibreOffice, poppler-utils or tesseract is not installed")

SCAN_ROWS = [
    [Span("信息内容"), Span("本年制发件数"), Span("本年废止件数"), Span("现行有效件数")],
    [Span("规章"), Span("3"), Span("0"), Span("8")],
    [Span("行政规范性文件"), Span("12"), Span("5"), Span("386")],
]
SCAN_DPI = 300


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "seed004.pdf"
    path.write_bytes(seed_pdf())
    return path


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> tuple[Path, Path]:
    """A one-page scan of a table 二 (PNG, 300 dpi) and the PDF it was made from."""
    root = tmp_path_factory.mktemp("scan")
    src = root / "table.docx"
    src.write_bytes(render_docx([Block(text="二、主动公开政府信息情况"), Block(rows=SCAN_ROWS, width=4)]))
    (pdf_path,) = convert([src], "pdf", root, root / "profile")
    (png,) = pdf_to_pngs(pdf_path, root, dpi=SCAN_DPI)
    return png, pdf_path


def poppler_pages(pdf: Path) -> list[str]:
    """Each page's text as poppler reads it (content order), whitespace removed."""
    (n,) = re.findall(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout)
    pages = []
    for p in range(1, int(n) + 1):
        text = subprocess.run(["pdftotext", "-raw", "-f", str(p), "-l", str(p), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        pages.append(re.sub(r"\s+", "", text))
    return pages


def poppler_word(pdf: Path, word: str) -> tuple[float, float, float, float]:
    """The box of ``word`` on page 1, in pixels at the scan's resolution."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  + re.escape(word) + "<", html)
    assert m, word
    return tuple(float(v) * SCAN_DPI / 72 for v in m.groups())  # type: ignore[return-value]


def page_of_row(pages: list[str], label: str, printed: str) -> int | None:
    """The page where poppler prints (the start of) ``label`` right before the row's
    numbers ``printed``: the longest such start wins, at least three characters."""
    best: tuple[int, int] | None = None
    for k in range(len(label), 2, -1):
        found = [i for i, text in enumerate(pages, start=1) if label[:k] + printed in text]
        if len(found) == 1:
            best = (k, found[0])
            break
        if found:  # the same start and numbers on several pages: no answer
            return None
    return best[1] if best else None


# --- PDF -----------------------------------------------------------------------------------

def test_every_printed_cell_of_a_pdf_has_its_page(pdf) -> None:
    report = parse(pdf.read_bytes(), pdf.name)
    n_pages = len(poppler_pages(pdf))
    printed = [c for c in report.cells if c.raw.strip()]
    assert len(printed) > 190
    assert all(c.where is not None and 1 <= c.where["page"] <= n_pages for c in printed)
    assert all(set(c.where) == {"page"} for c in printed)  # a text layer: the page alone
    # unprinted cells (seed 004's last row stops after four numbers) have no place
    assert all(c.where is None for c in report.cells if not c.raw.strip() and c.value is None)
    data = report.to_json()
    assert data["applications"][0]["where"] == {"page": report.table(APPLICATIONS)[0].where["page"]}


def test_a_table_continued_over_page_breaks_keeps_each_rows_page(pdf) -> None:
    report = parse(pdf.read_bytes(), pdf.name)
    pages = poppler_pages(pdf)
    rows: dict[str, list] = {}
    for c in report.table(APPLICATIONS):
        rows.setdefault(c.row, []).append(c)
    checked: dict[str, int] = {}
    for row, cells in rows.items():
        label = re.sub(r"（[^）]*[，,][^）]*）", "", row.split("/")[-1])
        numbers = "".join(re.sub(r"\s+", "", c.raw) for c in cells)
        page = page_of_row(pages, label, numbers)
        if page is not None:
            checked[row] = page
            assert {c.where["page"] for c in cells if c.raw.strip()} == {page}, row
    # table 三 runs over three pages here, and rows on each of them were checked
    assert len(set(checked.values())) >= 3 and len(checked) >= 20
    # a row whose label is cut by the break keeps the page its numbers are on
    split = "三、本年度办理结果/（三）不予公开/2.其他法律行政法规禁止公开"
    assert split in checked and not any("2.其他法律行政法规禁止公开" in p for p in pages)
    # and the pages follow the printed order of the rows
    order = [c.where["page"] for c in report.table(APPLICATIONS) if c.where]
    assert order == sorted(order)


# --- scans ---------------------------------------------------------------------------------

def _inside(box: list[float], word: tuple[float, float, float, float], slack: float) -> bool:
    """The OCR box (the ink) lies within the word's box (its glyphs' full height), and
    covers most of its width."""
    x0, top, x1, bottom = box
    wx0, wtop, wx1, wbottom = word
    return (wx0 - slack <= x0 < x1 <= wx1 + slack and wtop - slack <= top < bottom <= wbottom + slack
            and (x1 - x0) >= 0.6 * (wx1 - wx0))


def test_scan_cells_carry_box_and_confidence(scan) -> None:
    png, source_pdf = scan
    report = parse(png.read_bytes(), png.name)
    cells = {(c.row, c.column): c for c in report.table(PROACTIVE)}
    printed = {("规章", "本年制发件数"): "3", ("规章", "本年废止件数"): "0", ("规章", "现行有效件数"): "8",
               ("行政规范性文件", "本年制发件数"): "12", ("行政规范性文件", "本年废止件数"): "5",
               ("行政规范性文件", "现行有效件数"): "386"}
    for key, text in printed.items():
        cell = cells[key]
        assert cell.raw == text
        where = cell.where
        assert where["page"] == 1 and where["dpi"] == SCAN_DPI
        assert MIN_CONFIDENCE <= where["confidence"] <= 100
        assert len(where["box"]) == 4 and where["box"][0] < where["box"][2] and where["box"][1] < where["box"][3]
    # the boxes are where poppler places the words in the PDF the scan was made from
    assert _inside(cells[("行政规范性文件", "现行有效件数")].where["box"], poppler_word(source_pdf, "386"), 12)
    assert _inside(cells[("行政规范性文件", "本年制发件数")].where["box"], poppler_word(source_pdf, "12"), 12)
    assert not [f for f in report.findings if f.rule.startswith("ocr_")]
    out = next(c for c in report.to_json()["proactive"] if c["item"] == "规章" and c["metric"] == "本年制发件数")
    assert set(out["where"]) == {"page", "box", "confidence", "dpi"}


def test_a_blurred_number_is_one_finding(scan) -> None:
    from PIL import Image, ImageFilter

    png, source_pdf = scan
    x0, top, x1, bottom = poppler_word(source_pdf, "386")
    area = (round(x0) - 6, round(top) - 6, round(x1) + 6, round(bottom) + 6)
    img = Image.open(png).convert("L")
    img.paste(img.crop(area).filter(ImageFilter.GaussianBlur(4)), area[:2])
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(SCAN_DPI, SCAN_DPI))
    report = parse(buf.getvalue(), "blurred.png")
    ocr = [f for f in report.findings if f.rule.startswith("ocr_")]
    assert len(ocr) == 1, ocr  # the cell's own finding, not again from the page's list
    cell = next(c for c in report.table(PROACTIVE) if (c.row, c.column) == ("行政规范性文件", "现行有效件数"))
    if cell.value is not None:
        assert cell.where["confidence"] < MIN_CONFIDENCE
        assert ocr[0].location == "二/行政规范性文件/现行有效件数" and ocr[0].actual == cell.where["confidence"]
    else:
        assert ocr[0].rule == "ocr_unread" and ocr[0].location.startswith("page 1 box ")
    # the other numbers are still read, and sure
    assert [c.raw for c in report.table(PROACTIVE) if c.row == "规章"][:3] == ["3", "0", "8"]


# --- archive and Datasette -----------------------------------------------------------------

@pytest.fixture(scope="module")
def built(pdf, scan, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    docs = root / "documents"
    docs.mkdir()
    (docs / "seed004.pdf").write_bytes(pdf.read_bytes())
    (docs / "scan.png").write_bytes(scan[0].read_bytes())
    seed_text = sorted(SEEDS.glob("000_*.txt"))[0]
    (docs / "seed000.txt").write_bytes(seed_text.read_bytes())
    db_path = root / "archive.db"
    build_archive(docs, db_path, log=lambda message: None, workers=1)
    db = sqlite_utils.Database(db_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    return db_path


def _report_id(db_path: Path, key: str) -> int:
    with sqlite3.connect(db_path) as conn:
        (rid,) = conn.execute("SELECT id FROM reports WHERE document_key = ?", [key]).fetchone()
    return rid


def test_where_column_lands_in_the_archive(built, pdf) -> None:
    expected = {(c.row, c.column): c.where for c in parse(pdf.read_bytes(), pdf.name).table(APPLICATIONS)}
    conn = sqlite3.connect(built)
    pdf_id, scan_id, text_id = (_report_id(built, k) for k in ("seed004.pdf", "scan.png", "seed000.txt"))
    stored = {(row, applicant): json.loads(w) if w else None for row, applicant, w in conn.execute(
        "SELECT [row], applicant, [where] FROM applications WHERE report_id = ?", [pdf_id])}
    assert stored == expected
    assert conn.execute("SELECT [where] FROM applications WHERE report_id = ? LIMIT 1",
                        [pdf_id]).fetchone()[0].startswith('{"page":')
    for table in ("proactive_cells", "application_cells", "review_cells",
                  "proactive_items", "applications", "review_litigation"):
        columns = [r[1] for r in conn.execute(f"SELECT * FROM pragma_table_info('{table}')")]
        assert "where" in columns, table
    # a web-page or text report has no pages: NULL
    (n_text, n_placed) = conn.execute(
        "SELECT count(*), count([where]) FROM application_cells WHERE report_id = ?", [text_id]).fetchone()
    assert n_text == 161 and n_placed == 0
    (where,) = conn.execute(
        "SELECT [where] FROM proactive_items WHERE report_id = ? AND item = '行政规范性文件'"
        " AND metric = '现行有效件数'", [scan_id]).fetchone()
    got = json.loads(where)
    assert got["page"] == 1 and len(got["box"]) == 4 and got["confidence"] >= MIN_CONFIDENCE
    conn.close()


def test_an_archive_without_the_column_still_opens(tmp_path) -> None:
    db_path = tmp_path / "old.db"
    archive.connect(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.executescript("""
            DROP VIEW applications; DROP VIEW proactive_items; DROP VIEW review_litigation;
            ALTER TABLE proactive_cells DROP COLUMN [where];
            ALTER TABLE application_cells DROP COLUMN [where];
            ALTER TABLE review_cells DROP COLUMN [where];
            CREATE VIEW applications AS SELECT c.report_id AS report_id, l.[row] AS [row],
                a.applicant AS applicant, c.value AS value, c.raw AS raw
                FROM application_cells c JOIN label_applications l ON l.id = c.row_id
                JOIN label_applicants a ON a.id = c.applicant_id;
            INSERT INTO reports (id, document_key, sha256, version, is_current) VALUES (1, 'k', 's', 1, 1);
            INSERT INTO application_cells VALUES (1, 1, 1, 7, '7');
        """)
    db = archive.connect(db_path)
    assert "where" in db["application_cells"].columns_dict
    assert db.execute("SELECT value, [where] FROM applications WHERE report_id = 1").fetchall() == [(7.0, None)]
    assert db.execute("SELECT count([where]) FROM proactive_items").fetchone() == (0,)
    db.close()


def test_report_page_shows_where_each_number_was_read(built, tmp_path) -> None:
    pdf_id, scan_id, text_id = (_report_id(built, k) for k in ("seed004.pdf", "scan.png", "seed000.txt"))
    with sqlite3.connect(built) as conn:
        pages = sorted({json.loads(w)["page"] for (w,) in conn.execute(
            "SELECT [where] FROM application_cells WHERE report_id = ? AND [where] IS NOT NULL", [pdf_id])})
        (scan_where,) = conn.execute(
            "SELECT [where] FROM proactive_items WHERE report_id = ? AND item = '规章'"
            " AND metric = '本年制发件数'", [scan_id]).fetchone()
    assert len(pages) >= 3
    with running_datasette(built, tmp_path / "datasette.log") as base, httpx.Client(base_url=base, timeout=30) as client:
        html = client.get(f"/archive/reports/{pdf_id}").text
        assert "表格数据及出处" in html
        for page in pages:
            assert f"第{page}页 p.{page}" in html
        scan_html = client.get(f"/archive/reports/{scan_id}").text
        got = json.loads(scan_where)
        assert f"第1页 p.1 · 框 box [{', '.join(str(v) for v in got['box'])}] px@300dpi" in scan_html
        assert f"识别置信度 OCR confidence {got['confidence']:g}" in scan_html
        # a text report lists its cells, with no place
        text_html = client.get(f"/archive/reports/{text_id}").text
        assert "表格数据及出处" in text_html and "页 p." not in text_html
        # the cell views show the place as text, the JSON stays in the exports
        view = client.get("/archive/applications", params={"report_id": pdf_id}).text
        assert f"第{pages[0]}页 p.{pages[0]}" in view
        rows = client.get("/archive/applications.json", params={
            "report_id": pdf_id, "_shape": "array", "_size": "max"}).json()
        assert {r["where"] for r in rows} - {None} <= {f'{{"page":{p}}}' for p in pages}
