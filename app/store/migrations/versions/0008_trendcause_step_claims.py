"""step claims: a runbook step run is claimed (one row per incident, step and trigger) before
it runs, so two incident jobs at once never run one step twice.

Revision ID: 0008_step_claims
Revises: 0007_postmortem
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_step_claims"
down_revision = "0007_postmortem"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_step_claims_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_claims")),
        sa.UniqueConstraint("incident_id", "step", "trigger", name="uq_step_claims_run"),
    )


def downgrade() -> None:
    op.drop_table("step_claims")
