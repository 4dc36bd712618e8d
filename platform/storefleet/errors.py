"""The one error type services raise for problems a user can cause and fix."""


class ApplicationError(Exception):
    """A user-caused problem; ``message`` says what to do, ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
