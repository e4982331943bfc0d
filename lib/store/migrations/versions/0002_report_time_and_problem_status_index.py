"""monthly_reports.reported_at (on-time reporting by the 10th) and an index on problems.status

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_index("ix_problems_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_index("ix_problems_status")
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.drop_column("reported_at")
