"""Texts of the ledger area: problem numbers, importing problem ledgers through the workflow,
data-quality flags and the 数据质量 page."""
from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # problem numbers
    "pb_f_number": ("问题编号", "Problem no."),
    "imp_number_too_long": ("问题编号有 {n} 个字符,最多 {max} 个", "The problem number has {n} characters; at most {max}"),
    "imp_number_control": ("问题编号中有换行或控制字符,请只填写编号本身",
                           "The problem number holds a line break or control character"),
    "imp_pb_new_number": ("{number}(新问题,系统编号)", "{number} (new problem, system number)"),
    "imp_pb_same_as_row": ("与第 {row} 行是同一个问题(项目、类型、描述、提出日期都相同)",
                           "The same problem as row {row} (project, category, description and date)"),
    "imp_pb_other_county": ("问题 {number} 属于县区 {region} 的项目,只能修改本县区的问题",
                            "Problem {number} belongs to a project of county {region}; only your own county's problems"),
    # the workflow on import
    "imp_pb_move": ("问题 {number}:{why}", "Problem {number}: {why}"),
    "imp_move_jump": ("状态不能由「{frm}」直接改为「{to}」:导入时只能按办理流程走一步(如 办理中→申请销号),与页面上的操作相同",
                      "Status cannot go from {frm} to {to}: an import makes one move of the workflow, as on the page"),
    "imp_move_refused": ("不能通过导入「{action}」:{why}", "Import cannot {action}: {why}"),
    "imp_level_change": ("协调层级不能由「{frm}」改为「{to}」:只能逐级提级(县级→市级→省级)",
                         "The level cannot go from {frm} to {to}: escalate one level at a time"),
    "imp_history_refused": ("按原样导入历史问题台账(--history)只限项目办或管理员,且只用于问题清单",
                            "Loading a historical problem ledger (--history) is for the office or admin, problems only"),
    "imp_close_is_office": ("销号和退回由项目办确认,县区请把状态填为「申请销号」",
                            "Closing and returning are the campaign office's; counties set 申请销号 (closure requested)"),
    "imp_ev_new": ("批量导入新增", "Added by import"),
    "imp_ev_move": ("批量导入", "By import"),
    "imp_ev_update": ("批量导入更新:{what}", "Updated by import: {what}"),
    "imp_ev_history_new": ("历史台账导入(状态按原样)", "Historical ledger load (status as it stood)"),
    "imp_ev_history_update": ("历史台账导入更新(状态按原样):{what}", "Historical ledger update (as it stood): {what}"),
}
