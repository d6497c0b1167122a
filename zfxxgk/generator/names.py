"""Agency names as data: real provinces, cities, districts/counties, streets/towns and the
usual department names at each level, so generated reports name plausible bodies from many
places and every administrative level (省 / 市 / 县区 / 乡镇街道 / 部门)."""

from __future__ import annotations

import random
from dataclasses import dataclass

# province -> city -> districts / counties / county-level cities. Municipalities directly
# under the central government list their districts under the municipality itself.
PLACES: dict[str, dict[str, list[str]]] = {
    "吉林省": {
        "长春市": ["朝阳区", "南关区", "宽城区", "绿园区", "二道区", "九台区", "双阳区",
                   "德惠市", "榆树市", "农安县"],
        "吉林市": ["船营区", "昌邑区", "丰满区", "龙潭区", "蛟河市", "桦甸市", "舒兰市",
                   "磐石市", "永吉县"],
    },
    "浙江省": {
        "杭州市": ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区",
                   "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市"],
        "宁波市": ["海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "象山县",
                   "宁海县", "余姚市", "慈溪市"],
    },
    "湖北省": {
        "武汉市": ["江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区",
                   "东西湖区", "蔡甸区", "江夏区", "黄陂区", "新洲区"],
        "黄石市": ["黄石港区", "西塞山区", "下陆区", "铁山区", "阳新县", "大冶市"],
        "咸宁市": ["咸安区", "嘉鱼县", "通城县", "崇阳县", "通山县", "赤壁市"],
    },
    "江苏省": {
        "南京市": ["玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区",
                   "江宁区", "六合区", "溧水区", "高淳区"],
        "淮安市": ["淮安区", "淮阴区", "清江浦区", "洪泽区", "涟水县", "盱眙县", "金湖县"],
        "苏州市": ["姑苏区", "虎丘区", "吴中区", "相城区", "吴江区", "常熟市", "张家港市",
                   "昆山市", "太仓市"],
    },
    "广东省": {
        "广州市": ["越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区",
                   "花都区", "南沙区", "从化区", "增城区"],
        "深圳市": ["罗湖区", "福田区", "南山区", "宝安区", "龙岗区", "盐田区", "龙华区",
                   "坪山区", "光明区"],
        "清远市": ["清城区", "清新区", "佛冈县", "阳山县", "连山壮族瑶族自治县",
                   "连南瑶族自治县", "英德市", "连州市"],
    },
    "四川省": {
        "成都市": ["锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "青白江区",
                   "新都区", "温江区", "双流区", "郫都区", "金堂县", "大邑县", "蒲江县",
                   "都江堰市", "彭州市", "邛崃市", "崇州市", "简阳市"],
    },
    "山西省": {
        "太原市": ["小店区", "迎泽区", "杏花岭区", "尖草坪区", "万柏林区", "晋源区",
                   "清徐县", "阳曲县", "娄烦县", "古交市"],
        "朔州市": ["朔城区", "平鲁区", "山阴县", "应县", "右玉县", "怀仁市"],
    },
    "陕西省": {
        "西安市": ["新城区", "碑林区", "莲湖区", "灞桥区", "未央区", "雁塔区", "阎良区",
                   "临潼区", "长安区", "高陵区", "鄠邑区", "蓝田县", "周至县"],
        "安康市": ["汉滨区", "汉阴县", "石泉县", "宁陕县", "紫阳县", "岚皋县", "平利县",
                   "镇坪县", "白河县"],
    },
    "河北省": {
        "保定市": ["竞秀区", "莲池区", "满城区", "清苑区", "徐水区", "涞水县", "阜平县",
                   "定兴县", "唐县", "高阳县", "容城县", "安新县", "易县", "雄县",
                   "涿州市", "安国市", "高碑店市"],
    },
    "山东省": {
        "济南市": ["历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区",
                   "济阳区", "莱芜区", "平阴县", "商河县"],
        "青岛市": ["市南区", "市北区", "黄岛区", "崂山区", "李沧区", "城阳区", "即墨区",
                   "胶州市", "平度市", "莱西市"],
    },
    "黑龙江省": {
        "佳木斯市": ["向阳区", "前进区", "东风区", "桦南县", "桦川县", "汤原县", "同江市",
                     "富锦市", "抚远市"],
        "哈尔滨市": ["道里区", "南岗区", "道外区", "平房区", "松北区", "香坊区", "呼兰区",
                     "阿城区", "双城区", "五常市"],
    },
    "贵州省": {
        "贵阳市": ["南明区", "云岩区", "花溪区", "乌当区", "白云区", "观山湖区", "开阳县",
                   "息烽县", "修文县", "清镇市"],
    },
    "新疆维吾尔自治区": {
        "乌鲁木齐市": ["天山区", "沙依巴克区", "新市区", "水磨沟区", "头屯河区",
                       "达坂城区", "米东区", "乌鲁木齐县"],
    },
    "北京市": {
        "北京市": ["东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "门头沟区",
                   "房山区", "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区",
                   "密云区", "延庆区"],
    },
    "上海市": {
        "上海市": ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区",
                   "闵行区", "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区",
                   "奉贤区", "崇明区"],
    },
    "重庆市": {
        "重庆市": ["渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区",
                   "巴南区", "綦江区", "黔江区", "万州区", "涪陵区"],
    },
}

