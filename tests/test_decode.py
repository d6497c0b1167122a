"""Byte decoding: the charset comes from the bytes; declarations are only reported."""

from __future__ import annotations

import codecs

import pytest

from parsers.decode import (
    charset_from_content_type,
    declared_charset,
    decode,
    decode_bytes,
    normalize_charset,
)

TEXT = "长春市九台区沐石河街道办事处2020年政府信息公开工作年度报告（“三安全一稳定”）"
# 镕 and 堃 are outside GB2312 but inside GBK: pages that declare gb2312 carry them.
GBK_ONLY = "朱镕基 王堃 " + TEXT


def test_utf8() -> None:
    assert decode(TEXT.encode("utf-8")) == (TEXT, "utf-8")


def test_ascii_is_utf8() -> None:
    assert decode(b"<p>2020</p>") == ("<p>2020</p>", "utf-8")


@pytest.mark.parametrize("declared", [None, "utf-8", "gb2312", "big5", "iso-8859-1"])
def test_gbk_bytes_whatever_the_declaration(declared) -> None:
    assert decode(GBK_ONLY.encode("gbk"), declared) == (GBK_ONLY, "gb18030")


def test_gb2312_bytes() -> None:
    assert decode_bytes(TEXT.encode("gb2312")) == TEXT


def test_gb18030_four_byte_characters() -> None:
    text = "𠀀 " + TEXT  # a CJK Extension B character: four bytes in GB18030
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_utf8_declared_as_gbk_is_utf8() -> None:
    assert decode(TEXT.encode("utf-8"), "gbk") == (TEXT, "utf-8")


def test_big5_traditional_text() -> None:
    text = "臺北市政府資訊公開年報，總體情況與申請處理"
    assert decode(text.encode("big5")) == (text, "big5")


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_byte_order_marks_are_stripped(bom, codec) -> None:
    text, used = decode(bom + TEXT.encode(codec))
    assert (text, used) == (TEXT, codec)


def test_utf8_cut_in_the_middle_of_a_character_stays_utf8() -> None:
    data = TEXT.encode("utf-8")[:-1]  # the last character lost one of its three bytes
    assert decode(data) == (TEXT[:-1], "utf-8")


def test_broken_bytes_fall_back_to_the_declared_charset_with_replacement() -> None:
    data = b"\x80abc\xff"  # invalid in UTF-8, GB18030 and Big5
    assert decode(data, "iso-8859-1") == ("\x80abc\xff", "iso8859-1-replace")


def test_broken_bytes_without_declaration_lose_as_little_as_possible() -> None:
    data = TEXT.encode("gbk") + b"\xff"
    text, used = decode(data)
    assert used == "gb18030-replace"
    assert text == TEXT + "\ufffd"
    text, used = decode(TEXT.encode("utf-8") + b"\xff" + TEXT.encode("utf-8"))
    assert used == "utf-8-replace"
    assert text == TEXT + "\ufffd" + TEXT


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb2312"),
        (b"<meta http-equiv=Content-Type content='text/html; charset=GBK' />", "gbk"),
        (b'<META CHARSET="UTF-8">', "utf-8"),
        (b"<meta charset=utf-8>", "utf-8"),
        (b'<?xml version="1.0" encoding="GB18030"?><html>', "gb18030"),
        (b"<html><head><title>x</title></head>", None),
    ],
)
def test_declared_charset(head, expected) -> None:
    assert declared_charset(b"<html><head>" + head + b"</head><body>...") == expected


def test_declared_charset_ignores_text_far_into_the_page() -> None:
    data = b"<html><body>" + b"x" * 10000 + b"<meta charset=gbk>"
    assert declared_charset(data) is None


def test_content_type_header() -> None:
    assert charset_from_content_type("text/html; charset=GB2312") == "gb2312"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("UTF8", "utf-8"),
        ("Big5", "big5"),
        ("latin1", "iso8859-1"),
        ("no-such-charset", None),
        (None, None),
    ],
)
def test_normalize_charset(label, codec) -> None:
    assert normalize_charset(label) == codec
