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
    # --- pages/admin.py ---
    "admin_title": ("账号管理", "Accounts"),
    "admin_forbidden": ("只有管理员可以管理账号", "Only administrators can manage accounts"),
    "admin_col_username": ("用户名", "Username"),
    "admin_col_display_name": ("姓名", "Name"),
    "admin_col_role": ("角色", "Role"),
    "admin_col_region_code": ("所属县区", "County"),
    "admin_col_active": ("启用", "Active"),
    "admin_col_failed_logins": ("连续登录失败", "Failed sign-ins"),
    "admin_col_locked_until": ("锁定至", "Locked until"),
    "admin_col_created_at": ("创建时间", "Created"),
    "admin_add": ("新增账号", "Add account"),
    "admin_edit": ("修改账号", "Edit account"),
    "admin_backup": ("数据备份", "Backup"),
    "admin_new_password": ("新密码(至少8位)", "New password (8+ characters)"),
    "admin_reset": ("重置密码", "Reset password"),
    "admin_save_role": ("保存角色和县区", "Save role and county"),
    "admin_disable": ("停用该账号", "Disable account"),
    "admin_enable": ("启用该账号", "Enable account"),
    "admin_saved": ("已保存,并记入操作日志", "Saved and recorded in the audit trail"),
    "admin_backup_help": ("备份为一个 SQLite 文件,可直接作为数据库恢复使用。", "The backup is one SQLite file that can be restored as the store."),
    "admin_backup_make": ("生成备份", "Make backup"),
    "admin_backup_done": ("已备份 {tables} 张表、{rows} 行", "Backed up {tables} tables, {rows} rows"),
    "admin_backup_download": ("下载备份文件", "Download backup"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    # --- pages/audit.py ---
    "audit_title": ("操作日志", "Audit trail"),
    "audit_forbidden": ("只有项目办和管理员可以查看操作日志", "Only the campaign office and admins can read the audit trail"),
    "audit_user": ("操作人", "User"),
    "audit_entity": ("对象", "Object"),
    "audit_action": ("操作", "Action"),
    "audit_count": ("共 {n} 条记录", "{n} entries"),
    "audit_col_id": ("序号", "No."),
    "audit_col_at": ("时间", "Time"),
    "audit_col_username": ("操作人", "User"),
    "audit_col_action": ("操作", "Action"),
    "audit_col_entity": ("对象", "Object"),
    "audit_col_entity_key": ("对象编号", "Key"),
    "audit_col_before": ("修改前", "Before"),
    "audit_col_after": ("修改后", "After"),
    "audit_col_batch_id": ("上传批次", "Batch"),
    "all": ("全部", "All"),
    "date_from": ("起始日期", "From"),
    "date_to": ("截止日期", "To"),
    "export_csv": ("导出 CSV", "Export CSV"),
    # --- app.py frame and cockpit pages (overview, project_list, project_file, league; pages/_ui.py) ---
    "sec_cockpit": ("驾驶舱", "Cockpit"),
    "sec_projects": ("项目", "Projects"),
    "sec_problems": ("问题", "Problems"),
    "sec_data": ("数据", "Data"),
    "sec_admin": ("管理", "Admin"),
    "page_overview": ("驾驶舱总览", "Overview"),
    "page_map": ("项目地图", "Project map"),
    "page_project_list": ("红黄绿灯项目清单", "Traffic-light list"),
    "page_project_file": ("一项一档", "Project file"),
    "page_league": ("县区排名", "County league table"),
    "page_problems": ("问题清单", "Problems"),
    "page_upload": ("数据上传", "Upload"),
    "page_admin": ("设置与账号", "Settings and accounts"),
    "page_audit": ("操作日志", "Audit log"),
    "login_title": ("攻坚驾驶舱 · 登录", "Project Cockpit · Sign in"),
    "login_hint": ("请使用分配的账号登录。", "Sign in with the account you were given."),
    "signed_in_as": ("当前用户", "Signed in as"),
    "lang_zh": ("中文", "中文"),
    "lang_en": ("English", "English"),
    "store_error_fix": ("请按提示处理后刷新本页。", "Fix this as described, then reload the page."),
    "no_periods": ("数据库中还没有月报,请先上传月报或加载示例数据(python -m lib.cli init --demo)。",
                   "The store holds no monthly reports yet: upload them or load the demo (python -m lib.cli init --demo)."),
    "module_missing": ("该功能模块尚未就绪", "This module is not available yet"),
    "view_list": ("查看清单", "Open the list"),
    "prev_month_change": ("较上月", "vs last month"),
    "points": ("个百分点", "pp"),
    "count_unit": ("个", ""),
    # overview cards
    "card_plan": ("年度计划投资", "Annual plan"),
    "card_ytd": ("累计完成投资", "Completed this year"),
    "card_rate": ("投资完成率", "Completion rate"),
    "card_time": ("序时进度", "Time progress"),
    "card_gap": ("与序时进度差", "Gap to time progress"),
    "card_start_rate": ("新开工开工率", "New-start rate"),
    "card_stats_rate": ("入库率", "In-statistics rate"),
    "card_funds_rate": ("政策资金支付率", "Policy fund payment"),
    "card_red": ("红灯项目", "Red projects"),
    "card_yellow": ("黄灯项目", "Yellow projects"),
    "card_green": ("绿灯项目", "Green projects"),
    "card_gray": ("灰灯项目", "Gray projects"),
    "card_open_problems": ("未销号问题", "Open problems"),
    "card_overdue_problems": ("超期问题", "Overdue problems"),
    "chart_curve": ("全年累计完成投资与计划", "Cumulative completion against plan"),
    "chart_county": ("各县区投资完成率与序时进度", "Completion rate by county against time progress"),
    "chart_sector": ("各行业领域投资完成情况", "Completion by sector"),
    "chart_lights": ("项目红黄绿灯分布", "Projects by light"),
    "axis_month": ("月份", "Month"),
    "axis_wan": ("金额(万元)", "Amount (10k CNY)"),
    "axis_yi": ("金额(亿元)", "Amount (100M CNY)"),
    "axis_rate": ("完成率(%)", "Completion (%)"),
    "series_actual": ("累计完成", "Completed"),
    "series_plan": ("计划累计", "Planned"),
    "series_time": ("序时进度", "Time progress"),
    "series_rate": ("投资完成率", "Completion rate"),
    "series_plan_annual": ("年度计划", "Annual plan"),
    "go_county": ("查看该县区项目", "Projects of this county"),
    "go_sector": ("查看该行业项目", "Projects of this sector"),
    "go_light": ("查看该颜色项目", "Projects with this light"),
    "pick_county": ("选择县区", "Choose a county"),
    "pick_sector": ("选择行业领域", "Choose a sector"),
    "pick_light": ("选择灯色", "Choose a light"),
    "problems_page_missing": ("问题清单页面尚未就绪", "The problems page is not available yet"),
    # traffic-light list
    "f_region": ("县区", "County"),
    "f_light": ("综合灯色", "Overall light"),
    "f_dimension": ("维度", "Dimension"),
    "f_dim_light": ("该维度灯色", "Light of that dimension"),
    "f_level": ("重点级别", "Level"),
    "f_sector": ("行业领域", "Sector"),
    "f_tags": ("标签", "Tags"),
    "f_library": ("项目库", "Library"),
    "f_nature": ("建设性质", "Nature"),
    "f_leader": ("包联领导", "Liaison leader"),
    "f_unit": ("责任单位", "Responsible unit"),
    "f_text": ("搜索(名称/代码/原因)", "Search (name, code, reason)"),
    "f_sort": ("排序", "Sort by"),
    "f_clear": ("清除筛选", "Clear filters"),
    "f_more": ("更多筛选", "More filters"),
    "sort_light": ("灯色(红在前)", "Light (red first)"),
    "sort_gap": ("滞后最多", "Largest lag"),
    "sort_rate": ("完成率最低", "Lowest completion"),
    "sort_plan": ("计划投资最大", "Largest plan"),
    "sort_code": ("项目代码", "Project code"),
    "list_count": ("当前筛选共 {n} 个项目", "{n} projects in the current filter"),
    "export_excel": ("导出当前清单(Excel)", "Export this view (Excel)"),
    "open_file_hint": ("点选一行查看该项目的一项一档", "Select a row to open its project file"),
    "open_file": ("打开一项一档", "Open project file"),
    "col_code": ("项目代码", "Code"),
    "col_name": ("项目名称", "Project"),
    "col_region": ("县区", "County"),
    "col_light": ("综合", "Overall"),
    "col_rate": ("完成率", "Completion"),
    "col_expected": ("序时进度", "Expected"),
    "col_gap": ("差距(百分点)", "Gap (pp)"),
    "col_reasons": ("原因", "Reasons"),
    "col_plan": ("年度计划(万元)", "Annual plan (10k CNY)"),
    "col_ytd": ("累计完成(万元)", "Completed (10k CNY)"),
    # project file
    "pf_pick": ("选择项目", "Choose a project"),
    "pf_facts": ("基本信息", "Facts"),
    "pf_approvals": ("审批手续", "Approvals"),
    "pf_funds": ("政策性资金", "Policy funds"),
    "pf_allocated": ("已下达", "Allocated"),
    "pf_paid": ("已支付", "Paid"),
    "pf_curve": ("本年累计完成投资与计划", "Cumulative completion against plan this year"),
    "pf_lights": ("逐月红黄绿灯", "Lights month by month"),
    "pf_problems": ("项目问题", "Problems"),
    "pf_history": ("变更记录", "Change history"),
    "pf_reports": ("月报记录", "Monthly reports"),
    "pf_unknown": ("未找到该项目", "Project not found"),
    "pf_none": ("暂无记录", "None"),
    "fact_total_investment": ("总投资", "Total investment"),
    "fact_owner": ("项目业主", "Owner"),
    "fact_planned": ("计划工期", "Planned"),
    "fact_actual": ("实际工期", "Actual"),
    "fact_location": ("位置(经纬度)", "Location (lon, lat)"),
    "fact_industrial": ("产业类", "Industrial"),
    "fact_year": ("年度", "Year"),
    "month_n": ("{m}月", "M{m}"),
    # league
    "lg_table": ("县区排名表", "County table"),
    "lg_scores": ("综合得分", "Composite score"),
    "lg_rank": ("名次", "Rank"),
    "lg_change": ("名次变化", "Change"),
    "lg_light": ("县区灯色", "County light"),
    "lg_top": ("比:前三名", "Top three"),
    "lg_bottom": ("晒:后三名", "Bottom three"),
    "lg_trend": ("各县区逐月名次", "Rank month by month"),
    "lg_by_leader": ("包联领导排名", "By liaison leader"),
    "lg_by_unit": ("责任单位排名", "By responsible unit"),
    "lg_settings": ("权重与阈值设置(项目办)", "Weights and thresholds (campaign office)"),
    "lg_preview": ("预览效果", "Preview"),
    "lg_save": ("保存设置", "Save settings"),
    "lg_saved": ("设置已保存并记入操作日志", "Settings saved and audited"),
    "lg_preview_note": ("以下为按新设置计算的排名(尚未保存)", "Ranking under the new settings (not saved)"),
    "lg_weight": ("权重", "Weight"),
    "lg_group": ("名称", "Name"),
    "lg_axis_rank": ("名次", "Rank"),
    "lg_axis_score": ("得分", "Score"),
    "lg_new_rank": ("新名次", "New rank"),
    "lg_new_score": ("新得分", "New score"),
    "lg_unchanged": ("不变", "same"),
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
