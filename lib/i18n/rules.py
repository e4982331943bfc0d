"""Texts of lib/rules (settings schema messages, import warnings read from the rule settings)."""

TEXT = {
    "lg_unfilled": ("(未填写)", "(not filled)"),
    "st_err_invalid": ("设置有误", "The settings are not valid"),
    "st_err_unknown": ("未知的设置项", "Unknown setting"),
    "st_err_unknown_metric": ("未知的排名指标", "Unknown league metric"),
    "st_err_number": ("应为数字", "Must be a number"),
    "st_err_int": ("应为整数", "Must be a whole number"),
    "st_err_bounds": ("应在 {lo} 到 {hi} 之间", "Must be between {lo} and {hi}"),
    "st_err_order": ("「{low}」应不高于「{high}」", "“{low}” must not be above “{high}”"),
}
TEXT.update({
    "imp_plan_over_annual": ("月度计划累计超过年度计划:{month}月计划累计 {value} 万元高于{year}年度计划投资 {plan} 万元,请核实",
                             "Monthly plan above the annual plan: the cumulative plan of month {month}, {value} (10k CNY), "
                             "exceeds the {year} annual plan of {plan} (10k CNY); please check"),
})
