"""Create slack_events: Slack events and interactions already handled.

The Slack channel (``bot/channels/slack.py``; model ``SlackEvent`` in
``bot/core/models.py``) inserts each ``event_id`` (or interaction key) once: the unique
constraint is the deduplication, shared by Rasa replicas and kept across
restarts. Rows older than 24 hours are purged by the channel.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLE = "slack_events"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event_id", name="uq_slack_events_event_id"),
    )
    op.create_index(f"ix_{TABLE}_received_at", TABLE, ["received_at"])


def downgrade() -> None:
    op.drop_index(f"ix_{TABLE}_received_at", table_name=TABLE)
    op.drop_table(TABLE)
