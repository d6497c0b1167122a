"""Word and spreadsheet readers: merged cells appear once (python-docx repeats them),
vertical merges leave empty placeholders so value columns stay in place, and every cell
records where it came from (table/row/column, sheet/cell)."""

from __future__ import annotations

import io

import docx
import pytest

from parsers import parse
from parsers.page_layout import positions_of
from parsers.readers import read_document
from tests.formats_render import Block, Span, generated_blocks, render_docx, render_xlsx
from tests.truth import flatten


def _merged_table() -> bytes:
    """A table 三 fragment with a vertical merge (三、本年度办理结果 over two rows) and a
    horizontal one (一、本年新收… over three columns)."""
    rows = [
        [Span("一、本年新收政府信息公开申请数量", colspan=3), *[Span(v) for v in "5000005"]],
        [Span("三、本年度办理结果", rowspan=2), Span("（一）予以公开", colspan=2), *[Span(v) for v in "3000003"]],
        [Span("（二）部分公开", colspan=2), *[Span(v) for v in "1000001"]],
    ]
    return render_docx([Block(text="三、收到和处理政府信息公开申请情况"), Block(rows=rows, width=10)])


def test_python_docx_repeats_merged_cells_the_reader_does_not() -> None:
    data = _merged_table()
    table = docx.Document(io.BytesIO(data)).tables[0]
    naive = [c.text for c in table.rows[0].cells]
    assert naive[:3] == ["一、本年新收政府信息公开申请数量"] * 3  # what python-docx gives
    rows = read_document(data).rows
    assert rows[1] == ["一、本年新收政府信息公开申请数量", "5", "0", "0", "0", "0", "0", "5"]
    assert rows[2] == ["三、本年度办理结果", "（一）予以公开", "3", "0", "0", "0", "0", "0", "3"]
    assert rows[3] == ["", "（二）部分公开", "1", "0", "0", "0", "0", "0", "1"]


def test_docx_cells_record_table_row_and_column() -> None:
    doc = read_document(_merged_table())
    positions = positions_of(doc)
    assert positions[0] == [{"paragraph": 0}]
    assert positions[2][0] == {"table": 1, "row": 2, "col": 1}
    assert positions[2][2] == {"table": 1, "row": 2, "col": 4}
    assert positions[3][0] is None  # the vertical merge's placeholder
    assert positions[3][1] == {"table": 1, "row": 3, "col": 2}


def test_xlsx_merges_appear_once() -> None:
    rows = [
        [Span("三、本年度办理结果", rowspan=2), Span("（一）予以公开", colspan=2), *[Span(v) for v in "3000003"]],
        [Span("（二）部分公开", colspan=2), *[Span(v) for v in "1000001"]],
    ]
    doc = read_document(render_xlsx([Block(rows=rows, width=10)]))
    assert doc.format == "xlsx"
    assert doc.rows == [
        ["三、本年度办理结果", "（一）予以公开", "3", "0", "0", "0", "0", "0", "3"],
        ["", "（二）部分公开", "1", "0", "0", "0", "0", "0", "1"],
    ]
    positions = positions_of(doc)
    assert positions[0][2] == {"sheet": "年度报告", "cell": "D1"}
    assert positions[1][0] is None


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 6])
def test_generated_docx_with_real_merges_parses_to_truth(seed) -> None:
    """Generated reports carry the official layout's rowspans and colspans."""
    from zfxxgk.generator.model import generate_report

    report = generate_report(seed)
    parsed = parse(render_docx(generated_blocks(report)), name=f"gen{seed}.docx")
    got, want = flatten(parsed.to_json()), flatten(report.truth)
    assert {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v} == {}
    assert parsed.extra == report.truth["extra"]
