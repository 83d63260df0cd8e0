"""Replicate statistics: mean and a Student-t 95 % confidence interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean of ``n`` replicates with the half-width of its 95 % confidence interval."""

    mean: float
    ci95: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.4g} ± {self.ci95:.2g} (n={self.n})"


def mean_ci(values, confidence: float = 0.95) -> Estimate:
    """Mean and t-based CI half-width of replicate values (CI is NaN for a single value)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return Estimate(math.nan, math.nan, 0)
    if n == 1:
        return Estimate(float(v[0]), math.nan, 1)
    half = float(_st.t.ppf(0.5 + confidence / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return Estimate(float(v.mean()), half, n)
