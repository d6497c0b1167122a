from __future__ import annotations

from datetime import date

import pytest

from zfxxgk.timeliness import deadline_for, is_government_summary, is_late


@pytest.mark.parametrize(
    ("agency", "summary"),
    [
        ("淮安市洪泽区人民政府", True),
        ("长春市宽城区", True),
        ("北京市", True),
        ("德惠市机关事务管理局", False),
        ("前进区政府办", False),
        ("长春市九台区沐石河街道办事处", False),
        ("杭州市下城区长庆街道", False),
        ("XX市人民政府办公室", False),
        ("荆州市沙市区自然资源和规划局", False),
        ("洪泽区东双沟镇人民政府", False),
        ("某某乡人民政府", False),
        (None, False),
    ],
)
def test_government_summary(agency, summary) -> None:
    assert is_government_summary(agency) is summary


def test_deadlines() -> None:
    assert deadline_for("德惠市机关事务管理局", 2020) == date(2021, 1, 31)
    assert deadline_for("淮安市洪泽区人民政府", 2023) == date(2024, 3, 31)


def test_is_late() -> None:
    assert is_late("2021-01-18", "德惠市机关事务管理局", 2020) is False
    assert is_late("2021-02-01", "德惠市机关事务管理局", 2020) is True
    assert is_late("2024-02-20", "淮安市洪泽区人民政府", 2023) is False
    assert is_late(None, "德惠市机关事务管理局", 2020) is None
    assert is_late("not a date", "x", 2020) is None
