"""Fracture-free density of a density series: the last simulated density whose at-risk share stays at
or below a threshold, with an explicit state instead of a bare number (see :class:`FractureFree`).

Works on any per-density at-risk share (film strain of :mod:`.film`, or pressure of :mod:`.fracture`)
and its replicate CI (``sigdem.stats.mean_ci``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sigdem.errors import InputError
from sigdem.inputs import check_number


@dataclass(frozen=True, slots=True)
class FractureFree:
    """How far a density series stays fracture-free (at-risk share at or below ``threshold``).

    ``state``: ``"below_first"`` (share already above the threshold at the first density: no
    fracture-free density was simulated), ``"reached"`` (``density`` is the highest density before
    the first one above the threshold, with its ``share`` and ``ci95``), ``"not_reached"`` (never
    above: fracture-free up to at least the last density, which ``density`` holds).
    ``critical_density``: first density whose share exceeds the threshold (None if never), with
    ``critical_share`` / ``critical_ci95``. ``clear``: the CIs do not straddle the threshold at
    ``density`` and ``critical_density`` (share + ci95 <= threshold and critical share - ci95 > it).
    """

    state: str
    threshold: float
    density: float | None
    share: float | None
    ci95: float | None
    critical_density: float | None
    critical_share: float | None
    critical_ci95: float | None
    clear: bool

    def describe(self, criterion: str) -> str:
        """One line: the state said in words (never a bare number that reads as a guarantee)."""
        def pct(share, ci):
            return f"{100 * share:.3g}" + (f" ± {100 * ci:.2g}" if ci is not None and ci == ci else "") + " %"

        if self.state == "below_first":
            head = (f"not even at the first simulated density ({self.critical_density:.4g} g/cc: "
                    f"{pct(self.critical_share, self.critical_ci95)} at risk)")
        elif self.state == "not_reached":
            head = (f"up to at least {self.density:.4g} g/cc, the last simulated density "
                    f"({pct(self.share, self.ci95)} at risk)")
        else:
            head = (f"up to {self.density:.4g} g/cc ({pct(self.share, self.ci95)} at risk); "
                    f"{self.critical_density:.4g} g/cc already has {pct(self.critical_share, self.critical_ci95)}")
        return (f"{head} [{criterion} in > {100 * self.threshold:g} % of particles; CIs "
                f"{'clear of' if self.clear else 'straddle'} the threshold]")


def fracture_free(densities, at_risk_shares, ci95s=None, threshold: float = 0.01) -> FractureFree:
    """Fracture-free density of a series (densities strictly increasing, shares in [0, 1],
    ``ci95s`` half-widths or None/NaN). No interpolation: only simulated densities are reported."""
    rho = np.asarray(densities, dtype=float)
    share = np.asarray(at_risk_shares, dtype=float)
    ci = np.full(rho.shape, np.nan) if ci95s is None else np.asarray(ci95s, dtype=float)
    if rho.ndim != 1 or rho.size == 0 or share.shape != rho.shape or ci.shape != rho.shape:
        raise InputError("densities", f"needs one share and one CI per density; got {rho.shape}, {share.shape}, "
                                      f"{ci.shape}")
    if not np.all(np.isfinite(rho)) or np.any(np.diff(rho) <= 0):
        raise InputError("densities", f"{rho.tolist()} must be finite and strictly increasing")
    if not np.all((share >= 0) & (share <= 1)):
        raise InputError("at_risk_shares", f"{share.tolist()} must lie in [0, 1]")
    if np.any(ci < 0):
        raise InputError("ci95s", f"{ci.tolist()} must be >= 0 (or NaN)")
    threshold = check_number("threshold", threshold, 0.0, 1.0, lo_open=True, hi_open=True)
    above = np.nonzero(share > threshold)[0]
    first = int(above[0]) if above.size else None
    free = rho.size - 1 if first is None else first - 1

    def ok_ci(k):
        return None if k is None or not np.isfinite(ci[k]) else float(ci[k])

    state = "not_reached" if first is None else ("below_first" if first == 0 else "reached")
    clear = bool((free < 0 or share[free] + np.nan_to_num(ci[free]) <= threshold)
                 and (first is None or share[first] - np.nan_to_num(ci[first]) > threshold))
    return FractureFree(
        state=state, threshold=threshold,
        density=float(rho[free]) if free >= 0 else None, share=float(share[free]) if free >= 0 else None,
        ci95=ok_ci(free) if free >= 0 else None,
        critical_density=float(rho[first]) if first is not None else None,
        critical_share=float(share[first]) if first is not None else None, critical_ci95=ok_ci(first), clear=clear)
