"""Ternary composition grids of three grades, in exact rational arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from sigdem.errors import InputError
from sigdem.psd.blend import Blend, Grade, blend_from_fractions

_MAX_DIVISIONS = 1000


def _divisions(step: float | Fraction | str) -> int:
    """Number of divisions n with step == 1/n exactly (within 1e-9 for floats)."""
    try:
        frac = Fraction(step) if isinstance(step, (Fraction, str)) else None
        n_float = 1.0 / float(frac if frac is not None else step)
    except (TypeError, ValueError, ZeroDivisionError):
        raise InputError("step", f"got {step!r}; allowed: 1/n for an integer 1 <= n <= {_MAX_DIVISIONS}") from None
    n = round(n_float) if math.isfinite(n_float) else 0
    if not (1 <= n <= _MAX_DIVISIONS) or abs(n_float - n) > 1e-9 * n:
        raise InputError("step", f"got {step!r}; allowed: 1/n for an integer 1 <= n <= {_MAX_DIVISIONS} "
                         "(e.g. 0.25, 0.1, '1/3')")
    return n


def ternary_grid(step: float | Fraction | str = 0.1) -> tuple[tuple[Fraction, Fraction, Fraction], ...]:
    """All compositions (a, b, c) with a + b + c == 1 exactly on a grid of ``step`` = 1/n.

    (n+1)(n+2)/2 points: 15 for step 0.25, 66 for step 0.1. Ordered by a
    descending, then b descending; each value is a ``fractions.Fraction``.
    """
    n = _divisions(step)
    points = []
    for i in range(n, -1, -1):
        for j in range(n - i, -1, -1):
            points.append((Fraction(i, n), Fraction(j, n), Fraction(n - i - j, n)))
    return tuple(points)


def ternary_blends(grades: Sequence[Grade], step: float | Fraction | str = 0.1) -> tuple[Blend, ...]:
    """One blend of exactly three ``grades`` per point of :func:`ternary_grid` (mass fractions)."""
    grades = tuple(grades)
    if len(grades) != 3:
        raise InputError("grades", f"got {len(grades)} grades; allowed: exactly 3")
    return tuple(blend_from_fractions(grades, point) for point in ternary_grid(step))
