"""The project's own exceptions. Every message is plain language a user can act on, in both languages.

Raise with an i18n key and its parameters: ``CockpitError("err_no_such_project", code=code)``;
``str(exc)`` is the Chinese text, ``exc.text("en")`` the English one. A message that is not a key
(older code) is shown as it is in both languages.
"""
from __future__ import annotations


class CockpitError(Exception):
    """Base class: a refused action or a bad input, with a user-facing message."""

    def __init__(self, message: str = "", **params):
        self.key = message
        self.params = params
        super().__init__(self.text("zh"))

    def text(self, lang: str = "zh") -> str:
        from lib.i18n import TEXT, t

        if self.key in TEXT:
            return t(self.key, lang, **self.params)
        return self.key


class StoreError(CockpitError):
    """The store is missing, unreachable or of another schema version."""


class PermissionDenied(CockpitError):
    """The signed-in role may not do this."""


class ValidationError(CockpitError):
    """Input failed validation. ``errors`` is a list of dicts: row, column, value, message."""

    def __init__(self, message: str = "", errors: list[dict] | None = None, **params):
        super().__init__(message, **params)
        self.errors = errors or []


class TransitionError(CockpitError):
    """A problem state move that the rules forbid."""
