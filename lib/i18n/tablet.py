"""Texts of the tablet work (issue 14): the problem workflow, the map panel, portrait cards, 冲刺 and 我的项目."""
from __future__ import annotations

TEXT = {
    # 问题销号: the action form names the problem it acts on
    "pb_choose_action": ("先选择要办理的动作", "Choose a move first"),
    "pb_do_on": ("{action}:问题#{id} {project}", "{action}: problem #{id} {project}"),
}
TEXT.update({
    # upload: undo asks once more
    "up_undo_confirm_q": ("确定撤销批次 #{id}({file})?该批次写入的数据将删除或恢复为上传前的值。",
                          "Undo batch #{id} ({file})? What it wrote is deleted or restored to the values before it."),
    "up_undo_confirm": ("确认撤销 #{id}", "Yes, undo #{id}"),
    "up_undo_cancel": ("取消", "Cancel"),
})
TEXT.update({
    # 县区排名: why a county has its light
    "lg_light_why": ("灯色原因", "Why this light"),
    "lg_region_rule": ("县区灯色规则:有固投增速和目标时,增速为负→红;增速达到目标且不低于各县区平均→绿;否则→黄。"
                       "无统计数据或目标时,按投资完成率对比序时进度的差(百分点)按项目灯色阈值评价。综合得分只决定名次,不决定灯色。",
                       "County light rule: with FAI growth and a target, negative growth → red; growth at or above "
                       "the target and not below the counties' mean → green; otherwise yellow. Without statistics "
                       "or a target, the gap between the completion rate and the time-elapsed schedule (points) is "
                       "judged by the project thresholds. The composite score decides the rank, not the light."),
    "lg_first_why": ("第一名{name}为{light}:{why}", "First, {name}, is {light}: {why}"),
})
TEXT.update({
    # 项目地图: the county panel beside the map
    "map_region_list": ("查看清单", "Open the list"),
    "map_region_close": ("关闭", "Close"),
})
TEXT.update({"map_region_pick": ("点选县区", "Tap a county")})
TEXT.update({
    # 冲刺 on the overview
    "sp_title": ("冲刺:全州目标与年底预计", "Sprint: the prefecture's targets and the year-end forecast"),
    "sp_t_growth": ("全州固投增长(各县区平均)", "FAI growth (mean of the counties)"),
    "sp_t_start": ("二季度内计划开工项目开工率", "Start rate of planned new projects by Q2"),
    "sp_met": ("已达到", "Met"), "sp_behind": ("未达到", "Not yet met"), "sp_no_data": ("暂无数据", "No figure yet"),
    "sp_rule": ("按近三个月月均完成投资的速度预计年底完成;“每月需完成”= 年度计划未完成部分 ÷ 剩余月数。",
                "Year-end forecast at the last three months' average pace; monthly need = the rest of the annual plan ÷ months left."),
    "sp_forecast": ("按当前速度年底预计完成", "Year-end forecast at the current pace"),
    "sp_of_plan": ("占年度计划", "of the annual plan"),
    "sp_needed": ("此后每月需完成", "Needed each month from now"),
    "sp_pace": ("近三个月月均完成", "Average of the last three months"),
    "sp_status": ("预计", "Forecast"),
    "sp_on_track": ("可完成", "On track"), "sp_off_track": ("完不成", "Behind"),
})
TEXT.update({
    # 冲刺 in the project file, as a leader reads it
    "pf_sp_title": ("冲刺:年底预计", "Sprint: the year-end forecast"),
    "pf_sp_line": ("按近三月平均进度,预计年底完成 {forecast},为年度计划({plan})的 {pct};此后每月需完成 {need}。",
                   "At the last three months' average pace, {forecast} by the year's end, {pct} of the annual "
                   "plan ({plan}); from now on {need} a month is needed. "),
    "pf_sp_on_track": ("按此进度可完成年度计划。", "At this pace the plan is met."),
    "pf_sp_behind": ("按此进度年底还差 {shortfall}。", "At this pace {shortfall} will be missing at the year's end."),
    "pf_sp_done": ("年度计划已完成:本年累计完成 {ytd},为年度计划({plan})的 {done};按近三月平均进度,预计年底完成 {forecast}。",
                   "The annual plan is met: {ytd} so far this year, {done} of the plan ({plan}); at the last three "
                   "months' pace, {forecast} by the year's end."),
    "pf_sp_december": ("已到年底:本年累计完成 {ytd},为年度计划({plan})的 {done}。",
                       "The year's last month: {ytd} completed this year, {done} of the annual plan ({plan})."),
    "pf_sp_no_plan": ("本项目不在{year}年年度项目库中或没有年度计划,不作年底预计。",
                      "Not in the {year} annual library or without an annual plan: no year-end forecast."),
    "pf_sp_how": ("怎么算的", "How it is worked out"),
    "pf_sp_year_start": ("年初", "the start of the year"),
    "pf_sp_inputs": ("本项目:{period}本年累计完成 {ytd},{since}累计 {before};近三月月均 = ({ytd} − {before}) ÷ {months} = {pace};"
                     "预计年底 = {ytd} + {pace} × 剩余 {left} 个月 = {forecast};每月需完成 = (年度计划 {plan} − {ytd}) ÷ {left} = {need}。",
                     "This project: {ytd} completed this year by {period}, {before} by {since}; average of the last "
                     "months = ({ytd} − {before}) ÷ {months} = {pace}; year-end forecast = {ytd} + {pace} × {left} "
                     "months left = {forecast}; needed each month = (annual plan {plan} − {ytd}) ÷ {left} = {need}."),
    "col_sprint": ("年底预计占计划%", "Year-end forecast, % of plan"),
})
TEXT.update({
    # 我的项目
    "err_unknown_user": ("没有账号“{name}”", "No account “{name}”"),
    "err_link_leader_long": ("包联领导名称不能超过{n}个字", "A leader's name has at most {n} characters"),
    "err_link_unit_long": ("责任单位名称不能超过{n}个字", "A unit's name has at most {n} characters"),
    "err_link_leader_chars": ("包联领导名称含有控制字符,请重新选择", "The leader's name holds control characters; choose it again"),
    "err_link_unit_chars": ("责任单位名称含有控制字符,请重新选择", "The unit's name holds control characters; choose it again"),
    "err_link_unknown_leader": ("项目库中没有包联领导“{name}”,请从项目的包联领导中选择",
                                "No project has the leader “{name}”; choose one of the projects' leaders"),
    "err_link_unknown_unit": ("项目库中没有责任单位“{name}”,请从项目的责任单位中选择",
                              "No project has the unit “{name}”; choose one of the projects' units"),
    "my_title": ("我的项目", "My projects"),
    "my_linked": ("按{what}“{name}”", "As {what} “{name}”"),
    "my_leader": ("包联领导", "leader in charge"), "my_unit": ("责任单位", "responsible unit"),
    "my_none": ("没有挂在您名下的年度项目", "No annual project is linked to you"),
    "my_problems": ("我的未销号问题", "My open problems"),
    "my_needs": ("需要做什么", "What it needs"),
})
TEXT.update({
    # portrait cards of the wide lists (issue 14 item 4)
    "card_open_hint": ("点卡片下方的“打开一项一档”查看该项目", "Tap “Open project file” on a card to open the project"),
    "lv_label": ("列表显示为", "Show the list as"),
    "lv_table": ("表格", "Table"), "lv_cards": ("卡片", "Cards"),
    "pb_card_hint": ("点卡片下方的“办理”查看该问题的办理记录并办理", "Tap “Work on a problem” on a card to see its history and act"),
})
