"""users.token_version (revocable sign-in tokens), the login_throttle table, and the signing key
moved out of the store (the old ``session_secret`` setting is deleted: it now lives in a key file).

Revision ID: access_accounts
Revises: rules_closed_on
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "access_accounts"
down_revision = "rules_closed_on"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failure", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    # the signing key left the store: whoever holds a backup must not be able to mint tokens
    op.execute("DELETE FROM settings WHERE key = 'session_secret'")


def downgrade() -> None:
    op.drop_table("login_throttle")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("token_version")
