"""Errors that services raise and every interface (API, admin, commands) reports.

Services decide; interfaces translate. The API's exception handler turns ``Invalid`` into
400 and ``Conflict`` into 409, the admin shows the message, commands print it.
"""


class ServiceError(Exception):
    """A request the service refuses. ``detail`` is what the caller is told."""

    def __init__(self, detail: str, *, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class Invalid(ServiceError):
    """The request does not make sense (HTTP 400)."""


class Conflict(ServiceError):
    """The request makes sense but not in the current state (HTTP 409)."""
