"""The one place where units are converted.

sigdem's user-facing fields carry their unit in the name (``d50_um``, ``density_g_cc``,
``youngs_modulus_gpa``, ``pressure_mpa``...). LAMMPS runs in ``units micro``:

=========  ==========================  =========================
quantity   LAMMPS ``micro`` unit       in SI
=========  ==========================  =========================
length     micrometre (µm)             1e-6 m
mass       picogram (pg)               1e-15 kg
time       microsecond (µs)            1e-6 s
velocity   µm/µs                       1 m/s
force      pg·µm/µs²                   1e-9 N   (1 nN)
pressure   pg/(µm·µs²)                 1e3 Pa   (1 kPa)
density    pg/µm³                      1e3 kg/m³ (1 g/cc)
energy     pg·µm²/µs²                  1e-15 J
=========  ==========================  =========================

Each unit below maps to (quantity, factor) with ``value_in_micro = value * factor``.
Every conversion in sigdem goes through :func:`to_micro` / :func:`from_micro` /
:func:`convert`; nothing else multiplies by powers of ten.
"""

from __future__ import annotations

from sigdem.errors import InputError

#: 1 ton-force per cm² (metric tonne, standard gravity) in MPa: 1000 kg * 9.80665 m/s² / 1e-4 m².
TON_PER_CM2_MPA = 98.0665

#: Standard gravity, m/s².
STANDARD_GRAVITY_M_S2 = 9.80665

# unit -> (quantity, factor to LAMMPS micro)
_TABLE: dict[str, tuple[str, float]] = {
    # length
    "um": ("length", 1.0),
    "nm": ("length", 1e-3),
    "mm": ("length", 1e3),
    "m": ("length", 1e6),
    # mass
    "pg": ("mass", 1.0),
    "ng": ("mass", 1e3),
    "ug": ("mass", 1e6),
    "mg": ("mass", 1e9),
    "g": ("mass", 1e12),
    "kg": ("mass", 1e15),
    # time
    "us": ("time", 1.0),
    "ns": ("time", 1e-3),
    "ms": ("time", 1e3),
    "s": ("time", 1e6),
    # velocity
    "um/us": ("velocity", 1.0),
    "m/s": ("velocity", 1.0),
    "mm/s": ("velocity", 1e-3),
    # acceleration
    "um/us2": ("acceleration", 1.0),
    "m/s2": ("acceleration", 1e-6),
    # force
    "nN": ("force", 1.0),
    "uN": ("force", 1e3),
    "mN": ("force", 1e6),
    "N": ("force", 1e9),
    # pressure / stress / modulus
    "kPa": ("pressure", 1.0),
    "Pa": ("pressure", 1e-3),
    "MPa": ("pressure", 1e3),
    "GPa": ("pressure", 1e6),
    "ton/cm2": ("pressure", TON_PER_CM2_MPA * 1e3),
    # density
    "g/cc": ("density", 1.0),
    "pg/um3": ("density", 1.0),
    "kg/m3": ("density", 1e-3),
    # energy
    "fJ": ("energy", 1.0),
    "J": ("energy", 1e15),
    # volume
    "um3": ("volume", 1.0),
    "cc": ("volume", 1e12),
    # stiffness (force / length)
    "nN/um": ("stiffness", 1.0),
    "N/m": ("stiffness", 1e3),
}


def _lookup(unit: str) -> tuple[str, float]:
    try:
        return _TABLE[unit]
    except KeyError:
        raise InputError("unit", f"unknown unit {unit!r}; known: {', '.join(sorted(_TABLE))}") from None


def to_micro(value, unit: str):
    """Convert ``value`` given in ``unit`` to LAMMPS ``units micro`` (works on numpy arrays)."""
    return value * _lookup(unit)[1]


def from_micro(value, unit: str):
    """Convert ``value`` from LAMMPS ``units micro`` to ``unit`` (works on numpy arrays)."""
    return value / _lookup(unit)[1]


def convert(value, from_unit: str, to_unit: str):
    """Convert between two units of the same quantity, e.g. ``convert(1, "ton/cm2", "MPa")``."""
    qa, fa = _lookup(from_unit)
    qb, fb = _lookup(to_unit)
    if qa != qb:
        raise InputError("unit", f"cannot convert {qa} ({from_unit}) to {qb} ({to_unit})")
    return value * (fa / fb)


def quantity_of(unit: str) -> str:
    """The physical quantity a unit measures (``"pressure"`` for ``"MPa"``)."""
    return _lookup(unit)[0]
