"""Rule settings: every threshold and weight of DESIGN.md, stored, with the DESIGN.md defaults.

``load(session)`` returns a plain dict (defaults overlaid by stored values);
``save(session, actor, changes)`` validates, stores and audits changes (office/admin only).
"""
from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.access import Actor, require
from lib.errors import ValidationError
from lib.store import audit
from lib.store.models import Setting

DEFAULTS: dict[str, Any] = {
    # start 开工: late = P − planned start month + 1; late ≤ 0 gray; ≥ yellow_late yellow; ≥ red_late red
    "start_yellow_late": 1,
    "start_red_late": 3,
    # progress 进度: gap ≥ yellow_gap green; red_gap ≤ gap < yellow_gap yellow; gap < red_gap red (points)
    "progress_yellow_gap": -10.0,
    "progress_red_gap": -30.0,
    # reporting 报送: k consecutive months with no report: ≥ yellow → yellow, ≥ red → red
    "reporting_yellow_months": 1,
    "reporting_red_months": 2,
    # stats 入库: k = P − start month: ≤ yellow−1 green, ≥ yellow yellow, ≥ red red
    "stats_yellow_months": 2,
    "stats_red_months": 3,
    # funds 资金: shortfall points: ≤ green_pp green, ≤ yellow_pp yellow, > yellow_pp red
    "funds_green_pp": 10.0,
    "funds_yellow_pp": 30.0,
    # problems 问题: overdue days d: ≥ yellow_days yellow, > red_days red
    "problems_yellow_days": 1,
    "problems_red_days": 30,
    # persistence 连续黄灯: yellow this many months running (P included) → red
    "persistence_months": 3,
    # league table weights
    "weights": {
        "invest_rate": 30,
        "start_rate": 15,
        "growth": 20,
        "stats_rate": 10,
        "funds_rate": 10,
        "closure_rate": 10,
        "red_share": 5,
    },
}
INT_KEYS = {
    "start_yellow_late", "start_red_late", "reporting_yellow_months", "reporting_red_months",
    "stats_yellow_months", "stats_red_months", "problems_yellow_days", "problems_red_days",
    "persistence_months",
}
# every setting but the weights, in DEFAULTS order (the settings form lists them this way)
THRESHOLD_KEYS = tuple(k for k in DEFAULTS if k != "weights")


def defaults() -> dict[str, Any]:
    return copy.deepcopy(DEFAULTS)


def load(session: Session) -> dict[str, Any]:
    out = defaults()
    for row in session.scalars(select(Setting)):
        if row.key in out:
            value = json.loads(row.value)
            if row.key == "weights":
                out["weights"].update(value)
            else:
                out[row.key] = value
    return out


def validate(changes: dict[str, Any]) -> dict[str, Any]:
    """Check types and ordering; returns the cleaned changes or raises ValidationError."""
    errors: list[dict] = []
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in DEFAULTS:
            errors.append({"row": None, "column": key, "value": value, "message": "未知的设置项"})
            continue
        if key == "weights":
            w = {}
            for k, v in dict(value).items():
                if k not in DEFAULTS["weights"]:
                    errors.append({"row": None, "column": k, "value": v, "message": "未知的排名指标"})
                    continue
                try:
                    fv = float(v)
                except (TypeError, ValueError):
                    fv = -1
                if fv < 0:
                    errors.append({"row": None, "column": k, "value": v, "message": "权重应为不小于0的数字"})
                else:
                    w[k] = fv
            clean[key] = w
            continue
        try:
            clean[key] = int(value) if key in INT_KEYS else float(value)
        except (TypeError, ValueError):
            errors.append({"row": None, "column": key, "value": value, "message": "应为数字"})
    merged = defaults()
    merged.update({k: v for k, v in clean.items() if k != "weights"})
    if merged["progress_red_gap"] > merged["progress_yellow_gap"]:
        errors.append({"row": None, "column": "progress_red_gap", "value": merged["progress_red_gap"],
                       "message": "红灯滞后阈值应不高于黄灯阈值"})
    if merged["funds_green_pp"] > merged["funds_yellow_pp"]:
        errors.append({"row": None, "column": "funds_green_pp", "value": merged["funds_green_pp"],
                       "message": "绿灯资金差距阈值应不高于黄灯阈值"})
    if errors:
        raise ValidationError("设置有误", errors)
    return clean


def save(session: Session, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    require(actor, "settings")
    clean = validate(changes)
    before = load(session)
    for key, value in clean.items():
        if key == "weights":
            value = {**before["weights"], **value}
        row = session.get(Setting, key)
        if row is None:
            row = Setting(key=key, value="null")
            session.add(row)
        row.value = json.dumps(value, ensure_ascii=False)
        row.updated_by = actor.username
        row.updated_at = audit.now()
        audit.record(session, actor.username, "setting", "settings", key, before.get(key), value)
    session.flush()
    return load(session)
