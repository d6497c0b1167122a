"""LibreOffice conversions: many files per call, one profile per worker (parallel runs
that share a profile lose files), and antiword as the fast path only when its text holds
well-formed table rows."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from parsers.office import antiword_rows, antiword_text, convert_files, read_doc, worker_profile
from tests.formats_render import Block, Span, have, render_docx, seed_blocks
from tests.truth import SEEDS

pytestmark = pytest.mark.skipif(not have("soffice"), reason="LibreOffice (soffice) is not installed")


def _batch(job: tuple[list[str], str]) -> list[str | None]:
    sources, outdir = job
    done = convert_files([Path(s) for s in sources], "pdf", Path(outdir))  # this worker's own profile
    return [str(p) if p else None for p in done]


def test_parallel_batches_with_a_profile_per_worker(tmp_path) -> None:
    text = (SEEDS / "002_f5d5ef7bb5443bb4.txt").read_text(encoding="utf-8")
    data = render_docx(seed_blocks(text))
    batches = []
    for w in range(2):
        srcs = []
        for i in range(3):
            p = tmp_path / f"w{w}" / f"report{w}{i}.docx"
            p.parent.mkdir(exist_ok=True)
            p.write_bytes(data)
            srcs.append(str(p))
        batches.append((srcs, str(tmp_path / f"out{w}")))
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_batch, batches))
    outputs = [Path(p) for r in results for p in r if p]
    assert len(outputs) == 6
    assert all(p.read_bytes().startswith(b"%PDF-") for p in outputs)


def test_each_thread_and_process_has_its_own_profile() -> None:
    import threading

    mine = worker_profile()
    other: list[Path] = []
    t = threading.Thread(target=lambda: other.append(worker_profile()))
    t.start()
    t.join()
    assert mine != other[0]
    assert mine == worker_profile()


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("office")
    narrow = [Block(text="二、主动公开政府信息情况"),
              Block(rows=[[Span("信息内容"), Span("本年制发件数")], [Span("规章"), Span("3")]], width=2)]
    full = seed_blocks((SEEDS / "003_cfbb34af7d24d30b.txt").read_text(encoding="utf-8"))
    srcs = []
    for name, blocks in (("narrow", narrow), ("full", full)):
        p = root / f"{name}.docx"
        p.write_bytes(render_docx(blocks))
        srcs.append(p)
    done = convert_files(srcs, "doc", root / "doc", profile=root / "profile")
    return {p.stem: p.read_bytes() for p in done if p}


@pytest.mark.skipif(not have("antiword"), reason="antiword is not installed")
def test_antiword_reads_narrow_tables(docs) -> None:
    rows = antiword_rows(antiword_text(docs["narrow"], timeout=15))
    assert ["信息内容", "本年制发件数"] in rows
    assert ["规章", "3"] in rows


@pytest.mark.skipif(not have("antiword"), reason="antiword is not installed")
def test_antiword_wide_tables_fall_back_to_libreoffice(docs) -> None:
    text = antiword_text(docs["full"], timeout=15)
    assert text is not None and "勾稽关系" in text
    assert antiword_rows(text) is None  # antiword ran the rows of table 三 together
    doc = read_doc(docs["full"])
    assert doc.meta["converted_by"] == "libreoffice"
    assert ["四、结转下年度继续办理", "", "0", "0", "0", "0", "0", "0", "0"] in doc.rows  # as the seed prints it


def test_rtf_and_odt_and_a_batch_converted_ahead(tmp_path, monkeypatch) -> None:
    from parsers import ParseError, parse
    from parsers.office import converted_ahead
    from parsers.sniff import sniff
    from tests.truth import flatten, load

    name = "002_f5d5ef7bb5443bb4"
    src = tmp_path / f"{name}.docx"
    src.write_bytes(render_docx(seed_blocks((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))))
    want = flatten(load(SEEDS / f"{name}.truth.json"))
    converted = {}
    for fmt in ("rtf", "odt"):
        (out,) = convert_files([src], fmt, tmp_path / fmt, profile=tmp_path / "profile")
        converted[fmt] = out.read_bytes()
        assert sniff(converted[fmt], "report.pdf") == fmt
        report = parse(converted[fmt], name=f"report.{fmt}")
        assert report.source_format == fmt
        assert flatten(report.to_json()) == want
    damaged = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # an OLE file with nothing in it

    def outcome(data: bytes) -> str:
        try:
            return flatten(parse(data, name="damaged.wps").to_json())
        except ParseError as e:
            return f"ParseError: {e}"

    alone = outcome(damaged)
    assert alone.startswith("ParseError")
    batch = [converted["rtf"], b"plain text, not converted", damaged, converted["odt"]]
    with converted_ahead(batch) as made:
        assert made == 3  # the text is read without LibreOffice
        monkeypatch.setenv("PATH", "/nonexistent")  # no LibreOffice from here on: the batch has it
        for fmt, data in (("rtf", batch[0]), ("odt", batch[3])):
            report = parse(data, name=f"report.{fmt}")
            assert report.source_format == fmt
            assert flatten(report.to_json()) == want
        assert outcome(damaged) == alone
    with pytest.raises(ParseError, match="LibreOffice"):  # forgotten after the batch
        parse(converted["rtf"], name="report.rtf")
