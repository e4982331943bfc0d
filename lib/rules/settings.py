"""Rule settings as a declarative schema: every threshold and weight of DESIGN.md, with its type,
default, bounds, ordering pairs and the i18n label the office's settings form shows.

``SCHEMA`` lists the settings (``Setting`` entries); ``ORDERING`` the pairs that must keep their order
(e.g. the red progress gap below the yellow one). The store keeps only the values the office changed
(a setting back at its default is deleted; weights are stored metric by metric inside the
``weights`` row, only the changed ones), so a new default reaches every store that did not change
that very setting.

``load(session)`` returns a plain dict (defaults overlaid by stored values);
``save(session, actor, changes)`` validates against the schema, stores and audits changes
(office/admin only). Error messages are i18n keys (lib/i18n/rules.py) with parameters.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.access import Actor, require
from lib.errors import ValidationError
from lib.i18n import enum_label, t
from lib.store import audit
from lib.store.models import Setting as SettingRow


@dataclass(frozen=True)
class Setting:
    key: str
    type: type  # int or float
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    label: tuple[str, str] = ("setting", "")  # (i18n enumeration kind, key): enum_label(*label)
    group: str = "threshold"  # threshold | import | weight

    def label_key(self) -> tuple[str, str]:
        return (self.label[0], self.label[1] or self.key)


def _th(key, typ, default, lo=None, hi=None, group="threshold"):
    return Setting(key, typ, default, lo, hi, ("setting", key), group)


def _w(key, default):
    return Setting(key, float, default, 0, 100, ("metric", key), "weight")


# thresholds in the order the settings form lists them; lib.rules.dimensions names which
# dimension reads which (Dimension.settings)
SCHEMA: tuple[Setting, ...] = (
    # start 开工: late = P − planned start month + 1; late ≤ 0 gray; ≥ yellow_late yellow; ≥ red_late red
    _th("start_yellow_late", int, 1, 1, 24),
    _th("start_red_late", int, 3, 1, 36),
    # progress 进度: gap ≥ yellow_gap green; red_gap ≤ gap < yellow_gap yellow; gap < red_gap red (points)
    _th("progress_yellow_gap", float, -10.0, -100, 0),
    _th("progress_red_gap", float, -30.0, -100, 0),
    # reporting 报送: k consecutive months with no report: ≥ yellow → yellow, ≥ red → red
    _th("reporting_yellow_months", int, 1, 1, 12),
    _th("reporting_red_months", int, 2, 1, 12),
    # stats 入库: k = P − start month: ≤ yellow−1 green, ≥ yellow yellow, ≥ red red
    _th("stats_yellow_months", int, 2, 0, 24),
    _th("stats_red_months", int, 3, 0, 36),
    # funds 资金: shortfall points: ≤ green_pp green, ≤ yellow_pp yellow, > yellow_pp red
    _th("funds_green_pp", float, 10.0, 0, 100),
    _th("funds_yellow_pp", float, 30.0, 0, 100),
    # problems 问题: overdue days d: ≥ yellow_days yellow, > red_days red
    _th("problems_yellow_days", int, 1, 1, 365),
    _th("problems_red_days", int, 30, 1, 730),
    # approvals 前期: a 手续 open d days past its 计划办结: ≥ yellow_days yellow, > red_days red
    _th("approvals_yellow_days", int, 1, 1, 365),
    _th("approvals_red_days", int, 30, 1, 730),
    # persistence 连续黄灯: yellow this many months running (P included) → red (0 switches it off)
    _th("persistence_months", int, 3, 0, 12),
    # league: the reserve ratio that scores 100 when its metric is switched on (大同: ≥ 5)
    _th("reserve_ratio_goal", float, 5.0, 0.1, 100),
    # import warning: 本年累计 above this many times the annual plan
    _th("import_overrun_factor", float, 1.5, 1, 10, group="import"),
)
# league table weights (relative; a metric with no data drops out)
WEIGHTS: tuple[Setting, ...] = (
    _w("invest_rate", 30), _w("start_rate", 15), _w("growth", 20), _w("stats_rate", 10),
    _w("funds_rate", 10), _w("closure_rate", 10), _w("red_share", 5),
    # pipeline metrics the office may switch on (DESIGN.md "Project pipeline"): off by default
    _w("reserve_ratio", 0), _w("conversion_rate", 0), _w("ready_rate", 0),
    # data quality the office may switch on (issue 11): flags per report, fewer is better
    _w("flag_rate", 0),
)
# (lower, higher): lower must not exceed higher (the message names the first)
ORDERING: tuple[tuple[str, str, str], ...] = (
    ("start_yellow_late", "start_red_late", "st_err_order"),
    ("progress_red_gap", "progress_yellow_gap", "st_err_order"),
    ("reporting_yellow_months", "reporting_red_months", "st_err_order"),
    ("stats_yellow_months", "stats_red_months", "st_err_order"),
    ("funds_green_pp", "funds_yellow_pp", "st_err_order"),
    ("problems_yellow_days", "problems_red_days", "st_err_order"),
    ("approvals_yellow_days", "approvals_red_days", "st_err_order"),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SCHEMA}
WEIGHT_BY_KEY: dict[str, Setting] = {s.key: s for s in WEIGHTS}

# the plain views older callers read
DEFAULTS: dict[str, Any] = {**{s.key: s.default for s in SCHEMA},
                            "weights": {s.key: s.default for s in WEIGHTS}}
INT_KEYS = {s.key for s in SCHEMA if s.type is int}
THRESHOLD_KEYS = tuple(s.key for s in SCHEMA)  # every setting but the weights, in form order


def defaults() -> dict[str, Any]:
    return copy.deepcopy(DEFAULTS)


def stored(session: Session) -> dict[str, Any]:
    """Only what the store holds (the office's changes): {key: value, 'weights': {metric: value}}."""
    out: dict[str, Any] = {}
    for row in session.scalars(select(SettingRow)):
        if row.key in DEFAULTS:
            out[row.key] = json.loads(row.value)
    return out


def load(session: Session) -> dict[str, Any]:
    out = defaults()
    for key, value in stored(session).items():
        if key == "weights":
            out["weights"].update({k: v for k, v in dict(value).items() if k in WEIGHT_BY_KEY})
        else:
            out[key] = value
    return out


def _err(column: str, value: Any, key: str, **params) -> dict:
    return {"row": None, "column": column, "value": value, "message": t(key, "zh", **params),
            "key": key, "params": params}


def _check(spec: Setting, value: Any, errors: list[dict]) -> Any:
    """The value as the setting's type within its bounds, or None (with an error)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        fv = float(value)
        if fv != fv:
            raise ValueError
        v = int(fv) if spec.type is int else fv
        if spec.type is int and v != fv:
            errors.append(_err(spec.key, value, "st_err_int"))
            return None
    except (TypeError, ValueError):
        errors.append(_err(spec.key, value, "st_err_number"))
        return None
    if (spec.minimum is not None and v < spec.minimum) or (spec.maximum is not None and v > spec.maximum):
        errors.append(_err(spec.key, value, "st_err_bounds", lo=f"{spec.minimum:g}", hi=f"{spec.maximum:g}"))
        return None
    return v


def validate(changes: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check types, bounds and ordering (against ``current``, default the DESIGN.md defaults, with the
    changes applied); returns the cleaned changes or raises ValidationError."""
    errors: list[dict] = []
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "weights":
            w = {}
            for k, v in dict(value).items():
                spec = WEIGHT_BY_KEY.get(k)
                if spec is None:
                    errors.append(_err(k, v, "st_err_unknown_metric"))
                    continue
                cv = _check(spec, v, errors)
                if cv is not None:
                    w[k] = cv
            clean[key] = w
            continue
        spec = BY_KEY.get(key)
        if spec is None:
            errors.append(_err(key, value, "st_err_unknown"))
            continue
        cv = _check(spec, value, errors)
        if cv is not None:
            clean[key] = cv
    merged = copy.deepcopy(current) if current is not None else defaults()
    merged.update({k: v for k, v in clean.items() if k != "weights"})
    for low, high, msg in ORDERING:
        if merged[low] > merged[high]:
            errors.append(_err(low, merged[low], msg, low=enum_label("setting", low),
                               high=enum_label("setting", high)))
    if errors:
        raise ValidationError("st_err_invalid", errors)
    return clean


def save(session: Session, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and store ``changes``; only values that differ from the default stay in the store."""
    require(actor, "settings")
    before = load(session)
    clean = validate(changes, before)
    for key, value in clean.items():
        row = session.get(SettingRow, key)
        if key == "weights":
            kept = dict(json.loads(row.value)) if row is not None else {}
            kept.update(value)
            new_value: Any = {k: v for k, v in kept.items()
                              if k in WEIGHT_BY_KEY and v != WEIGHT_BY_KEY[k].default}
            at_default = not new_value
            audit_after = {**before["weights"], **value}
        else:
            new_value = value
            at_default = value == BY_KEY[key].default
            audit_after = value
        if at_default:
            if row is not None:
                session.delete(row)
        else:
            if row is None:
                row = SettingRow(key=key, value="null")
                session.add(row)
            row.value = json.dumps(new_value, ensure_ascii=False)
            row.updated_by = actor.username
            row.updated_at = audit.now()
        audit.record(session, actor.username, "setting", "settings", key, before.get(key), audit_after)
    session.flush()
    return load(session)
