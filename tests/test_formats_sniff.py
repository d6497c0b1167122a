"""Formats are told by their bytes, never by name or declared type: containers are looked
into (zip members, OLE streams), and each kind has one reader."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from parsers.readers import READERS, reader_for
from parsers.sniff import sniff
from tests.formats_render import Block, Span, convert, have, render_docx, render_xlsx, seed_pdf

BLOCKS = [Block(text="二、主动公开政府信息情况"), Block(rows=[[Span("规章"), Span("0"), Span("0"), Span("0")]], width=4)]


def _image(fmt: str, **kw) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (render_docx(BLOCKS), "docx"),
        (render_xlsx(BLOCKS), "xlsx"),
        (seed_pdf(), "pdf"),
        (_image("PNG"), "png"),
        (_image("JPEG"), "jpeg"),
        (_image("TIFF"), "tiff"),
        ("一、总体情况\n".encode(), "text"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "html"),
    ],
    ids=["docx", "xlsx", "pdf", "png", "jpeg", "tiff", "text", "html"],
)
def test_kind_from_bytes_whatever_the_name(data, kind) -> None:
    assert sniff(data, "report.txt") == kind
    assert sniff(data, "report.doc") == kind
    assert sniff(data) == kind


def test_every_binary_kind_has_a_reader() -> None:
    for kind in ("pdf", "docx", "doc", "wps", "xlsx", "xls", "png", "jpeg", "tiff", "encrypted"):
        assert callable(reader_for(kind)), kind
    assert set(READERS) >= {"text", "html"}


def test_zip_without_office_members() -> None:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert sniff(buf.getvalue(), "report.docx") == "zip"


@pytest.mark.skipif(not have("soffice"), reason="LibreOffice (soffice) is not installed")
def test_ole_streams_tell_doc_from_xls(tmp_path) -> None:
    src = tmp_path / "a.docx"
    src.write_bytes(render_docx(BLOCKS))
    (doc,) = convert([src], "doc", tmp_path / "out", tmp_path / "profile")
    assert sniff(doc.read_bytes(), "report.xls") == "doc"
    assert sniff(doc.read_bytes()[:4096]) in {"doc", "wps"}  # directory cut off: still OLE
    calc = Path("/usr/lib/libreoffice/program/libsclo.so").exists()
    if calc:
        x = tmp_path / "b.xlsx"
        x.write_bytes(render_xlsx(BLOCKS))
        (xls,) = convert([x], "xls", tmp_path / "out", tmp_path / "profile")
        assert sniff(xls.read_bytes(), "report.doc") == "xls"
