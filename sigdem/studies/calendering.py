"""Calendering study: press an as-coated bed to target electrode densities; forces, stress, fracture risk, springback.

Each replicate pours and settles a blend (its own seeds) into a loose *as-coated* bed, then a
flat top wall descends at a constant speed through the target densities (snapshots at each),
holds, lifts and lets the bed spring back (``lammps_inputs/calender.lmp``).

Decisions, stated in every result (:meth:`CalenderingResult.factors`):

- As-coated bed. Real electrodes dry from a slurry to ~1.0 g/cc (binder and solvent leave a loose
  structure); frictional spheres without cohesion cannot pack that loosely in bulk (random loose
  packing ~0.55, 1.24 g/cc). The bed settles with :data:`AS_COATED_GRAPHITE` (friction 1.0, rolling
  resistance 0.3, restitution 0.2: a stand-in for the binder's hold, calibrated on 400-particle beds
  of the small grade) to a bulk solid fraction ~0.54-0.57, i.e. ~1.0-1.1 g/cc measured as an
  electrode is (mass / (area x height of its highest point)). The roll presses particles of
  :data:`CALENDER_GRAPHITE` (friction 0.3, rolling resistance 0.1 for the non-spherical shape): the
  hold is released and the bed first re-settles, wall away, for ``resettle_time_factor`` free-fall
  times (it sinks by ~5 %), so no gravity collapse mixes into the pressing. Both materials keep the
  same contact model (rolling on), as the restart's contact history requires. Keeping the stand-in
  while pressing put 70 % of particles at risk already at 1.3 g/cc. ``first_contact_density_g_cc``
  (per replicate) is where the wall starts to press. A target at or below the as-coated density, or
  one the re-settled bed already exceeds (the wall does not touch it), gets status
  ``below_settled``; one at or above the solid density ``above_solid``: never silently dropped.
- Electrode density = particle mass / (1 - binder_mass_fraction) / (box area x floor-to-wall gap).
- Softened contacts: modulus x ``modulus_scale`` (default 0.01); forces and stresses map back as
  F_real = F_sim / s at the run's geometry (:mod:`sigdem.analysis.contacts`). Gravity while
  calendering keeps the settle ratio g / E by default (5e3 g at s = 0.01); its share of the floor
  force is reported per target. No mass scaling. A record maps back only when it is
  quasi-static (I <= :data:`QUASI_STATIC_I`) and the weight carries <= :data:`MAX_WEIGHT_SHARE` of
  the floor force (``mapping_valid``); below jamming neither holds and the forces are not real.
  :func:`~sigdem.studies.calendering_run.mapping_check` reruns at another modulus and wall speed and
  compares force / E and pressure / E.
- Quasi-static wall: inertial number I = (v / h) d sqrt(ρ / p), d the mean diameter, p the
  (simulated) wall pressure, reported per target.
- Elastic Hertz spheres reach 1.6-1.75 g/cc (solid fraction 0.71-0.77) only through overlaps far
  past Hertz's elastic range; every target reports max and p99 overlap / radius and a flag.
- ``contact=MdrContact(...)`` presses with LAMMPS's elastic-plastic ``mdr`` model instead
  (``lammps_inputs/calender_mdr.lmp``): a yielded contact carries a mean pressure of Y to 2.75 Y
  (graphite Y = 0.1 GPa assumed, :data:`sigdem.model.contact.GRAPHITE_YIELD_STRESS_GPA`), Y is softened with
  the modulus so forces map back as with Hertz. The bed still settles with Hertz contacts (the
  as-coated calibration); the mdr stage first releases the binder stand-in under Hertz contacts of
  the calender material (``resettle_time_factor`` free-fall times at the Hertz time step), then
  starts mdr from those particles without contact history (mdr needs another atom style and cannot
  read a Hertz history) and lets the bed come to rest under mdr for ``mdr_relax_time_factor``
  free-fall times before the wall comes. mdr walls are rigid; the elastic-range flag does not apply. The fracture index keeps
  its Hertz peak pressure 3F / (2π R* δ), about 3x the mean pressure of a yielded mdr contact.
  Settling at 5e3 g with contacts 100x softer loads the bed like the real one under 5e5 g: ~45 % of
  the settled contacts are already past mdr's yield onset when it takes over (LAMMPS warns; mdr
  starts them yielded). Their flattening (overlap ~2e-3 R*) is small beside the pressing overlaps.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import ClassVar

from sigdem import units
from sigdem.analysis.contacts import DEFAULT_SIZE_EDGES_UM
from sigdem.analysis.fracture import (
    DEFAULT_RISK_LEVEL,
    SI_COATING_STRENGTH_GPA,
    FractureRisk,
)
from sigdem.deck import (
    Calender,
    Deck,
    Numerics,
    RunRecord,
    Settle,
    check_mdr_setup,
    start_bed,
    timestep_us,
)
from sigdem.deck.beds import bed_from_sample
from sigdem.deck.stages import DEFAULT_WALL_SPEED_M_S, MDR_MAX_UNLOAD_SPEED_M_S
from sigdem.deck.protocol_variables import density_window, free_fall_time_us
from sigdem.inputs import check_instance, check_int, check_range
from sigdem.io.folder import RunFolder, derive_seed, job_id
from sigdem.model.contact import MdrContact
from sigdem.model.materials import COPPER, GRAPHITE, STEEL, Material
from sigdem.psd import Blend, sample_particles
from sigdem.studies.feasibility import check_targets_and_box
from sigdem.studies.press_step import PressStep

log = logging.getLogger(__name__)

#: Loose as-coated electrode, for settling: sliding friction 1.0, rolling resistance 0.3, restitution 0.2
#: (ASSUMPTIONS standing in for the binder's hold; calibrated to an electrode density ~1.0-1.1 g/cc as settled).
AS_COATED_GRAPHITE = replace(GRAPHITE, name="graphite_as_coated", friction=1.0, rolling_friction=0.3, restitution=0.2)
#: Graphite under the roll: friction 0.3 (as GRAPHITE), rolling resistance 0.1 (shape), restitution 0.2.
CALENDER_GRAPHITE = replace(GRAPHITE, name="graphite_calender", friction=0.3, rolling_friction=0.1, restitution=0.2)
#: Settling numerics of the as-coated beds: those of the packing study (modulus x 0.01, gravity 5e3 g; the
#: packing moves by < 0.005 when either is halved or doubled), pinned here as calibrated.
SETTLE_NUMERICS = Numerics(modulus_scale=0.01, gravity_g=5.0e3)
#: The paper's electrode densities, g/cc.
PAPER_TARGETS_G_CC = (1.0, 1.3, 1.5, 1.6, 1.75)
#: Electrode mass loading of the default bed, mg/cm² (a typical graphite anode; 10 pg/µm² = 1 mg/cm²).
DEFAULT_LOADING_MG_CM2 = 8.0
#: The largest particle of a blend, for box sizes: its volume-weighted D99 (a sampled bed's largest particle is
#: within a few % of it).
LARGEST_QUANTILE = 0.99
#: Default lateral box side in largest diameters: published calendering DEM uses 8-12 (Sangrós Giménez et al.,
#: Powder Technol. 349 (2019) 1: 150 µm for 5-18 µm spheres); the finite-size check is in benchmarks/.
REPRESENTATIVE_SIDE_IN_DMAX = 8.0
#: A box narrower than this many largest diameters is refused: a single particle would span the periodic box.
MIN_SIDE_IN_DMAX = 2.0
#: Wall speed of the calender stroke and lift, m/s: 4x the earlier 0.1 m/s (inertial number ~4-6e-3 from 1.5 g/cc
#: on), which moved no headline quantity, springback or per-size-class p99 force beyond the replicates' CIs
#: (benchmarks/calender_numerics.py; benchmarks/results/calender_numerics.txt).
CALENDER_WALL_SPEED_M_S = 0.4
#: mdr time step of the calender stage, x sqrt(m / (kappa R)) of the smallest particle: 2x the LAMMPS manual's
#: conservative 0.08 (0.066 Rayleigh times), same results within the CIs (same benchmark).
CALENDER_MDR_TIMESTEP_FRACTION = 0.16
#: The fixed phases of an mdr calender run (``None`` defaults of the study with mdr): 5 free-fall times of Hertz
#: release, a 2,000-step hold at the last density, 5,000 steps of relaxation after the wall stops pressing. On the
#: default reproduce beds (SiG and WD-SiG, 4 largest diameters, 3 replicates each) they moved none of 94 compared
#: quantities beyond the replicates' CIs against :data:`LONG_SCHEDULE` (benchmarks/calender_shortcuts.py;
#: benchmarks/results/calender_shortcuts_2026-12-02.txt) and saved ~20 % of the calendering time. The paired
#: springback is 0.3-0.6 points higher (not resolved; 5 of 5 pairs higher): compare blends with it, as before.
#: No lift tail (``lift_tail_speed_m_s`` 0): lifting on at 0.4 m/s once the wall's force was down to 1 % of the
#: held force halved the lift's cost but doubled the springback (SiG 3.2-6.6 % vs 1.8-3.4 %, paired on the same
#: beds) and left the beds moving (kinetic energy 1e3-9e3 vs 0.1-80): benchmarks/results/
#: calender_shortcuts_tail_2026-12-02.txt. It stays an option for runs that need only the loaded records.
#: The lift ends once the wall's force is down to 10 % of the bed's weight (``lift_release_weight_fraction``), not
#: only at 1e-4 of the held force: after the bed has sprung back a top particle or two whose mdr apparent radius
#: grows keep ~1-30 % of the weight on the wall for micrometres of lift (WD-SiG: 25,000-52,000 steps). On the same
#: beds, paired with the lift ending on the held force only: none of 94 quantities moved beyond the CIs, loaded
#: records are the same bytes, springback -0.07 ± 0.18 points (SiG) and -0.08 ± 0.19 (WD-SiG) of ~2.7 %, WD-SiG's
#: lift 15,000-17,000 steps, calendering LAMMPS loop time -12 % (benchmarks/results/calender_release_2026-12-02.txt).
MDR_SCHEDULE = {"resettle_time_factor": 5.0, "hold_steps": 2000, "relax_steps": 5000, "lift_tail_speed_m_s": 0.0,
                "lift_release_weight_fraction": 0.1}
#: The phases before that (and still the Hertz defaults): the representative and finite-size results of
#: 2 Dec 2026 (benchmarks/results/representative_2026-12-02, finite_size_2026-12-02) were run with them.
LONG_SCHEDULE = {"resettle_time_factor": 10.0, "hold_steps": 5000, "relax_steps": 20000, "lift_tail_speed_m_s": 0.0,
                 "lift_release_weight_fraction": 0.0}


def largest_diameter_um(blend: Blend) -> float:
    """The blend's largest particle for box sizing: its volume-weighted D99, µm."""
    return float(blend.quantile(LARGEST_QUANTILE))


@dataclass(frozen=True, slots=True)
class CalenderingStudy:
    """Parameters of a calendering study of one blend (units in the names).

    The bed: ``side_um`` x ``side_um`` box holding ``loading_mg_cm2`` of particles (blends compared at equal
    loading; intensive results, so each blend may have its own box). ``side_um=None`` (default) takes
    :data:`REPRESENTATIVE_SIDE_IN_DMAX` x the blend's largest diameter (:func:`largest_diameter_um`); a side
    below :data:`MIN_SIDE_IN_DMAX` x is refused, one below the representative size is run with a warning
    and ``representative = False`` in the results. Targets are electrode densities; ``binder_mass_fraction``
    of the electrode mass is counted in them but not simulated; a target at or above the solid density is
    refused here. Fracture: the Si-film strain criterion (:mod:`sigdem.analysis.film`) and, as a ranking, the
    Hertz peak pressure against ``threshold_gpa`` or a Weibull strength; ``risk_level`` ends the
    fracture-free range. ``contact``: LAMMPS's elastic-plastic mdr model (default,
    :class:`~sigdem.model.contact.MdrContact`; its yield stress is an assumption stated in the results), or
    ``None`` for elastic Hertz contacts (a stated elastic comparison).
    """

    blend: Blend
    side_um: float | None = None
    loading_mg_cm2: float = DEFAULT_LOADING_MG_CM2
    replicates: int = 3
    target_densities_g_cc: tuple[float, ...] = PAPER_TARGETS_G_CC
    binder_mass_fraction: float = 0.0
    material: Material = AS_COATED_GRAPHITE
    calender_material: Material = CALENDER_GRAPHITE
    floor: Material = COPPER
    top: Material = STEEL
    settle_numerics: Numerics = SETTLE_NUMERICS
    modulus_scale: float = 0.01
    calender_gravity_g: float | None = None
    #: Free-fall times of re-settling after the binder stand-in is released (with mdr: under Hertz contacts).
    #: None: :data:`MDR_SCHEDULE` with mdr, :data:`LONG_SCHEDULE` with Hertz (as are ``hold_steps`` and
    #: ``relax_steps``).
    resettle_time_factor: float | None = None
    mdr_relax_time_factor: float = 1.0
    #: Wall speed of the stroke, m/s. None: :data:`CALENDER_WALL_SPEED_M_S` (0.4) with mdr, where the convergence
    #: check proved it, and the earlier 0.1 m/s with Hertz contacts, which the mapping tests check.
    speed_m_s: float | None = None
    #: Wall speed while lifting, m/s. None: the stroke's speed for Hertz; for mdr the stroke's speed capped at
    #: :data:`~sigdem.deck.stages.MDR_MAX_UNLOAD_SPEED_M_S` (0.1 m/s): a 0.4 m/s stroke and lift gave 1.7x the
    #: springback of a 0.1 m/s one (4.3 vs 2.5 %; not resolved with 3 replicates, benchmarks/results/
    #: calender_numerics.txt), and a fast lift throws a cohesionless mdr pellet apart (the pellet study).
    unload_speed_m_s: float | None = None
    target_hold_steps: int = 2000
    hold_steps: int | None = None
    relax_steps: int | None = None
    #: Speed of the lift's tail, m/s (0: one speed throughout, the default of both schedules; see
    #: :data:`MDR_SCHEDULE` for what a tail does to springback).
    lift_tail_speed_m_s: float | None = None
    #: The lift also ends once the wall's force is at most this fraction of the bed's weight (0: only at
    #: ``release_fraction`` of the held force, :class:`~sigdem.deck.stages.Calender`).
    lift_release_weight_fraction: float | None = None
    threshold_gpa: float = SI_COATING_STRENGTH_GPA
    weibull_sigma0_gpa: float | None = None
    weibull_m: float | None = None
    risk_level: float = DEFAULT_RISK_LEVEL
    size_edges_um: tuple[float, ...] = DEFAULT_SIZE_EDGES_UM
    contact: MdrContact | None = MdrContact(timestep_fraction=CALENDER_MDR_TIMESTEP_FRACTION)
    #: Study seed: None derives the beds' seeds from the bed statepoint alone; an int joins it (other beds).
    seed: int | None = None

    def __post_init__(self):
        check_instance("blend", self.blend, Blend, "a sigdem.psd.Blend (e.g. blend_from_text('small=1', paper_grades()))")
        for name in ("material", "calender_material", "floor", "top"):
            check_instance(name, getattr(self, name), Material, "a sigdem.model.materials.Material (e.g. GRAPHITE)")
        check_instance("settle_numerics", self.settle_numerics, Numerics, "a sigdem.deck.Numerics")
        if self.contact is not None:  # before anything runs: mdr needs rigid-enough walls
            check_mdr_setup(self.contact, Calender, self.calender_material, self.floor, self.top)
        schedule = LONG_SCHEDULE if self.contact is None else MDR_SCHEDULE
        for name, value in schedule.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        check_int("hold_steps", self.hold_steps, 0, 10**8)
        check_int("relax_steps", self.relax_steps, 0, 10**8)
        check_range("lift_tail_speed_m_s", self.lift_tail_speed_m_s, 0.0, 10.0)
        check_range("lift_release_weight_fraction", self.lift_release_weight_fraction, 0.0, 1.0)
        d_max = largest_diameter_um(self.blend)
        if self.side_um is None:
            object.__setattr__(self, "side_um", float(round(REPRESENTATIVE_SIDE_IN_DMAX * d_max)))
        check_range("side_um", self.side_um, MIN_SIDE_IN_DMAX * d_max, 1e5)
        if not self.representative:  # the default side is rounded to a whole µm: not a warning
            log.warning("box side %.4g µm is %.2g x the blend's largest diameter %.3g µm, below the representative %g x:"
                        " results may depend on the box (representative = False)", self.side_um,
                        self.side_um / d_max, d_max, REPRESENTATIVE_SIDE_IN_DMAX)
        check_range("loading_mg_cm2", self.loading_mg_cm2, 0.0, 1e3, lo_open=True)
        check_int("replicates", self.replicates, 1, 1000)
        if self.seed is not None:
            check_int("seed", self.seed, 0, 2**62)
        check_range("binder_mass_fraction", self.binder_mass_fraction, 0.0, 0.5, hi_open=True)
        check_range("modulus_scale", self.modulus_scale, 0.0, 1.0, lo_open=True)
        check_range("resettle_time_factor", self.resettle_time_factor, 0.0, 1e3)
        if self.speed_m_s is None:
            object.__setattr__(self, "speed_m_s",
                               DEFAULT_WALL_SPEED_M_S if self.contact is None else CALENDER_WALL_SPEED_M_S)
        check_range("mdr_relax_time_factor", self.mdr_relax_time_factor, 0.0, 1e3)
        if self.calender_gravity_g is not None:
            check_range("calender_gravity_g", self.calender_gravity_g, 0.0, 1e9, lo_open=True)
        if self.unload_speed_m_s is not None:
            check_range("unload_speed_m_s", self.unload_speed_m_s, 0.0, 100.0, lo_open=True)
        Calender(target_densities_g_cc=self.target_densities_g_cc, speed_m_s=self.speed_m_s)  # validates both
        FractureRisk(self.threshold_gpa, self.weibull_sigma0_gpa, self.weibull_m)
        object.__setattr__(self, "target_densities_g_cc", tuple(float(x) for x in self.target_densities_g_cc))
        check_targets_and_box(self)  # targets vs the solid and loosest densities, box vs the largest particle

    @property
    def solid_volume_um3(self) -> float:
        """Particle volume of the bed: loading x area / density of the blend's solid."""
        cm_um = units.convert(10.0, "mm", "um")
        mass_pg = units.to_micro(self.loading_mg_cm2, "mg") / cm_um**2 * self.side_um**2
        return mass_pg / self.blend.density_g_cc

    def bed_statepoint(self) -> dict:
        """What the settled beds depend on: calendering parameters do not re-seed or re-settle them."""
        keys = ("side_um", "loading_mg_cm2", "material", "floor", "settle_numerics")
        sp = {k: (asdict(getattr(self, k)) if hasattr(getattr(self, k), "__dataclass_fields__") else getattr(self, k))
              for k in keys}
        sp["blend"] = json.loads(json.dumps(asdict(self.blend), default=repr))
        sp["stage"] = "calendering_bed"
        if self.seed is not None:  # absent by default: job ids of unseeded studies stay as they were
            sp["seed"] = self.seed
        return json.loads(json.dumps(sp))

    @property
    def bed_job(self) -> str:
        return job_id(self.bed_statepoint())

    def settle_deck(self, replicate: int) -> Deck:
        sample = sample_particles(self.blend, solid_volume_um3=self.solid_volume_um3,
                                  seed=derive_seed(self.bed_job, f"sample{replicate}"))
        bed = bed_from_sample(sample, seed=derive_seed(self.bed_job, f"place{replicate}"), side_um=self.side_um)
        return Deck(bed=bed, protocol=Settle(), material=self.material, floor=self.floor, top=self.top,
                    numerics=self.settle_numerics, replicate=replicate)

    def calender_numerics(self) -> Numerics:
        """The settle numerics at ``modulus_scale``; gravity ``calender_gravity_g`` or, by default, the
        settle gravity scaled like the modulus (same g / E: the settled overlaps stay in equilibrium)."""
        sn = self.settle_numerics
        g = self.calender_gravity_g or sn.gravity_g * self.modulus_scale / sn.modulus_scale
        return replace(sn, modulus_scale=self.modulus_scale, gravity_g=g)

    @property
    def lift_speed_m_s(self) -> float:
        """The wall's speed while lifting (``unload_speed_m_s`` or its default, see there)."""
        if self.unload_speed_m_s is not None:
            return self.unload_speed_m_s
        return self.speed_m_s if self.contact is None else min(self.speed_m_s, MDR_MAX_UNLOAD_SPEED_M_S)

    @property
    def largest_diameter_um(self) -> float:
        return largest_diameter_um(self.blend)

    @property
    def representative(self) -> bool:
        """Whether the box is at least :data:`REPRESENTATIVE_SIDE_IN_DMAX` largest diameters wide."""
        return self.side_um >= REPRESENTATIVE_SIDE_IN_DMAX * self.largest_diameter_um * (1 - 1e-9) - 0.5

    def particle_densities(self) -> tuple[float, ...]:
        """Particle-only densities of the targets (electrode density x (1 - binder fraction))."""
        return tuple(rho * (1.0 - self.binder_mass_fraction) for rho in self.target_densities_g_cc)


def target_status(study: CalenderingStudy, settle: RunFolder) -> tuple[list[str], float, float]:
    """Status of each target on a settled bed, its as-settled density and the solid density (g/cc)."""
    settled, solid = density_window(start_bed(settle), settle)
    status = ["below_settled" if rho <= settled * 1.001 else "above_solid" if rho >= solid else "ok"
              for rho in study.particle_densities()]
    return status, settled, solid


def calender_deck(study: CalenderingStudy, settle: RunFolder, densities: tuple[float, ...]) -> Deck:
    protocol = Calender(target_densities_g_cc=densities, speed_m_s=study.speed_m_s, unload_speed_m_s=study.lift_speed_m_s,
                        target_hold_steps=study.target_hold_steps, hold_steps=study.hold_steps,
                        relax_steps=study.relax_steps, tail_speed_m_s=study.lift_tail_speed_m_s or None,
                        release_weight_fraction=study.lift_release_weight_fraction or None)
    deck = Deck(start_bed(settle), protocol=protocol, material=study.calender_material, floor=study.floor, top=study.top,
                numerics=study.calender_numerics(), replicate=RunRecord.read(settle).replicate, start=settle,
                contact=study.contact)
    # release the binder stand-in: the bed re-settles under the calender material for resettle_time_factor
    # free-fall times over the largest diameter before the wall starts (~4 of them sufficed in tests). With
    # mdr it does so under Hertz contacts (release_steps: 2.3x mdr's 0.16 step, ~2.5x cheaper steps), then mdr,
    # restarted without contact history, gets mdr_relax_time_factor free-fall times to come to rest in its
    # own model (below yield mdr is Hertz; benchmarks/calender_numerics.py compares it with 10 under mdr)
    g = units.to_micro(deck.numerics.gravity_g * units.STANDARD_GRAVITY_M_S2, "m/s2")
    t_fall = free_fall_time_us(float(deck.bed.diameters_um.max()), g)
    if study.contact is None:
        steps = math.ceil(study.resettle_time_factor * t_fall / timestep_us(deck))
        return replace(deck, protocol=replace(protocol, resettle_steps=steps))
    release = math.ceil(study.resettle_time_factor * t_fall / timestep_us(replace(deck, contact=None)))
    relax = math.ceil(study.mdr_relax_time_factor * t_fall / timestep_us(deck))
    return replace(deck, protocol=replace(protocol, release_steps=release, resettle_steps=relax))


def reachable_calender_deck(study: CalenderingStudy, settle: RunFolder) -> Deck | None:
    """The calender deck of a finished settle folder through its reachable targets (None if there is none;
    unreachable ones are logged and reported with their status by the study)."""
    status, settled, _ = target_status(study, settle)
    ok = tuple(rho for rho, s in zip(study.particle_densities(), status) if s == "ok")
    for rho, s in zip(study.target_densities_g_cc, status):
        if s != "ok":
            log.warning("%s: target %.4g g/cc not simulated (%s; as-settled %.4g g/cc particle density)",
                        settle.path.name, rho, s, settled)
    return calender_deck(study, settle, ok) if ok else None


@dataclass(frozen=True, slots=True)
class CalenderStep(PressStep):
    """The calender stage of one replicate as a deck recipe (:class:`~sigdem.studies.press_step.PressStep`): its
    targets depend on the settled bed."""

    stage: ClassVar[str] = "calender"

    def build_deck(self, root: Path | str) -> Deck | None:
        return reachable_calender_deck(self.study, self.start.require_done())
