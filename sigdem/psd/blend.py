"""Grades (a PSD with a name and a true density) and blends of grades by mass.

Mass fractions x_g become volume fractions phi_g = (x_g/rho_g) / sum(x/rho) and
particle-number fractions n_g = (phi_g/v_g) / sum(phi/v), v_g being the mean
particle volume of grade g. Each grade keeps its identity (name, density, PSD)
so results can be split by grade and by size class.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sigdem.errors import InputError
from sigdem.psd._validate import (
    SUM_TOLERANCE,
    basis_power,
    check_grade_name,
    fractions_array,
    positive,
    positive_array,
)
from sigdem.psd.base import PSD, PSDStatistics, TruncationResult, check_quantiles
from sigdem.psd.mixture import MixturePSD

DENSITY_MAX_G_CC = 30.0
#: Mass fractions summing to 1 within this are normalised (and the normalisation logged); others refused.
BLEND_SUM_TOLERANCE = 1e-3
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Grade:
    """One powder grade: ``name`` (a display name such as ``SiG-1``; decks get a sanitised type label), ``psd``,
    and true (skeletal) density ``density_g_cc`` (g/cm**3 == pg/µm**3)."""

    name: str
    psd: PSD
    density_g_cc: float

    def __post_init__(self) -> None:
        check_grade_name(self.name)
        if not isinstance(self.psd, PSD):
            raise InputError("psd", f"got {type(self.psd).__name__}; allowed: a sigdem.psd.PSD")
        object.__setattr__(self, "density_g_cc",
                           positive(self.density_g_cc, "density_g_cc", "g/cc", DENSITY_MAX_G_CC))

    def with_psd(self, psd: PSD) -> "Grade":
        """Same name and density with another PSD (e.g. a measured table from read_psd_csv)."""
        return Grade(self.name, psd, self.density_g_cc)

    def truncate(self, d_min_um: float, d_max_um: float) -> tuple["Grade", float]:
        """(grade with PSD cut to [d_min_um, d_max_um] µm, volume fraction removed 0..1)."""
        t = self.psd.truncate(d_min_um, d_max_um)
        return self.with_psd(t.psd), t.volume_error


@dataclass(frozen=True, slots=True)
class BlendTruncation:
    """A blend whose grades were each cut to [d_min_um, d_max_um] (µm), mass fractions kept.

    ``volume_error`` is the fraction of the original blend's solid volume outside
    the range; ``volume_error_by_grade`` the same per grade (of that grade's volume).
    """

    blend: "Blend"
    volume_error: float
    volume_error_by_grade: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Blend:
    """Grades mixed by ``mass_fractions`` (>= 0, summing to 1 within :data:`BLEND_SUM_TOLERANCE`, then
    normalised; names unique)."""

    grades: tuple[Grade, ...]
    mass_fractions: tuple[float, ...]

    def __post_init__(self) -> None:
        grades = tuple(self.grades)
        if not grades or not all(isinstance(g, Grade) for g in grades):
            raise InputError("grades", "allowed: a non-empty sequence of Grade objects")
        names = [g.name for g in grades]
        if len(set(names)) != len(names):
            raise InputError("grades", f"duplicate grade names {names}; allowed: unique names")
        if len(self.mass_fractions) != len(grades):
            raise InputError("mass_fractions", f"{len(self.mass_fractions)} fractions for {len(grades)} grades;"
                             " allowed: one per grade")
        x = fractions_array(self.mass_fractions, "mass_fractions", BLEND_SUM_TOLERANCE)
        total = math.fsum(float(v) for v in self.mass_fractions)
        if abs(total - 1.0) > SUM_TOLERANCE:
            log.info("blend mass fractions %s sum to %.6g: normalised to %s", list(self.mass_fractions), total,
                     [round(float(v), 6) for v in x])
        object.__setattr__(self, "grades", grades)
        object.__setattr__(self, "mass_fractions", tuple(float(v) for v in x))

    @property
    def grade_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.grades)

    @property
    def densities_g_cc(self) -> tuple[float, ...]:
        return tuple(g.density_g_cc for g in self.grades)

    @property
    def density_g_cc(self) -> float:
        """True density of the blend's solid, 1 / sum(x_g / rho_g) (g/cc)."""
        return 1.0 / math.fsum(x / g.density_g_cc for g, x in zip(self.grades, self.mass_fractions))

    @property
    def volume_fractions(self) -> tuple[float, ...]:
        """Share of the solid volume per grade (sums to 1)."""
        v = [x / g.density_g_cc for g, x in zip(self.grades, self.mass_fractions)]
        total = math.fsum(v)
        return tuple(vi / total for vi in v)

    @property
    def number_fractions(self) -> tuple[float, ...]:
        """Share of the particle count per grade (sums to 1)."""
        return tuple(float(w) for w in self.psd.number_fractions())

    @property
    def psd(self) -> MixturePSD:
        """Combined PSD of all grades, volume basis."""
        return MixturePSD(tuple(g.psd for g in self.grades), self.volume_fractions)

    def statistics(self) -> PSDStatistics:
        """Statistics of the combined PSD (see :class:`PSDStatistics`)."""
        return self.psd.statistics()

    def cdf(self, d_um: object, basis: str = "volume") -> np.ndarray:
        """Cumulative fraction passing at ``d_um`` (µm); 'mass' weights grades by mass fraction."""
        if basis == "mass":
            d = np.asarray(d_um, dtype=np.float64)
            return sum(x * g.psd.weighted_cdf(d, 3) for g, x in zip(self.grades, self.mass_fractions) if x > 0)
        return self.psd.cdf(d_um, basis)

    def quantile(self, q: object, basis: str = "volume") -> np.ndarray:
        """Diameter (µm) at cumulative fraction q on ``basis`` ('mass' as in :meth:`cdf`)."""
        basis_power(basis)
        qs = check_quantiles(q)
        if basis != "mass":
            return self.psd.weighted_quantile(qs, basis_power(basis))
        lo_um, hi_um = self.psd.support_um()
        lo, hi = np.full(qs.shape, math.log(lo_um)), np.full(qs.shape, math.log(hi_um))
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            below = self.cdf(np.exp(mid), "mass") < qs
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return np.exp(hi)

    def volume_by_grade_and_class(self, edges_um: Sequence[float]) -> np.ndarray:
        """Blend volume fraction in each (grade, size class) cell, shape (grades, classes)."""
        e = positive_array(edges_um, "edges_um")
        if e.size < 2 or np.any(np.diff(e) <= 0):
            raise InputError("edges_um", "allowed: at least 2 strictly increasing sizes > 0 µm")
        rows = [phi * np.diff(g.psd.weighted_cdf(e, 3)) for g, phi in zip(self.grades, self.volume_fractions)]
        return np.vstack(rows)

    def truncate(self, d_min_um: float, d_max_um: float) -> BlendTruncation:
        """Cut every grade to [d_min_um, d_max_um] (µm) keeping the mass fractions."""
        cut, errs = [], []
        for g in self.grades:
            t: TruncationResult = g.psd.truncate(d_min_um, d_max_um)
            cut.append(g.with_psd(t.psd))
            errs.append(t.volume_error)
        total = math.fsum(p * e for p, e in zip(self.volume_fractions, errs))
        return BlendTruncation(Blend(tuple(cut), self.mass_fractions), total, tuple(errs))


def blend_from_fractions(grades: Sequence[Grade],
                         fractions: Mapping[str, float] | Sequence[float | Fraction] | None = None,
                         /, **named: float | Fraction) -> Blend:
    """Blend of ``grades`` by mass fraction, given by position, by mapping or by name.

    ``blend_from_fractions(paper_grades(), large=0.5, small=0.5)`` gives the
    middle grade a fraction 0 (it stays in the blend so atom types stay the same
    across a ternary grid). Exact ``Fraction`` values are accepted.
    """
    grades = tuple(grades)
    names = [g.name for g in grades]
    values: dict[str, float | Fraction] = {}
    if isinstance(fractions, Mapping):
        values.update(fractions)
    elif fractions is not None:
        if len(fractions) != len(grades):
            raise InputError("fractions", f"{len(fractions)} values for {len(grades)} grades; allowed: one per grade")
        values.update(zip(names, fractions))
    values.update(named)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise InputError("fractions", f"unknown grade names {unknown}; allowed: {names}")
    return Blend(grades, tuple(float(values.get(n, 0.0)) for n in names))


def as_blend(source: object, density_g_cc: float | None = None, name: str = "powder") -> Blend:
    """Wrap a Blend, a Grade or a bare PSD (as grade ``name`` with ``density_g_cc``) as a Blend."""
    if isinstance(source, Blend):
        return source
    if isinstance(source, Grade):
        return Blend((source,), (1.0,))
    if isinstance(source, PSD):
        if density_g_cc is None:
            raise InputError("density_g_cc", "a bare PSD needs a true density; allowed: 0 < density_g_cc <= 30 g/cc")
        return Blend((Grade(name, source, density_g_cc),), (1.0,))
    raise InputError("source", f"got {type(source).__name__}; allowed: Blend, Grade or PSD")


def blend_from_text(text: str, grades: Sequence[Grade]) -> Blend:
    """``"large=0.5,small=0.5"`` → a Blend of ``grades`` by mass fraction (grades not named get 0)."""
    from sigdem.inputs import check_display_name

    if not isinstance(text, str) or not text.strip():
        raise InputError("blend", f"{text!r} is empty; give name=fraction pairs, e.g. large=0.5,small=0.5")
    fractions, half_ulp = {}, 0.0
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise InputError("blend", f"{part!r} is not name=fraction; example: large=0.5,small=0.5")
        check_display_name("blend", name.strip())
        if name.strip() in fractions:
            raise InputError("blend", f"{name.strip()!r} is given twice; allowed: each grade once")
        try:
            fractions[name.strip()] = float(value)
        except ValueError:
            raise InputError("blend", f"fraction {value!r} of {name!r} is not a number in [0, 1]") from None
        decimals = len(value.strip().partition(".")[2]) if "." in value and "e" not in value.lower() else 0
        half_ulp += 0.5 * 10.0**-decimals if decimals else 0.0
    total = math.fsum(fractions.values())
    if BLEND_SUM_TOLERANCE < abs(total - 1.0) <= half_ulp and total > 0:  # rounded shares, e.g. 0.33 x 3
        log.info("blend %r sums to %g, within the rounding of its digits: normalised", text, total)
        fractions = {k: v / total for k, v in fractions.items()}
    return blend_from_fractions(grades, **fractions)
