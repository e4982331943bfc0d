"""Texts of the tablet work (issue 14): the problem workflow, the map panel, portrait cards, 冲刺 and 我的项目."""
from __future__ import annotations

TEXT = {
    # 问题销号: the action form names the problem it acts on
    "pb_choose_action": ("先选择要办理的动作", "Choose a move first"),
    "pb_do_on": ("{action}:#{id} {project}", "{action}: #{id} {project}"),
}
TEXT.update({
    # upload: undo asks once more
    "up_undo_confirm_q": ("确定撤销批次 #{id}({file})?该批次写入的数据将删除或恢复为上传前的值。",
                          "Undo batch #{id} ({file})? What it wrote is deleted or restored to the values before it."),
    "up_undo_confirm": ("确认撤销 #{id}", "Yes, undo #{id}"),
    "up_undo_cancel": ("取消", "Cancel"),
})
