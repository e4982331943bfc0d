"""已销号 needs 办结日期: repair closed problems without closed_on, then a CHECK constraint; rule settings
keep only the values the office changed.

Repair (DESIGN.md "Problem closure": 已销号 needs 企业满意=是 and 办结日期): a problem with status
'closed' and no closed_on gets the date of its last 'accept' (销号) event — the day the office closed
it — and, when it has no such event (imported closed), its raised_on: the earliest date it can have
been closed on, so it counts as closed at every as-of on which it exists (which is how the lights
treated it before; the problem table treated it as open). Then CHECK ck_problems_closed_has_date
(status <> 'closed' OR closed_on IS NOT NULL) on SQLite (table rebuilt by batch mode) and PostgreSQL.

Settings: a stored value equal to today's default is removed (weights metric by metric), so that
the store keeps only what the office changed (lib.rules.settings).

Revision ID: rules_closed_on
Revises: 0002
Create Date: 2026-12-02
"""
import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "rules_closed_on"
down_revision = "0002"
branch_labels = None
depends_on = None

CHECK_NAME = "ck_problems_closed_has_date"
CHECK_SQL = "status <> 'closed' OR closed_on IS NOT NULL"

# the defaults of lib.rules.settings when this migration was written (a migration must not change
# with the code)
_DEFAULTS = {
    "start_yellow_late": 1, "start_red_late": 3, "progress_yellow_gap": -10.0, "progress_red_gap": -30.0,
    "reporting_yellow_months": 1, "reporting_red_months": 2, "stats_yellow_months": 2,
    "stats_red_months": 3, "funds_green_pp": 10.0, "funds_yellow_pp": 30.0, "problems_yellow_days": 1,
    "problems_red_days": 30, "persistence_months": 3,
}
_WEIGHTS = {"invest_rate": 30, "start_rate": 15, "growth": 20, "stats_rate": 10, "funds_rate": 10,
            "closure_rate": 10, "red_share": 5}


def _repair_closed_on(conn) -> None:
    problems = sa.table("problems", sa.column("id", sa.Integer), sa.column("status", sa.String),
                        sa.column("closed_on", sa.Date), sa.column("raised_on", sa.Date))
    events = sa.table("problem_events", sa.column("problem_id", sa.Integer),
                      sa.column("action", sa.String), sa.column("at", sa.DateTime))
    rows = conn.execute(sa.select(problems.c.id, problems.c.raised_on).where(
        problems.c.status == "closed", problems.c.closed_on.is_(None))).fetchall()
    for pid, raised_on in rows:
        last_accept = conn.execute(sa.select(sa.func.max(events.c.at)).where(
            events.c.problem_id == pid, events.c.action == "accept")).scalar()
        if isinstance(last_accept, str):  # SQLite hands back text for a bare aggregate
            last_accept = dt.datetime.fromisoformat(last_accept)
        day = last_accept.date() if last_accept is not None else raised_on
        conn.execute(problems.update().where(problems.c.id == pid).values(closed_on=day))


def _only_changed_settings(conn) -> None:
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text))
    for key, value in conn.execute(sa.select(settings.c.key, settings.c.value)).fetchall():
        if key == "weights":
            try:
                stored = dict(json.loads(value))
            except (TypeError, ValueError):
                continue
            kept = {k: v for k, v in stored.items() if _WEIGHTS.get(k) != v}
            if not kept:
                conn.execute(settings.delete().where(settings.c.key == key))
            elif kept != stored:
                conn.execute(settings.update().where(settings.c.key == key).values(
                    value=json.dumps(kept, ensure_ascii=False)))
        elif key in _DEFAULTS:
            try:
                if json.loads(value) == _DEFAULTS[key]:
                    conn.execute(settings.delete().where(settings.c.key == key))
            except (TypeError, ValueError):
                continue


def upgrade() -> None:
    conn = op.get_bind()
    _repair_closed_on(conn)
    _only_changed_settings(conn)
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_check_constraint(CHECK_NAME, CHECK_SQL)


def downgrade() -> None:
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_constraint(CHECK_NAME, type_="check")
