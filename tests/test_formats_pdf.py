"""The PDF reader on a real text-layer PDF (WPS, with hand-verified truth) and on renders
of a seed that vary the layout: landscape, rotated pages, sideways text, tables without
rules. Provenance: each cell's page and box hold the cell's own text."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest

from parsers import parse
from parsers.labels import fold
from parsers.page_layout import positions_of
from parsers.readers import read_document
from tests.formats_render import (
    borderless_docx,
    convert,
    have,
    render_docx,
    rotated_pdf,
    seed_blocks,
)
from tests.truth import SEEDS, flatten, load

# A real published report with hand-verified truth, kept in the shared reference material
# (not in the repository): these checks run wherever ../shared is beside the checkout.
REAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "real" / "hongze-2023"
REAL = REAL_DIR / "report.pdf"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/real is not beside the checkout")
SEED = "004_ab964e0bbb01e447"


def _folded(cells: dict) -> dict:
    """Row paths compared without parenthetical notes, as ``score.py`` compares them (the
    real report's truth writes （二）部分公开（区分处理的，只计这一情形，不计其他情形））."""
    return {(t, "/".join(fold(x) for x in r.split("/")), c): v for (t, r, c), v in cells.items()}


def _assert_cells(report, truth) -> None:
    got, want = _folded(flatten(report.to_json())), _folded(flatten(truth))
    assert {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v} == {}
    assert set(got) == set(want)


@needs_real
def test_real_wps_pdf_parses_to_truth() -> None:
    truth = load(REAL_DIR / "report.truth.json")
    report = parse(REAL.read_bytes(), name=REAL.name)
    _assert_cells(report, truth)
    assert len(flatten(truth)) == 186
    assert (report.year, report.format_era) == (2023, "2021")
    assert report.agency and report.agency in "淮安市洪泽区人民政府"
    assert report.source_format == "pdf"


@needs_real
def test_real_pdf_rows_rebuilt_across_page_breaks() -> None:
    rows = read_document(REAL.read_bytes()).rows
    # a header row whose top border is on the previous page
    assert ["信息内容", "本年处理决定数量"] in rows
    # the vertical 三、本年度办理结果 cell spans rows: once, then empty placeholders
    first = next(r for r in rows if r and r[0].replace("\n", "") == "三、本年度办理结果")
    assert first[1:3] == ["（一）予以公开", "0"]
    # a row at the top of page 4, under cells merged from page 3
    assert ["", "", "3.补正后申请内容仍不明确", "0", "0", "0", "0", "0", "0", "0"] in rows
    # white background rectangles behind paragraphs do not make tables: paragraphs are whole
    assert any(len(r) == 1 and r[0].startswith("本报告由淮安市洪泽区人民政府办公室") and r[0].endswith("hzzwgk@126.com）。") for r in rows)


@needs_real
def test_real_pdf_cells_record_page_and_box() -> None:
    doc = read_document(REAL.read_bytes())
    positions = positions_of(doc)
    assert positions is not None and len(positions) == len(doc.rows)
    assert all(len(p) == len(r) for p, r in zip(positions, doc.rows, strict=True))
    i = doc.rows.index(["行政许可", "550"])
    pos = positions[i][1]
    assert pos["page"] == 2
    with pdfplumber.open(REAL) as pdf:
        page = pdf.pages[pos["page"] - 1]
        x0, top, x1, bottom = pos["box"]
        assert page.crop((x0 - 0.5, top - 0.5, x1 + 0.5, bottom + 0.5)).extract_text().strip() == "550"
    assert doc.meta["pages"] == "5"


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory):
    """Seed 004 as PDF: portrait, landscape, and landscape with borderless tables."""
    if not have("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    root = tmp_path_factory.mktemp("pdf-layouts")
    text = (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8")
    docs = {
        "portrait": render_docx(seed_blocks(text)),
        "landscape": render_docx(seed_blocks(text), landscape=True),
    }
    docs["borderless"] = borderless_docx(docs["landscape"])
    paths = []
    for name, data in docs.items():
        p = root / f"{name}.docx"
        p.write_bytes(data)
        paths.append(p)
    pdfs = convert(paths, "pdf", root / "pdf", tmp_path_factory.mktemp("lo-profile"))
    return {p.stem: p.read_bytes() for p in pdfs}


SEED_TRUTH = load(SEEDS / f"{SEED}.truth.json")


@pytest.mark.parametrize("layout", ["portrait", "landscape", "borderless"])
def test_layouts_parse_to_truth(seed_pdfs, layout) -> None:
    report = parse(seed_pdfs[layout], name=f"{layout}.pdf")
    _assert_cells(report, SEED_TRUTH)
    assert report.extra == SEED_TRUTH.get("extra", {})


def test_borderless_tables_are_cut_at_wide_gaps(seed_pdfs) -> None:
    rows = read_document(seed_pdfs["borderless"]).rows
    assert ["政府集中采购", "65", "7117339.04元"] in rows


@pytest.mark.parametrize("upright", [True, False], ids=["rotate-upright", "sideways"])
def test_rotated_pages_parse_to_truth(seed_pdfs, upright) -> None:
    data = rotated_pdf(seed_pdfs["landscape"], upright=upright)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert {p.rotation for p in pdf.pages} == {90}
    report = parse(data, name="rotated.pdf")
    _assert_cells(report, SEED_TRUTH)
    doc = read_document(data)
    turned = {p.get("turn", 0) for row in positions_of(doc) for p in row if p}
    assert turned == ({0} if upright else {90})
