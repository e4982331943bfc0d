"""users.leader_name / users.unit_name: link an account to its 包联领导 or 责任单位 (我的项目)

Revision ID: tablet_my_projects
Revises: scale_result_cache
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "tablet_my_projects"
down_revision = "scale_result_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leader_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("unit_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("unit_name")
        batch_op.drop_column("leader_name")
