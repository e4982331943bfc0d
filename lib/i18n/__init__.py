"""Everything the user reads, in Simplified Chinese with an English twin. One place: this package.

``t(key, lang, **params)`` for labels and messages (``{name}`` placeholders filled from params);
``enum_label(kind, key, lang)`` for enumerations; ``fmt_money`` for 万元/亿元. Code uses the English
keys only. The texts of one area live in a module of this package (``lib/i18n/<area>.py`` with a
``TEXT = {key: (zh, en)}`` dict, and ``ENUMS = {kind: {key: (zh, en)}}`` for new enumerations);
every such module is merged into ``TEXT``/``ENUMS`` here, and a key defined twice is an error at import. Errors and warnings raised by lib/ carry a key and parameters
(``lib.errors.CockpitError(key, **params)``) so the page shows them in the user's language.
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
    # the audit trail (lib/audit.record actions and entities)
    "audit_action": {
        "upload": ("上传", "Upload"), "undo": ("撤销上传", "Undo upload"), "edit": ("修改", "Edit"),
        "problem": ("问题办理", "Problem move"), "setting": ("修改设置", "Setting change"),
        "account": ("账号变更", "Account change"), "init": ("初始化", "Initialise"), "login": ("登录", "Sign-in"),
        "logout": ("退出登录", "Sign-out"), "backup": ("备份", "Backup"),
        "template": ("汇报模板", "Slide template"),
    },
    "audit_entity": {
        "regions": ("县区", "Counties"), "projects": ("项目清单", "Projects"), "monthly": ("月报", "Monthly reports"),
        "plans": ("月度计划", "Monthly plans"), "targets": ("县区目标", "County targets"),
        "stats": ("县区统计", "County statistics"), "problems": ("问题", "Problems"), "users": ("账号", "Accounts"),
        "settings": ("规则设置", "Rule settings"), "demo": ("示例数据", "Demo data"),
        "store": ("数据库", "Store"),
        "output_templates": ("汇报模板", "Slide template"),
    },
    # the audit trail's before/after fields that are no upload column (lib.store.audit.describe; the
    # upload columns are named by their template headers, in English by their keys)
    "audit_field": {
        "result": ("结果", "Result"), "address": ("地址", "Address"), "wait_seconds": ("等待秒数", "Wait (s)"),
        "via": ("方式", "Via"), "active": ("启用", "Active"), "role": ("角色", "Role"),
        "region_code": ("县区", "County"), "username": ("用户名", "Username"), "display_name": ("姓名", "Name"),
        "failed_logins": ("连续失败次数", "Failed sign-ins"), "locked_until": ("等待至", "Waiting until"),
        "created_at": ("创建时间", "Created"), "password": ("密码", "Password"), "unlocked": ("解除次数", "Lifted"),
        "leader_name": ("包联领导", "Leader in charge"), "unit_name": ("责任单位", "Responsible unit"),
        "filename": ("文件名", "File name"), "sha256": ("文件校验值", "SHA-256"), "bytes": ("字节数", "Bytes"),
        "tables": ("表数", "Tables"), "rows": ("行数", "Rows"), "action": ("动作", "Action"),
        "project_code": ("项目代码", "Project code"), "note": ("说明", "Note"),
        "supervise_count": ("督办次数", "Times supervised"), "inserted": ("新增", "New"),
        "updated": ("修改", "Changed"), "unchanged": ("未变", "Unchanged"), "warnings": ("提醒", "Warnings"),
        "history": ("历史数据", "History"), "deleted": ("删除", "Deleted"), "restored": ("恢复", "Restored"),
        "has_boundary": ("有边界", "Has boundary"), "points": ("边界点数", "Boundary points"),
        "campaign": ("攻坚活动", "Campaign"), "problems": ("问题数", "Problems"), "projects": ("项目数", "Projects"),
        "regions": ("县区数", "Counties"), "reports": ("月报数", "Reports"), "users": ("账号数", "Accounts"),
    },
    "audit_result": {
        "ok": ("成功", "OK"), "failed": ("密码错误", "Wrong password"), "unknown_user": ("无此用户", "Unknown user"),
        "throttled": ("需等待", "Asked to wait"), "disabled": ("账号已停用", "Account disabled"),
        "changed": ("已修改", "Changed"), "trusted_header": ("统一认证", "Trusted proxy"),
    },
    # rule settings (lib/settings.py keys), as the office's settings form labels them
    "setting": {
        "progress_yellow_gap": ("进度黄灯:滞后超过(百分点,负数)", "Progress yellow below (pp, negative)"),
        "progress_red_gap": ("进度红灯:滞后超过(百分点,负数)", "Progress red below (pp, negative)"),
        "start_yellow_late": ("开工黄灯:逾期月数≥", "Start yellow: months late ≥"),
        "start_red_late": ("开工红灯:逾期月数≥", "Start red: months late ≥"),
        "reporting_yellow_months": ("报送黄灯:连续未报月数≥", "Reporting yellow: months missing ≥"),
        "reporting_red_months": ("报送红灯:连续未报月数≥", "Reporting red: months missing ≥"),
        "stats_yellow_months": ("入库黄灯:开工后未入库月数≥", "Stats yellow: months since start ≥"),
        "stats_red_months": ("入库红灯:开工后未入库月数≥", "Stats red: months since start ≥"),
        "funds_green_pp": ("资金绿灯:支付差距≤(百分点)", "Funds green: shortfall ≤ (pp)"),
        "funds_yellow_pp": ("资金黄灯:支付差距≤(百分点)", "Funds yellow: shortfall ≤ (pp)"),
        "problems_yellow_days": ("问题黄灯:超期天数≥", "Problems yellow: days overdue ≥"),
        "problems_red_days": ("问题红灯:超期天数>", "Problems red: days overdue >"),
        "persistence_months": ("连续黄灯转红:月数", "Yellow months that turn red"),
        "import_overrun_factor": ("导入提醒:本年累计超过年度计划的倍数", "Import warning: year-to-date above annual plan ×"),
    },
}

# Light colours: red/yellow/green/gray; the word always travels with the colour.
LIGHT_COLORS = {"red": "#D64545", "yellow": "#E8B10E", "green": "#2E9E5B", "gray": "#9AA3AD"}

TEXT: dict[str, tuple[str, str]] = {
    # --- frame ---
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
    # --- pages/admin.py ---
    "admin_title": ("账号管理", "Accounts"),
    "admin_forbidden": ("只有管理员可以管理账号", "Only administrators can manage accounts"),
    "admin_col_username": ("用户名", "Username"),
    "admin_col_display_name": ("姓名", "Name"),
    "admin_col_role": ("角色", "Role"),
    "admin_col_region_code": ("所属县区", "County"),
    "admin_col_active": ("启用", "Active"),
    "admin_col_failed_logins": ("连续登录失败", "Failed sign-ins"),
    "admin_col_created_at": ("创建时间", "Created"),
    "admin_add": ("新增账号", "Add account"),
    "admin_edit": ("修改账号", "Edit account"),
    "admin_backup": ("数据备份", "Backup"),
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
    "chg_zero": ("持平", "no change"),  # a change of zero (fmt_change): a word, never an arrow or a sign
    "login_required": ("请先登录。", "Please sign in first."),
    "card_gap_short": ("差距", "gap"),
    "lg_trend_show": ("显示各县区逐月名次", "Show the rank month by month"),
    "lg_by_group": ("按包联领导或责任单位排名", "Ranked by liaison leader or responsible unit"),
    "hist_upload": ("上传", "Upload"),
    "hist_undone_upload": ("上传(已撤销)", "Upload (undone)"),
    "hist_problem": ("问题办理", "Problem"),
    "hist_edit": ("修改", "Edit"),
    "hist_setting": ("设置", "Setting"),
    "tbl_projects": ("项目信息", "Project"),
    "tbl_project_years": ("年度信息", "Project year"),
    "tbl_monthly_reports": ("月报", "Monthly report"),
    "tbl_monthly_plans": ("月度计划", "Monthly plan"),
    "tbl_problems": ("问题", "Problem"),
    "filter_all": ("全部", "All"),
    "pc_category": ("问题类型", "Category"),
    "pc_status": ("状态", "Status"),
    "pc_deadline": ("解决时限", "Deadline"),
    "pc_overdue": ("超期天数", "Days overdue"),
    "pc_supervised": ("督办次数", "Times supervised"),
    "pc_description": ("问题描述", "Description"),
    "hc_when": ("时间", "When"),
    "hc_who": ("操作人", "Who"),
    "hc_what": ("操作", "What"),
    "hc_detail": ("内容", "Detail"),
    "rc_period": ("报告期", "Period"),
    "rc_ytd_completed": ("本年累计完成(万元)", "YTD completed (10k CNY)"),
    "rc_month_completed": ("本月完成(万元)", "This month (10k CNY)"),
    "rc_started": ("是否开工", "Started"),
    "rc_in_stats": ("是否入库纳统", "In statistics"),
    "rc_central_budget_paid": ("中央预算内已支付(万元)", "Central budget paid"),
    "rc_special_bond_paid": ("专项债已支付(万元)", "Special bonds paid"),
    "rc_treasury_bond_paid": ("国债已支付(万元)", "Treasury bonds paid"),
    "rc_progress_text": ("形象进度", "Progress"),
    "rc_variance_note": ("偏差说明", "Variance note"),
    "rc_reporter": ("填报人", "Reporter"),
    # --- pages/problems.py (问题销号) ---
    "pb_title": ("问题销号", "Problem closure"),
    "pb_as_of": ("问题统计截至", "Problems as of"),
    "pb_m_raised": ("提出问题", "Raised"),
    "pb_m_closed": ("已销号", "Closed"),
    "pb_m_rate": ("销号率", "Closure rate"),
    "pb_m_on_time": ("按期销号", "Closed on time"),
    "pb_m_open": ("未销号", "Open"),
    "pb_m_overdue": ("逾期未销号", "Overdue"),
    "pb_m_avg": ("平均办结天数", "Average days to close"),
    "pb_days": ("天", " days"),
    "pb_filters": ("筛选", "Filters"),
    "pb_f_county": ("县区", "County"),
    "pb_f_project": ("项目", "Project"),
    "pb_f_category": ("问题类型", "Category"),
    "pb_f_level": ("协调层级", "Coordination level"),
    "pb_f_status": ("状态", "State"),
    "pb_f_overdue": ("只看逾期", "Overdue only"),
    "pb_f_unit": ("责任单位", "Responsible unit"),
    "pb_f_leader": ("责任领导", "Responsible leader"),
    "pb_f_raised": ("提出日期区间", "Raised between"),
    "pb_count": ("当前筛选共 {n} 个问题", "{n} problems in the current filter"),
    "pb_empty": ("当前筛选下没有问题", "No problems in the current filter"),
    "pb_tab_table": ("问题清单", "List"),
    "pb_tab_board": ("状态看板", "Board"),
    "pb_tab_charts": ("统计图", "Charts"),
    "pb_tab_units": ("责任单位", "Units"),
    "pb_tab_detail": ("办理", "Work on a problem"),
    "pb_tab_raise": ("提出问题", "Raise a problem"),
    "pb_tab_dudan": ("督办单", "Supervision notice"),
    "pb_col_id": ("编号", "No."),
    "pb_col_project": ("项目", "Project"),
    "pb_col_region": ("县区", "County"),
    "pb_col_category": ("问题类型", "Category"),
    "pb_col_desc": ("问题描述", "Description"),
    "pb_col_level": ("协调层级", "Level"),
    "pb_col_status": ("状态", "State"),
    "pb_col_raised": ("提出日期", "Raised"),
    "pb_col_deadline": ("解决时限", "Deadline"),
    "pb_col_closed": ("办结日期", "Closed on"),
    "pb_col_overdue": ("逾期", "Overdue"),
    "pb_col_supervise": ("督办次数", "Supervised"),
    "pb_col_unit": ("责任单位", "Responsible unit"),
    "pb_col_leader": ("责任领导", "Responsible leader"),
    "pb_col_person": ("责任人", "Person in charge"),
    "pb_col_measures": ("解决措施", "Measures"),
    "pb_col_satisfied": ("企业满意", "Company satisfied"),
    "pb_col_days": ("已历天数", "Days open"),
    "pb_overdue_n": ("逾期{n}天", "{n} days overdue"),
    "pb_legend": ("图例:“🔴 逾期N天”= 已过解决时限仍未销号(解决时限当天不算逾期);督办次数 = 领导或项目办督办的次数;"
                  "流程:待交办 → 已交办(五到位)→ 办理中 → 申请销号 → 已销号,项目办可退回。",
                  "Legend: “🔴 N days overdue” = past the deadline and not closed (the deadline day itself is not "
                  "overdue); Supervised = times a leader or the office issued 督办; flow: to assign → assigned "
                  "(five in place) → in progress → closure requested → closed; the office may return."),
    "pb_board_more": ("另有 {n} 个", "{n} more"),
    "pb_ch_category": ("各类型问题", "Problems by category"),
    "pb_ch_units": ("各责任单位逾期问题", "Overdue problems by unit"),
    "pb_ch_ageing": ("未销号问题账龄", "Age of open problems"),
    "pb_ch_month": ("逐月提出与销号", "Raised and closed by month"),
    "pb_s_open": ("未销号", "Open"),
    "pb_s_closed": ("已销号", "Closed"),
    "pb_s_raised": ("提出", "Raised"),
    "pb_s_overdue": ("逾期", "Overdue"),
    "pb_ax_count": ("问题数(个)", "Problems"),
    "pb_ax_month": ("月份", "Month"),
    "pb_ax_age": ("已历天数", "Days open"),
    "pb_age_le7": ("≤7天", "≤7 days"),
    "pb_age_8_30": ("8–30天", "8–30 days"),
    "pb_age_31_90": ("31–90天", "31–90 days"),
    "pb_age_gt90": (">90天", ">90 days"),
    "pb_no_overdue": ("没有逾期问题", "No overdue problems"),
    "pb_u_held": ("承办问题", "Held"),
    "pb_u_closed": ("已销号", "Closed"),
    "pb_u_on_time": ("按期销号率", "On-time closure rate"),
    "pb_u_overdue": ("逾期未销号", "Overdue"),
    "pb_u_max": ("最长逾期(天)", "Longest overdue (days)"),
    "pb_pick": ("选择问题", "Choose a problem"),
    "pb_select_hint": ("点选一行,在“办理”页签查看该问题的办理记录并办理", "Select a row, then open “Work on a problem” to see its history and act"),
    "pb_history": ("办理记录", "History"),
    "pb_h_at": ("时间", "When"),
    "pb_h_who": ("操作人", "Who"),
    "pb_h_action": ("操作", "Action"),
    "pb_h_from": ("原状态", "From"),
    "pb_h_to": ("新状态", "To"),
    "pb_h_note": ("说明", "Note"),
    "pb_actions": ("可办理的操作", "What you may do"),
    "pb_no_actions": ("当前角色对该问题没有可办理的操作", "Your role has nothing to do on this problem now"),
    "pb_action": ("操作", "Action"),
    "pb_note": ("说明", "Note"),
    "pb_note_required": ("说明(必填)", "Note (required)"),
    "pb_done": ("已{action}:问题 {id}", "{action}: problem {id}"),
    "pb_five_hint": ("交办需五到位:责任单位、责任领导、责任人、解决措施、解决时限均须填写",
                     "Assigning needs all five: unit, leader, person in charge, measures and deadline"),
    "pb_accept_hint": ("销号需企业满意且填写办结日期;企业不满意请退回", "Closing needs the company satisfied and a closing date; otherwise return it"),
    "pb_submit_hint": ("申请销号时请填写办结日期和企业是否满意", "Give the closing date and whether the company is satisfied"),
    "pb_sat_unknown": ("未填", "Not given"),
    "pb_new_project": ("项目", "Project"),
    "pb_new_desc": ("问题描述", "Description"),
    "pb_new_raised": ("提出日期", "Raised on"),
    "pb_new_submit": ("提出问题", "Raise the problem"),
    "pb_five_optional": ("五到位(可在交办时再填写)", "Five in place (may be filled in when assigning)"),
    "pb_raised_ok": ("已提出问题 {id},状态为待交办", "Problem {id} raised; it waits to be assigned"),
    "pb_cannot_raise": ("当前角色不能提出问题(县区填报员和项目办可以)", "Your role cannot raise problems (county staff and the office can)"),
    "pb_from_light": ("已根据红黄灯原因预填,请核对后提交", "Prefilled from the light's reasons: check before submitting"),
    "pb_no_projects": ("没有可选的项目", "No projects to choose from"),
    "pb_dd_by": ("督办对象", "Addressed to"),
    "pb_dd_unit": ("责任单位", "A responsible unit"),
    "pb_dd_county": ("县区", "A county"),
    "pb_dd_download": ("下载督办单(Word)", "Download the notice (Word)"),
    "pb_dd_count": ("将列出 {n} 个逾期问题", "{n} overdue problems will be listed"),
    "pb_dd_hint": ("督办单列出截至统计日期已过解决时限仍未销号的问题,含五到位与逾期天数,可打印签发。",
                   "The notice lists the problems past their deadline and not closed at the as-of date, with "
                   "their five-in-place and days overdue, ready to print and sign."),
    # --- lib/mapview.py, pages/map.py, lib/exports_briefing.py (map and briefing) ---
    "map_title": ("投资进度地图", "Investment progress map"),
    "map_measure_gap": ("完成率与序时进度之差", "Completion vs time progress"),
    "map_measure_score": ("综合得分", "Composite score"),
    "map_measure_red": ("红灯项目数", "Red projects"),
    "map_measure_completed": ("本年累计完成投资", "Completed investment (YTD)"),
    "map_measure_pick": ("县区着色指标", "Colour counties by"),
    "map_fill_by": ("着色", "Colour"),
    "map_tt_actual": ("完成", "Done"),
    "map_tt_expected": ("序时", "Expected"),
    "map_tt_invest_rate": ("投资完成率", "Completion"),
    "map_tt_gap": ("较序时", "vs time"),
    "map_tt_score": ("综合得分", "Score"),
    "map_tt_completed": ("完成投资", "Completed"),
    "map_no_data": ("无数据", "No data"),
    "map_legend_points": ("项目(按红黄绿灯)", "Projects (by light)"),
    "map_legend_size": ("点大小:年度计划投资", "Point size: annual plan"),
    "map_legend_marker": ("无边界的县区/园区(位置示意)", "County/zone without boundary"),
    "map_demo_mark": ("示例数据", "Demo data"),
    "map_filters": ("筛选项目", "Filter projects"),
    "map_counties_note": ("县区着色按全部项目计算;点按筛选显示", "Counties use all projects; points follow the filters"),
    "map_points_shown": ("图上项目 {n} 个;无坐标未上图 {m} 个", "{n} projects on the map; {m} without a location"),
    "map_click_hint": ("点击县区查看县区情况,点击项目打开项目档案", "Click a county for its figures, a project for its file"),
    "map_region_panel": ("{name} · 县区情况", "{name} · county figures"),
    "map_region_projects": ("项目清单(红灯在前)", "Projects (red first)"),
    "map_open_file": ("打开项目档案", "Open project file"),
    "map_static_download": ("下载地图图片(PNG)", "Download map image (PNG)"),
    "map_rank": ("名次", "Rank"),
    "map_project_count": ("项目数", "Projects"),
    "br_title": ("攻坚驾驶舱 · 月度通报", "Project Cockpit · Monthly briefing"),
    "br_headline": ("主要指标", "Headline figures"),
    "br_map": ("投资进度地图", "Investment progress map"),
    "br_lights_by_region": ("各县区项目红黄绿灯", "Project lights by county"),
    "br_league": ("县区排名(前五与后五)", "County ranking (top and bottom five)"),
    "br_league_all": ("县区排名", "County ranking"),
    "br_overdue": ("超期未解决问题", "Overdue problems"),
    "br_no_overdue": ("截至本期无超期问题", "No overdue problems"),
    "br_projects": ("年度项目", "Annual projects"),
    "br_plan": ("年度计划投资", "Annual plan"),
    "br_completed": ("累计完成投资", "Completed (YTD)"),
    "br_rate": ("投资完成率", "Completion rate"),
    "br_time": ("序时进度", "Time progress"),
    "br_started": ("新开工项目开工率", "New projects started"),
    "br_open_problems": ("未销号问题", "Open problems"),
    "br_overdue_n": ("其中超期", "of which overdue"),
    "br_count": ("项目数", "Projects"),
    "br_source": ("来源:攻坚驾驶舱", "Source: Project Cockpit"),
    "br_more": ("另有 {n} 条,见问题清单", "{n} more in the problem list"),
    # --- pages/upload.py (数据上报; lib/importer.py, lib/templates.py) ---
    "up_title": ("数据上报", "Data upload"),
    "up_forbidden": ("您的账号没有上传数据的权限。", "Your account may not upload data."),
    "up_kind": ("数据类型", "Data kind"),
    "up_period": ("报告期", "Period"),
    "up_region": ("县区(月报模板预填该县区的年度建设项目)", "County (the monthly template lists its annual projects)"),
    "up_step1": ("① 下载模板", "① Download a template"),
    "up_step2": ("② 上传填好的文件", "② Upload the filled file"),
    "up_step3": ("③ 预览并确认", "③ Preview and confirm"),
    "up_dl_xlsx": ("下载 Excel 模板(.xlsx)", "Download Excel template (.xlsx)"),
    "up_dl_csv": ("下载 CSV 模板", "Download CSV template"),
    "up_prefilled": ("月报模板已预填 {n} 个年度建设项目,只需填写数字。", "The monthly template lists {n} annual projects; type the figures only."),
    "up_file": ("选择文件(CSV 或 .xlsx,不超过 50 MB)", "Choose a file (CSV or .xlsx, up to 50 MB)"),
    # the drop zone's own words (Streamlit draws them in English; pages/upload.py puts these in their place)
    "up_drop_button": ("上传", "Upload"),
    "up_drop_limit": ("单个文件不超过 {mb} MB · {types}", "Up to {mb} MB per file · {types}"),
    "up_drop_drag": ("把文件拖放到这里", "Drop the file here"),
    "up_file_help": ("支持 UTF-8、GBK 编码的 CSV 和 Excel .xlsx;中文或英文列名均可,列的顺序不限。",
                     "CSV in UTF-8 or GBK, or Excel .xlsx; Chinese or English headers in any order."),
    "up_rows": ("读取 {n} 行数据", "{n} data rows read"),
    "up_new": ("新增", "New"),
    "up_changed": ("修改", "Changed"),
    "up_unchanged": ("未变", "Unchanged"),
    "up_errors": ("发现 {n} 处错误,整个文件都不会导入。请改正后重新上传:", "{n} error(s): nothing will be imported. Fix them and upload again:"),
    "up_warnings": ("{n} 条提醒(不阻止导入,请逐条核对):", "{n} warning(s) (they do not block the import; please check each):"),
    "up_ack": ("我已核对以上提醒,确认数据无误", "I have checked the warnings above"),
    "up_confirm": ("确认导入", "Import"),
    "up_nothing": ("文件中的数据与系统中已有的完全相同,不需要导入。", "The file matches the store exactly; nothing to import."),
    "up_done": ("导入成功(批次 {id}):新增 {ins} 行,修改 {upd} 行,未变 {unc} 行。", "Imported (batch {id}): {ins} new, {upd} changed, {unc} unchanged."),
    "up_changes": ("修改明细(修改前 → 修改后)", "Changes (before → after)"),
    "up_new_rows": ("新增的行", "New rows"),
    "up_col_row": ("行号", "Row"),
    "up_col_column": ("列", "Column"),
    "up_col_value": ("填写的值", "Value"),
    "up_col_message": ("说明", "Message"),
    "up_col_key": ("键", "Key"),
    "up_col_field": ("字段", "Field"),
    "up_col_before": ("修改前", "Before"),
    "up_col_after": ("修改后", "After"),
    "up_history": ("上传记录", "Upload history"),
    "up_no_history": ("还没有上传记录。", "No uploads yet."),
    "up_col_id": ("批次", "Batch"),
    "up_col_user": ("上传人", "By"),
    "up_col_at": ("时间", "At"),
    "up_col_kind": ("类型", "Kind"),
    "up_col_file": ("文件", "File"),
    "up_col_region": ("县区", "County"),
    "up_col_inserted": ("新增", "New"),
    "up_col_updated": ("修改", "Changed"),
    "up_col_unchanged": ("未变", "Unchanged"),
    "up_col_warnings": ("提醒", "Warnings"),
    "up_col_status": ("状态", "Status"),
    "up_status_ok": ("有效", "In effect"),
    "up_status_undone": ("已撤销({by})", "Undone ({by})"),
    "up_undo_pick": ("撤销哪个批次", "Batch to undo"),
    "up_undo": ("撤销该批次", "Undo this batch"),
    "up_undone": ("已撤销批次 {id}:删除 {deleted} 行,恢复 {restored} 行。", "Batch {id} undone: {deleted} rows deleted, {restored} restored."),
    "up_grid": ("月报报送情况(县区 × 月份:已报/年度建设项目数)", "Monthly reporting (county × month: reported / annual projects)"),
    "up_grid_year": ("年度", "Year"),
    "up_grid_note": ("「已报/应报」;未报齐的格子标有 ✗ 并以浅红色显示。", "reported / due; incomplete cells are marked ✗ and shaded light red."),
    # --- lib/lights.py and lib/league.py: reasons behind every non-green light ---
    "rs_start": ("计划{planned}开工,至今未开工,已滞后{late}个月",
                 "Planned to start in {planned}, not started yet, {late} month(s) late"),
    "rs_progress": ("投资完成率{actual}%,序时进度{expected}%,滞后{lag}个百分点;再完成{amount}万元可转绿",
                    "Investment completion {actual}%, time progress {expected}%, {lag} points behind; "
                    "another {amount} (10k CNY) turns it green"),
    "rs_reporting": ("连续{k}个月未报送月报", "No monthly report for {k} month(s) running"),
    "rs_stats": ("已开工{k}个月未入库纳统", "Started {k} month(s) ago, not yet in statistics"),
    "rs_funds": ("政策资金支付率{rate}%,低于序时{t}%达{short}个百分点",
                 "Policy fund payment rate {rate}%, {short} points below time progress {t}%"),
    "rs_problems": ("{n}个问题超期未解决,最长超期{d}天",
                    "{n} problem(s) overdue and unsolved, the longest by {d} days"),
    "rs_persistent": ("连续{n}个月黄灯", "Yellow for {n} months running"),
    "rs_lg_growth_neg": ("固投增速{growth}%,为负增长", "FAI growth {growth}%, negative"),
    "rs_lg_growth_green": ("固投增速{growth}%,达到目标{target}%且不低于各县区平均{mean}%",
                           "FAI growth {growth}%, meets the target {target}% and the county mean {mean}%"),
    "rs_lg_growth_below_target": ("固投增速{growth}%,低于目标{target}%",
                                  "FAI growth {growth}%, below the target {target}%"),
    "rs_lg_growth_below_mean": ("固投增速{growth}%,低于各县区平均{mean}%",
                                "FAI growth {growth}%, below the county mean {mean}%"),
    "rs_lg_gap": ("无固投增速{missing},按投资完成率{rate}%对比序时进度{t}%,差{gap}个百分点",
                  "No FAI growth {missing}; investment completion {rate}% against time progress {t}%, "
                  "{gap} points"),
    "rs_lg_gap_group": ("按投资完成率{rate}%对比序时进度{t}%,差{gap}个百分点",
                        "Investment completion {rate}% against time progress {t}%, {gap} points"),
    "rs_lg_missing_stats": ("统计数据", "statistics"),
    "rs_lg_missing_target": ("目标", "target"),
    "rs_lg_no_data": ("无年度建设项目数据,不评价", "No annual project data, not assessed"),
    "lg_rule_invest_rate": ("投资完成率 = Σ本年累计完成投资 ÷ Σ年度计划投资;得分 = 100 × min(完成率 ÷ 序时进度, 1)",
                            "Completion = Σ year-to-date ÷ Σ annual plan; score = 100 × min(rate ÷ time progress, 1)"),
    "lg_rule_start_rate": ("开工率 = 已开工 ÷ 计划开工月份不晚于本月的新开工项目;得分 = 100 × 开工率",
                           "Start rate = started ÷ new projects due to start by now; score = 100 × rate"),
    "lg_rule_growth": ("固投增速对比年度目标;目标 > 0 时得分 = 100 × 增速 ÷ 目标(限 0–100),否则达到目标得 100、未达到得 0",
                       "FAI growth against the year's target; target > 0: score = 100 × growth ÷ target (0–100), else 100 if met, 0 if not"),
    "lg_rule_stats_rate": ("入库率 = 已入库纳统的已开工项目 ÷ 已开工项目;得分 = 100 × 入库率",
                           "In-statistics rate = started projects in statistics ÷ started projects; score = 100 × rate"),
    "lg_rule_funds_rate": ("资金支付率 = Σ政策资金已支付 ÷ Σ已下达;得分 = 100 × min(支付率 ÷ 序时进度, 1)",
                           "Payment rate = Σ policy funds paid ÷ Σ allocated; score = 100 × min(rate ÷ time progress, 1)"),
    "lg_rule_closure_rate": ("问题销号率 = 本年提出且已销号的问题 ÷ 本年提出的问题;得分 = 100 × 销号率",
                             "Closure rate = problems raised this year and closed ÷ raised; score = 100 × rate"),
    "lg_rule_red_share": ("红灯占比 = 红灯项目 ÷ 亮灯(非灰)项目;得分 = 100 × (1 − 占比)",
                          "Red share = red projects ÷ lit (non-gray) projects; score = 100 × (1 − share)"),
    "lg_rule_na": ("无数据,不计入(权重按其余指标折算)", "No data: left out (weights re-based on the rest)"),
}


def _merge_area_texts() -> None:
    """Merge ``TEXT`` of every module in this package into ``TEXT`` (a duplicate key is an error)."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        area = importlib.import_module(f"{__name__}.{info.name}")
        for key, pair in getattr(area, "TEXT", {}).items():
            if key in TEXT:
                raise RuntimeError(f"i18n key {key!r} defined twice (lib/i18n/{info.name}.py)")
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise RuntimeError(f"i18n key {key!r} needs a (zh, en) pair")
            TEXT[key] = pair
        for kind, labels in getattr(area, "ENUMS", {}).items():  # new kinds, or new keys of a kind
            target = ENUMS.setdefault(kind, {})
            for key, pair in labels.items():
                if key in target:
                    raise RuntimeError(f"i18n enumeration {kind}.{key} defined twice (lib/i18n/{info.name}.py)")
                target[key] = pair


