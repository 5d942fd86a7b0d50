"""Create the declarations table.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLE = "declarations"
INDEXED = ["conversation_id", "structure_type", "region", "incident_type", "status", "created_at"]


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=True)


def _string(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=True)


def _datetime(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("submission_key", sa.String(255), nullable=False),
        _string("conversation_id", 255),
        # A. Structure
        _text("structure_name"),
        _string("finess", 9),
        _string("structure_type", 64),
        _string("region", 64),
        _string("is_ose", 16),
        # B. Declarant
        _text("declarant_name"),
        _text("declarant_role"),
        _text("declarant_email"),
        _string("declarant_phone", 32),
        # C. Incident
        _datetime("detected_at"),
        _datetime("started_at"),
        _string("incident_type", 64),
        _string("origin", 32),
        _text("description"),
        _string("perimeter", 32),
        sa.Column("affected_systems", sa.JSON(), nullable=True),
        _string("provider_involved", 16),
        _string("handling_status", 16),
        _text("measures_taken"),
        # D. Impacts
        _string("care_impact", 16),
        _string("patient_endangerment", 16),
        sa.Column("data_impact", sa.JSON(), nullable=True),
        _string("health_data_involved", 16),
        sa.Column("persons_affected", sa.Integer(), nullable=True),
        _string("spread_risk", 16),
        # E. Cause and follow-up
        _text("cause"),
        _string("support_requested", 16),
        _string("complaint_filed", 16),
        _string("cnil_notified", 16),
        # Computed
        _string("reference", 32),
        sa.Column("qualification", sa.JSON(), nullable=True),
        sa.Column("obligations", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        _datetime("created_at", nullable=False),
        _datetime("submitted_at"),
        _datetime("updated_at", nullable=False),
        sa.Column("pii_masked", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("submission_key", name="uq_declarations_submission_key"),
        sa.UniqueConstraint("reference", name="uq_declarations_reference"),
    )
    for column in INDEXED:
        op.create_index(f"ix_{TABLE}_{column}", TABLE, [column])


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(f"ix_{TABLE}_{column}", table_name=TABLE)
    op.drop_table(TABLE)
