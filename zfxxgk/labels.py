"""Official labels of the report tables with English glosses, for the label_* tables.

Data, not logic: the database carries these so that Datasette shows what 三、本年度办理结果/
（五）不予处理/2.重复申请 means to a reader without Chinese. Labels are the canonical ones the
parsers emit (FORMAT.md), row paths joined with "/".
"""

from __future__ import annotations

# (item, metric, era, gloss_en)
PROACTIVE: list[tuple[str, str, str, str]] = [
    ("规章", "本年新制作数量", "2019", "Regulations: newly made this year"),
    ("规章", "本年新公开数量", "2019", "Regulations: newly disclosed this year"),
    ("规章", "对外公开总数量", "2019", "Regulations: total disclosed"),
    ("规范性文件", "本年新制作数量", "2019", "Normative documents: newly made this year"),
    ("规范性文件", "本年新公开数量", "2019", "Normative documents: newly disclosed this year"),
    ("规范性文件", "对外公开总数量", "2019", "Normative documents: total disclosed"),
    ("行政许可", "上一年项目数量", "2019", "Administrative licensing: items last year"),
    ("行政许可", "本年增/减", "2019", "Administrative licensing: change this year"),
    ("行政许可", "处理决定数量", "2019", "Administrative licensing: decisions"),
    ("其他对外管理服务事项", "上一年项目数量", "2019",
     "Other external management services: items last year"),
    ("其他对外管理服务事项", "本年增/减", "2019",
     "Other external management services: change this year"),
    ("其他对外管理服务事项", "处理决定数量", "2019",
     "Other external management services: decisions"),
    ("行政处罚", "上一年项目数量", "2019", "Administrative penalties: items last year"),
    ("行政处罚", "本年增/减", "2019", "Administrative penalties: change this year"),
    ("行政处罚", "处理决定数量", "2019", "Administrative penalties: decisions"),
    ("行政强制", "上一年项目数量", "2019", "Administrative coercion: items last year"),
    ("行政强制", "本年增/减", "2019", "Administrative coercion: change this year"),
    ("行政强制", "处理决定数量", "2019", "Administrative coercion: decisions"),
    ("行政事业性收费", "上一年项目数量", "2019", "Administrative fees: items last year"),
    ("行政事业性收费", "本年增/减", "2019", "Administrative fees: change this year"),
    ("政府集中采购", "采购项目数量", "2019", "Centralized government procurement: projects"),
    ("政府集中采购", "采购总金额", "2019", "Centralized government procurement: total amount"),
    ("规章", "本年制发件数", "2021", "Regulations: issued this year"),
    ("规章", "本年废止件数", "2021", "Regulations: repealed this year"),
    ("规章", "现行有效件数", "2021", "Regulations: currently in force"),
    ("行政规范性文件", "本年制发件数", "2021", "Administrative normative documents: issued this year"),
    ("行政规范性文件", "本年废止件数", "2021", "Administrative normative documents: repealed this year"),
    ("行政规范性文件", "现行有效件数", "2021", "Administrative normative documents: in force"),
    ("行政许可", "本年处理决定数量", "2021", "Administrative licensing: decisions this year"),
    ("行政处罚", "本年处理决定数量", "2021", "Administrative penalties: decisions this year"),
    ("行政强制", "本年处理决定数量", "2021", "Administrative coercion: decisions this year"),
    ("行政事业性收费", "本年收费金额", "2021", "Administrative fees: amount collected this year"),
]

_RESULT = "三、本年度办理结果"