MUNICIPALITIES = {"北京市", "上海市", "重庆市"}

# (province, city, district) -> streets (街道) and towns (镇 / 乡) of that district.
SUBDISTRICTS: dict[tuple[str, str, str], list[str]] = {
    ("吉林省", "长春市", "九台区"): ["沐石河街道", "营城街道", "九郊街道", "西营城街道",
                                  "卡伦湖街道"],
    ("吉林省", "长春市", "宽城区"): ["新发街道", "站前街道", "南广场街道", "东广场街道",
                                  "群英街道", "兴业街道", "凯旋街道", "团山街道",
                                  "欣园街道", "柳影街道", "兰家镇"],
    ("浙江省", "杭州市", "西湖区"): ["北山街道", "西溪街道", "灵隐街道", "翠苑街道",
                                  "文新街道", "古荡街道", "转塘街道", "留下街道",
                                  "蒋村街道", "三墩镇", "双浦镇"],
    ("浙江省", "杭州市", "上城区"): ["湖滨街道", "清波街道", "小营街道", "望江街道",
                                  "南星街道", "紫阳街道", "凯旋街道", "采荷街道",
                                  "闸弄口街道", "彭埠街道", "笕桥街道", "九堡街道",
                                  "丁兰街道", "四季青街道"],
    ("湖北省", "武汉市", "洪山区"): ["珞南街道", "关山街道", "狮子山街道", "张家湾街道",
                                  "梨园街道", "卓刀泉街道", "洪山街道", "和平街道",
                                  "青菱街道"],
    ("江苏省", "南京市", "鼓楼区"): ["宁海路街道", "华侨路街道", "湖南路街道",
                                  "中央门街道", "挹江门街道", "江东街道", "凤凰街道",
                                  "阅江楼街道", "热河南路街道", "小市街道", "幕府山街道",
                                  "建宁路街道", "宝塔桥街道"],
    ("江苏省", "淮安市", "洪泽区"): ["高良涧街道", "朱坝街道", "黄集街道", "蒋坝镇",
                                  "岔河镇", "西顺河镇", "老子山镇", "三河镇", "东双沟镇"],
    ("四川省", "成都市", "武侯区"): ["浆洗街街道", "望江路街道", "玉林街道",
                                  "跳伞塔街道", "火车南站街道", "簇桥街道", "红牌楼街道",
                                  "机投桥街道", "晋阳街道", "金花桥街道"],
    ("广东省", "深圳市", "南山区"): ["南头街道", "南山街道", "沙河街道", "蛇口街道",
                                  "招商街道", "粤海街道", "桃源街道", "西丽街道"],
    ("北京市", "北京市", "海淀区"): ["万寿路街道", "羊坊店街道", "甘家口街道",
                                  "八里庄街道", "紫竹院街道", "北下关街道",
                                  "北太平庄街道", "学院路街道", "中关村街道", "海淀街道",
                                  "青龙桥街道", "清华园街道", "燕园街道", "香山街道",
                                  "清河街道", "花园路街道", "西三旗街道", "马连洼街道",
                                  "上地街道", "曙光街道", "温泉镇", "四季青镇",
                                  "西北旺镇", "苏家坨镇", "上庄镇"],
    ("上海市", "上海市", "浦东新区"): ["潍坊新村街道", "陆家嘴街道", "周家渡街道",
                                    "塘桥街道", "上钢新村街道", "南码头路街道",
                                    "沪东新村街道", "金杨新村街道", "洋泾街道",
                                    "浦兴路街道", "东明路街道", "花木街道", "川沙新镇",
                                    "高桥镇", "北蔡镇", "合庆镇", "唐镇", "曹路镇",
                                    "金桥镇", "张江镇", "三林镇", "惠南镇"],
    ("黑龙江省", "佳木斯市", "前进区"): ["永安街道", "站前街道", "奋斗街道", "港湾街道"],
}

# Department names by level: provincial bodies are mostly 厅, city and county ones 局.
PROVINCE_DEPARTMENTS = [
    "教育厅", "科学技术厅", "公安厅", "民政厅", "司法厅", "财政厅", "人力资源和社会保障厅",
    "自然资源厅", "生态环境厅", "住房和城乡建设厅", "交通运输厅", "水利厅", "农业农村厅",
    "商务厅", "文化和旅游厅", "卫生健康委员会", "应急管理厅", "审计厅", "市场监督管理局",
    "统计局", "医疗保障局", "林业局", "人民政府办公厅",
]
LOCAL_DEPARTMENTS = [
    "发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "自然资源和规划局", "生态环境局",
    "住房和城乡建设局", "交通运输局", "水务局", "水利局", "农业农村局", "商务局",
    "文化广电和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "机关事务管理局",
    "政务服务和数据管理局", "信访局", "林业局", "人民政府办公室",
]
CITY_DEPARTMENTS = [d.replace("卫生健康局", "卫生健康委员会") for d in LOCAL_DEPARTMENTS]

