"""Body text of the six sections: a few sentences per section drawn from pools of phrasing
seen in real reports, so that readers meet realistic prose (with its own numbers, years and
words such as 行政复议 or 总计) around the tables."""

from __future__ import annotations

import random

INTRO = [
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{name}联系。",
    "根据《中华人民共和国政府信息公开条例》和上级有关要求，特向社会公布{year}年{name}政府信息公开工作年度报告。本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况和其他需要报告的事项，共六个部分。",
    "根据《中华人民共和国政府信息公开条例》（国务院令第711号）规定，现公布{name}{year}年度政府信息公开工作年度报告。本报告电子版可在{site}门户网站下载。",
]

OVERVIEW = [
    "{year}年，{short}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持“以公开为常态、不公开为例外”，围绕中心工作，不断加大政府信息公开力度，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{year}年，{short}深入推进政府信息公开工作，健全工作机制，明确专人负责信息的收集、审核和发布，确保信息公开及时、准确、规范。",
    "（一）主动公开情况。{short}通过门户网站、政务新媒体等渠道主动公开各类政府信息{posted}条，内容涵盖政策文件、工作动态、通知公告等。",
    "（二）依申请公开情况。{year}年，{short}共收到政府信息公开申请{received}件，均已在法定期限内予以答复。",
    "（三）政府信息管理情况。严格落实信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”原则，全年未发生泄密事件。",
    "（四）政府信息公开平台建设情况。加强政府网站和政务新媒体管理，优化栏目设置，及时更新法定主动公开内容，提升平台服务能力。",
    "（五）监督保障情况。将政府信息公开工作纳入年度绩效考核，定期开展自查，及时整改发现的问题，全年未发生因政府信息公开工作不到位引发的责任追究情况。",
    "加强组织领导，完善制度建设。成立由主要负责同志任组长的政务公开工作领导小组，制定《政府信息主动公开制度》《政府信息依申请公开制度》等配套制度，推动公开工作规范化、制度化。",
]

PROACTIVE_LEAD = [
    "",
    "",
    "{year}年{short}主动公开政府信息情况如下：",
]

APPLICATIONS_LEAD = [
    "",
    "",
    "{year}年{short}收到和处理政府信息公开申请情况如下：",
]

REVIEW_LEAD = [
    "",
    "",
    "{year}年，{short}未发生因政府信息公开引起的行政复议、行政诉讼案件。",
]

PROBLEMS = [
    "{year}年，{short}政府信息公开工作取得了一定成效，但也存在一些不足：一是公开内容的深度和广度有待拓展；二是工作人员业务能力有待提升；三是政策解读形式较为单一。",
    "{next_year}年，{short}将重点做好以下工作：一是加强业务培训，提高工作人员的公开意识和业务水平；二是完善工作机制，规范信息发布流程；三是丰富公开形式，增强政策解读的针对性和实效性。",
    "（一）存在的主要问题。信息更新不够及时，部分栏目内容不够丰富，依申请公开办理的规范化水平仍需提高。",
    "（二）改进措施。进一步梳理主动公开事项清单，完善依申请公开受理、审查、答复流程，加强对基层政务公开工作的指导，推动政府信息公开工作提质增效。",
    "针对上述问题，下一步将严格落实《条例》各项要求，健全信息发布审核机制，加大重点领域信息公开力度，及时回应社会关切。",
]

OTHER = [
    "无其他需要报告的事项。",
    "本年度无其他需要报告的事项。",
    "{year}年，{short}未收取政府信息公开信息处理费。",
    "{year}年，{short}严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费0元。",
    "无",
]


def _fill(template: str, ctx: dict[str, object]) -> str:
    return template.format(**ctx)


def _renumber(paragraphs: list[str]) -> list[str]:
    """Number the "（一）…" paragraphs kept from a pool in sequence."""
    out, n = [], 0
    for p in paragraphs:
        if p.startswith("（"):
            p = f"（{'一二三四五六七八九'[n]}）" + p[p.index("）") + 1:]
            n += 1
        out.append(p)
    return out


def draw_prose(rng: random.Random, ctx: dict[str, object]) -> dict[str, list[str]]:
    """Paragraphs per section key ("intro", "overview", ... "other"); empty leads dropped."""
    overview = [OVERVIEW[0] if rng.random() < 0.5 else OVERVIEW[1]]
    extra = rng.sample(OVERVIEW[2:], k=rng.randint(1, 4))
    extra.sort(key=OVERVIEW.index)
    if ctx.get("received") is None:
        extra = [p for p in extra if "{received}" not in p]
    overview += extra
    problems = rng.sample(PROBLEMS, k=rng.randint(1, 3))
    problems.sort(key=PROBLEMS.index)
    overview, problems = _renumber(overview), _renumber(problems)
    out = {
        "intro": [rng.choice(INTRO)] if rng.random() < 0.6 else [],
        "overview": overview,
        "proactive": [rng.choice(PROACTIVE_LEAD)],
        "applications": [rng.choice(APPLICATIONS_LEAD)],
        "review_litigation": [rng.choice(REVIEW_LEAD)] if not ctx.get("litigated") else [],
        "problems": problems,
        "other": [rng.choice(OTHER)],
    }
    return {k: [_fill(p, ctx) for p in v if p] for k, v in out.items()}
