"""Texts of the project pipeline (储备 → 前期 → 开工 → 投产): lib/rules/pipeline.py and pages/pipeline.py."""

ENUMS = {
    "project_source": {"government": ("政府投资", "Government"), "enterprise": ("企业投资", "Enterprise"),
                       "attracted": ("招商引资", "Investment attraction")},
    "approval_kind": {
        "initiation": ("立项", "Project approval"), "land_pre": ("用地预审", "Land pre-review"),
        "land": ("用地", "Land use"), "planning": ("规划", "Planning"), "eia": ("环评", "EIA"),
        "energy": ("能评", "Energy review"), "construction_permit": ("施工许可", "Construction permit"),
        "other": ("其他", "Other"),
    },
    "approval_status": {"not_started": ("未启动", "Not started"), "in_progress": ("办理中", "In progress"),
                        "done": ("已办结", "Done"), "not_needed": ("不需要", "Not needed")},
    "event_type": {"signing": ("签约", "Signing"), "start": ("开工", "Start"), "operation": ("投产", "Operation")},
    "stage": {"reserve": ("储备", "Reserve"), "preparing": ("前期", "Preparing"), "building": ("在建", "Building"),
              "completed": ("竣工", "Completed"), "operating": ("投产", "Operating")},
}

TEXT = {
    "pl_reason_late": ("{kind}计划{month}月办结,已超期{days}天", "{kind} due in {year}-{month:02d}, {days} days late"),
    "pl_reason_start_due": ("{kind}未办结而计划开工月份({period})已到", "{kind} not done and the planned start ({period}) has come"),
    "pl_reason_stalled": ("「{event}」开工后两个月无新增投资(开工即停工)",
                          "no new investment in the two months after 「{event}」 (started then stalled)"),
}
