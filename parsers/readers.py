"""One reader per document format, chosen by what the bytes are (``parsers.sniff``).

A reader is a function ``(data: bytes, url: str | None) -> Document``. Adding a format is
one module and one line here."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from parsers.document import Document
from parsers.errors import ParseError
from parsers.sniff import sniff

Reader = Callable[[bytes, "str | None"], Document]

# sniffed kind → "module:function"
READERS: dict[str, str] = {
    "text": "parsers.text_reader:read_text_document",
    "html": "parsers.html_reader:read_html",
    "pdf": "parsers.pdf_reader:read_pdf",
    "docx": "parsers.docx_reader:read_docx",
    "doc": "parsers.office:read_doc",
    "wps": "parsers.office:read_wps",
    "rtf": "parsers.office:read_rtf",
    "odt": "parsers.office:read_odt",
    "xlsx": "parsers.xlsx_reader:read_xlsx",
    "xls": "parsers.xlsx_reader:read_xls",
    "png": "parsers.ocr_reader:read_image",
    "jpeg": "parsers.ocr_reader:read_image",
    "tiff": "parsers.ocr_reader:read_image",
    "encrypted": "parsers.office:refuse_encrypted",
}


def reader_for(kind: str) -> Reader:
    target = READERS.get(kind)
    if target is None:
        raise ParseError(f"不支持的文件格式 / unsupported document format: {kind}")
    module, func = target.split(":")
    return getattr(import_module(module), func)


def read_document(data: bytes, name: str | None = None, url: str | None = None) -> Document:
    """Run the reader the bytes call for."""
    return reader_for(sniff(data, name))(data, url)
