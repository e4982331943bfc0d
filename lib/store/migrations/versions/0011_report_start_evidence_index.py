"""An index for the start evidence of projects (lib.rules.pipeline.start_months): per project, the
earliest report ≤ P saying 是否开工=是 — its 实际开工日期 or its period — is a seek instead of a scan
of every monthly report.

Revision ID: report_start_evidence
Revises: pipeline_0001
Create Date: 2026-12-02
"""
from alembic import op

revision = "report_start_evidence"
down_revision = "pipeline_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.create_index("ix_monthly_reports_start_evidence",
                              ["project_code", "started", "actual_start", "period"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("monthly_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_monthly_reports_start_evidence")
