"""The register: each collaboration's function, model, parties and event history.

- register: one row per collaboration in the register (function, model, lead or host
  force, governance board, start date).
- register_parties: every force that has been a party, with its chief officer and its
  policing body.
- register_events: signed, varied, renewed, joined, withdrew, terminated, with dates.
- agreements: each collaboration's section 22A agreements (title, dates, publication).
- agreement_clauses: each agreement's status on each clause of the clause list.
- force_years: what each force puts in and gets out per financial year, money in whole
  pence and full-time equivalents in hundredths (integers: exact on every backend).
- benefits: non-financial benefits with their evidence.
- milestones, successes, champions: dates met and missed, early wins, and the people who
  carry the collaboration in each force.
- terms, sites, travel: terms and conditions per force, sites with coordinates, and travel
  times between them.

Revision ID: 0008_register
Revises: 0007_interviews
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_register"
down_revision = "0007_interviews"
branch_labels = None
depends_on = None


def _collaboration_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["collaboration_id"],
        ["collaborations.id"],
        name=f"fk_{table}_collaboration_id_collaborations",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "register",
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("function", sa.String(200), nullable=False),
        sa.Column("model", sa.String(40), nullable=False),
        sa.Column("lead_force", sa.String(200), nullable=True),
        sa.Column("board", sa.String(200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _collaboration_fk("register"),
        sa.PrimaryKeyConstraint("collaboration_id"),
    )
    op.create_table(
        "register_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("chief_officer", sa.String(200), nullable=False),
        sa.Column("policing_body", sa.String(200), nullable=False),
        _collaboration_fk("register_parties"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collaboration_id", "force", name="uq_register_party"),
    )
    op.create_table(
        "register_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("force", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _collaboration_fk("register_events"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_register_events_collaboration_id", "register_events", ["collaboration_id"])
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("publication", sa.String(30), nullable=False),
        _collaboration_fk("agreements"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collaboration_id", "title", name="uq_agreement_title"),
    )
    op.create_table(
        "agreement_clauses",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("clause_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name="fk_agreement_clauses_agreement_id_agreements",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agreement_id", "clause_id"),
    )
    op.create_table(
        "force_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("year", sa.String(7), nullable=False),
        sa.Column("cash", sa.BigInteger(), nullable=True),
        sa.Column("officers_fte", sa.Integer(), nullable=True),
        sa.Column("staff_fte", sa.Integer(), nullable=True),
        sa.Column("assets", sa.BigInteger(), nullable=True),
        sa.Column("basis", sa.String(200), nullable=True),
        sa.Column("officers", sa.Integer(), nullable=True),
        sa.Column("baseline_cost", sa.BigInteger(), nullable=True),
        sa.Column("current_cost", sa.BigInteger(), nullable=True),
        sa.Column("cashable_planned", sa.BigInteger(), nullable=True),
        sa.Column("cashable_realised", sa.BigInteger(), nullable=True),
        sa.Column("noncashable_planned", sa.BigInteger(), nullable=True),
        sa.Column("noncashable_realised", sa.BigInteger(), nullable=True),
        sa.Column("exit_costs", sa.BigInteger(), nullable=True),
        _collaboration_fk("force_years"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collaboration_id", "force", "year", name="uq_force_year"),
    )
    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=True),
        sa.Column("year", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        _collaboration_fk("benefits"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_benefits_collaboration_id", "benefits", ["collaboration_id"])
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _collaboration_fk("milestones"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_milestones_collaboration_id", "milestones", ["collaboration_id"])
    op.create_table(
        "successes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("force", sa.String(200), nullable=True),
        _collaboration_fk("successes"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_successes_collaboration_id", "successes", ["collaboration_id"])
    op.create_table(
        "champions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("reach", sa.String(200), nullable=True),
        _collaboration_fk("champions"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_champions_collaboration_id", "champions", ["collaboration_id"])
    op.create_table(
        "terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _collaboration_fk("terms"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_terms_collaboration_id", "terms", ["collaboration_id"])
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        _collaboration_fk("sites"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sites_collaboration_id", "sites", ["collaboration_id"])
    op.create_table(
        "travel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("destination", sa.String(200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        _collaboration_fk("travel"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_travel_collaboration_id", "travel", ["collaboration_id"])


def downgrade() -> None:
    op.drop_index("ix_travel_collaboration_id", table_name="travel")
    op.drop_table("travel")
    op.drop_index("ix_sites_collaboration_id", table_name="sites")
    op.drop_table("sites")
    op.drop_index("ix_terms_collaboration_id", table_name="terms")
    op.drop_table("terms")
    op.drop_index("ix_champions_collaboration_id", table_name="champions")
    op.drop_table("champions")
    op.drop_index("ix_successes_collaboration_id", table_name="successes")
    op.drop_table("successes")
    op.drop_index("ix_milestones_collaboration_id", table_name="milestones")
    op.drop_table("milestones")
    op.drop_index("ix_benefits_collaboration_id", table_name="benefits")
    op.drop_table("benefits")
    op.drop_table("force_years")
    op.drop_table("agreement_clauses")
    op.drop_table("agreements")
    op.drop_index("ix_register_events_collaboration_id", table_name="register_events")
    op.drop_table("register_events")
    op.drop_table("register_parties")
    op.drop_table("register")
