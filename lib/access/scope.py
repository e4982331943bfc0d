"""Region scope: the set of region codes an actor may act on, or a page/filter is narrowed to.

Every region check goes through a ``RegionScope``: ``scope.allows(code)`` for one row,
``scope.where(column)`` for SQL, ``scope.mask(series)`` for a DataFrame column. ``scope_for(actor)``
derives it from the actor (county staff: their county; every other role: every region), and
``of(region_code)`` from a chosen county (the sidebar filter; None = every region).

Townships (乡镇) under counties: a scope is a set, not one code, so a county's scope can hold its
townships too. ``expand(children)`` adds every descendant from a parent → children mapping; when
the regions table gets a parent column, ``scope_for`` and ``of`` pass that mapping to ``expand``
and no caller changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class RegionScope:
    #: allowed region codes; None means every region
    codes: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self.codes is None

    def allows(self, region_code: str | None) -> bool:
        """May this scope see or touch ``region_code``? A row without a region is only within
        the unrestricted scope."""
        if self.codes is None:
            return True
        return region_code is not None and region_code in self.codes

    def where(self, column):
        """A SQL condition on ``column`` (true for the unrestricted scope)."""
        from sqlalchemy import false, true

        if self.codes is None:
            return true()
        if not self.codes:
            return false()
        return column.in_(sorted(self.codes))

    def mask(self, series):
        """A boolean mask of a pandas Series of region codes."""
        if self.codes is None:
            return series.notna() | series.isna()
        return series.isin(sorted(self.codes))

    def expand(self, children: Mapping[str, Iterable[str]]) -> RegionScope:
        """This scope with every descendant (townships under a county) from ``children``."""
        if self.codes is None:
            return self
        seen: set[str] = set()
        todo = list(self.codes)
        while todo:
            code = todo.pop()
            if code in seen:
                continue
            seen.add(code)
            todo.extend(children.get(code, ()))
        return RegionScope(frozenset(seen))


EVERYWHERE = RegionScope(None)


def of(region_code: str | None) -> RegionScope:
    """The scope of a chosen county (None or "": every region)."""
    return EVERYWHERE if not region_code else RegionScope(frozenset({region_code}))


def scope_for(actor) -> RegionScope:
    """What ``actor`` may act on: county staff their own county (nothing without one), every
    other role (and the command line) every region."""
    from lib.access.roles import REGION_SCOPED_ROLES

    if actor is None or actor.role not in REGION_SCOPED_ROLES:
        return EVERYWHERE
    return RegionScope(frozenset({actor.region_code}) if actor.region_code else frozenset())
