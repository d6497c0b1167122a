"""Pieces every sample site uses: the page shell, report URLs and attachment responses."""

from __future__ import annotations

from datetime import date
from html import escape

from zfxxgk.portal.app import Resp, http_date
from zfxxgk.portal.documents import PLACEHOLDER_MARK, make_doc_placeholder, make_docx, make_pdf
from zfxxgk.portal.reports import SampleReport

SAMPLE_NOTE = "本站为政府信息公开年报档案库的内置样例门户，内容由样例报告生成，仅供演示与测试。"

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


def shell(title: str, site_name: str, main: str, *, charset: str = "utf-8", head: str = "",
          nav: str = "") -> str:
    """A portal page: header with the site name, a left column of links, the main area."""
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"/>
<title>{escape(title)}</title>{head}</head>
<body><div class="header"><h1>{escape(site_name)}</h1></div>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a>{nav}</div>
<div class="main">{main}</div>
<div class="footer"><p>{SAMPLE_NOTE}</p><p>主办：{escape(site_name)}（样例）</p></div>
</body></html>"""


def attachment(kind: str, report: SampleReport) -> Resp:
    """An attachment response. ``doc`` is a marked placeholder (no .doc writer here)."""
    published = report.published
    if kind == "pdf":
        body = make_pdf(report)
    elif kind == "docx":
        body = make_docx(report)
    elif kind == "doc":
        body = make_doc_placeholder(report)
        return Resp(body=body, content_type=CONTENT_TYPES["doc"], etag=True, last_modified=http_date(published),
                    headers={"X-Sample-Placeholder": "doc"})
    else:
        raise ValueError(kind)
    return Resp(body=body, content_type=CONTENT_TYPES[kind], etag=True, last_modified=http_date(published))


def placeholder_label(kind: str) -> str:
    return f"（{PLACEHOLDER_MARK}）" if kind == "doc" else ""


def trs_path(column: str, d: date, ident: int, ext: str = "shtml") -> str:
    """``/<column>/YYYYMM/tYYYYMMDD_<id>.shtml`` — the TRS WCM detail-page pattern."""
    return f"{column}/{d:%Y%m}/t{d:%Y%m%d}_{ident}.{ext}"
