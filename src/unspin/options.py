"""Range checks of options shared by the library functions and the command line.

Each check returns the value when it is in range and raises :class:`OptionError` naming the
option otherwise; :mod:`unspin.cli` uses the same checks as argparse types, so a value is refused
the same way whether it comes from a flag or a keyword argument.
"""

from __future__ import annotations

import math
from numbers import Real

from unspin.errors import OptionError

__all__ = ["check_count", "check_share"]


def check_count(value: object, option: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` when it is a whole number from ``minimum`` to ``maximum`` (no upper bound when None).

    Raises:
        OptionError: it is not a whole number (booleans included) or is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionError(option, f"must be a whole number, not {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        accepted = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise OptionError(option, f"must be a whole number {accepted}, not {value}")
    return value


def check_share(value: object, option: str) -> float:
    """``value`` when it is a finite number from 0 to 1 (a threshold on a score, a share).

    Raises:
        OptionError: it is not a number, is NaN or infinite, or is outside [0, 1].
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise OptionError(option, f"must be a number from 0 to 1, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise OptionError(option, f"must be a number from 0 to 1, not {value}")
    return number
