"""Declarations sent with required fields the declarant did not know.

- ``declarations.unknown_fields``: JSON list of the required fields stored as not
  known (``inconnu`` or empty) at sending, to be completed later; the receipt and
  the admin pages show them as "à compléter".

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("declarations") as batch:
        batch.add_column(sa.Column("unknown_fields", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("declarations") as batch:
        batch.drop_column("unknown_fields")