# (row path, gloss_en)
APPLICATION_ROWS: list[tuple[str, str]] = [
    ("一、本年新收政府信息公开申请数量", "I. New applications received this year"),
    ("二、上年结转政府信息公开申请数量", "II. Applications carried over from last year"),
    (f"{_RESULT}/（一）予以公开", "III. Outcomes / (1) Disclosed"),
    (f"{_RESULT}/（二）部分公开", "III. Outcomes / (2) Partly disclosed"),
    (f"{_RESULT}/（三）不予公开/1.属于国家秘密", "III / (3) Not disclosed / 1. State secret"),
    (f"{_RESULT}/（三）不予公开/2.其他法律行政法规禁止公开",
     "III / (3) Not disclosed / 2. Prohibited by other laws and regulations"),
    (f"{_RESULT}/（三）不予公开/3.危及“三安全一稳定”",
     "III / (3) Not disclosed / 3. Endangers the 'three securities and one stability'"),
    (f"{_RESULT}/（三）不予公开/4.保护第三方合法权益",
     "III / (3) Not disclosed / 4. Protects third-party rights"),
    (f"{_RESULT}/（三）不予公开/5.属于三类内部事务信息",
     "III / (3) Not disclosed / 5. Internal affairs information"),
    (f"{_RESULT}/（三）不予公开/6.属于四类过程性信息",
     "III / (3) Not disclosed / 6. Process information"),
    (f"{_RESULT}/（三）不予公开/7.属于行政执法案卷",
     "III / (3) Not disclosed / 7. Administrative enforcement files"),
    (f"{_RESULT}/（三）不予公开/8.属于行政查询事项",
     "III / (3) Not disclosed / 8. Administrative inquiry matters"),
    (f"{_RESULT}/（四）无法提供/1.本机关不掌握相关政府信息",
     "III / (4) Cannot provide / 1. Not held by this body"),
    (f"{_RESULT}/（四）无法提供/2.没有现成信息需要另行制作",
     "III / (4) Cannot provide / 2. Would have to be newly produced"),
    (f"{_RESULT}/（四）无法提供/3.补正后申请内容仍不明确",
     "III / (4) Cannot provide / 3. Still unclear after correction"),
    (f"{_RESULT}/（五）不予处理/1.信访举报投诉类申请",
     "III / (5) Not handled / 1. Petitions, reports, complaints"),
    (f"{_RESULT}/（五）不予处理/2.重复申请", "III / (5) Not handled / 2. Repeated application"),
    (f"{_RESULT}/（五）不予处理/3.要求提供公开出版物",
     "III / (5) Not handled / 3. Asks for published material"),
    (f"{_RESULT}/（五）不予处理/4.无正当理由大量反复申请",
     "III / (5) Not handled / 4. Mass repeated applications without good reason"),
    (f"{_RESULT}/（五）不予处理/5.要求行政机关确认或重新出具已获取信息",
     "III / (5) Not handled / 5. Asks to confirm or reissue information already obtained"),
    (f"{_RESULT}/（六）其他处理", "III / (6) Other handling"),
    (f"{_RESULT}/（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
     "III / (6) Other / 1. Applicant did not correct in time; no longer handled"),
    (f"{_RESULT}/（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
     "III / (6) Other / 2. Applicant did not pay the fee in time; no longer handled"),
    (f"{_RESULT}/（六）其他处理/3.其他", "III / (6) Other / 3. Other"),
    (f"{_RESULT}/（七）总计", "III. Outcomes / (7) Total"),
    ("四、结转下年度继续办理", "IV. Carried over to next year"),
]

APPLICANTS: list[tuple[str, str]] = [
    ("自然人", "Natural persons"),
    ("商业企业", "Legal persons/organizations: commercial enterprises"),
    ("科研机构", "Legal persons/organizations: research institutions"),
    ("社会公益组织", "Legal persons/organizations: public-interest organizations"),
    ("法律服务机构", "Legal persons/organizations: legal service providers"),
    ("其他", "Legal persons/organizations: other"),
    ("总计", "Total"),
]

_KINDS = [
    ("行政复议", "Administrative reconsideration"),
    ("行政诉讼/未经复议直接起诉", "Administrative litigation / sued directly"),
    ("行政诉讼/复议后起诉", "Administrative litigation / sued after reconsideration"),
]
_RESULTS = [
    ("结果维持", "upheld"),
    ("结果纠正", "corrected"),
    ("其他结果", "other result"),
    ("尚未审结", "pending"),
    ("总计", "total"),
]
REVIEW: list[tuple[str, str, str]] = [
    (kind, result, f"{kind_en}: {result_en}")
    for kind, kind_en in _KINDS
    for result, result_en in _RESULTS
]

# (rule, description_zh, description_en)
RULES: list[tuple[str, str, str]] = [
    ("rule1_balance", "各申请人列：一＋二＝三（七）总计＋四（勾稽关系）",
     "Per applicant column: I + II = III(7) total + IV (the official balance)"),
    ("rule2_outcomes", "（七）总计＝（一）至（六）各项之和",
     "III(7) total equals the sum of outcomes (1)-(6)"),
    ("rule3_applicant_total", "总计列＝自然人与五类法人或其他组织之和",
     "The total column equals natural persons plus the five organization columns"),
    ("rule4_review_total", "表四：各总计＝其前四项之和",
     "Table IV: each total equals the four cells before it"),
    ("rule5_year", "标题/正文年份与数据期间、表格格式年代一致",
     "The year in title/text agrees with the data period and the table format era"),
    ("unknown_row", "表格中有无法识别的行", "A table row the reader could not identify"),
    ("missing_table", "缺少标准表格", "A standard table is missing"),
    ("duplicate_cell", "同一单元格出现多次，仅保留第一次", "A cell appeared twice; the first kept"),
]
