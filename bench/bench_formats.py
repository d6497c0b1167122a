"""Benchmark of the format readers. Prints figures; asserts nothing about time.

    .venv/bin/python bench/bench_formats.py                  # seeds + 4 generated reports
    .venv/bin/python bench/bench_formats.py --generated 10 --ocr-pages 6

The same reports are rendered into each format (as the round-trip tests do), then:
  ms/page   -- our reader (bytes → rows) and the whole ``parsers.parse`` per page of each
               format, beside the bare library doing its
               own extraction on the same files (pdfplumber ``extract_text`` +
               ``extract_tables``; python-docx paragraphs and every cell's text; openpyxl /
               xlrd iterating cells; LibreOffice's conversion alone for DOC; tesseract
               ``--psm 3`` alone on the page image for scans); ratio = reader / bare;
  OCR       -- seconds per scanned page, ours and bare tesseract;
  RSS       -- peak resident memory of this process and of its children;
  parallel  -- a folder of every rendered file parsed by one process, then by a pool of
               two (both cores), in files per second.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import ParseError, parse  # noqa: E402
from tests.formats_render import (  # noqa: E402
    convert,
    generated_blocks,
    have,
    images_to_pdf,
    pdf_to_pngs,
    render_docx,
    render_xlsx,
    seed_blocks,
)
from tests.truth import seed_pairs  # noqa: E402


def render_corpus(root: Path, generated: int) -> dict[str, dict[str, Path]]:
    from zfxxgk.generator.model import generate_report

    blocks = {src.stem: seed_blocks(src.read_text(encoding="utf-8")) for _, src in seed_pairs()}
    for n in range(generated):
        blocks[f"gen{n}"] = generated_blocks(generate_report(1000 + n))
    files: dict[str, dict[str, Path]] = {name: {} for name in blocks}
    docx = []
    for name, b in blocks.items():
        p = root / "docx" / f"{name}.docx"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(render_docx(b))
        files[name]["docx"] = p
        docx.append(p)
        x = root / "xlsx" / f"{name}.xlsx"
        x.parent.mkdir(parents=True, exist_ok=True)
        x.write_bytes(render_xlsx(b))
        files[name]["xlsx"] = x
    profile = root / "profile"
    for p in convert(docx, "pdf", root / "pdf", profile):
        files[p.stem]["pdf"] = p
    for p in convert(docx, "doc", root / "doc", profile):
        files[p.stem]["doc"] = p
    return files


def pages_of(pdf: Path) -> int:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return len(doc.pages)


def bare(fmt: str, path: Path) -> None:
    """The library's own extraction, nothing of ours."""
    if fmt == "pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
    elif fmt == "docx":
        import docx

        d = docx.Document(str(path))
        [p.text for p in d.paragraphs]
        [c.text for t in d.tables for row in t.rows for c in row.cells]
    elif fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, data_only=True)
        [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    elif fmt == "doc":
        with tempfile.TemporaryDirectory() as tmp:
            convert([path], "docx", Path(tmp), Path(tempfile.gettempdir()) / "bench-bare-profile")


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def ours(path: Path) -> None:
    parse(path.read_bytes(), name=path.name)


def reader(path: Path) -> None:
    from parsers.readers import read_document

    read_document(path.read_bytes(), path.name)


def parse_one(path: str) -> bool:
    try:
        parse(Path(path).read_bytes(), name=Path(path).name)
        return True
    except ParseError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generated", type=int, default=4, help="generated reports besides the 5 seeds")
    ap.add_argument("--ocr-pages", type=int, default=4, help="scanned pages to OCR")
    args = ap.parse_args()
    if not have("soffice"):
        sys.exit("LibreOffice (soffice) is needed to render the corpus")
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        files = render_corpus(root, args.generated)
        print(f"corpus: {len(files)} reports rendered to pdf/docx/doc/xlsx in {time.perf_counter() - t0:.1f} s")
        pages = {name: pages_of(f["pdf"]) for name, f in files.items()}
        total_pages = sum(pages.values())
        print(f"{total_pages} pages (as PDF), {total_pages / len(files):.1f} a report\n")
        print(f"{'format':7} {'reader ms/page':>14} {'parse ms/page':>14} {'bare ms/page':>13} {'ratio':>6}   bare =")
        labels = {"pdf": "pdfplumber extract_text+extract_tables", "docx": "python-docx paragraphs+cells",
                  "xlsx": "openpyxl cell iteration", "doc": "LibreOffice DOC→DOCX conversion alone"}
        for fmt in ("pdf", "docx", "xlsx", "doc"):
            for f in files.values():  # warm imports and caches
                ours(f[fmt])
                bare(fmt, f[fmt])
                break
            r = sum(timed(reader, f[fmt]) for f in files.values())
            o = sum(timed(ours, f[fmt]) for f in files.values())
            b = sum(timed(bare, fmt, f[fmt]) for f in files.values())
            print(f"{fmt:7} {1000 * r / total_pages:14.1f} {1000 * o / total_pages:14.1f}"
                  f" {1000 * b / total_pages:13.1f} {r / b:6.2f}   {labels[fmt]}")
        if have("tesseract", "pdftoppm") and args.ocr_pages:
            name = next(iter(files))
            pngs = pdf_to_pngs(files[name]["pdf"], root)[: args.ocr_pages]
            scan = images_to_pdf(pngs)
            t = timed(parse_or_read, scan)
            env = dict(os.environ, OMP_THREAD_LIMIT="1")
            tb = sum(_tess(p, env) for p in pngs)
            n = len(pngs)
            print(f"\nOCR ({n} pages at 300 dpi): ours {t / n:.2f} s/page, bare tesseract --psm 3 {tb / n:.2f} s/page,"
                  f" ratio {t / tb:.2f}")
        me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"\npeak RSS: this process {me:.0f} MB, largest child (LibreOffice/tesseract) {kids:.0f} MB")
        folder = [str(f[fmt]) for f in files.values() for fmt in ("pdf", "docx", "xlsx")]
        t1 = timed(lambda: [parse_one(p) for p in folder])
        with ProcessPoolExecutor(max_workers=2) as pool:
            list(pool.map(parse_one, folder[:2]))  # start the workers
            t0 = time.perf_counter()
            ok = list(pool.map(parse_one, folder, chunksize=2))
            t2 = time.perf_counter() - t0
        print(f"folder of {len(folder)} files (pdf, docx, xlsx): 1 process {len(folder) / t1:.1f} files/s,"
              f" 2 processes {len(folder) / t2:.1f} files/s (x{t1 / t2:.2f}); parsed {sum(ok)}/{len(folder)}")
        per = [1000 * timed(ours, f["pdf"]) / pages[n] for n, f in files.items()]
        print(f"PDF ms/page per report: median {statistics.median(per):.1f}, max {max(per):.1f}")


def parse_or_read(data: bytes) -> None:
    from parsers.readers import read_document

    try:
        parse(data, name="scan.pdf")
    except ParseError:
        read_document(data)


def _tess(png: Path, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(["tesseract", str(png), "-", "-l", "chi_sim", "--psm", "3", "--dpi", "300"],
                   env=env, capture_output=True, check=True)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
