"""OCR: every number keeps its confidence, and a number the scan does not show clearly is
reported (meta["ocr_low_confidence"], with its page and box) instead of passing silently.
Also the repairs the OCR reader makes to tesseract's text, on tesseract's actual misreads."""

from __future__ import annotations

import io
import json

import pytest

from parsers.ocr_reader import (
    MIN_CONFIDENCE,
    _settle_number,
    ocr_findings,
    ocr_text_fix,
    repair_enumerator,
)
from parsers.page_layout import Glyph, positions_of
from parsers.readers import read_document
from tests.formats_render import Block, Span, convert, have, pdf_to_pngs, render_docx

ROWS = [
    [Span("信息内容"), Span("本年制发件数"), Span("本年废止件数"), Span("现行有效件数")],
    [Span("规章"), Span("3"), Span("0"), Span("8")],
    [Span("行政规范性文件"), Span("12"), Span("5"), Span("386")],
]


@pytest.fixture(scope="module")
def page_png(tmp_path_factory) -> bytes:
    if not have("soffice", "pdftoppm", "tesseract"):
        pytest.skip("LibreOffice, poppler-utils or tesseract is not installed")
    root = tmp_path_factory.mktemp("ocr")
    src = root / "table.docx"
    src.write_bytes(render_docx([Block(text="二、主动公开政府信息情况"), Block(rows=ROWS, width=4)]))
    (pdf,) = convert([src], "pdf", root, root / "profile")
    return pdf_to_pngs(pdf, root)[0].read_bytes()


def _row(doc, label):
    i = next(k for k, r in enumerate(doc.rows) if r and r[0] == label)
    return doc.rows[i], positions_of(doc)[i]


def test_clean_scan_numbers_exact_with_confidence(page_png) -> None:
    doc = read_document(page_png)
    assert doc.format == "image"
    row, pos = _row(doc, "行政规范性文件")
    assert row == ["行政规范性文件", "12", "5", "386"]
    assert all(p["conf"] >= MIN_CONFIDENCE and p["page"] == 1 and p["dpi"] == 300 for p in pos[1:])
    assert json.loads(doc.meta["ocr_low_confidence"]) == []


def _blurred(page_png: bytes, box: list[int], radius: int) -> bytes:
    from PIL import Image, ImageFilter

    x0, top, x1, bottom = box
    img = Image.open(io.BytesIO(page_png)).convert("L")
    area = (x0 - 6, top - 6, x1 + 6, bottom + 6)
    img.paste(img.crop(area).filter(ImageFilter.GaussianBlur(radius)), area[:2])
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


@pytest.mark.parametrize("radius", [4, 7], ids=["misread", "unreadable"])
def test_blurred_number_is_reported(page_png, radius) -> None:
    doc = read_document(page_png)
    _, pos = _row(doc, "行政规范性文件")
    x0, top, x1, bottom = pos[3]["box"]  # the cell printing 386
    blurred = read_document(_blurred(page_png, pos[3]["box"], radius))
    low = json.loads(blurred.meta["ocr_low_confidence"])
    assert len(low) == 1
    flagged = low[0]
    assert flagged["page"] == 1 and flagged["conf"] < MIN_CONFIDENCE
    fx0, ftop, fx1, fbottom = flagged["box"]
    assert x0 - 6 <= fx0 < fx1 <= x1 + 6 and top - 6 <= ftop < fbottom <= bottom + 6
    row, _ = _row(blurred, "行政规范性文件")
    assert row[3] != "386" or flagged["text"] == "386"
    # the other numbers are still read, and sure
    assert _row(blurred, "规章")[0] == ["规章", "3", "0", "8"]
    # and it becomes a finding a reader of the archive sees
    (finding,) = ocr_findings([], blurred.meta)
    assert finding.rule in {"ocr_low_confidence", "ocr_unread"}
    assert finding.location.startswith("page 1 box ")
    assert "\n" not in finding.message


def _g(text: str, conf: float) -> Glyph:
    return Glyph(text, 0.0, 0.0, 10.0, 10.0, conf)


def test_number_readings_settled() -> None:
    # chi_sim reads a lone "1" as "工"; the digits-only reading stands
    assert _settle_number(_g("工", 60.0), _g("1", 91.0)).text == "1"
    # both agree: the higher confidence
    got = _settle_number(_g("79", 88.0), _g("79", 95.0))
    assert (got.text, got.conf) == ("79", 95.0)
    # they disagree: chi_sim's number stands, flagged below the threshold
    got = _settle_number(_g("79", 95.0), _g("9", 90.0))
    assert got.text == "79" and got.conf < MIN_CONFIDENCE
    # a unit in the cell: the digits-only pass reads its glyph as a digit
    got = _settle_number(_g("7117339.04元", 85.0), _g("7117339.047", 80.0))
    assert got.text == "7117339.04元" and got.conf < MIN_CONFIDENCE


def test_enumerators_and_brackets_repaired() -> None:
    # misreads seen from tesseract on rendered reports
    assert repair_enumerator("(入)其他处理") == "（六）其他处理"
    assert repair_enumerator("(ZNS)\n其他处理") == "（六）其他处理"
    assert repair_enumerator("(巧)总计") == "（七）总计"
    assert repair_enumerator("(三)不予公开") == "(三)不予公开"  # right already
    assert repair_enumerator("(x)本机关自定事项") == "(x)本机关自定事项"  # no such label
    assert ocr_text_fix("2020年本行政区域《或本部门)政府信息公开发布总数量〈非新闻类、消息类)") == (
        "2020年本行政区域（或本部门）政府信息公开发布总数量（非新闻类、消息类)"
    )
    assert ocr_text_fix("《中华人民共和国政府信息公开条例》") == "《中华人民共和国政府信息公开条例》"
