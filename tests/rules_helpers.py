"""Small hand-built stores for the rule tests (lights, league): rows written with the ORM."""
from __future__ import annotations

import datetime as dt

from lib.store.models import (
    MonthlyPlan,
    MonthlyReport,
    Problem,
    Project,
    ProjectYear,
    Region,
    RegionStat,
    RegionTarget,
)


def d(text: str) -> dt.date:
    y, m, *rest = (int(x) for x in text.split("-"))
    return dt.date(y, m, rest[0] if rest else 1)


class Builder:
    """Adds rows to a session and flushes; the rules read them in the same transaction."""

    def __init__(self, session):
        self.s = session
        self._regions: set[str] = set()

    def region(self, code: str = "R1", name: str | None = None, order: int = 0) -> "Builder":
        self.s.add(Region(code=code, name=name or f"{code}县", kind="county", display_order=order))
        self._regions.add(code)
        self.s.flush()
        return self

    def project(self, code: str, *, region: str = "R1", year: int | list[int] = 2022,
                library: str = "annual", nature: str = "continuing", annual_plan: float | None = 1200.0,
                planned_start: str | None = None, actual_start: str | None = None,
                central_budget: float | None = None, special_bond: float | None = None,
                treasury_bond: float | None = None, leader: str | None = None,
                unit: str | None = None) -> "Builder":
        if region not in self._regions:
            self.region(region)
        self.s.add(Project(
            code=code, name=f"项目{code}", region_code=region, sector="交通", level="municipal",
            total_investment=100000.0, leader=leader, unit=unit, lon=100.2, lat=25.6,
            planned_start=d(planned_start) if planned_start else None,
            actual_start=d(actual_start) if actual_start else None,
            central_budget=central_budget, special_bond=special_bond, treasury_bond=treasury_bond,
        ))
        self.s.flush()
        for y in (year if isinstance(year, list) else [year]):
            self.year(code, y, library=library, nature=nature, annual_plan=annual_plan)
        return self

    def year(self, code: str, year: int, *, library: str = "annual", nature: str = "continuing",
             annual_plan: float | None = 1200.0) -> "Builder":
        self.s.add(ProjectYear(project_code=code, year=year, library=library, nature=nature,
                               annual_plan=annual_plan))
        self.s.flush()
        return self

    def report(self, code: str, period: str, ytd: float = 0.0, *, started: bool | None = None,
               actual_start: str | None = None, in_stats: bool | None = None,
               central_budget_paid: float | None = None, special_bond_paid: float | None = None,
               treasury_bond_paid: float | None = None) -> "Builder":
        self.s.add(MonthlyReport(
            project_code=code, period=period, ytd_completed=ytd, started=started,
            actual_start=d(actual_start) if actual_start else None, in_stats=in_stats,
            central_budget_paid=central_budget_paid, special_bond_paid=special_bond_paid,
            treasury_bond_paid=treasury_bond_paid,
        ))
        self.s.flush()
        return self

    def plan(self, code: str, year: int, cumulative: dict[int, float]) -> "Builder":
        for month, value in cumulative.items():
            self.s.add(MonthlyPlan(project_code=code, year=year, month=month,
                                   planned_cumulative=value))
        self.s.flush()
        return self

    def problem(self, code: str, raised_on: str, deadline: str | None, *,
                status: str = "in_progress", closed_on: str | None = None) -> "Builder":
        self._n_problems = getattr(self, "_n_problems", 0) + 1
        self.s.add(Problem(
            number=f"T-{self._n_problems:04d}", project_code=code, category="land", description="用地指标未落实", raised_on=d(raised_on),
            level="county", deadline=d(deadline) if deadline else None, status=status,
            closed_on=d(closed_on) if closed_on else None, satisfied=status == "closed",
            supervise_count=0,
        ))
        self.s.flush()
        return self

    def target(self, region: str, year: int, growth_target: float) -> "Builder":
        self.s.add(RegionTarget(region_code=region, year=year, growth_target=growth_target))
        self.s.flush()
        return self

    def stat(self, region: str, period: str, growth: float) -> "Builder":
        self.s.add(RegionStat(region_code=region, period=period, growth=growth))
        self.s.flush()
        return self


def row(df, code: str):
    """The one row of ``df`` whose project_code (or group_key) is ``code``, as a dict."""
    col = "project_code" if "project_code" in df.columns else "group_key"
    hit = df[df[col] == code]
    assert len(hit) == 1, f"{code}: {len(hit)} rows"
    return hit.iloc[0].to_dict()
