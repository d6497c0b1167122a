"""Round trip: every seed and a sample of generated reports, rendered at test time into
DOCX (python-docx, real merged cells), PDF and DOC (LibreOffice, one batch call each),
XLSX (openpyxl), XLS (LibreOffice Calc) and 300-dpi scans (image-only PDF, multi-page
TIFF, a long PNG, a JPEG), parse to exactly the cells of their hand-verified truth.

Truth comes from the seeds' *.truth.json (hand-verified) and from the generator's model,
fixed before anything is rendered; nothing here is produced by the readers under test.
"""

from __future__ import annotations

import difflib
import io
import json
from pathlib import Path

import pytest

from parsers import parse, parse_document
from parsers.page_layout import positions_of
from parsers.readers import read_document
from tests.formats_render import (
    convert,
    generated_blocks,
    have,
    images_to_pdf,
    images_to_tiff,
    pdf_to_pngs,
    render_docx,
    render_xlsx,
    seed_blocks,
)
from tests.truth import flatten, load, seed_pairs

pytestmark = pytest.mark.skipif(not have("soffice"), reason="LibreOffice (soffice) is not installed")

SEEDS = {src.stem: load(t) for t, src in seed_pairs()}
SEED_TEXT = {src.stem: src.read_text(encoding="utf-8") for _, src in seed_pairs()}
GENERATED = (5, 7, 8)  # 2021 era with split （六）; 2021; 2019 with a merged cell cut by a page break
CALC = have("soffice") and Path("/usr/lib/libreoffice/program/libsclo.so").exists()  # libreoffice-calc-nogui


def _generated():
    from zfxxgk.generator.model import generate_report

    return {f"gen{n}": generate_report(n) for n in GENERATED}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """name → (truth, {format: path}) for every rendered document."""
    root = tmp_path_factory.mktemp("formats")
    profile = tmp_path_factory.mktemp("lo-profile")
    blocks = {name: seed_blocks(text) for name, text in SEED_TEXT.items()}
    truths = dict(SEEDS)
    for name, report in _generated().items():
        blocks[name] = generated_blocks(report)
        truths[name] = report.truth
    files: dict[str, dict[str, Path]] = {name: {} for name in blocks}
    docx = []
    for name, bl in blocks.items():
        p = root / f"{name}.docx"
        p.write_bytes(render_docx(bl))
        files[name]["docx"] = p
        docx.append(p)
        x = root / "xlsx" / f"{name}.xlsx"
        x.parent.mkdir(exist_ok=True)
        x.write_bytes(render_xlsx(bl))
        files[name]["xlsx"] = x
    for p in convert(docx, "pdf", root / "pdf", profile):
        files[p.stem]["pdf"] = p
    for p in convert(docx, "doc", root / "doc", profile):
        files[p.stem]["doc"] = p
    if CALC:
        for p in convert([files[n]["xlsx"] for n in blocks], "xls", root / "xls", profile):
            files[p.stem]["xls"] = p
    return truths, files, root


def _assert_truth(report, truth, *, ocr: bool = False) -> None:
    got, want = flatten(report.to_json()), flatten(truth)
    wrong = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    assert wrong == {}
    assert set(got) == set(want)
    assert report.year == truth["year"]
    assert report.format_era == truth["format_era"]
    assert report.agency in truth["agency"] or truth["agency"] in report.agency
    extra = truth.get("extra", {})
    if not ocr:
        assert report.extra == extra
        return
    # OCR: every number exact; a local extra's label may carry a misread bracket, so it
    # is matched on its longest run of words (the lexicon does not know OCR noise)
    assert sorted(map(str, report.extra.values())) == sorted(map(str, extra.values()))
    for key in report.extra:
        best = max(difflib.SequenceMatcher(None, key, k).find_longest_match().size / len(k) for k in extra)
        assert best >= 0.5, key


NAMES = sorted(SEEDS) + [f"gen{n}" for n in GENERATED]


