"""Shared base of the compute objects of :mod:`sigdem.analysis` (freud's idea).

A compute object is built with its parameters; ``compute(...)`` fills its results and returns
``self``; reading a result before that raises :class:`NotComputedError`. The integrator will move
:class:`NotComputedError` into :mod:`sigdem.errors`.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import InputError, SigdemError


class NotComputedError(SigdemError, RuntimeError):
    """A result was read before ``compute`` was called."""


class Compute:
    """Base of the compute objects: holds the results and guards reads before ``compute``."""

    __slots__ = ("_results",)

    def __init__(self) -> None:
        self._results: dict[str, Any] | None = None

    @property
    def computed(self) -> bool:
        """Whether ``compute`` has run."""
        return self._results is not None

    def _store(self, **results: Any) -> None:
        self._results = dict(results)

    def _get(self, name: str) -> Any:
        if self._results is None:
            raise NotComputedError(f"{type(self).__name__}.{name} is not available: call compute() first")
        return self._results[name]


def check_number(field: str, value, lo: float = -math.inf, hi: float = math.inf, *,
                 lo_open: bool = False, hi_open: bool = False) -> float:
    """``value`` as a float if it is a finite real number in the range, else :class:`InputError`
    naming the field, the value and the allowed range."""
    rng = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(field, f"{value!r} is not a number; allowed {rng}") from None
    if isinstance(value, bool) or not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo) \
            or (hi_open and v == hi):
        raise InputError(field, f"{value!r} outside the allowed range {rng}")
    return v


def require_columns(field: str, table, columns) -> None:
    """:class:`InputError` naming ``field`` unless the table has every column."""
    missing = [c for c in columns if c not in table]
    if missing:
        raise InputError(field, f"needs the column(s) {', '.join(missing)}")
