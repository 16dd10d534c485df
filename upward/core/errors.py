"""Domain errors: services raise these with a message a person can act on.

Views turn them into a form error or a message; the API turns them into 400/409.
"""


class DomainError(Exception):
    """A rule of the domain was broken. The message is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(DomainError):
    status_code = 409


class Conflict(DomainError):
    status_code = 409


class NotEligible(DomainError):
    pass
