"""One navigator per CMS family; ``NAVIGATORS[family]`` is what the spider uses."""

from crawler.navigators.common import Navigator
from crawler.navigators.generic import GenericNavigator
from crawler.navigators.gkmlpt import GkmlptNavigator
from crawler.navigators.hanweb import HanwebNavigator
from crawler.navigators.trs import TrsNavigator

NAVIGATORS: dict[str, Navigator] = {
    nav.family: nav
    for nav in (TrsNavigator(), HanwebNavigator(), GkmlptNavigator(), GenericNavigator())
}
FAMILIES = tuple(NAVIGATORS)

__all__ = ["FAMILIES", "NAVIGATORS", "Navigator"]
