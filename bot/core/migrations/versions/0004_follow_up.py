"""Follow-up: synthetic declarations kept apart, and the history of completions.

- ``declarations.synthetic``: true for demonstration data made by
  ``python -m bot.observatory.synthetic``; such declarations are never
  forwarded and every listing, export and indicator chooses either real or
  synthetic ones, never both.
- ``declaration_changes``: one row per field a declarant completed or
  corrected after submission (old and new value, when, from which
  conversation); each completion is forwarded as a ``complement``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHANGES = "declaration_changes"


def upgrade() -> None:
    with op.batch_alter_table("declarations") as batch:
        batch.add_column(sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_declarations_synthetic", ["synthetic"])
    op.create_table(
        CHANGES,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("declaration_id", sa.Integer(), sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", sa.JSON()),
        sa.Column("new_value", sa.JSON()),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.String(255)),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id")),
    )
    op.create_index(f"ix_{CHANGES}_declaration_id", CHANGES, ["declaration_id"])


def downgrade() -> None:
    op.drop_index(f"ix_{CHANGES}_declaration_id", table_name=CHANGES)
    op.drop_table(CHANGES)
    with op.batch_alter_table("declarations") as batch:
        batch.drop_index("ix_declarations_synthetic")
        batch.drop_column("synthetic")
