"""Province / city / county and administrative level of a publishing agency.

Why a library: the names and codes of China's ~3,000 county-level divisions change every
year and many repeat across provinces (朝阳区, 鼓楼区); ``cpca`` ships the national
division codes (adcodes) in its wheel and matches them in a name, so nothing here is a
hand-kept list of places. Reports span years in which divisions were renamed and merged
(下城区 was merged into 拱墅区 in 2021; 临安市 became 临安区 in 2017), so two data sets are
read: ``cpca_new`` (the same matcher with the divisions as of 2025) first, then ``cpca``
0.5.5 (older divisions) — the reading that explains more of the name wins. What this module adds is the reading of the *rest* of the name:
whether the agency is a government (省级/市级/县级 by the deepest division matched), a
township or sub-district (乡镇), or a body of a government (部门: 局, 委员会, 办公室…).

A registry row (``sources``), when given, wins for the fields it fills and supplies the
missing context for an ambiguous name ("朝阳区人民政府" alone names no province).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache, lru_cache

with warnings.catch_warnings():
    # both load their data through deprecated resource APIs (pkg_resources, open_binary)
    warnings.simplefilter("ignore")
    import cpca
    import cpca_new

# Current divisions first: on a tie their reading wins.
_LIBRARIES = (cpca_new, cpca)

LEVELS = ("省级", "市级", "县级", "乡镇", "部门")

# cpca's placeholders for "no prefecture in between": municipalities' 市辖区/县 and the
# provinces' directly administered county-level cities.
_PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}

# What may follow a division's name when the agency is that division's government itself.
_GOVERNMENT = re.compile(r"^(?:人民政府|政府|人民政府门户网站|政府门户网站|公署|行政公署)?$")
# A township-level unit: its name ends in 街道/镇/乡/苏木 (+ its government or office).
_TOWNSHIP = re.compile(
    r"(?:街道|镇|乡|苏木|民族乡)(?:人民政府|政府|办事处|街道办事处|党工委|管理委员会)?$"
)

_RANK_LEVEL = {0: "省级", 1: "市级", 2: "县级"}


@dataclass(frozen=True, slots=True)
class Region:
    """Where an agency sits. Any field may be None when the name does not say."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    level: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


@cache
def _name_counts() -> Counter[str]:
    """How many divisions, in either data set, carry each name: >1 means a bare county
    name is ambiguous (江北区 was in both Chongqing and Ningbo until 2025)."""
    codes = {(addr.name, addr.adcode) for lib in _LIBRARIES
             for addr in lib.ad_2_addr_dict.values()}
    return Counter(name for name, _ in codes)


def _read(library: object, text: str) -> dict:
    """One library's reading of ``text``: 省, 市, 区, 地址 (the rest) and their positions.

    ``transform`` wraps each reading in a pandas DataFrame, which costs ~2 ms per name
    (a build meets tens of thousands of distinct agencies); the record it is built from
    comes from the library's own per-name function, used here when the installed
    version has it (same record, ~1,000× faster)."""
    one = getattr(library, "_get_one_addr", None)
    if one is not None:
        return one(text, True, {})
    return library.transform([text], pos_sensitive=True).to_dict("records")[0]


def _score(found: dict) -> tuple[bool, int, int]:
    """Prefer a reading that starts at the first character (a match inside another name,
    like 城区 inside 下城区, leaves characters before it), then the deepest division, then
    the one leaving the shortest rest."""
    positions = [p for p in (found["省_pos"], found["市_pos"], found["区_pos"]) if p >= 0]
    depth = 3 if found["区"] else 2 if found["市"] else 1 if found["省"] else 0
    rest = found["地址"] if found["地址"] is not None else ""
    return (bool(positions) and min(positions) == 0, depth, -len(rest))


def _level(rest: str, rank: int | None) -> str | None:
    """The level from what follows the deepest matched division (``rank``: 0/1/2/None)."""
    rest = rest.strip()
    if _TOWNSHIP.search(rest):
        return "乡镇"
    if _GOVERNMENT.match(rest):
        return _RANK_LEVEL.get(rank) if rank is not None else None
    return "部门"


def _rank(province: str | None, city: str | None, county: str | None) -> int | None:
    if county:
        return 2
    if city:
        return 1
    if province:
        return 0
    return None


@lru_cache(maxsize=65536)
def _region_of_name(name: str, context: str) -> Region:
    text = context + name
    found = max((_read(lib, text) for lib in _LIBRARIES), key=_score)
    province, city, county = found["省"], found["市"], found["区"]
    rest = found["地址"] if found["地址"] is not None else name
    if county and found["省_pos"] < 0 and found["市_pos"] < 0 and _name_counts()[county] > 1:
        # A bare county name shared by several divisions: cpca would pick one at random.
        province = city = None
    if city in _PLACEHOLDER_CITIES:
        city = province if province in _MUNICIPALITIES else None
    rank = _rank(province, found["市"], county)
    if rank == 1 and province in _MUNICIPALITIES and not county:
        rank = 0
    return Region(province, city, county, _level(rest, rank))


def region_of(agency: str | None, registry: Mapping[str, str | None] | None = None) -> Region:
    """Province, city, county and level of ``agency``, e.g.

    >>> region_of("长春市九台区沐石河街道办事处")
    Region(province='吉林省', city='长春市', county='九台区', level='乡镇')

    ``registry`` (a ``sources`` row) may carry province/city/county/level: its non-empty
    fields win, and its province/city give context to a name that lacks them.
    """
    registry = registry or {}
    name = re.sub(r"\s+", "", agency or "")
    context = "".join(
        v for k in ("province", "city") if (v := registry.get(k)) and v not in name
    )
    derived = _region_of_name(name, context) if name or context else Region()
    return Region(
        province=registry.get("province") or derived.province,
        city=registry.get("city") or derived.city,
        county=registry.get("county") or derived.county,
        level=registry.get("level") or derived.level,
    )
