"""Wrong e-mail addresses given to unlock a declaration, kept by reference.

- ``access_failures``: per reference (whether a declaration has it or not, so that the
  answers tell nothing), how many wrong addresses were given and until when the next try
  waits (``bot.core.access_limits``). The chat's three-try limit used to reset when the
  request was made again: nine wrong addresses, then the right one, unlocked it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_failures",
        sa.Column("reference", sa.String(32), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("access_failures")
