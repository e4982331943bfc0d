"""Everything the user reads, in Simplified Chinese with an English twin. One place.

``t(key, lang)`` for labels; ``enum_label(kind, key, lang)`` for enumerations; ``fmt_money`` for 万元/亿元.
Pages add their labels to TEXT under a comment naming the page. Code uses the English keys only.
"""
from __future__ import annotations

import math

LANGS = ("zh", "en")

# Enumerations: kind -> key -> (zh, en). Import parsers accept the zh word, the en word and the key.
ENUMS: dict[str, dict[str, tuple[str, str]]] = {
    "region_kind": {
        "county": ("县", "County"), "district": ("区", "District"), "city": ("市", "City"),
        "park": ("开发区", "Development zone"),
    },
    "library": {"reserve": ("储备项目", "Reserve"), "annual": ("年度建设", "Annual")},
    "nature": {"new": ("新开工", "New start"), "continuing": ("续建", "Continuing")},
    "level": {
        "provincial": ("省重点", "Provincial key"), "municipal": ("市重点", "Municipal key"),
        "county": ("县重点", "County key"), "general": ("一般", "General"),
    },
    "approval": {
        "done": ("已办结", "Done"), "in_progress": ("办理中", "In progress"),
        "not_started": ("未启动", "Not started"), "not_applicable": ("不涉及", "N/A"),
    },
    "approval_field": {
        "approval_project": ("立项", "Project approval"), "approval_land": ("用地", "Land use"),
        "approval_planning": ("规划", "Planning"), "approval_eia": ("环评", "EIA"),
        "approval_energy": ("能评", "Energy review"),
        "approval_construction": ("施工许可", "Construction permit"),
    },
    "fund_source": {
        "central_budget": ("中央预算内", "Central budget"), "special_bond": ("专项债", "Special bonds"),
        "treasury_bond": ("国债", "Treasury bonds"),
    },
    "problem_category": {
        "land": ("用地", "Land"), "demolition": ("征地拆迁", "Land acquisition"),
        "planning": ("规划", "Planning"), "eia": ("环评", "EIA"), "energy": ("能评", "Energy review"),
        "funds": ("资金", "Funding"), "approval": ("审批手续", "Approvals"),
        "utilities": ("水电气配套", "Utilities"), "construction": ("施工", "Construction"),
        "other": ("其他", "Other"),
    },
    "problem_level": {"county": ("县级", "County"), "city": ("市级", "City"), "province": ("省级", "Province")},
    "problem_status": {
        "pending": ("待交办", "To assign"), "assigned": ("已交办", "Assigned"),
        "in_progress": ("办理中", "In progress"), "closure_requested": ("申请销号", "Closure requested"),
        "closed": ("已销号", "Closed"),
    },
    "problem_action": {
        "raise": ("提出", "Raised"), "assign": ("交办", "Assigned"), "start": ("开始办理", "Started"),
        "progress": ("进展", "Progress note"), "submit": ("申请销号", "Closure requested"),
        "accept": ("销号", "Closed"), "return": ("退回", "Returned"), "supervise": ("督办", "Supervised"),
        "escalate": ("提级", "Escalated"), "import": ("导入", "Imported"), "edit": ("修改", "Edited"),
    },
    "role": {
        "leader": ("领导", "Leader"), "staff": ("县区填报员", "County staff"),
        "office": ("项目办", "Campaign office"), "admin": ("管理员", "Administrator"),
    },
    "light": {"red": ("红", "Red"), "yellow": ("黄", "Yellow"), "green": ("绿", "Green"), "gray": ("灰", "Gray")},
    "dimension": {
        "start": ("开工", "Start"), "progress": ("进度", "Progress"), "reporting": ("报送", "Reporting"),
        "stats": ("入库", "In statistics"), "funds": ("资金", "Funds"), "problems": ("问题", "Problems"),
        "overall": ("综合", "Overall"),
    },
    "metric": {
        "invest_rate": ("投资完成率", "Investment completion"), "start_rate": ("开工率", "Start rate"),
        "growth": ("固投增速", "FAI growth"), "stats_rate": ("入库率", "In-statistics rate"),
        "funds_rate": ("资金支付率", "Fund payment rate"), "closure_rate": ("问题销号率", "Problem closure rate"),
        "red_share": ("红灯占比", "Red share"),
    },
    "bool": {"yes": ("是", "Yes"), "no": ("否", "No")},
}

# Light colours: red/yellow/green/gray; the word always travels with the colour.
LIGHT_COLORS = {"red": "#D64545", "yellow": "#E8B10E", "green": "#2E9E5B", "gray": "#9AA3AD"}

TEXT: dict[str, tuple[str, str]] = {
    # --- frame ---
    "app_title": ("攻坚驾驶舱", "Project Cockpit"),
    "demo_banner": ("示例数据:大理州2022年“项目攻坚年”演示数据,非真实统计", "Demo data: Dali 2022 campaign, not real statistics"),
    "data_as_of": ("数据截至", "Data as of"),
    "period": ("报告期", "Period"),
    "region": ("县区", "County"),
    "all_regions": ("全部县区", "All counties"),
    "language": ("语言", "Language"),
    "login": ("登录", "Sign in"),
    "logout": ("退出登录", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "legend": ("图例", "Legend"),
    "unit_wan": ("万元", "10k CNY"),
    "unit_yi": ("亿元", "100M CNY"),
    "no_data": ("暂无数据", "No data"),
    "na": ("—", "—"),
}


def t(key: str, lang: str = "zh") -> str:
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def enum_label(kind: str, key: str | None, lang: str = "zh") -> str:
    if key is None or (isinstance(key, float) and math.isnan(key)):
        return ""
    pair = ENUMS.get(kind, {}).get(key)
    if pair is None:
        return str(key)
    return pair[1] if lang == "en" else pair[0]


def enum_lookup(kind: str) -> dict[str, str]:
    """Every accepted spelling (zh, en, key; case-insensitive for en/key) -> key."""
    out: dict[str, str] = {}
    for key, (zh, en) in ENUMS[kind].items():
        out[key.lower()] = key
        out[zh] = key
        out[en.lower()] = key
    return out


def fmt_money(wan: float | None, lang: str = "zh", unit: str = "auto", digits: int | None = None) -> str:
    """Money stored in 万元, shown in 万元 or 亿元 with the unit always written.
    unit: 'wan', 'yi' or 'auto' (亿元 from 10,000万元 up)."""
    if wan is None or (isinstance(wan, float) and math.isnan(wan)):
        return "—"
    if unit == "auto":
        unit = "yi" if abs(wan) >= 10000 else "wan"
    if unit == "yi":
        value, d = wan / 10000.0, 2 if digits is None else digits
    else:
        value, d = wan, 0 if digits is None else digits
    return f"{value:,.{d}f}{' ' if lang == 'en' else ''}{t('unit_' + unit, lang)}"


def fmt_pct(fraction: float | None, digits: int = 1) -> str:
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "—"
    return f"{fraction * 100:.{digits}f}%"


def fmt_pp(points: float | None, lang: str = "zh", digits: int = 1) -> str:
    if points is None or (isinstance(points, float) and math.isnan(points)):
        return "—"
    return f"{points:+.{digits}f}{'个百分点' if lang == 'zh' else ' pp'}"
