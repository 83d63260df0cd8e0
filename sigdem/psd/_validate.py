"""Input checks shared by the PSD modules.

Every check raises :class:`sigdem.errors.InputError` naming the field and the
allowed range, so a bad powder description fails loudly instead of silently
producing a wrong particle list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sigdem.errors import InputError
from sigdem.inputs import check_display_name

#: Bases a PSD can be stated on, mapped to the power of the diameter that weights
#: the number distribution (mass == volume for one grade of one true density).
BASIS_POWER: dict[str, int] = {"number": 0, "volume": 3, "mass": 3}

SUM_TOLERANCE = 1e-9


def check_basis(basis: object, field: str = "basis") -> str:
    """Return ``basis`` if it is one of 'volume', 'mass', 'number'; else raise."""
    if not isinstance(basis, str) or basis not in BASIS_POWER:
        raise InputError(field, f"unknown basis {basis!r}; allowed: 'volume', 'mass', 'number'")
    return basis


def basis_power(basis: object, field: str = "basis") -> int:
    """Diameter power (0 or 3) weighting the number distribution for ``basis``."""
    return BASIS_POWER[check_basis(basis, field)]


def check_grade_name(name: object, field: str = "name") -> str:
    """Grade names are display names (e.g. ``SiG-1``, :func:`sigdem.inputs.check_display_name`); a deck gets
    them only as sanitised LAMMPS type labels (:func:`sigdem.inputs.safe_identifier`)."""
    return check_display_name(field, name)


def positive(value: object, field: str, unit: str = "", upper: float = math.inf) -> float:
    """Return ``value`` as a float if it is finite and in (0, upper]; else raise."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        x = math.nan
    if not (math.isfinite(x) and 0.0 < x <= upper):
        rng = f"0 < {field} <= {upper:g}" if math.isfinite(upper) else f"{field} > 0"
        raise InputError(field, f"got {value!r}; allowed: finite {rng}{(' ' + unit) if unit else ''}")
    return x


#: Plausible D-values (D10, D50, D90, medians) of a powder, µm: a value outside is most likely in another
#: unit (1.9e-5 is a D50 of 19 µm given in metres; 19000 one in nm).
D_VALUE_RANGE_UM = (0.05, 5000.0)
#: Sizes a laser-diffraction table may list, µm (instruments report about 0.01-3500 µm).
TABLE_SIZE_RANGE_UM = (0.01, 10000.0)


def plausible_size(value: object, field: str, rng: tuple[float, float] = D_VALUE_RANGE_UM) -> float:
    """``value`` (µm) if it lies in ``rng``; else InputError stating the plausible range and the unit."""
    x = positive(value, field, "µm")
    if not rng[0] <= x <= rng[1]:
        raise InputError(field, f"{x:g} µm is outside the plausible range for a powder; allowed: {rng[0]:g}-{rng[1]:g} "
                         "µm (sizes are in micrometres: a D50 of 19 µm is 19, not 1.9e-5)")
    return x


def positive_array(values: object, field: str, unit: str = "µm") -> np.ndarray:
    """Return a 1-D float64 array of finite values > 0 (at least one); else raise."""
    try:
        arr = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InputError(field, f"not numeric; allowed: finite values > 0 {unit}") from None
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0.0):
        raise InputError(field, f"allowed: a non-empty list of finite values > 0 {unit}")
    return arr


def fractions_array(values: object, field: str, tol: float = SUM_TOLERANCE) -> np.ndarray:
    """Return non-negative fractions summing to 1 within ``tol`` as float64; else raise."""
    try:
        arr = np.asarray([float(v) for v in values], dtype=np.float64)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise InputError(field, "not numeric; allowed: fractions >= 0 summing to 1") from None
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0.0):
        raise InputError(field, f"got {values!r}; allowed: finite fractions >= 0 summing to 1")
    total = math.fsum(arr.tolist())
    if abs(total - 1.0) > tol:
        raise InputError(field, f"sum is {total!r}; allowed: fractions summing to 1 within {tol:g}")
    return arr / total


def check_range(d_min_um: object, d_max_um: object) -> tuple[float, float]:
    """Return (d_min, d_max) with 0 <= d_min < d_max <= inf (µm); else raise."""
    lo = float(d_min_um)  # type: ignore[arg-type]
    hi = float(d_max_um)  # type: ignore[arg-type]
    if not (math.isfinite(lo) and lo >= 0.0):
        raise InputError("d_min_um", f"got {d_min_um!r}; allowed: finite d_min_um >= 0 µm")
    if math.isnan(hi) or hi <= lo:
        raise InputError("d_max_um", f"got {d_max_um!r} with d_min_um={lo:g}; allowed: d_max_um > d_min_um")
    return lo, hi


def same_length(a: Sequence[object], b: Sequence[object], field: str) -> None:
    """Raise unless ``a`` and ``b`` have the same length."""
    if len(a) != len(b):
        raise InputError(field, f"length {len(b)} does not match {len(a)}; allowed: one value per entry")