LEVELS = ("省", "市", "县区", "乡镇街道", "部门")


@dataclass(frozen=True, slots=True)
class Agency:
    """A reporting body: its full name as printed, a short name for prose, where it is and
    at which level, and the portal host its reports live on."""

    name: str
    short: str
    province: str
    city: str | None
    district: str | None
    level: str
    site: str


def _site_name(province: str, city: str | None, district: str | None) -> str:
    if district:
        return f"{'' if city in MUNICIPALITIES else (city or '')}{district}人民政府"
    if city and city not in MUNICIPALITIES:
        return f"{city}人民政府"
    return f"{province}人民政府"


def pick_agency(rng: random.Random, level: str | None = None) -> Agency:
    """Choose a body. Levels are weighted the way reports are published: most come from
    county-level governments and their departments, then streets and towns."""
    if level is None:
        level = rng.choices(LEVELS, weights=[3, 8, 25, 22, 42])[0]
    province = rng.choice(sorted(PLACES))
    cities = PLACES[province]
    city = rng.choice(sorted(cities))
    district = rng.choice(cities[city])
    city_prefix = "" if city in MUNICIPALITIES else city
    if level == "省":
        if province in MUNICIPALITIES:
            name = rng.choice([f"{province}人民政府", f"{province}人民政府办公厅"])
        else:
            name = rng.choice([f"{province}人民政府", f"{province}人民政府办公厅",
                               f"{province}{rng.choice(PROVINCE_DEPARTMENTS)}"])
        short = "我省" if province not in MUNICIPALITIES else "我市"
        if name.endswith(("厅", "局", "委员会")) and "人民政府" not in name:
            short = "我厅" if name.endswith("厅") else ("我委" if name.endswith("会") else "我局")
        return Agency(name, short, province, None, None, level, _site_name(province, None, None))
    if level == "市":
        base = city if city in MUNICIPALITIES else city
        name = rng.choice([f"{base}人民政府", f"{base}人民政府办公室"])
        return Agency(name, "我市", province, city, None, level, _site_name(province, city, None))
    if level == "县区":
        unit = "区" if district.endswith("区") else ("县" if district.endswith("县") else "市")
        # County-level cities (德惠市) are never prefixed with their prefecture's name.
        prefix = "" if district.endswith("市") else city_prefix
        name = rng.choice([f"{prefix}{district}人民政府", f"{prefix}{district}人民政府办公室",
                           f"{district}人民政府"])
        return Agency(name, f"我{unit}", province, city, district, level,
                      _site_name(province, city, district))
    if level == "乡镇街道":
        key = (province, city, district)
        if key not in SUBDISTRICTS:
            key = rng.choice(sorted(SUBDISTRICTS))
            province, city, district = key
            city_prefix = "" if city in MUNICIPALITIES else city
        sub = rng.choice(SUBDISTRICTS[key])
        if sub.endswith("街道"):
            name = rng.choice([f"{city_prefix}{district}{sub}办事处",
                               f"{district}{sub}办事处", f"{city_prefix}{district}{sub}"])
            short = "我街道"
        else:
            name = rng.choice([f"{city_prefix}{district}{sub}人民政府", f"{district}{sub}人民政府"])
            short = "我镇"
        return Agency(name, short, province, city, district, level,
                      _site_name(province, city, district))
    # 部门: a department of a city or a county-level government.
    if rng.random() < 0.4:
        dept = rng.choice(CITY_DEPARTMENTS)
        if dept == "人民政府办公室":
            dept = "机关事务管理局"
        name = f"{city}{dept}"
        site = _site_name(province, city, None)
        district = None
    else:
        dept = rng.choice(LOCAL_DEPARTMENTS)
        if dept == "人民政府办公室":
            dept = "政务服务和数据管理局"
        prefix = rng.choice([city_prefix, ""]) if not district.endswith("市") else ""
        name = f"{prefix}{district}{dept}"
        site = _site_name(province, city, district)
    short = "我委" if name.endswith("委员会") else "我局"
    return Agency(name, short, province, city, district, "部门", site)


def other_agencies(rng: random.Random, agency: Agency, n: int) -> list[str]:
    """Names of sibling bodies on the same portal, for related-article lists."""
    out: list[str] = []
    city = agency.city or rng.choice(sorted(PLACES[agency.province]))
    prefix = "" if city in MUNICIPALITIES else city
    districts = PLACES[agency.province].get(city) or [""]
    while len(out) < n:
        kind = rng.random()
        if kind < 0.4:
            name = f"{prefix}{rng.choice(LOCAL_DEPARTMENTS).replace('人民政府办公室', '统计局')}"
        elif kind < 0.8:
            name = f"{prefix}{rng.choice(districts)}人民政府"
        else:
            name = f"{rng.choice(districts)}{rng.choice(LOCAL_DEPARTMENTS).replace('人民政府办公室', '审计局')}"
        if name != agency.name and name not in out:
            out.append(name)
    return out
