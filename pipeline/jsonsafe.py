"""Untrusted JSON, one record at a time: every problem of one record is a ``RecordError`` with
a short reason (the caller names the file and line), never an exception that ends the batch.

* An integer with more than Python's 4,300 digits (``sys.get_int_max_str_digits``) raises
  ``ValueError`` inside ``json.loads``; here it is a reason.
* ``NaN``, ``Infinity`` and numbers too large for a float (``1e999``) become ``null``: they are
  not JSON, and a store's ``metadata`` JSON must stay JSON.
* Nesting deeper than the interpreter's recursion limit is a reason too.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pipeline.errors import PipelineError


class RecordError(PipelineError):
    """One record could not be read; ``str()`` is the reason."""


def _finite(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def loads(text: str | bytes) -> Any:
    """``json.loads`` for untrusted input (see the module doc)."""
    try:
        return json.loads(text, parse_constant=lambda _name: None, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
    except RecursionError as exc:
        raise RecordError("JSON nested too deeply") from exc
    except ValueError as exc:  # int digits limit: "Exceeds the limit (4300 digits) …"
        if "digits" in str(exc):
            raise RecordError("a number with more digits than the 4,300 Python reads; write it as a string") from exc
        raise RecordError(f"invalid JSON ({exc})") from exc


def dumps(value: Any) -> str:
    """JSON text that is JSON: non-finite floats are written as ``null``."""
    return json.dumps(_clean(value), ensure_ascii=False, allow_nan=False, default=str)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value
