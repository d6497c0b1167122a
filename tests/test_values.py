"""How cells are written in the wild (FORMAT.md) and what they are read as."""

from __future__ import annotations

import pytest

from parsers.values import read_cell


@pytest.mark.parametrize(
    ("raw", "kind", "value", "unit"),
    [
        ("0", "number", 0, None),
        (" 0 ", "number", 0, None),
        ("０", "number", 0, None),
        ("１２", "number", 12, None),
        ("-3", "number", -3, None),
        ("－3", "number", -3, None),
        ("79245.26", "number", 79245.26, None),
        ("83.82万元", "number", 83.82, "万元"),
        ("7117339.04元", "number", 7117339.04, "元"),
        ("251000元", "number", 251000, "元"),
        ("1,206", "number", 1206, None),
        ("12件", "number", 12, None),
        ("-", "blank", None, None),
        ("—", "blank", None, None),
        ("——", "blank", None, None),
        ("/", "blank", None, None),
        ("／", "blank", None, None),
        ("无", "blank", None, None),
        ("", "blank", None, None),
        ("\xa0", "blank", None, None),
        ("\u3000", "blank", None, None),
        ("规章", "text", None, None),
        ("2020年", "text", None, None),
    ],
)
def test_read_cell(raw, kind, value, unit) -> None:
    cell = read_cell(raw)
    assert (cell.kind, cell.value, cell.unit) == (kind, value, unit)
    if value is not None:
        assert type(cell.value) is type(value)
