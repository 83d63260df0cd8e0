"""Pellet study: press a poured powder in a die to target pressures; density, springback, compaction laws (Fig. 4a,b).

Each replicate pours and settles a blend (its own seeds) into a square die of side ``side_um`` (periodic in x
and y: a die far wider than a particle, without side-wall friction), then a servo-controlled flat punch presses
it to each target pressure, holds that pressure within ``tolerance`` (2 %) at steady state, records, lifts, and
lets the pellet relax (``lammps_inputs/pellet.lmp`` / ``pellet_mdr.lmp``; with mdr the bed is by default pressed as
a periodic cell instead, ``pellet_cell_mdr.lmp``: see "Die walls" below). Rows per (replicate, pressure) are
:mod:`sigdem.studies.pellet_analysis`; the yield-stress calibration is :mod:`sigdem.studies.pellet_calibration`.

Decisions, stated in every result (:meth:`PelletResult.factors`):

- Settle bed: a plain pour of dry :data:`~sigdem.model.materials.GRAPHITE` (friction 0.3), not the calendering
  study's as-coated stand-in: a pellet die is filled with free-flowing powder, not a dried slurry. Settling
  numerics are the calendering study's (:data:`SETTLE_NUMERICS`: modulus x 0.01, 5e3 g).
- Die: ``side_um`` defaults to 8 x the blend's d_max, d_max read as the volume-basis 99th percentile of its
  PSD (the largest particles that matter; the sample's single largest may be larger). ``fill_height_um``: the
  powder fill, as the height its particles would have at solid fraction :data:`FILL_SOLID_FRACTION` (defaults:
  :data:`CELL_FILL_OVER_DMAX`, :data:`WALLED_FILL_HEIGHT_UM`).
- Pellets per pressure: ``release="restarts"`` (the default in the mdr cell) presses one bed per replicate
  monotonically through the targets, holding each and writing a restart, and releases each target from its
  restart in a LAMMPS run of its own (:mod:`sigdem.run.branches`): every pellet is pressed once to its pressure and
  released from it, as the paper's were, for one stroke plus the releases, and a release that stops LAMMPS (mdr's
  NaN) loses that release only, where it ended the series before. ``release="cycles"`` (the walled dies' only
  way: their restarts are not checked) presses in cycles of increasing pressure (load, hold, release, relax,
  next): a cycle to P_k loads past every earlier one, so its plastic state is that of a monotonic press to P_k up
  to elastic unload-reload hysteresis (loaded densities of the two ways within 0.6 % on a 105 µm cell,
  benchmarks/results/pellet_branches_2026-12-03/).
- Die walls: ``die="periodic"`` (the default with Hertz) has none, as above. ``die="cylinder"`` pours, settles and
  presses the powder in a rigid cylindrical die of diameter ``side_um`` (axis z; the box non-periodic in x and y) whose wall
  has its own friction ``die_friction`` (default: the punch's particle-wall friction, 0.3 for steel), to show
  die-wall effects: the wall carries part of the punch force by friction (Janssen), so less reaches the floor
  (``force_transmission`` = F_floor / F_top per row; 1 + weight / F_top without wall friction) and the pellet is
  less dense for the same punch pressure. Densities and pressures then use the die area pi R². Both Hertz and mdr
  run in it (``lammps_inputs/settle_die.lmp``, ``pellet_die.lmp``, ``pellet_die_mdr.lmp``); the periodic
  box's scripts, decks and job ids are those it always had. ``die="cell"`` (mdr only; the default with mdr)
  settles the bed as the periodic box (same settle folders) and presses it as a cell periodic in z too, without
  floor or punch (:class:`~sigdem.deck.die.PeriodicCell`): the bulk of a pellet (a real pellet is millimetres
  thick, its punch layers a small part of it) and the way past the solid fraction (~0.82-0.91) at which mdr's
  uncapped wall contacts stop a walled press on "F_MDR is NaN" (``benchmarks/results/pellet_cell_2026-12-03/``).
- Servo: the punch (the cell's height) moves at clamp(``servo_gain`` x (P_target - P) / P_target, ±1) x ``speed_m_s``.
  The walled dies use 0.1 m/s at gain 4; the mdr cell 0.4 m/s at gain 1 (:data:`CELL_SERVO_SPEED_M_S`), which
  is the same servo within 25 % of a target and up to 4x faster through the loose powder: loaded densities within
  0.4 % of the 0.1 m/s servo's on the same bed (``benchmarks/results/pellet_servo_2026-12-04/``).
- Contacts: LAMMPS's elastic-plastic mdr (default, :class:`~sigdem.model.contact.MdrContact`, graphite Y =
  0.1 GPa assumed; rigid punch and floor where there are walls); ``contact=None`` presses elastic Hertz spheres, a
  stated elastic comparison (every pressure above ~10 MPa is far past Hertz's elastic range for graphite).
- Release: the punch lifts at ``unload_speed_m_s``, by default the servo's ``speed_m_s`` but, with mdr, at most
  :data:`~sigdem.deck.stages.MDR_MAX_UNLOAD_SPEED_M_S` (0.1 m/s): a faster release throws the cohesionless pellet
  apart and mdr's force turns NaN on pellets pressed past ~3 Y (that constant says why; a larger value is refused).
- Softened contacts (``modulus_scale``, default 0.01; mdr's Y softened with it): a real pressure P runs as
  P x modulus_scale and maps back as P_sim / modulus_scale, as forces do in the calendering study.
- The paper's "ton/cm²": read literally (tonne-force/cm² = 98.0665 MPa), 3.8-48 ton/cm² is 0.37-4.7 GPa, above
  what steel dies hold; read as kN/cm², it is 38-480 MPa. The default series (8 values log-spaced 10 MPa-5 GPa)
  covers both readings; :func:`ton_cm2_to_mpa` uses the literal reading, as ``sigdem.units`` does.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import ClassVar

import numpy as np

from sigdem import units
from sigdem.deck import Deck, Numerics, Pellet, RunRecord, Settle, check_mdr_setup, start_bed
from sigdem.deck.beds import bed_from_sample
from sigdem.deck.die import MAX_DIE_FRICTION, CylinderDie, PeriodicCell, check_die_kind
from sigdem.deck.stages import DEFAULT_WALL_SPEED_M_S, MDR_MAX_UNLOAD_SPEED_M_S, RELEASE_KE_JUMP_LIMIT, _increasing_targets
from sigdem.errors import InputError
from sigdem.inputs import check_int, check_range
from sigdem.io.folder import RunFolder, derive_seed, job_id
from sigdem.model.contact import MAX_MDR_TIMESTEP_FRACTION, MdrContact
from sigdem.model.materials import GRAPHITE, STEEL, Material
from sigdem.psd import Blend, sample_particles
from sigdem.run.branches import resumed_from, run_release_branches
from sigdem.run.runners import Runner, require_plugin_kernel, run
from sigdem.run.stops import run_or_keep
from sigdem.studies.pellet_analysis import PelletResult, analyse_pellet, pellet_stop, press_end
from sigdem.studies.press_step import PressStep

log = logging.getLogger(__name__)

#: Settling numerics of the pellet beds (those of the calendering study's beds).
SETTLE_NUMERICS = Numerics(modulus_scale=0.01, gravity_g=5.0e3)
#: Default target pressures, MPa: 8 values log-spaced 10 MPa-5 GPa (both readings of the paper's ton/cm²).
DEFAULT_PRESSURES_MPA = tuple(float(f"{p:.4g}") for p in np.geomspace(10.0, 5000.0, 8))
#: The paper's pellet pressures, ton/cm².
PAPER_PRESSURES_TON_CM2 = (3.8, 9.6, 19.2, 38.4, 48.0)
#: mdr time step of the pellet press, as a fraction of sqrt(m / (kappa R)) (:func:`~sigdem.model.contact.mdr_timestep`):
#: half the manual's 0.08. The default SiG series (4,285 particles) stops on "F_MDR is NaN" at solid fraction 0.82
#: (80 MPa) with 0.08 and at 0.87 (129 MPa) with 0.04, for twice the steps; its loaded states at 10-59 MPa agree
#: within 0.2 % (benchmarks/results/pellet_default_series_2026-12-03b/). A 105 um bed holds 348.6 MPa with 0.04
#: and stops at 2.06 g/cc with 0.08 (benchmarks/results/pellet_default_series_2026-12-03/timestep/). A smaller
#: step delays the NaN, it does not remove it (at solid fraction 0.78 the most flattened pair contact is at 0.71 of its
#: radius on one side, below the 0.95 where LAMMPS clips it, :data:`~sigdem.analysis.contacts.MDR_SIDE_OVERLAP_LIMIT`;
#: the cause is not established).
PELLET_MDR_TIMESTEP_FRACTION = 0.04
#: The mdr cell's servo approaches each target at this fraction of sqrt(m / (kappa R)), 4x the step of
#: :data:`PELLET_MDR_TIMESTEP_FRACTION`, and then holds the target again at that smaller step before it records it
#: and writes its restart; every release runs at the smaller step (``Pellet.press_step_factor``). The loaded states
#: converge at 0.16 (held densities within 0.26 % of 0.04's at 10-348.6 MPa, benchmarks/results/
#: pellet_timestep_2026-12-04/). The default series this way, on the bed of the all-0.04 run: loaded solid fractions
#: within 0.22 %, forces within 2.1 %, springbacks from 10, 24.3 and 59 MPa within 0.03, 0.04 and 0.15 points (two
#: beds differ by 0.07, 0.05 and 0.56), in 15.6 min on 2 ranks against 48.3 (benchmarks/results/
#: pellet_press_step_2026-12-05/): within the main job's budget.
CELL_PRESS_TIMESTEP_FRACTION = 0.16
#: Solid fraction at which the fill's particles would stand ``fill_height_um`` high.
FILL_SOLID_FRACTION = 0.6
#: The mdr cell's default fill as a multiple of the blend's d_max (to the whole µm): its height is a periodic
#: dimension of the volume like its side, so every blend's cell is as tall in its largest particles as SiG's 60 µm,
#: the default of the cell runs before 5 Dec 2026 (WD-SiG: 91 µm, not 60, which made its cell 1.5x flatter in its
#: own d_max). The height moves the springback: a SiG cell twice as tall springs back ~a quarter less from 59 MPa
#: (1.3 points, three default beds against two taller ones: benchmarks/results/pellet_cell_height_beds_2026-12-05/).
CELL_FILL_OVER_DMAX = 2.28
#: The walled dies' default fill: the thickness of the pellet between floor and punch, µm.
WALLED_FILL_HEIGHT_UM = 60.0
#: The die side is at least this many times the blend's d_max (volume-basis 99th percentile).
SIDE_OVER_DMAX = 8.0
#: How each target is released: from its restart after a monotonic press, or in the press's load-release cycles.
RELEASES = ("restarts", "cycles")
#: The servo of the walled dies (and of any die given ``speed_m_s`` without ``servo_gain``): gain 4, so the punch
#: moves at its top speed until the pressure is within 25 % of the target and slows in proportion below that.
WALLED_SERVO_GAIN = 4.0
#: The mdr cell's servo: top speed 0.4 m/s at gain 1. Within 25 % of a target it moves exactly as the walled
#: dies' 0.1 m/s x gain 4 (0.4 x 1 x error = 0.1 x 4 x error, the servo the cell's series were measured with until
#: 4 Dec 2026), so each target is approached and held as before; further from a target (the loose powder, most of
#: the stroke) it moves up to 4x faster. Measured against the 0.1 m/s servo on the same beds:
#: ``benchmarks/results/pellet_servo_2026-12-04/``.
CELL_SERVO_SPEED_M_S = 0.4
CELL_SERVO_GAIN = 1.0


def ton_cm2_to_mpa(pressures_ton_cm2) -> tuple[float, ...]:
    """Pressures in tonne-force/cm² (the literal reading of the paper's unit) in MPa (x 98.0665)."""
    values = np.atleast_1d(np.asarray(pressures_ton_cm2, dtype=float))
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise InputError("pressures_ton_cm2", f"{values.tolist()}: needs positive finite numbers, ton/cm²")
    return tuple(float(units.convert(float(v), "ton/cm2", "MPa")) for v in values)


def blend_d_max_um(blend: Blend) -> float:
    """The blend's d_max: its volume-basis 99th percentile diameter, µm."""
    return float(np.asarray(blend.quantile(0.99, basis="volume")).item())


@dataclass(frozen=True, slots=True)
class PelletStudy:
    """Parameters of a pellet study of one blend (units in the names; see the module docstring).

    ``side_um``: die side (None: :data:`SIDE_OVER_DMAX` x :func:`blend_d_max_um`). ``fill_height_um``: the
    powder fill (its particle volume is side² x fill_height x :data:`FILL_SOLID_FRACTION`; None: the cell's
    :data:`CELL_FILL_OVER_DMAX` x d_max to the whole µm, the walled dies' :data:`WALLED_FILL_HEIGHT_UM`).
    ``target_pressures_mpa``: real pressures, strictly increasing (:meth:`with_ton_cm2` takes ton/cm²).
    ``contact``: mdr (default, time step :data:`PELLET_MDR_TIMESTEP_FRACTION`) or None (Hertz). Servo: ``speed_m_s`` (largest
    punch speed) and ``servo_gain`` (None: the cell's :data:`CELL_SERVO_SPEED_M_S` at :data:`CELL_SERVO_GAIN`, the walled
    dies' 0.1 m/s at :data:`WALLED_SERVO_GAIN`; a ``speed_m_s`` given alone keeps gain :data:`WALLED_SERVO_GAIN`),
    ``tolerance`` (held within it; 1 % by default, so that the reported pressure is well within the 2 % the
    issue asks: the servo approaches from below and stops at the first window inside the band), ``window_steps``. ``relax_steps`` after each release.
    ``unload_speed_m_s``: punch speed of the release (None: ``speed_m_s``, with mdr at most
    :data:`~sigdem.deck.stages.MDR_MAX_UNLOAD_SPEED_M_S`; an explicit larger value with mdr is refused).
    ``die``: ``"cell"`` (mdr only: periodic in z too, no walls; the default with mdr), ``"periodic"`` (floor and
    punch, side-periodic; the default with Hertz) or ``"cylinder"`` (diameter ``side_um``); ``die_friction``: the
    cylinder wall's friction in [0, 2] (None: the ``top`` material's; refused without a cylinder).
    ``release``: ``"restarts"`` (each target released from its restart; the mdr cell only, its default) or
    ``"cycles"`` (load, release, reload; the default elsewhere); see the module docstring.
    ``release_ke_jump_limit``: the release's kinetic-energy guard (:data:`~sigdem.deck.stages.RELEASE_KE_JUMP_LIMIT`):
    a release disturbed this way is stopped, reported without springback, and the series goes on.
    ``press_timestep_fraction``: the step of the servo's approach to each target, a fraction of sqrt(m / (kappa R))
    between the contact's ``timestep_fraction`` and :data:`~sigdem.model.contact.MAX_MDR_TIMESTEP_FRACTION`; each
    target is then held again, recorded and released at the contact's step (None: the cell's
    :data:`CELL_PRESS_TIMESTEP_FRACTION`, or the contact's step when that is larger; the walled dies: the contact's
    step throughout, and any other value is refused there).
    """

    blend: Blend
    side_um: float | None = None
    fill_height_um: float | None = None
    replicates: int = 3
    target_pressures_mpa: tuple[float, ...] = DEFAULT_PRESSURES_MPA
    contact: MdrContact | None = MdrContact(timestep_fraction=PELLET_MDR_TIMESTEP_FRACTION)
    material: Material = GRAPHITE
    floor: Material = STEEL
    top: Material = STEEL
    settle_numerics: Numerics = SETTLE_NUMERICS
    modulus_scale: float = 0.01
    speed_m_s: float | None = None
    unload_speed_m_s: float | None = None
    servo_gain: float | None = None
    tolerance: float = 0.01
    window_steps: int = 1000
    relax_steps: int = 20000
    resettle_steps: int = 2000
    max_solid_fraction: float = 0.98
    release_ke_jump_limit: float = RELEASE_KE_JUMP_LIMIT
    die: str | None = None
    die_friction: float | None = None
    release: str | None = None
    press_timestep_fraction: float | None = None

    def __post_init__(self):
        if self.die is None:  # mdr presses the pellet's bulk; Hertz, the elastic comparison, the walled periodic box
            object.__setattr__(self, "die", "cell" if self.contact is not None else "periodic")
        check_die_kind("die", self.die)
        cell = self.die == "cell"
        if self.servo_gain is None:  # the cell's own servo only with its own top speed (CELL_SERVO_GAIN says why)
            object.__setattr__(self, "servo_gain", CELL_SERVO_GAIN if cell and self.speed_m_s is None else WALLED_SERVO_GAIN)
        if self.speed_m_s is None:
            object.__setattr__(self, "speed_m_s", CELL_SERVO_SPEED_M_S if cell else DEFAULT_WALL_SPEED_M_S)
        if self.release is None:
            object.__setattr__(self, "release", "restarts" if self.die == "cell" else "cycles")
        if self.release not in RELEASES:
            raise InputError("release", f"{self.release!r} is not allowed; allowed: {', '.join(RELEASES)}")
        if self.release == "restarts" and self.die != "cell":
            raise InputError("release", f"'restarts' is allowed only with die='cell' (mdr), not die={self.die!r}; "
                             "allowed there: 'cycles'")
        if self.die_friction is not None:
            if self.die != "cylinder":
                raise InputError("die_friction", f"{self.die_friction!r}: allowed only with die='cylinder' (a periodic "
                                 "box has no side wall)")
            check_range("die_friction", self.die_friction, 0.0, MAX_DIE_FRICTION)
        if self.die == "cell" and self.contact is None:
            raise InputError("die", "'cell' presses with mdr contacts only (lammps_inputs/pellet_cell_mdr.lmp); allowed "
                             "with contact=None (Hertz): 'periodic' or 'cylinder'")
        if self.contact is not None:
            check_mdr_setup(self.contact, Pellet, self.material, self.floor, self.top)
            only = self.contact.plugin_only()
            if only is not None and not cell:
                raise InputError(f"contact.{only[0]}", f"{only[1]!r} runs on sigdem's mdr plugin, which only the "
                                 f"cell's press uses (die='cell'), not die={self.die!r}; allowed there: {only[2]!r}")
        if self.press_timestep_fraction is not None:
            if not cell:
                raise InputError("press_timestep_fraction", f"{self.press_timestep_fraction!r}: allowed only with "
                                 f"die='cell' (mdr), not die={self.die!r}; the walled dies press at the contact's step")
            check_range("press_timestep_fraction", self.press_timestep_fraction, self.contact.timestep_fraction,
                        MAX_MDR_TIMESTEP_FRACTION)
        if self.side_um is not None:
            check_range("side_um", self.side_um, 1.0, 1e5)
        if self.fill_height_um is None:
            object.__setattr__(self, "fill_height_um", float(round(CELL_FILL_OVER_DMAX * blend_d_max_um(self.blend)))
                               if cell else WALLED_FILL_HEIGHT_UM)
        check_range("fill_height_um", self.fill_height_um, 1.0, 1e5)
        check_int("replicates", self.replicates, 1, 1000)
        check_range("modulus_scale", self.modulus_scale, 0.0, 1.0, lo_open=True)
        _increasing_targets("target_pressures_mpa", self.target_pressures_mpa, 0.0, 1e6)
        if self.unload_speed_m_s is not None:
            check_range("unload_speed_m_s", self.unload_speed_m_s, 0.0, 10.0, lo_open=True)
            if self.contact is not None and self.unload_speed_m_s > MDR_MAX_UNLOAD_SPEED_M_S:
                raise InputError("unload_speed_m_s", f"{self.unload_speed_m_s!r} m/s is outside the allowed range "
                                 f"(0, {MDR_MAX_UNLOAD_SPEED_M_S}] m/s with mdr contacts: a faster release throws the "
                                 "pellet apart and mdr's force turns NaN (sigdem.deck.stages.MDR_MAX_UNLOAD_SPEED_M_S)")
        self.protocol()  # validates pressures, speed, servo and relaxation
        object.__setattr__(self, "target_pressures_mpa", tuple(float(p) for p in self.target_pressures_mpa))

    @classmethod
    def with_ton_cm2(cls, blend: Blend, pressures_ton_cm2, **kw) -> "PelletStudy":
        """A study at pressures given in ton/cm² (literal reading: 1 ton/cm² = 98.0665 MPa)."""
        return cls(blend, target_pressures_mpa=ton_cm2_to_mpa(pressures_ton_cm2), **kw)

    @property
    def press_step_factor(self) -> float:
        """The servo's approach step over the contact's step (1 for the walled dies and for Hertz)."""
        if self.die != "cell":
            return 1.0
        fraction = self.press_timestep_fraction
        if fraction is None:
            fraction = max(CELL_PRESS_TIMESTEP_FRACTION, self.contact.timestep_fraction)
        return fraction / self.contact.timestep_fraction

    @property
    def die_side_um(self) -> float:
        """Die side (periodic box) or diameter (cylinder), µm: ``side_um`` or :data:`SIDE_OVER_DMAX` x d_max."""
        return self.side_um if self.side_um is not None else SIDE_OVER_DMAX * blend_d_max_um(self.blend)

    @property
    def die_wall_friction(self) -> float | None:
        """Friction of the cylinder's wall: ``die_friction``, or the punch's (``top``) particle-wall friction;
        None for the periodic box."""
        if self.die != "cylinder":
            return None
        return self.die_friction if self.die_friction is not None else self.top.friction

    @property
    def cylinder(self) -> CylinderDie | None:
        """The decks' die: None (periodic box) or the cylinder of diameter :attr:`die_side_um`."""
        return None if self.die != "cylinder" else CylinderDie(self.die_side_um, self.die_wall_friction)

    @property
    def die_area_um2(self) -> float:
        """Cross-section of densities and pressures: side² (periodic) or pi R² (cylinder), µm²."""
        return self.die_side_um**2 if self.cylinder is None else self.cylinder.area_um2

    @property
    def release_speed_m_s(self) -> float:
        """Punch speed of each release: ``unload_speed_m_s``, or ``speed_m_s`` capped for mdr (module docstring)."""
        if self.unload_speed_m_s is not None:
            return self.unload_speed_m_s
        return min(self.speed_m_s, MDR_MAX_UNLOAD_SPEED_M_S) if self.contact is not None else self.speed_m_s

    @property
    def solid_volume_um3(self) -> float:
        return self.die_area_um2 * self.fill_height_um * FILL_SOLID_FRACTION

    def protocol(self, pressures_mpa: tuple[float, ...] | None = None) -> Pellet:
        """The pellet protocol at real pressures (run pressures = real x modulus_scale)."""
        p = self.target_pressures_mpa if pressures_mpa is None else pressures_mpa
        try:
            sim = tuple(float(x) * self.modulus_scale for x in p)
        except (TypeError, ValueError):
            raise InputError("target_pressures_mpa", f"{p!r} is not a list of pressures in MPa") from None
        try:
            return Pellet(target_pressures_mpa=sim, speed_m_s=self.speed_m_s, unload_speed_m_s=self.release_speed_m_s,
                          servo_gain=self.servo_gain, tolerance=self.tolerance, window_steps=self.window_steps,
                          relax_steps=self.relax_steps, max_solid_fraction=self.max_solid_fraction,
                          release_ke_jump_limit=self.release_ke_jump_limit,
                          release_from_restarts=self.release == "restarts", restart_last=self.release == "restarts",
                          press_step_factor=self.press_step_factor,
                          resettle_steps=self.resettle_steps if self.contact is not None else 0)
        except InputError as exc:  # name the study's field
            name = exc.field.removeprefix("pellet.").replace("target_pressures_mpa", "target_pressures_mpa (x modulus_scale)")
            raise InputError(name, str(exc).split(": ", 1)[-1]) from None

    def bed_statepoint(self) -> dict:
        """What the settled beds depend on: pressing parameters do not re-seed or re-settle them."""
        sp = {"side_um": self.die_side_um, "fill_height_um": self.fill_height_um, "material": asdict(self.material),
              "floor": asdict(self.floor), "settle_numerics": asdict(self.settle_numerics), "stage": "pellet_bed",
              "blend": json.loads(json.dumps(asdict(self.blend), default=repr))}
        if self.cylinder is not None:  # only then: periodic beds keep their ids (and seeds)
            sp["die"] = {"kind": "cylinder", **asdict(self.cylinder)}
        return json.loads(json.dumps(sp))

    def settle_deck(self, replicate: int) -> Deck:
        job = job_id(self.bed_statepoint())
        sample = sample_particles(self.blend, solid_volume_um3=self.solid_volume_um3,
                                  seed=derive_seed(job, f"sample{replicate}"))
        die = self.cylinder
        if die is None:
            bed = bed_from_sample(sample, seed=derive_seed(job, f"place{replicate}"), side_um=self.die_side_um)
        else:
            bed = bed_from_sample(sample, seed=derive_seed(job, f"place{replicate}"), die_diameter_um=die.diameter_um)
        return Deck(bed=bed, protocol=Settle(), material=self.material, floor=self.floor, top=self.top,
                    numerics=self.settle_numerics, replicate=replicate, die=die)

    def press_numerics(self) -> Numerics:
        """Settle numerics at ``modulus_scale``, gravity scaled like the modulus (same g / E)."""
        sn = self.settle_numerics
        return replace(sn, modulus_scale=self.modulus_scale, gravity_g=sn.gravity_g * self.modulus_scale / sn.modulus_scale)

    def pellet_deck(self, settle: RunFolder) -> Deck:
        return Deck(start_bed(settle), protocol=self.protocol(), material=self.material, floor=self.floor,
                    top=self.top, numerics=self.press_numerics(), replicate=RunRecord.read(settle).replicate,
                    start=settle, contact=self.contact, die=PeriodicCell() if self.die == "cell" else self.cylinder)


@dataclass(frozen=True, slots=True)
class PelletStep(PressStep):
    """The pellet stage of one replicate as a deck recipe (:class:`~sigdem.studies.press_step.PressStep`)."""

    stage: ClassVar[str] = "pellet"

    def build_deck(self, root: Path | str) -> Deck:
        return self.study.pellet_deck(self.start.require_done())


def run_replicate(study: PelletStudy, replicate: int, root: Path | str, runner: Runner | None = None,
                  progress: bool = False) -> tuple[RunFolder, RunFolder]:
    """Settle (or reuse) replicate ``replicate`` and press it through every target pressure. A pellet folder that
    LAMMPS stopped after some targets (:func:`pellet_stop`) is kept with those targets, and the log says so."""
    require_plugin_kernel(study.contact, runner)
    settle = run(study.settle_deck(replicate), root, runner, progress=progress)
    folder, kept = run_or_keep(study.pellet_deck(settle), root, runner, lambda f: pellet_stop(f) is not None,
                               progress=progress)
    # release="restarts": a press LAMMPS stopped is resumed from its last held restart, then each earlier target is
    # released from its restart
    run_release_branches(folder, runner)
    if not kept:
        return settle, folder
    end = press_end(folder)
    if end is None:
        log.warning("%s: LAMMPS stopped the press (%s); resumed from held_%s.restart, it recorded all %d target "
                    "pressures", folder.path.name, pellet_stop(folder)[0], "/".join(map(str, resumed_from(folder))),
                    len(study.target_pressures_mpa))
    else:
        log.warning("%s: LAMMPS stopped (%s) after %d of %d target pressures; their records are kept, the higher "
                    "targets were not pressed", folder.path.name, end[0], end[1], len(study.target_pressures_mpa))
    return settle, folder


def _job(args) -> tuple[str, str]:
    study, k, root, runner = args
    settle, pellet = run_replicate(study, k, root, runner)
    return str(settle.path), str(pellet.path)


def run_pellet(study: PelletStudy, root: Path | str, runner: Runner | None = None, *, workers: int = 1,
               progress: bool = False) -> PelletResult:
    """Run (or reuse) every replicate of the study, ``workers`` at a time, and analyse them."""
    jobs = [(study, k, str(root), runner) for k in range(study.replicates)]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            paths = list(pool.map(_job, jobs))
    else:
        paths = [(str(s.path), str(p.path)) for s, p in
                 (run_replicate(study, k, root, runner, progress) for k in range(study.replicates))]
    return analyse_pellet(study, [(RunFolder(Path(s)), RunFolder(Path(p))) for s, p in paths])