_merge_area_texts()


def _localize(value, lang: str):
    """A parameter as it reads in ``lang``: anything with a ``text(lang)`` method (a Msg, a Label, a
    List, a lib.errors.CockpitError) is rendered in that language; any other value is left as it is."""
    render = getattr(value, "text", None)
    if callable(render) and not isinstance(value, str):
        return render(lang)
    return value


def t(key: str, lang: str = "zh", **params) -> str:
    """The text of ``key`` in ``lang`` with ``{placeholders}`` filled from params; an unknown key is
    returned as it is (tests/test_i18n.py fails on any key the code uses that does not exist).
    A parameter that is itself a message (Msg, Label, List, an error) is rendered in ``lang`` too."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**{k: _localize(v, lang) for k, v in params.items()}) if params else text


class Msg:
    """A message kept as its key and parameters, rendered later in the reader's language:
    ``Msg("pb_why_closed", action=Label("problem_action", "assign")).text("en")``. ``str()`` is Chinese."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params):
        self.key, self.params = key, params

    def text(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.text("zh")

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    __hash__ = None


class Label:
    """An enumeration's label (``enum_label(kind, key)``), rendered in the reader's language."""

    __slots__ = ("kind", "key")

    def __init__(self, kind: str, key: str | None):
        self.kind, self.key = kind, key

    def text(self, lang: str = "zh") -> str:
        return enum_label(self.kind, self.key, lang)

    def __str__(self) -> str:
        return self.text("zh")


class List:
    """Items (texts or messages) joined the way ``lang`` lists them: 「、」 in Chinese, ", " in English
    (``sep`` names another joining key, e.g. ``list_and``)."""

    __slots__ = ("items", "sep")

    def __init__(self, items, sep: str = "list_sep"):
        self.items, self.sep = list(items), sep

    def text(self, lang: str = "zh") -> str:
        return t(self.sep, lang).join(str(_localize(i, lang)) for i in self.items)

    def __str__(self) -> str:
        return self.text("zh")


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

