"""the conversation on a PR: where an ignore came from, what each proposal moves, merge
requests and human commits per bot PR, comments whose commands ran.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ignore_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pr_number", sa.Integer(), nullable=True))

    op.create_table(
        "proposal_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("package", sa.String(length=255), nullable=False),
        sa.Column("from_version", sa.String(length=64), nullable=True),
        sa.Column("to_version", sa.String(length=64), nullable=False),
        sa.Column("update_type", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_changes_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_changes")),
    )
    with op.batch_alter_table("proposal_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_changes_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "pull_lifecycle",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("merge_requested_by", sa.String(length=255), nullable=True),
        sa.Column("merge_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_by_bot", sa.Boolean(), nullable=False),
        sa.Column("human_commits", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_pull_lifecycle_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_pull_lifecycle")),
    )

    op.create_table(
        "handled_comments",
        sa.Column("comment_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("repository_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name=op.f("fk_handled_comments_repository_id_repositories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_handled_comments")),
    )
    with op.batch_alter_table("handled_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handled_comments_repository_id"), ["repository_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("handled_comments")
    op.drop_table("pull_lifecycle")
    op.drop_table("proposal_changes")
    with op.batch_alter_table("ignore_rules", schema=None) as batch_op:
        batch_op.drop_column("pr_number")
