"""problems.number: the office's own problem number (text, unique); existing ids become str(id)

Revision ID: ledger_problem_number
Revises: outputs_template
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "ledger_problem_number"
down_revision = "outputs_template"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=40), nullable=True))
    op.execute("UPDATE problems SET number = CAST(id AS VARCHAR(40)) WHERE number IS NULL")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint("uq_problems_number", ["number"])


def downgrade() -> None:
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_constraint("uq_problems_number", type_="unique")
        batch_op.drop_column("number")
