"""problems: the 问题清单 闭环. The state machine with its role rules, raising a problem and drafts
from a red light (workflow), the problem table at an as-of date with its statistics, scoreboard and
urgency order (table), and the printable 督办单 (dudan). Every move is an event and an audit row."""
from __future__ import annotations

from lib.problems.dudan import dudan_docx, dudan_number  # noqa: F401
from lib.problems.table import (  # noqa: F401
    AGEING_BUCKETS,
    CLI_COLUMNS,
    EXTRA_COLUMNS,
    UNASSIGNED_UNIT,
    ageing_bucket,
    filter_problems,
    is_open_at,
    problem_stats,
    problem_table,
    unit_scoreboard,
    urgency_order,
)
from lib.problems.workflow import (  # noqa: F401
    ACTION_FIELDS,
    ACTIONS,
    ESCALATION,
    FIVE_FIELDS,
    FIVE_ZH,
    NOTE_REQUIRED,
    OPEN_STATUSES,
    allowed_actions,
    apply,
    draft_from_light,
    find,
    history,
    missing_five,
    next_numbers,
    raise_problem,
    why_not,
)
