"""A PSD made of several component PSDs mixed by volume (a blend's combined PSD)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sigdem.errors import InputError
from sigdem.psd._validate import check_range, fractions_array
from sigdem.psd.base import PSD, TruncationResult


@dataclass(frozen=True, slots=True)
class MixturePSD(PSD):
    """Components mixed by ``volume_fractions`` (0..1, sum 1); stated on the volume basis.

    Particle numbers per component follow from volume fraction / mean particle
    volume, so every basis of the mixture is exact.
    """

    components: tuple[PSD, ...]
    volume_fractions: tuple[float, ...]
    _number_fractions: tuple[float, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        comps = tuple(self.components)
        if not comps or not all(isinstance(c, PSD) for c in comps):
            raise InputError("components", "allowed: a non-empty sequence of PSD objects")
        phi = fractions_array(self.volume_fractions, "volume_fractions")
        if phi.size != len(comps):
            raise InputError("volume_fractions", f"{phi.size} fractions for {len(comps)} components;"
                             " allowed: one per component")
        object.__setattr__(self, "components", comps)
        object.__setattr__(self, "volume_fractions", tuple(float(x) for x in phi))
        m3 = np.array([c.number_moment(3) if p > 0 else 1.0 for c, p in zip(comps, phi)])
        w = phi / m3
        object.__setattr__(self, "_number_fractions", tuple(float(x) for x in w / w.sum()))

    @property
    def basis(self) -> str:
        return "volume"

    @property
    def is_discrete(self) -> bool:
        return all(c.is_discrete for c, _ in self._active())

    def number_fractions(self) -> np.ndarray:
        """Fraction of all particles belonging to each component (sums to 1)."""
        return np.asarray(self._number_fractions)

    def _active(self) -> list[tuple[PSD, float]]:
        return [(c, w) for c, w in zip(self.components, self._number_fractions) if w > 0.0]

    def number_moment(self, k: float) -> float:
        return float(sum(w * c.number_moment(k) for c, w in self._active()))

    def weighted_cdf(self, d_um: np.ndarray, power: float) -> np.ndarray:
        d = np.asarray(d_um, dtype=np.float64)
        num = np.zeros(d.shape)
        den = 0.0
        for c, w in self._active():
            mass = w * c.number_moment(power)
            num = num + mass * c.weighted_cdf(d, power)
            den += mass
        return num / den

    def support_um(self) -> tuple[float, float]:
        spans = [c.support_um() for c, _ in self._active()]
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def truncate(self, d_min_um: float, d_max_um: float) -> TruncationResult:
        lo, hi = check_range(d_min_um, d_max_um)
        comps: list[PSD] = []
        kept: list[float] = []
        for c, phi in zip(self.components, self.volume_fractions):
            try:
                t = c.truncate(lo, hi)
            except InputError:
                comps.append(c)
                kept.append(0.0)
                continue
            comps.append(t.psd)
            kept.append(phi * (1.0 - t.volume_error))
        total = sum(kept)
        if total <= 0.0:
            raise InputError("d_min_um", f"[{lo:g}, {hi:g}] µm holds none of the PSD; allowed: an overlapping range")
        cut = MixturePSD(tuple(comps), tuple(k / total for k in kept))
        return TruncationResult(cut, max(1.0 - total, 0.0), lo, hi)
