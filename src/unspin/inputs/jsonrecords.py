"""JSON from untrusted inputs, and JSON written back out that every other tool can read.

:func:`parse_record` reads one JSON record (a JSONL line, a ``.json`` file) with bounds: a record
nested deeper than :data:`MAX_DEPTH`, holding a number too long to convert, or holding a lone
surrogate (``"\\ud800"``, text that cannot be written as UTF-8) is refused with an
:class:`InputError` naming the record, so that one hostile record costs that record and not the run.
``NaN``, ``Infinity`` and numbers too large for a float (``1e999``) become ``null``: they are not
JSON, and a value kept as ``NaN`` would make every JSON document unspin writes invalid.

:func:`dumps` is ``json.dumps`` with ``allow_nan=False`` after :func:`finite` has turned any
non-finite float left (from an older index, a library) into ``null``. :func:`jsonable` turns what
other readers hand over (Parquet's dates, decimals and bytes; a library's dataclasses) into JSON data.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from typing import Any

from unspin.errors import InputError

__all__ = ["MAX_DEPTH", "dumps", "finite", "jsonable", "parse_record"]

#: Deepest nesting of lists and objects accepted in a record (real metadata nests a few levels).
MAX_DEPTH = 100

_SURROGATE = re.compile("[\ud800-\udfff]")


def _finite_float(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _no_constant(_name: str) -> None:
    return None  # NaN, Infinity, -Infinity: not JSON numbers; stored as null


_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_no_constant)


def parse_record(raw: str | bytes, where: str) -> Any:
    """Parse one JSON value from an untrusted input.

    Args:
        raw: the JSON text (bytes are decoded as UTF-8, BOM allowed, as :func:`json.loads` does).
        where: names the record in errors (``file.jsonl:17``).

    Returns:
        The value; non-finite numbers are None.

    Raises:
        InputError: invalid JSON, a number too long to convert, nesting deeper than
            :data:`MAX_DEPTH`, or a lone surrogate in a string.
    """
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        at = f"column {exc.colno}" if exc.lineno == 1 else f"line {exc.lineno}, column {exc.colno}"
        raise InputError(where, f"invalid JSON: {exc.msg} ({at})") from None
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        raise InputError(where, f"not valid UTF-8 (byte 0x{byte:02x} at offset {exc.start})") from None
    except RecursionError:
        raise InputError(where, f"invalid JSON: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # int() refuses numbers over sys.get_int_max_str_digits() digits
        raise InputError(where, f"invalid JSON: {_first_line(str(exc))}") from None
    _check_value(value, where)
    return value


def _check_value(value: Any, where: str) -> None:
    """Refuse deep nesting and lone surrogates; iterative, so no nesting can exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                raise InputError(where, "a string holds a lone surrogate (\\ud800-\\udfff), not text")
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise InputError(where, f"invalid JSON: nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
                stack.extend((val, depth + 1) for val in item.values())
            else:
                stack.extend((val, depth + 1) for val in item)


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, infinities) replaced by None, in lists and dicts too."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(val) for key, val in value.items()}
    if isinstance(value, list | tuple):
        return [finite(val) for val in value]
    return value


def jsonable(value: Any) -> Any:
    """``value`` as JSON data: what ``json.dumps`` writes, with nothing non-finite.

    Mappings (keys made strings), lists and tuples are converted item by item; an object with a
    ``to_dict()`` or a dataclass by its fields; dates and times become ISO 8601 strings, decimals and
    other real numbers (numpy's) floats, bytes UTF-8 text (bad bytes replaced); NaN and infinities
    become None; anything else its ``str()``.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real | decimal.Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    return str(value)


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that always writes valid JSON: non-finite floats become ``null``."""
    return json.dumps(finite(value), allow_nan=False, **kwargs)


def _first_line(text: str) -> str:
    return " ".join(text.split()) if "\n" in text else text
