"""The store's tables as SQLAlchemy 2 typed ORM models.

Names follow the vocabulary of DESIGN.md (English keys); Chinese labels live in lib/i18n.py.
Money is always 万元 (float). Periods are text ``YYYY-MM``. Dates are ``datetime.date``.
Schema changes go through an Alembic migration in lib/store/migrations/versions.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


# Enumerations (English keys; Chinese in lib/i18n.py)
REGION_KINDS = ("county", "district", "city", "park")
LIBRARIES = ("reserve", "annual")
NATURES = ("new", "continuing")
LEVELS = ("provincial", "municipal", "county", "general")
APPROVAL_STATES = ("done", "in_progress", "not_started", "not_applicable")
APPROVAL_FIELDS = (
    "approval_project",  # 立项
    "approval_land",  # 用地
    "approval_planning",  # 规划
    "approval_eia",  # 环评
    "approval_energy",  # 能评
    "approval_construction",  # 施工许可
)
FUND_SOURCES = ("central_budget", "special_bond", "treasury_bond")
PROBLEM_CATEGORIES = (
    "land", "demolition", "planning", "eia", "energy", "funds", "approval", "utilities",
    "construction", "other",
)
PROBLEM_LEVELS = ("county", "city", "province")
PROBLEM_STATUSES = ("pending", "assigned", "in_progress", "closure_requested", "closed")
ROLES = ("leader", "staff", "office", "admin")
# Project pipeline (DESIGN.md "Project pipeline")
PROJECT_SOURCES = ("government", "enterprise", "attracted")  # 政府投资 / 企业投资 / 招商引资
APPROVAL_KINDS = ("initiation", "land_pre", "land", "planning", "eia", "energy", "construction_permit", "other")
APPROVAL_STATUSES = ("not_started", "in_progress", "done", "not_needed")
EVENT_TYPES = ("signing", "start", "operation")  # 签约 / 开工 / 投产
STAGES = ("reserve", "preparing", "building", "completed", "operating")
LIGHTS = ("red", "yellow", "green", "gray")


class Region(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="county")
    display_order: Mapped[int] = mapped_column(Integer, default=0)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    boundary: Mapped[Optional[str]] = mapped_column(Text)  # GeoJSON geometry, simplified


class Project(Base):
    __tablename__ = "projects"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    sector: Mapped[str] = mapped_column(String(50))
    level: Mapped[Optional[str]] = mapped_column(String(16))
    industrial: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[Optional[str]] = mapped_column(String(200))  # ';'-separated
    total_investment: Mapped[float] = mapped_column(Float)
    owner: Mapped[Optional[str]] = mapped_column(String(200))
    unit: Mapped[Optional[str]] = mapped_column(String(200))  # 责任单位
    leader: Mapped[Optional[str]] = mapped_column(String(100))  # 包联领导
    lon: Mapped[Optional[float]] = mapped_column(Float)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    central_budget: Mapped[Optional[float]] = mapped_column(Float)
    special_bond: Mapped[Optional[float]] = mapped_column(Float)
    treasury_bond: Mapped[Optional[float]] = mapped_column(Float)
    approval_project: Mapped[Optional[str]] = mapped_column(String(16))
    approval_land: Mapped[Optional[str]] = mapped_column(String(16))
    approval_planning: Mapped[Optional[str]] = mapped_column(String(16))
    approval_eia: Mapped[Optional[str]] = mapped_column(String(16))
    approval_energy: Mapped[Optional[str]] = mapped_column(String(16))
    approval_construction: Mapped[Optional[str]] = mapped_column(String(16))
    planned_start: Mapped[Optional[dt.date]] = mapped_column(Date)
    planned_end: Mapped[Optional[dt.date]] = mapped_column(Date)
    actual_start: Mapped[Optional[dt.date]] = mapped_column(Date)
    actual_end: Mapped[Optional[dt.date]] = mapped_column(Date)
    # pipeline (pipeline_0001): 项目来源, 签约日期, 计划投产, 实际投产
    source: Mapped[Optional[str]] = mapped_column(String(16))
    signed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    planned_operation: Mapped[Optional[dt.date]] = mapped_column(Date)
    actual_operation: Mapped[Optional[dt.date]] = mapped_column(Date)

    years: Mapped[list["ProjectYear"]] = relationship(back_populates="project")
    # relationships below also let the unit of work order inserts by foreign key
    region: Mapped[Region] = relationship()


class ProjectYear(Base):
    __tablename__ = "project_years"
    project_code: Mapped[str] = mapped_column(ForeignKey("projects.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    library: Mapped[str] = mapped_column(String(16))  # reserve / annual
    nature: Mapped[Optional[str]] = mapped_column(String(16))  # new / continuing
    annual_plan: Mapped[Optional[float]] = mapped_column(Float)

    project: Mapped[Project] = relationship(back_populates="years")
    __table_args__ = (Index("ix_project_years_year", "year"),)


class MonthlyPlan(Base):
    __tablename__ = "monthly_plans"
    project_code: Mapped[str] = mapped_column(ForeignKey("projects.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    planned_cumulative: Mapped[float] = mapped_column(Float)

    project: Mapped[Project] = relationship()


class MonthlyReport(Base):
    __tablename__ = "monthly_reports"
    project_code: Mapped[str] = mapped_column(ForeignKey("projects.code"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    ytd_completed: Mapped[float] = mapped_column(Float)
    month_completed: Mapped[Optional[float]] = mapped_column(Float)
    started: Mapped[Optional[bool]] = mapped_column(Boolean)
    actual_start: Mapped[Optional[dt.date]] = mapped_column(Date)
    in_stats: Mapped[Optional[bool]] = mapped_column(Boolean)
    central_budget_paid: Mapped[Optional[float]] = mapped_column(Float)
    special_bond_paid: Mapped[Optional[float]] = mapped_column(Float)
    treasury_bond_paid: Mapped[Optional[float]] = mapped_column(Float)
    progress_text: Mapped[Optional[str]] = mapped_column(Text)
    variance_note: Mapped[Optional[str]] = mapped_column(Text)
    reporter: Mapped[Optional[str]] = mapped_column(String(100))
    batch_id: Mapped[Optional[int]] = mapped_column(Integer)
    # when the report reached the store (uploads by the 10th of the next month are on time); 0002
    reported_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    # data-quality flags that stay (lib.intake.quality): JSON list of {code, column, value, params}
    flags: Mapped[Optional[str]] = mapped_column(Text)
    # the earliest start evidence per project (lib.rules.pipeline.start_months) is an index seek; 0011
    __table_args__ = (Index("ix_monthly_reports_period", "period"),
                      Index("ix_monthly_reports_start_evidence", "project_code", "started", "actual_start", "period"))

    project: Mapped[Project] = relationship()


class Approval(Base):
    """One 前期手续 of a project (approvals upload; key project + kind)."""
    __tablename__ = "approvals"
    project_code: Mapped[str] = mapped_column(ForeignKey("projects.code"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    planned_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # 计划办结
    done_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # 实际办结
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    unit: Mapped[Optional[str]] = mapped_column(String(200))  # 牵头部门
    batch_id: Mapped[Optional[int]] = mapped_column(Integer)

    project: Mapped[Project] = relationship()


class ProjectEvent(Base):
    """A project presented at a 签约/开工/投产 event (events upload; key name + project)."""
    __tablename__ = "project_events"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # 活动名称
    project_code: Mapped[str] = mapped_column(ForeignKey("projects.code"), primary_key=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[Optional[int]] = mapped_column(Integer)

    project: Mapped[Project] = relationship()
    __table_args__ = (Index("ix_project_events_project", "project_code"),)


class RegionTarget(Base):
    __tablename__ = "region_targets"
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    growth_target: Mapped[float] = mapped_column(Float)  # percent, e.g. 10.0

    region: Mapped[Region] = relationship()


class RegionStat(Base):
    __tablename__ = "region_stats"
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    growth: Mapped[float] = mapped_column(Float)  # FAI cumulative growth, percent

    region: Mapped[Region] = relationship()


class Problem(Base):
    __tablename__ = "problems"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # internal key
    # 问题编号: the office's own ledger number (kept exactly, ≤ 40 characters) or a system number
    # Q-000123; the key on re-import and what every surface shows. Migrated ids became str(id).
    number: Mapped[str] = mapped_column(String(40))
    project_code: Mapped[str] = mapped_column(ForeignKey("projects.code"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(16), default="county")  # coordination level
    unit: Mapped[Optional[str]] = mapped_column(String(200))  # 责任单位
    leader: Mapped[Optional[str]] = mapped_column(String(100))  # 责任领导
    person: Mapped[Optional[str]] = mapped_column(String(100))  # 责任人
    measures: Mapped[Optional[str]] = mapped_column(Text)  # 解决措施
    deadline: Mapped[Optional[dt.date]] = mapped_column(Date)  # 解决时限
    status: Mapped[str] = mapped_column(String(24), default="pending")
    closed_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # 办结日期
    satisfied: Mapped[Optional[bool]] = mapped_column(Boolean)  # 企业满意
    supervise_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_problems_status", "status"),  # 0002
        # DESIGN.md: 已销号 needs 办结日期 (migration rules_closed_on repairs older rows first)
        CheckConstraint("status <> 'closed' OR closed_on IS NOT NULL", name="ck_problems_closed_has_date"),
        UniqueConstraint("number", name="uq_problems_number"),  # ledger_problem_number
    )

    events: Mapped[list["ProblemEvent"]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id"
    )
    project: Mapped[Project] = relationship()


class ProblemEvent(Base):
    __tablename__ = "problem_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(24))  # raise/assign/start/progress/submit/accept/return/supervise/escalate/import/edit
    from_status: Mapped[Optional[str]] = mapped_column(String(24))
    to_status: Mapped[Optional[str]] = mapped_column(String(24))
    note: Mapped[Optional[str]] = mapped_column(Text)

    problem: Mapped[Problem] = relationship(back_populates="events")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[Optional[str]] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[Optional[str]] = mapped_column(ForeignKey("regions.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # 我的项目: a leader account's 包联领导 name, a unit account's 责任单位 (as written in the projects)
    leader_name: Mapped[Optional[str]] = mapped_column(String(100))
    unit_name: Mapped[Optional[str]] = mapped_column(String(200))
    # raised by logout, password change, role change and disabling: older sign-in tokens stop working
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginThrottle(Base):
    """Failed sign-ins per key: ``u:<username>``, ``a:<client address>``, ``ua:<username>|<address>``
    (lib/access/throttle.py). Known and unknown usernames alike; counted with one atomic UPDATE."""
    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failure: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class UploadBatch(Base):
    __tablename__ = "upload_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[Optional[str]] = mapped_column(String(255))
    sha256: Mapped[Optional[str]] = mapped_column(String(64))
    region_code: Mapped[Optional[str]] = mapped_column(String(32))
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[Optional[str]] = mapped_column(Text)  # JSON list
    changes: Mapped[Optional[str]] = mapped_column(Text)  # JSON list for undo: {table, key, before, after}
    undone_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    undone_by: Mapped[Optional[str]] = mapped_column(String(100))


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(32))  # upload/undo/edit/problem/setting/account/init/login
    entity: Mapped[str] = mapped_column(String(32))  # table or kind
    entity_key: Mapped[Optional[str]] = mapped_column(String(200))
    before: Mapped[Optional[str]] = mapped_column(Text)  # JSON
    after: Mapped[Optional[str]] = mapped_column(Text)  # JSON
    batch_id: Mapped[Optional[int]] = mapped_column(Integer)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_by: Mapped[Optional[str]] = mapped_column(String(100))
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class OutputTemplate(Base):
    """A file the campaign office uploaded for the monthly outputs (kind ``briefing``: the slide
    template .pptx with its logo, colours and master), used for every later pack."""
    __tablename__ = "output_templates"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ResultCache(Base):
    """Derived results (lights, league, problem table …) computed once per data version and shared by
    every session and every server process (lib/store/results.py). Not data: a backup or a copy
    leaves it out, and deleting every row is always safe."""
    __tablename__ = "result_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of name, params, version
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


DERIVED_TABLES = ("result_cache",)  # rebuilt on demand: left out of backups, copies and comparisons


__all__ = [name for name in dir() if not name.startswith("_")]
_ = UniqueConstraint  # kept importable for migrations
