"""Files added to a declaration (``bot.core.attachments``).

- ``attachments``: name as given, type found in the content, size, SHA-256, the random
  name of the file on disk, the conversation it was added in and the declaration it
  belongs to once sent.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("declaration_id", sa.Integer(), sa.ForeignKey("declarations.id"), nullable=True),
        sa.Column("stored_name", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("stored_name", name="uq_attachments_stored_name"),
    )
    for column in ("conversation_id", "declaration_id"):
        op.create_index(f"ix_attachments_{column}", "attachments", [column])


def downgrade() -> None:
    for column in ("conversation_id", "declaration_id"):
        op.drop_index(f"ix_attachments_{column}", table_name="attachments")
    op.drop_table("attachments")
