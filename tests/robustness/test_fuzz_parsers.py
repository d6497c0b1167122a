"""Hypothesis mutations of real documents, for every reader ``parsers.readers.READERS``
lists that this machine can make a sample for: each mutated document must parse or raise
``parsers.ParseError`` — no other exception, no hang past the per-document limit, no dead
worker. A few hundred cases per fast format here; ``zfxxgk robustness`` runs 10,000.

Every failing input is saved with its traceback (the path is in the assertion message).
Failures whose traceback matches a bug already reported (``KNOWN``) mark the format xfail
instead of failing it; any other failure fails the test."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from parsers.readers import READERS
from zfxxgk.robustness.fuzz import SLOW, ParseWorker, build_corpus, fuzz_format

CASES = {"text": 300, "html": 300, "docx": 300, "xlsx": 300, "pdf": 120, "xls": 15, "encrypted": 10,
         "doc": 3, "wps": 3, "rtf": 3, "odt": 3, "png": 5, "jpeg": 5, "tiff": 3}

# Parser bugs found by this fuzzing and reported to the readers' owners, not yet fixed;
# each entry: (format, text the saved traceback contains, the report). A failure matching
# one marks its format xfail; any other fails the test.
KNOWN: list[tuple[str, str, str]] = []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("fuzz-corpus"))


@pytest.fixture(scope="module")
def worker():
    w = ParseWorker()
    yield w
    w.close()


@pytest.mark.parametrize("kind", sorted(READERS))
def test_mutated_documents_parse_or_raise_parse_error(kind, corpus, worker, tmp_path):
    if kind not in corpus:
        pytest.skip(f"no sample of {kind} can be made on this machine")
    cases = CASES.get(kind, 5 if kind in SLOW else 100)
    fig = fuzz_format(kind, corpus[kind], cases, seed=7, worker=worker, findings=tmp_path / "findings")
    assert fig.cases >= cases
    assert fig.outcomes.get("ok", 0) + fig.outcomes.get("parse_error", 0) + fig.crashes == fig.cases
    if fig.crashes:
        texts = {p: Path(p).with_suffix(".txt").read_text(encoding="utf-8") for p in fig.failures}
        known = [k for k in KNOWN if k[0] == kind]
        if known and all(any(sig in t for _, sig, _ in known) for t in texts.values()):
            pytest.xfail(f"{fig.crashes}/{fig.cases} known: " + "; ".join(r for _, _, r in known))
        first = next(iter(texts.items()))
        pytest.fail(f"{fig.crashes}/{fig.cases} {kind} documents escaped ParseError {fig.outcomes}; "
                    f"first input {first[0]}:\n{first[1][-3000:]}")


FINDINGS = Path(__file__).parent / "findings"
# Saved inputs (see findings/README.md) that once escaped ParseError → words the ParseError
# must now give as its reason.
REFUSED = {
    "docx-zlib-error.docx": ["zlib.error", "corrupt"],
    "xlsx-zlib-error.xlsx": ["zlib.error", "corrupt"],
    "docx-root-not-document.docx": ["w:document"],
    "xls-sst-index.xls": ["XLS", "IndexError"],
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_saved_input_is_refused_with_its_reason(name):
    from parsers import ParseError, parse

    with pytest.raises(ParseError) as info:
        parse((FINDINGS / name).read_bytes(), name=name)
    message = str(info.value)
    assert "\n" not in message and "/ " in message  # one line, Chinese then English
    for word in REFUSED[name]:
        assert word in message, message


def test_gridspan_without_val_loses_no_cell():
    """A ``w:gridSpan`` without ``w:val`` (python-docx raises for it) costs the cell its
    width only: the document gives the cells of the same file with the attribute intact."""
    from parsers import parse

    damaged = (FINDINGS / "docx-gridspan-without-val.docx").read_bytes()
    assert b"<w:gridSpan w:tal=\"3\"/>" in _member(damaged, "word/document.xml")
    repaired = _replace_member(damaged, "word/document.xml", b'w:gridSpan w:tal="3"', b'w:gridSpan w:val="3"')
    got, want = parse(damaged, name="a.docx"), parse(repaired, name="a.docx")
    assert len(want.cells) == 200
    assert [(c.table, c.row, c.column, c.value) for c in got.cells] == [
        (c.table, c.row, c.column, c.value) for c in want.cells]


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def _replace_member(data: bytes, name: str, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, body.replace(old, new) if info.filename == name else body)
    return out.getvalue()


def test_stray_end_tags_keep_every_cell():
    from parsers import parse

    broken = parse((FINDINGS / "html-stray-end-tags.html").read_bytes(), name="a.html")
    clean = parse((FINDINGS / "html-stray-end-tags.clean.html").read_bytes(), name="a.html")
    assert len(clean.cells) == 198
    assert {(c.table, c.row, c.column, c.value) for c in broken.cells} == {
        (c.table, c.row, c.column, c.value) for c in clean.cells}


def test_a_hang_in_a_batch_costs_that_document_only(corpus):
    """A document the worker does not answer for in time is a hang; the worker is started
    again and the rest of the batch is still parsed, each with its own outcome. The hang is
    real: a page-sized scan takes tesseract seconds, and the harness waits 1.5 s."""
    from PIL import Image

    if "png" not in corpus or "text" not in corpus:
        pytest.skip("no scan can be made on this machine")
    tile = Image.open(io.BytesIO(corpus["png"][0]))
    page = Image.new("L", (tile.width, tile.height * 4), 255)
    for k in range(4):
        page.paste(tile, (0, k * tile.height))
    buf = io.BytesIO()
    page.save(buf, "PNG", dpi=(300, 300))
    text = corpus["text"][0]
    worker = ParseWorker(document_seconds=60.0, grace=-58.5)  # answer within 1.5 s, or a hang
    try:
        assert worker.parse(text, "warm.txt").kind == "ok"  # imports done before the clock matters
        outcomes = worker.parse_batch([("a.txt", text), ("scan.png", buf.getvalue()), ("b.txt", text)])
        assert [o.kind for o in outcomes[:2]] == ["ok", "hang"]
        assert len(outcomes) == 3 and outcomes[2].kind in ("ok", "hang")  # a fresh worker, still loading
        assert worker.proc is not None and worker.proc.poll() is None
    finally:
        worker.close()
