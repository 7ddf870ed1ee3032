"""The one exception hierarchy of policytrack; the command line turns each into one line and exit 1."""

from __future__ import annotations


class PolicytrackError(Exception):
    """An error the user can fix: the message says what was wrong and what is accepted."""


class InputError(PolicytrackError):
    """A value given on the command line or in a file is not valid."""


class DateError(InputError):
    """A date could not be read, is ambiguous, or lies in the future."""


class UnknownIndicatorError(InputError):
    """No indicator matches the key, number or prefix given."""


class FrameworkError(PolicytrackError):
    """A framework file is missing, malformed or inconsistent."""


class NotFoundError(PolicytrackError):
    """No entry has the id or uuid given."""


class DatabaseError(PolicytrackError):
    """The database file cannot be used: not SQLite, not policytrack's, read-only or damaged."""


class StreamClosedError(InputError):
    """Standard input or output was closed by the shell (`<&-`, `>&-`)."""


class SyncError(PolicytrackError):
    """git is missing, the shared repository refuses or holds what policytrack did not write."""
