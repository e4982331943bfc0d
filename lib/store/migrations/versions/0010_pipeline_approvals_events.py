"""Project pipeline: project source, signing and operation dates; approvals (前期手续) and events
(集中活动) tables.

Revision ID: pipeline_0001
Revises: tablet_my_projects
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "pipeline_0001"
down_revision = "tablet_my_projects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("signed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("planned_operation", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("actual_operation", sa.Date(), nullable=True))
    op.create_table(
        "approvals",
        sa.Column("project_code", sa.String(length=64), sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("project_code", "kind"),
    )
    op.create_table(
        "project_events",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_code", sa.String(length=64), sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("name", "project_code"),
    )
    op.create_index("ix_project_events_project", "project_events", ["project_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_project_events_project", table_name="project_events")
    op.drop_table("project_events")
    op.drop_table("approvals")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        for col in ("actual_operation", "planned_operation", "signed_on", "source"):
            batch_op.drop_column(col)
