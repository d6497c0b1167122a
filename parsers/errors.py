"""The one exception a reader raises for input it cannot read."""


class ParseError(Exception):
    """The document cannot be read as a report (empty, binary, not a report...).

    The message is one line meant for the user; ``cause`` keeps the underlying error.
    """

    def __init__(self, message: str, *, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause
