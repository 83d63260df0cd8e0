"""Feasibility before LAMMPS starts: a bed deep enough for a bulk slab, a gravity the bed survives, a cost.

Each check works on the particles a study will sample (sampling is cheap; placement is not needed) and
raises :class:`~sigdem.errors.InputError` naming the field, the value and the allowed range.

- Bulk slab: :class:`~sigdem.analysis.solid_fraction.PackingFraction` measures between
  ``floor_gap_d`` x D90 above the floor and ``top_gap_d`` x D90 below the surface and needs a slab of at
  least one D90, so the settled bed must be (floor_gap_d + 1 + top_gap_d) x D90 = 4 D90 deep. The depth is
  estimated as solid volume / (box area x :data:`SETTLED_FRACTION`).
- Gravity: the bed's weight compresses its lowest contacts by δ/R ~ (p / E*)^(2/3), p = φ ρ g h, E* the
  (softened) pair modulus E s / (2 (1 - ν²)); it must stay <= :data:`MAX_WEIGHT_OVERLAP`. And a particle
  falling the placed column height must move <= :data:`MAX_STEP_FALL_SKIN` neighbour skins per step (LAMMPS
  "Lost atoms" otherwise). The allowed gravity is the smaller bound.
- Cost: settle steps ~ :data:`SETTLE_FALL_TIMES` free-fall times of the placed column over the time step,
  at :class:`StepCosts` per particle-step of the kernel that will run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from sigdem import units
from sigdem.analysis.solid_fraction import PackingFraction, volume_d90
from sigdem.deck.beds import SETTLED_FRACTION_GUESS, box_side_um
from sigdem.errors import InputError
from sigdem.model import contact
from sigdem.psd import sample_particles

_PF = {f.name: f.default for f in fields(PackingFraction)}
#: Depth of the shallowest measurable bed, in D90 (PackingFraction's floor gap + one D90 of slab + top gap).
SLAB_DEPTH_D90 = _PF["floor_gap_d"] + 1.0 + _PF["top_gap_d"]
#: Settled solid fraction assumed for the depth estimate (that of the box sizing, a loose random packing).
SETTLED_FRACTION = SETTLED_FRACTION_GUESS
#: Largest accepted overlap / radius of the lowest contacts under the bed's own weight.
MAX_WEIGHT_OVERLAP = 1e-2
#: Largest accepted fall per time step at the end of the pour, in neighbour skins.
MAX_STEP_FALL_SKIN = 0.5
@dataclass(frozen=True, slots=True)
class StepCosts:
    """CPU ns per particle-step (one core's time; on several ranks the sum over them) of what a contact kernel
    computes: a Hertz stage, an mdr calender stage and an mdr pellet press, measured on this project's 2-core VMs
    (each value's source beside it; benchmarks/README.md)."""

    kernel: str
    hertz: float
    calender_mdr: float
    pellet_mdr: float


#: LAMMPS's ``pair granular`` and mdr. Hertz: benchmarks/README.md (dense settle, 2k/8k/32k particles: 284/318/352
#: ns, 25 Nov 2026; the representative SiG settle with rolling 198 ns, 5 Dec). Calender mdr: the representative
#: calenders' press on 1 rank, SiG 782 and WD-SiG 712 ns (benchmarks/results/mdr_kernel_2026-12-05/). Pellet mdr:
#: the default SiG cell's press to 143.5 MPa, 1,788 s on 2 ranks for 571,000 steps of 4,285 particles, 1,460 ns
#: (benchmarks/results/pellet_series_mdr_kernel_2026-12-05/; the cell's servo needs every particle's stress).
STOCK_COSTS = StepCosts("granular", hertz=300.0, calender_mdr=750.0, pellet_mdr=1460.0)
#: sigdem's plugin (granular/hmr and granular/mdr/hmr; the same results): Hertz the dense settle, 110-118 ns at
#: 2.5k-40k particles (benchmarks/results/kernel_batch_2026-12-04/, 5 Dec); calender mdr 399 and 387 ns (the same
#: presses as above); pellet mdr the same press, 1,190 s, 970 ns.
PLUGIN_COSTS = StepCosts("hmr", hertz=115.0, calender_mdr=400.0, pellet_mdr=970.0)
#: A settle ran ~2.9 free-fall times of its placed column (reference bed: 76,000 steps, 26,200 per fall time).
SETTLE_FALL_TIMES = 3.0


@dataclass(frozen=True, slots=True)
class BedEstimate:
    """The bed a sample gives before any run: counts, box and depths in µm."""

    n: int
    side_um: float
    depth_um: float
    d90_um: float
    d_min_um: float
    d_max_um: float
    solid_volume_um3: float

    @property
    def slab_need_um(self) -> float:
        return SLAB_DEPTH_D90 * self.d90_um


def estimate_bed(sample, side_um: float | None = None, depth_to_side: float = 1.0) -> BedEstimate:
    """Box side (as :func:`~sigdem.deck.beds.bed_from_sample` chooses it) and settled depth of a sample."""
    side = float(side_um) if side_um is not None else box_side_um(sample, depth_to_side, warn=False)
    v = float(sample.solid_volume_um3)
    d = np.asarray(sample.diameters_um)
    return BedEstimate(int(d.size), side, v / (side * side * SETTLED_FRACTION), volume_d90(d), float(d.min()),
                       float(d.max()), v)


def min_particles(blend, depth_to_side: float, seed: int, start: int = 20) -> int:
    """Smallest particle count whose estimated bed holds a bulk slab (bisection on the sample of ``seed``)."""
    def deep(n: int) -> bool:
        est = estimate_bed(sample_particles(blend, n=n, seed=seed), depth_to_side=depth_to_side)
        return est.depth_um >= est.slab_need_um

    lo, hi = start, start
    while not deep(hi):
        lo, hi = hi, hi * 2
        if hi > 5_000_000:
            return hi
    while hi - lo > max(1, lo // 100):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if deep(mid) else (mid, hi)
    return hi


def check_slab_depth(blend, n: int, depth_to_side: float, seed: int) -> tuple[object, BedEstimate]:
    """(sample, estimate) of the bed of ``seed``; InputError on ``n_particles`` when it is too shallow for a
    bulk slab, stating the smallest count that is not."""
    sample = sample_particles(blend, n=n, seed=seed)
    est = estimate_bed(sample, depth_to_side=depth_to_side)
    if est.depth_um < est.slab_need_um:
        n_min = min_particles(blend, depth_to_side, seed)
        raise InputError("n_particles", f"{n} gives a settled bed ~{est.depth_um:.3g} µm deep in a {est.side_um:.3g} µm "
                         f"box, below the {est.slab_need_um:.3g} µm = {SLAB_DEPTH_D90:g} x D90 ({est.d90_um:.3g} µm) "
                         f"a bulk-slab measurement needs; allowed: n_particles >= {n_min} for this blend at "
                         f"depth_to_side {depth_to_side:g} (or a larger depth_to_side)")
    return sample, est


def max_gravity_g(material, modulus_scale: float, depth_um: float, fall_um: float, dt_us: float, skin_um: float) -> float:
    """Largest settling gravity (multiples of g) by the weight-overlap and per-step-fall bounds above."""
    e_star_pa = units.from_micro(contact.effective_modulus_kpa(material, material), "Pa") * modulus_scale
    rho = material.density_g_cc * 1e3  # kg/m³
    p_max = MAX_WEIGHT_OVERLAP ** 1.5 * e_star_pa
    g_weight = p_max / (SETTLED_FRACTION * rho * depth_um * 1e-6)
    v_max = MAX_STEP_FALL_SKIN * skin_um / dt_us  # µm/µs == m/s
    g_fall = v_max**2 / (2.0 * fall_um * 1e-6)
    return min(g_weight, g_fall) / units.STANDARD_GRAVITY_M_S2


def settle_numbers(sample, est: BedEstimate, material, numerics, start_fraction: float) -> dict:
    """Time step (µs), placed column height (µm), estimated settle steps and the gravity bound of a bed."""
    dt = contact.stable_timestep(est.d_min_um / 2.0, material, fraction=numerics.timestep_fraction,
                                 modulus_scale=numerics.modulus_scale, override=numerics.timestep_us)
    column = est.solid_volume_um3 / (est.side_um**2 * start_fraction) + est.d_max_um
    g = units.to_micro(numerics.gravity_g * units.STANDARD_GRAVITY_M_S2, "m/s2")
    t_fall = math.sqrt(2.0 * column / g)
    skin = numerics.skin_fraction * est.d_min_um
    return {"dt_us": dt, "column_um": column, "steps": math.ceil(SETTLE_FALL_TIMES * t_fall / dt),
            "max_gravity_g": max_gravity_g(material, numerics.modulus_scale, est.depth_um, column, dt, skin)}


def check_gravity(field: str, gravity_g: float, numbers: dict) -> None:
    if gravity_g > numbers["max_gravity_g"]:
        raise InputError(field, f"{gravity_g:g} g is outside the allowed range (0, {numbers['max_gravity_g']:.3g}] g "
                         f"for this bed: above it the bed's weight overlaps contacts by > {MAX_WEIGHT_OVERLAP:g} R or a "
                         f"falling particle crosses > {MAX_STEP_FALL_SKIN:g} neighbour skin per step (LAMMPS 'Lost atoms')")


def seconds(particle_steps: float, ns_per_particle_step: float) -> float:
    """Estimated single-core seconds of ``particle_steps`` at ``ns_per_particle_step`` (a :class:`StepCosts` value)."""
    return particle_steps * ns_per_particle_step * 1e-9


def human_time(s: float) -> str:
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min" if s < 7200 else f"{s / 3600:.1f} h"


#: No cohesionless sphere bed settles looser than this solid fraction (random loose packing of very
#: frictional spheres is ~0.5-0.55): a target below it lies under any as-coated bed and is refused up front.
#: Targets between it and the real as-coated density are found after the settle (status ``below_settled``).
MIN_AS_COATED_FRACTION = 0.40


def check_targets_and_box(study) -> None:
    """Refuse, before anything runs, calendering targets at or above the solid density or below any
    as-coated bed, and a box narrower than the blend's largest particle (electrode densities include the
    binder fraction)."""
    w = study.binder_mass_fraction
    solid = study.blend.density_g_cc / (1.0 - w)
    lo = MIN_AS_COATED_FRACTION * solid
    bad = [rho for rho in study.target_densities_g_cc if not lo < rho < solid]
    if bad:
        raise InputError("target_densities_g_cc", f"{', '.join(f'{x:g}' for x in bad)} g/cc outside the allowed range "
                         f"({lo:.4g}, {solid:.4g}) g/cc: below {MIN_AS_COATED_FRACTION:g} x the solid density no bed "
                         f"settles (as-coated beds are ~0.55 x), at {solid:.4g} g/cc the electrode is solid "
                         f"(blend true density {study.blend.density_g_cc:.4g} g/cc, binder fraction {w:g})")
    # the box against the largest particle is checked by CalenderingStudy itself (MIN_SIDE_IN_DMAX)
