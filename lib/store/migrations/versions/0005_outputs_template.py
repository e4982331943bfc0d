"""output_templates: the slide template .pptx the campaign office uploads for the monthly pack

Revision ID: outputs_template
Revises: access_accounts
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "outputs_template"
down_revision = "access_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "output_templates",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )


def downgrade() -> None:
    op.drop_table("output_templates")
