"""When a report was due and whether it came late (条例 第四十九条).

Every administrative body publishes its report on the previous year by 31 January; a
local government at or above county level (县级以上) publishes the summary report of its own level
(本级政府年度报告) by 31 March. A report whose agency is a people's government itself — or
just a place name, as summary reports are often titled ("宽城区2020年度…") — gets the March
deadline; every other body (departments, offices, streets, townships) the January one."""

from __future__ import annotations

import re
from datetime import date

_GOVERNMENT = re.compile(r"(?:人民政府|(?<![办局委厅])(?:省|自治区|市|区|县|旗|自治州|自治县|盟|地区))$")


def is_government_summary(agency: str | None) -> bool:
    if not agency:
        return False
    name = agency.strip()
    if name.endswith(("办公室", "办公厅", "政府办")):
        return False
    if re.search(r"(?:乡|镇|街道|苏木)(?:人民政府)?$", name):
        return False  # townships report by 31 January like any other body
    return bool(_GOVERNMENT.search(name))


def deadline_for(agency: str | None, year: int) -> date:
    """The last day the report on ``year`` may be published."""
    return date(year + 1, 3, 31) if is_government_summary(agency) else date(year + 1, 1, 31)


def is_late(published_on: str | None, agency: str | None, year: int | None) -> bool | None:
    """True/False when both dates are known; None when the publication date is not."""
    if not published_on or not year:
        return None
    try:
        published = date.fromisoformat(published_on[:10])
    except ValueError:
        return None
    return published > deadline_for(agency, year)
