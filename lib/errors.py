"""The project's own exceptions. Every message is plain Chinese a user can act on."""


class CockpitError(Exception):
    """Base class: a refused action or a bad input, with a user-facing message."""


class StoreError(CockpitError):
    """The store is missing, unreachable or of another schema version."""


class PermissionDenied(CockpitError):
    """The signed-in role may not do this."""


class ValidationError(CockpitError):
    """Input failed validation. ``errors`` is a list of dicts: row, column, value, message."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


class TransitionError(CockpitError):
    """A problem state move that the rules forbid."""
