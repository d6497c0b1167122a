"""Report blocks → the HTML of an article body, as portal editors paste it from Word:
``<p>`` paragraphs and bordered tables with rowspan/colspan and ``&nbsp;`` in blank cells."""

from __future__ import annotations

from html import escape

from zfxxgk.portal.reports import Block, SampleReport


def _cell(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.split("\n")) if text.strip() else "&nbsp;"


def table_html(block: Block) -> str:
    rows = []
    for row in block.rows:
        cells = []
        for c in row:
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            cells.append(f'<td{span} style="border:1px solid #000;padding:2px 4px">{_cell(c.text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">'
            + "".join(rows) + "</table>")


def body_html(report: SampleReport) -> str:
    out = []
    for b in report.blocks:
        if b.kind == "title":
            out.append('<p style="text-align:center"><strong>' + "<br/>".join(escape(x) for x in b.lines)
                       + "</strong></p>")
        elif b.kind == "heading":
            out.append(f"<p><strong>{escape(b.text)}</strong></p>")
        elif b.kind == "table":
            out.append(table_html(b))
        elif b.kind == "signature":
            out += [f'<p style="text-align:right">{escape(x)}</p>' for x in b.lines]
        else:
            out.append(f'<p style="text-indent:2em">{escape(b.text)}</p>')
    return "\n".join(out)
