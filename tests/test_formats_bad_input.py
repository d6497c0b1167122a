"""Broken and hostile documents end in a ``ParseError`` with a one-line reason, never a
crash or a hang: truncated, corrupt and encrypted files, zip and XML entity bombs,
decompression bombs, a PDF with neither text nor image, and documents over their size,
page or time limits."""

from __future__ import annotations

import io
import struct
import threading
import zipfile
import zlib

import pytest

from parsers import ParseError, parse
from parsers.limits import Deadline, TimeLimitExceeded, override
from parsers.office import convert_bytes, doc_encrypted
from parsers.sniff import sniff
from tests.formats_render import Block, Span, convert, have, render_docx, seed_pdf

REAL = seed_pdf()


def _refused(data: bytes, *words: str) -> str:
    with pytest.raises(ParseError) as info:
        parse(data, name="bad")
    message = str(info.value)
    assert message and "\n" not in message
    for w in words:
        assert w in message
    return message


def _small_docx() -> bytes:
    rows = [[Span("规章"), Span("0"), Span("0"), Span("0")]]
    return render_docx([Block(text="二、主动公开政府信息情况"), Block(rows=rows, width=4)])


def test_truncated_pdf() -> None:
    _refused(REAL[: len(REAL) // 3], "PDF")


def test_corrupt_pdf() -> None:
    _refused(b"%PDF-1.7\n" + bytes(range(256)) * 40, "PDF")


def test_pdf_with_neither_text_nor_image() -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    out = io.BytesIO()
    pdf.save(out)
    _refused(out.getvalue(), "既无文字层也无图像")


@pytest.mark.skipif(not have("soffice"), reason="LibreOffice (soffice) is not installed")
def test_password_protected_pdf(tmp_path) -> None:
    import subprocess

    from parsers.office import soffice, worker_profile

    src = tmp_path / "report.docx"
    src.write_bytes(_small_docx())
    options = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
               '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation={worker_profile().as_uri()}",
                    "--convert-to", options, "--outdir", str(tmp_path), str(src)],
                   check=True, timeout=120, capture_output=True)
    data = (tmp_path / "report.pdf").read_bytes()
    assert b"/Encrypt" in data
    _refused(data, "加密")


def test_password_protected_docx() -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(_small_docx())).encrypt("secret", out)
    assert sniff(out.getvalue()) == "encrypted"
    _refused(out.getvalue(), "加密")


def test_truncated_docx() -> None:
    data = _small_docx()
    cut = data[: len(data) // 2]
    assert sniff(cut) == "docx"
    _refused(cut, "损坏")


def test_zip_bomb_docx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/media/image1.bin", b"\0" * (64 * 1024 * 1024))
    assert len(buf.getvalue()) < 200_000
    _refused(buf.getvalue(), "压缩炸弹")


def test_xml_entity_bomb_docx() -> None:
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{lol}]><w:document>&lol9;</w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_small_docx())) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = bomb.encode() if info.filename == "word/document.xml" else src.read(info)
            z.writestr(info.filename, data)
    _refused(buf.getvalue(), "DTD")


def test_unzipped_size_limit() -> None:
    with override(max_unzipped=10_000):
        _refused(_small_docx(), "解压后过大")


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_decompression_bomb_image() -> None:
    _refused(_png_header(40_000, 40_000), "像素")


def test_truncated_image() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (600, 800), 255).save(buf, "PNG")
    _refused(buf.getvalue()[:60], "图像")


def test_corrupt_doc() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + bytes(range(256)) * 8
    _refused(data)


@pytest.mark.skipif(not have("soffice"), reason="LibreOffice (soffice) is not installed")
def test_encrypted_doc_flag(tmp_path) -> None:
    import olefile

    src = tmp_path / "report.docx"
    src.write_bytes(_small_docx())
    (doc,) = convert([src], "doc", tmp_path / "doc", tmp_path / "profile")
    assert not doc_encrypted(doc.read_bytes())
    with olefile.OleFileIO(str(doc), write_mode=True) as ole:
        fib = bytearray(ole.openstream("WordDocument").read())
        fib[11] |= 0x01  # fEncrypted: bit 8 of the flags word at offset 10
        ole.write_stream("WordDocument", bytes(fib))
    data = doc.read_bytes()
    assert doc_encrypted(data)
    _refused(data, "加密")


def test_size_limit() -> None:
    with override(max_bytes=100_000):
        _refused(REAL, "文件过大")


def test_page_limit() -> None:
    with override(max_pages=3):
        _refused(REAL, "页数过多")


def test_time_limit_interrupts_the_parse() -> None:
    with override(document_seconds=0.02):
        _refused(REAL, "超时")


def test_time_limit_outside_the_main_thread() -> None:
    """No SIGALRM there: the reader checks its deadline between pages."""
    caught: list[BaseException] = []

    def work() -> None:
        try:
            with override(document_seconds=0.0):
                parse(REAL, name="report.pdf")
        except BaseException as e:  # noqa: BLE001 - the test inspects it
            caught.append(e)

    t = threading.Thread(target=work)
    t.start()
    t.join(60)
    assert not t.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], TimeLimitExceeded)


@pytest.mark.skipif(not have("soffice"), reason="LibreOffice (soffice) is not installed")
def test_conversion_subprocess_is_killed_at_its_deadline() -> None:
    with pytest.raises(ParseError) as info:
        convert_bytes(_small_docx(), ".docx", "pdf", deadline=Deadline(0.05))
    assert "超时" in str(info.value)
