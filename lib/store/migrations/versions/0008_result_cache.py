"""result_cache: derived results shared by every session and server process, keyed by data version

Revision ID: scale_result_cache
Revises: ledger_quality_flags
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "scale_result_cache"
down_revision = "ledger_quality_flags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "result_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("result_cache", schema=None) as batch_op:
        batch_op.create_index("ix_result_cache_version", ["version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("result_cache", schema=None) as batch_op:
        batch_op.drop_index("ix_result_cache_version")
    op.drop_table("result_cache")
