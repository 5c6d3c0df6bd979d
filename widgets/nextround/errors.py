"""Errors that carry a message meant for a person, not a traceback.

Every layer raises a subclass of :class:`NextRoundError` for a problem the
user can fix (bad content, a bad workbook file, an unknown client). The CLI
and the components catch this one type and show its text; anything else is
a bug and is reported as such.
"""

from __future__ import annotations


class NextRoundError(Exception):
    """A problem with the user's input, explained in plain words.

    Catch this one type to show a person what went wrong; its text is a
    sentence meant for them. Anything else raised is a bug.

    Parameters
    ----------
    message : str
        What was wrong and where, in plain words.

    Example
    -------
    >>> import tempfile
    >>> from nextround import NextRoundError, Store
    >>> store = Store(tempfile.mkdtemp() + "/notes.db")
    >>> try:
    ...     store.get_client("nobody")
    ... except NextRoundError as problem:
    ...     print("Sorry:", problem)
    Sorry: ...
    """


class ContentError(NextRoundError):
    """A content folder failed validation.

    ``problems`` holds one ``file:LINE: field.path: message`` line per
    problem, so callers can print them all rather than the first alone.

    Parameters
    ----------
    problems : list of str
        One ``file:LINE: field.path: message`` line per problem.

    Example
    -------
    >>> import pathlib, shutil, tempfile
    >>> from nextround import ContentError, load_content
    >>> from nextround.content import default_content_dir
    >>> mine = pathlib.Path(tempfile.mkdtemp()) / "content"
    >>> _ = shutil.copytree(default_content_dir(), mine)
    >>> (mine / "help.yaml").unlink()
    >>> try:
    ...     load_content(mine)
    ... except ContentError as error:
    ...     print(error.problems[0])
    /.../content/help.yaml:1: (top): file is missing
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class WorkbookError(NextRoundError):
    """A workbook file could not be imported; nothing was written."""


class ClientExists(WorkbookError):
    """A workbook file holds a client who is already here; nothing was written.

    ``name`` and ``client_id`` say who, so the app can offer to replace
    their work with the file or to keep both as separate clients.
    """

    def __init__(self, message: str, *, name: str, client_id: str):
        super().__init__(message)
        self.name = name
        self.client_id = client_id


class NotFound(NextRoundError):
    """A client or record id that the store does not hold."""
