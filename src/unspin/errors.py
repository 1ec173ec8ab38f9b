"""Exceptions raised by unspin.

Every error the library raises on purpose derives from :class:`UnspinError`; the CLI turns
them into a one-line message naming the input and a non-zero exit status.
"""

from __future__ import annotations


class UnspinError(Exception):
    """Base class of all errors raised by unspin on purpose."""

    exit_code = 1


class InputError(UnspinError):
    """An input (file, record, text) cannot be read or holds nothing usable.

    Args:
        source: what was being read (a path, ``"<stdin>"``, ``"file.jsonl:17"``).
        reason: a short human-readable reason, without the source.
    """

    exit_code = 2

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class IndexUnavailable(UnspinError):
    """An index directory is missing, corrupt, empty where documents are needed, or was written by an
    incompatible version."""

    exit_code = 3

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


#: The 0.1 name of :class:`IndexUnavailable` (it shadowed Python's ``IndexError``); kept for old code.
IndexError_ = IndexUnavailable


class ModelError(UnspinError):
    """The sentence-embedding model cannot be loaded (package missing or broken)."""

    exit_code = 4


class OptionError(InputError):
    """An option (a library keyword argument, or its command-line flag) is out of range.

    Args:
        option: the option as the user spells it (``"--max-bytes"``, ``"threshold"``).
        reason: what is wrong, and what is accepted.
    """
