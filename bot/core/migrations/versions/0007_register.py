"""The FINESS register of establishments and its text search.

- ``establishments``: one row per FINESS ET number, loaded from the DREES files
  by ``python -m bot.core.register_store load`` (``make run`` does it);
  ``search_text`` holds the folded words the search matches.
- ``register_sources``: the SHA-256 of the files loaded, so that loading the same
  files again does nothing.
- The search index, by database: an FTS5 table ``establishments_fts`` (words
  without diacritics) on SQLite; a full-text GIN index (``simple`` configuration,
  over words already folded) on PostgreSQL. A ``pg_trgm`` index was tried first:
  ranking every fuzzy match of a several-word name took about 2 s; typos are
  corrected against the register's own words instead (``Register.search``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "establishments",
        sa.Column("finess", sa.String(9), primary_key=True),
        sa.Column("legal_finess", sa.String(9), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("long_name", sa.String(200), nullable=True),
        sa.Column("town", sa.String(80), nullable=False),
        sa.Column("postcode", sa.String(5), nullable=False),
        sa.Column("department", sa.String(3), nullable=False),
        sa.Column("department_name", sa.String(80), nullable=False),
        sa.Column("region", sa.String(40), nullable=True),
        sa.Column("category", sa.String(4), nullable=False),
        sa.Column("category_label", sa.String(120), nullable=False),
        sa.Column("structure_type", sa.String(60), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
    )
    op.create_index("ix_establishments_legal_finess", "establishments", ["legal_finess"])
    op.create_table(
        "register_sources",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE establishments_fts USING fts5("
            "finess UNINDEXED, search_text, tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE INDEX ix_establishments_search_words ON establishments "
            "USING gin (to_tsvector('simple', search_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE establishments_fts")
    op.drop_table("register_sources")
    op.drop_table("establishments")
