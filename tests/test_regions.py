"""Province / city / county / level of agency names: the seeds' agencies and other real
names (expected values written by hand from the administrative divisions)."""

from __future__ import annotations

import pytest

from zfxxgk.generator.names import pick_agency
from zfxxgk.regions import LEVELS, Region, region_of

CASES = [
    # the seeds, as the parser reads their agencies and as the truth files name them
    ("长春市九台区沐石河街道办事处", ("吉林省", "长春市", "九台区", "乡镇")),
    ("宽城区", ("吉林省", "长春市", "宽城区", "县级")),
    ("长春市宽城区", ("吉林省", "长春市", "宽城区", "县级")),
    ("德惠市机关事务管理局", ("吉林省", "长春市", "德惠市", "部门")),
    ("前进区政府办", ("黑龙江省", "佳木斯市", "前进区", "部门")),
    ("下城区长庆街道", ("浙江省", "杭州市", "下城区", "乡镇")),
    ("杭州市下城区长庆街道", ("浙江省", "杭州市", "下城区", "乡镇")),
    # other real bodies
    ("宽城区政务服务和数字化建设管理局", ("吉林省", "长春市", "宽城区", "部门")),
    ("吉林省人民政府", ("吉林省", None, None, "省级")),
    ("吉林省教育厅", ("吉林省", None, None, "部门")),
    ("北京市人民政府", ("北京市", None, None, "省级")),
    ("北京市海淀区人民政府", ("北京市", "北京市", "海淀区", "县级")),
    ("北京市发展和改革委员会", ("北京市", None, None, "部门")),
    ("重庆市城口县人民政府", ("重庆市", "重庆市", "城口县", "县级")),
    ("长春市人民政府", ("吉林省", "长春市", None, "市级")),
    ("长春市住房和城乡建设局", ("吉林省", "长春市", None, "部门")),
    ("延边朝鲜族自治州人民政府", ("吉林省", "延边朝鲜族自治州", None, "市级")),
    ("湖北省仙桃市人民政府", ("湖北省", None, "仙桃市", "县级")),
    ("东莞市虎门镇人民政府", ("广东省", "东莞市", None, "乡镇")),
    ("浦东新区三林镇人民政府", ("上海市", "上海市", "浦东新区", "乡镇")),
    ("宽城满族自治县人民政府", ("河北省", "承德市", "宽城满族自治县", "县级")),
    ("佳木斯市前进区人民政府办公室", ("黑龙江省", "佳木斯市", "前进区", "部门")),
    ("内蒙古自治区人民政府", ("内蒙古自治区", None, None, "省级")),
    ("国家发展和改革委员会", (None, None, None, "部门")),
    ("长庆街道", (None, None, None, "乡镇")),
    # a county name shared by several divisions names no province on its own
    ("朝阳区人民政府", (None, None, "朝阳区", "县级")),
    ("鼓楼区人民政府", (None, None, "鼓楼区", "县级")),
    ("南京市鼓楼区人民政府", ("江苏省", "南京市", "鼓楼区", "县级")),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_region_of_real_names(name: str, expected: tuple) -> None:
    assert region_of(name) == Region(*expected)


def test_registry_row_gives_context_and_wins() -> None:
    assert region_of("朝阳区人民政府", {"province": "北京市"}) == Region(
        "北京市", "北京市", "朝阳区", "县级")
    assert region_of("朝阳区人民政府", {"province": "吉林省", "city": "长春市"}) == Region(
        "吉林省", "长春市", "朝阳区", "县级")
    assert region_of("沐石河街道办事处", {"province": "吉林省", "city": "长春市",
                                         "county": "九台区"}) == Region(
        "吉林省", "长春市", "九台区", "乡镇")
    assert region_of("某某中心", {"level": "县级"}).level == "县级"


def test_no_name() -> None:
    assert region_of(None) == Region()
    assert region_of("  ") == Region()


def test_names_renamed_or_merged_over_the_years() -> None:
    """Divisions of the reports' years that no longer exist, and ones created since."""
    assert region_of("下城区长庆街道").province == "浙江省"  # merged into 拱墅区 in 2021
    assert region_of("临安区教育局") == Region("浙江省", "杭州市", "临安区", "部门")  # 2017
    assert region_of("光明区人民政府") == Region("广东省", "深圳市", "光明区", "县级")  # 2018
    # 江北区 named both a Chongqing and a Ningbo district: alone it names no province
    assert region_of("江北区人民政府").province is None


def test_generated_agencies_agree_with_their_divisions() -> None:
    """The generator's agencies carry their province/city/district: with the registry's
    province and city as context the district reads back, and alone the name never
    yields a wrong province or district. Levels agree for governments and townships."""
    import random

    rng = random.Random(7)
    kinds = {"县区": "县级", "乡镇街道": "乡镇"}
    for _ in range(500):
        agency = pick_agency(rng, None)
        registry = {"province": agency.province, "city": agency.city}
        region = region_of(agency.name, registry)
        assert region.county == agency.district, agency
        alone = region_of(agency.name)
        assert alone.province in (None, agency.province), agency
        assert alone.county in (None, agency.district), agency
        assert region.level in LEVELS
        if agency.level in kinds and not agency.name.endswith(("办公室", "办公厅")):
            assert region.level == kinds[agency.level], agency
        if agency.name.endswith(("局", "委员会", "厅", "办公室")):
            assert region.level == "部门", agency


@pytest.mark.parametrize("name", [case[0] for case in CASES] + ["", "国务院办公厅", "朝阳区人民政府"])
def test_fast_reading_equals_the_library_transform(name: str) -> None:
    """The per-name reading (no DataFrame) gives exactly what ``transform`` gives, for both
    data sets: guards against a library release that changes the record it builds."""
    import cpca
    import cpca_new

    from zfxxgk.regions import _read

    for library in (cpca, cpca_new):
        expected = library.transform([name], pos_sensitive=True).to_dict("records")[0]
        found = _read(library, name)
        assert {key: found[key] for key in expected} == expected
