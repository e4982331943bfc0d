"""monthly_reports.flags: data-quality flags that stay (累计数下降, 疑似照抄, …)

Revision ID: ledger_quality_flags
Revises: ledger_problem_number
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "ledger_quality_flags"
down_revision = "ledger_problem_number"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flags", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.drop_column("flags")
