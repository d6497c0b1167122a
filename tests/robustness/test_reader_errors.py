"""A library failing inside a reader ends as a ``ParseError`` with the library's reason.

Damaged members of real packages, made here from the project's own documents: a deflate
stream broken inside an ODT (the zip checks OpenDocument shares with DOCX and XLSX), a DOCX
whose main part is another kind of XML, and one that python-docx cannot read at all."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from parsers import ParseError, parse
from zfxxgk.portal.documents import make_docx
from zfxxgk.portal.reports import seed_reports
from zfxxgk.robustness.fuzz import _odt


def _break_deflate(data: bytes, member: str) -> bytes:
    """``data`` with the compressed bytes of ``member`` damaged until inflating them fails
    in zlib itself (not at the CRC check, which zipfile reports as BadZipFile)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    for k in range(info.compress_size):
        broken = bytearray(data)
        broken[start + k] ^= 0xFF
        try:
            zipfile.ZipFile(io.BytesIO(bytes(broken))).read(member)
        except zlib.error:
            return bytes(broken)
        except Exception:  # noqa: BLE001 - another kind of damage: try the next byte
            continue
    raise AssertionError("no single byte breaks the deflate stream")


def _replace(data: bytes, member: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == member else src.read(info))
    return out.getvalue()


def _reason(data: bytes, name: str) -> str:
    with pytest.raises(ParseError) as info:
        parse(data, name=name)
    message = str(info.value)
    assert message and "\n" not in message
    return message


def test_corrupt_deflate_in_an_odt_is_a_parse_error():
    odt = _odt(seed_reports()[4])
    message = _reason(_break_deflate(odt, "content.xml"), "a.odt")
    assert "文件损坏" in message and "zlib.error" in message


def test_corrupt_deflate_in_a_docx_is_a_parse_error():
    docx = make_docx(seed_reports()[1])
    message = _reason(_break_deflate(docx, "word/document.xml"), "a.docx")
    assert "文件损坏" in message and "zlib.error" in message


def test_main_part_of_another_kind_is_not_a_word_document():
    docx = make_docx(seed_reports()[1])
    other = (b'<?xml version="1.0" encoding="UTF-8"?>'
             b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    assert "w:document" in _reason(_replace(docx, "word/document.xml", other), "a.docx")


def test_main_part_that_is_not_xml_names_the_library_error():
    docx = make_docx(seed_reports()[1])
    message = _reason(_replace(docx, "word/document.xml", b"<w:document><w:body><w:p>"), "a.docx")
    assert "DOCX" in message and "XMLSyntaxError" in message


def test_encrypted_member_is_a_parse_error():
    """A member flagged as encrypted in the central directory: zipfile raises RuntimeError
    (a password is required), which must end as a ParseError too."""
    docx = bytearray(make_docx(seed_reports()[1]))
    at = -1
    while (at := docx.find(b"PK\x01\x02", at + 1)) >= 0:
        name_len = struct.unpack("<H", docx[at + 28:at + 30])[0]
        if docx[at + 46:at + 46 + name_len] == b"word/document.xml":
            docx[at + 8] |= 1  # general-purpose flag, bit 0: encrypted
            break
    assert at >= 0
    with pytest.raises(RuntimeError):
        zipfile.ZipFile(io.BytesIO(bytes(docx))).read("word/document.xml")
    assert "RuntimeError" in _reason(bytes(docx), "a.docx")
