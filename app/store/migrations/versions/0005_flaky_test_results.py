"""CI runs collected from `workflow_run` deliveries, their artifacts (read or why not), the JUnit
reports inside and every test's result (flaky-test detection in the App, #14).

Revision ID: 0005_flaky
Revises: 0004_report (merged from the report branch; was 0003)
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_flaky"
down_revision = "0004_report"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ci_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "repository_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "repositories.id",
                ondelete="CASCADE",
                name="fk_ci_runs_repository_id_repositories",
            ),
            nullable=False,
        ),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(255), nullable=False),
        sa.Column("head_sha", sa.String(64), nullable=False),
        sa.Column("head_branch", sa.String(255), nullable=True),
        sa.Column("event", sa.String(64), nullable=True),
        sa.Column("conclusion", sa.String(32), nullable=True),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("collected_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ci_runs"),
        sa.UniqueConstraint("repository_id", "run_id", "attempt", name="uq_ci_runs_attempt"),
    )
    op.create_index("ix_ci_runs_repository_id", "ci_runs", ["repository_id"])
    op.create_index("ix_ci_runs_head_sha", "ci_runs", ["head_sha"])
    op.create_index("ix_ci_runs_started_at", "ci_runs", ["started_at"])
    op.create_table(
        "ci_artifacts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "repository_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "repositories.id",
                ondelete="CASCADE",
                name="fk_ci_artifacts_repository_id_repositories",
            ),
            nullable=False,
        ),
        sa.Column(
            "ci_run_id",
            sa.Integer(),
            sa.ForeignKey(
                "ci_runs.id", ondelete="CASCADE", name="fk_ci_artifacts_ci_run_id_ci_runs"
            ),
            nullable=False,
        ),
        sa.Column("artifact_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ci_artifacts"),
        sa.UniqueConstraint("repository_id", "artifact_id", name="uq_ci_artifacts_artifact"),
    )
    op.create_index("ix_ci_artifacts_repository_id", "ci_artifacts", ["repository_id"])
    op.create_index("ix_ci_artifacts_ci_run_id", "ci_artifacts", ["ci_run_id"])
    op.create_table(
        "test_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "ci_artifact_id",
            sa.Integer(),
            sa.ForeignKey(
                "ci_artifacts.id",
                ondelete="CASCADE",
                name="fk_test_reports_ci_artifact_id_ci_artifacts",
            ),
            nullable=False,
        ),
        sa.Column("member", sa.Text(), nullable=False),
        sa.Column("tests", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_test_reports"),
    )
    op.create_index("ix_test_reports_ci_artifact_id", "test_reports", ["ci_artifact_id"])
    op.create_table(
        "test_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey(
                "test_reports.id",
                ondelete="CASCADE",
                name="fk_test_results_report_id_test_reports",
            ),
            nullable=False,
        ),
        sa.Column("test_id", sa.Text(), nullable=False),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_test_results"),
    )
    op.create_index("ix_test_results_report_id", "test_results", ["report_id"])


def downgrade() -> None:
    op.drop_table("test_results")
    op.drop_table("test_reports")
    op.drop_table("ci_artifacts")
    op.drop_table("ci_runs")