@pytest.mark.parametrize("fmt", ["docx", "pdf", "doc", "xlsx", "xls"])
@pytest.mark.parametrize("name", NAMES)
def test_rendered_document_parses_to_truth(corpus, name, fmt) -> None:
    truths, files, _ = corpus
    if fmt not in files[name]:
        pytest.skip("LibreOffice Calc (libreoffice-calc-nogui) is not installed: no XLS rendering")
    path = files[name][fmt]
    report = parse(path.read_bytes(), name=path.name)
    assert report.source_format == fmt
    _assert_truth(report, truths[name])


def test_doc_goes_through_a_converter(corpus) -> None:
    _, files, _ = corpus
    doc = read_document(files["gen5"]["doc"].read_bytes())
    assert doc.meta["converted_by"] in {"antiword", "libreoffice"}


@pytest.fixture(scope="module")
def scans(corpus, tmp_path_factory):
    """A subset rendered as scans: seed 004 as an image-only PDF, generated report 5 as a
    multi-page TIFF, seed 002 as one long PNG (as web pages post "图片版" reports) and
    generated report 7 as a JPEG of the same kind."""
    from PIL import Image

    truths, files, _ = corpus
    root = tmp_path_factory.mktemp("scans")
    out = {}
    pngs = {n: pdf_to_pngs(files[n]["pdf"], root) for n in ("004_ab964e0bbb01e447", "gen5", "002_f5d5ef7bb5443bb4", "gen7")}
    out["004_ab964e0bbb01e447", "pdf"] = images_to_pdf(pngs["004_ab964e0bbb01e447"])
    out["gen5", "tiff"] = images_to_tiff(pngs["gen5"])
    for name, fmt in (("002_f5d5ef7bb5443bb4", "PNG"), ("gen7", "JPEG")):
        pages = [Image.open(p).convert("L") for p in pngs[name]]
        tall = Image.new("L", (pages[0].width, sum(p.height for p in pages)), 255)
        y = 0
        for p in pages:
            tall.paste(p, (0, y))
            y += p.height
        buf = io.BytesIO()
        tall.save(buf, fmt, dpi=(300, 300), **({"quality": 90} if fmt == "JPEG" else {}))
        out[name, fmt.lower()] = buf.getvalue()
    return truths, out


SCANS = [("004_ab964e0bbb01e447", "pdf"), ("gen5", "tiff"), ("002_f5d5ef7bb5443bb4", "png"), ("gen7", "jpeg")]
_READ: dict[tuple[str, str], object] = {}


def _scan_doc(scans, name: str, kind: str):
    """Each scan is OCR'd once for the module (OCR is the slow part of the suite)."""
    if (name, kind) not in _READ:
        _READ[name, kind] = read_document(scans[1][name, kind], f"{name}.{kind}")
    return _READ[name, kind]


@pytest.mark.skipif(not have("tesseract", "pdftoppm"), reason="tesseract or poppler-utils is not installed")
@pytest.mark.parametrize(("name", "kind"), SCANS, ids=[f"{n}-{k}" for n, k in SCANS])
def test_scan_parses_to_truth(scans, name, kind) -> None:
    truths, _ = scans
    report = parse_document(_scan_doc(scans, name, kind), source=f"{name}.{kind}")
    _assert_truth(report, truths[name], ocr=True)


@pytest.mark.skipif(not have("tesseract", "pdftoppm"), reason="tesseract or poppler-utils is not installed")
def test_scan_cells_keep_page_box_and_confidence(scans) -> None:
    doc = _scan_doc(scans, "004_ab964e0bbb01e447", "pdf")
    positions = positions_of(doc)
    assert doc.meta["ocr_pages"] == "1,2,3,4,5"
    assert json.loads(json.dumps(positions)) == positions  # plain JSON, ready to store
    row = next(i for i, r in enumerate(doc.rows) if r and r[0] == "政府集中采购")
    assert doc.rows[row] == ["政府集中采购", "65", "7117339.04元"]
    for pos in positions[row]:
        assert pos["page"] == 1 and pos["dpi"] == 300
        assert 0 <= pos["conf"] <= 100
        x0, top, x1, bottom = pos["box"]
        assert 0 <= x0 < x1 <= 2481 and 0 <= top < bottom <= 3508
    # the amount sits right of the count, on the same line
    assert positions[row][2]["box"][0] > positions[row][1]["box"][2]
