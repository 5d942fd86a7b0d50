"""Admin pages: users, their sessions and the audit log.

- ``admin_users``: staff who read declarations in the admin pages (role
  ``lecteur`` or ``administrateur``), password hashed with argon2id; created
  with ``python -m bot.admin users add``, never by default.
- ``admin_sessions``: one row per login; only the SHA-256 of the cookie's
  random id is stored, with the session's CSRF token and its expiry.
- ``admin_audit_log``: logins, failed logins, logouts, declarations viewed,
  exports and user changes, with time and client IP.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

USERS, SESSIONS, AUDIT = "admin_users", "admin_sessions", "admin_audit_log"


def _datetime(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        USERS,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        _datetime("created_at", nullable=False),
        _datetime("updated_at", nullable=False),
        _datetime("last_login_at"),
        sa.UniqueConstraint("login", name="uq_admin_users_login"),
    )
    op.create_table(
        SESSIONS,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(f"{USERS}.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _datetime("created_at", nullable=False),
        _datetime("last_seen_at", nullable=False),
        _datetime("expires_at", nullable=False),
        _datetime("revoked_at"),
        sa.UniqueConstraint("token_hash", name="uq_admin_sessions_token_hash"),
    )
    op.create_index(f"ix_{SESSIONS}_user_id", SESSIONS, ["user_id"])
    op.create_index(f"ix_{SESSIONS}_expires_at", SESSIONS, ["expires_at"])
    op.create_table(
        AUDIT,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _datetime("at", nullable=False),
        sa.Column("login", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(64)),
        sa.Column("details", sa.JSON()),
        sa.Column("ip", sa.String(64)),
    )
    for column in ("at", "login", "action", "ip"):
        op.create_index(f"ix_{AUDIT}_{column}", AUDIT, [column])


def downgrade() -> None:
    for column in ("at", "login", "action", "ip"):
        op.drop_index(f"ix_{AUDIT}_{column}", table_name=AUDIT)
    op.drop_table(AUDIT)
    op.drop_index(f"ix_{SESSIONS}_expires_at", table_name=SESSIONS)
    op.drop_index(f"ix_{SESSIONS}_user_id", table_name=SESSIONS)
    op.drop_table(SESSIONS)
    op.drop_table(USERS)
