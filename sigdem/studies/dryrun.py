"""What a study would run, without running it: particles, box, time step, estimated steps and time.

Estimates (stated in the output): a settle runs ~:data:`~sigdem.studies.feasibility.SETTLE_FALL_TIMES`
free-fall times of its placed column; a calender run re-settles ``resettle_time_factor`` free-fall times of
the largest particle under Hertz (with mdr, then relaxes ``mdr_relax_time_factor`` of them under mdr), presses at ``speed_m_s`` from the as-coated height (solid fraction 0.55) to the last
target, holds, lifts back and relaxes; one particle-step costs what
:class:`~sigdem.studies.feasibility.StepCosts` measured for the kernel the run will use (:func:`step_costs`: sigdem's
plugin where it is built and verified here and the stage can run on it, else ``pair granular`` and LAMMPS's mdr).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sigdem import units
from sigdem.deck.protocol_variables import free_fall_time_us
from sigdem.model import contact
from sigdem.psd import sample_particles
from sigdem.studies.feasibility import (
    PLUGIN_COSTS,
    SETTLE_FALL_TIMES,
    STOCK_COSTS,
    StepCosts,
    estimate_bed,
    human_time,
    seconds,
    settle_numbers,
)

#: Solid fraction of the as-coated bed assumed for the pressing distance (calendering.py: ~0.54-0.57).
AS_COATED_FRACTION = 0.55


def step_costs(kernel: str = "auto", contact_model=None, plugin_mdr: bool = True) -> StepCosts:
    """The costs of the kernel a run with ``--kernel`` ``kernel`` would use here, as
    :func:`~sigdem.run.runners.kernel_variables` chooses it: the plugin where it is built and verified and ``kernel``
    is not ``"granular"`` (the bounded unload split or vector math without them is refused, as a run refuses it); an
    mdr stage runs on it only where its template allows (``plugin_mdr``) and its contacts are not adhesive, and
    always with the bounded unload split or vector math (costed as the plugin's libm path: ~8 % high). (What the plugin cannot run is costed as LAMMPS's.)"""
    from sigdem.run.plugin import kernel_path
    from sigdem.run.runners import require_plugin_kernel

    require_plugin_kernel(contact_model, kernel)
    bounded = contact_model is not None and contact_model.plugin_only() is not None    # (or vector math)
    plugin = bounded or (kernel != "granular" and kernel_path() is not None)
    if plugin and contact_model is not None and not (bounded or (plugin_mdr and contact_model.surface_energy_j_m2 == 0)):
        return replace(PLUGIN_COSTS, kernel="hmr (mdr: LAMMPS's)", calender_mdr=STOCK_COSTS.calender_mdr,
                       pellet_mdr=STOCK_COSTS.pellet_mdr)
    return PLUGIN_COSTS if plugin else STOCK_COSTS


@dataclass(frozen=True, slots=True)
class Plan:
    """A dry run's numbers: per bed (one replicate of one blend) and in all."""

    n_particles: int
    beds: int
    side_um: float
    column_um: float
    depth_um: float
    dt_us: float
    steps_per_bed: int
    seconds_per_bed: float
    workers: int
    note: str = ""
    costs: StepCosts = STOCK_COSTS

    @property
    def seconds_total(self) -> float:
        return self.seconds_per_bed * math.ceil(self.beds / self.workers)

    def lines(self) -> list[str]:
        return [
            "dry run: nothing was run",
            f"particles       : {self.n_particles} per bed x {self.beds} bed(s)",
            f"box             : {self.side_um:.4g} x {self.side_um:.4g} µm, placed column {self.column_um:.4g} µm, "
            f"settled ~{self.depth_um:.4g} µm deep",
            f"time step       : {self.dt_us:.4g} µs",
            f"estimated steps : ~{self.steps_per_bed:,} per bed{self.note}",
            f"estimated time  : ~{human_time(self.seconds_per_bed)} per bed, ~{human_time(self.seconds_total)} in all on "
            f"{self.workers} worker(s) (one core's time: --np ranks share it; at {self.costs.hertz:g} ns per Hertz "
            f"particle-step, kernel {self.costs.kernel}, measured: benchmarks/README.md)",
        ]


def packing_plan(study, blends: int = 1, workers: int = 1, kernel: str = "auto") -> Plan:
    """Dry run of a packing study (``blends`` studies like it, e.g. a ternary grid) run with ``--kernel`` ``kernel``."""
    costs = step_costs(kernel)
    num = study.feasibility(replicates=1)[0]
    est = num["estimate"]
    steps = num["steps"] * (1 + study.settle.taps)
    note = f" ({SETTLE_FALL_TIMES:g} free-fall times of the column{f', {study.settle.taps} taps' if study.settle.taps else ''})"
    return Plan(est.n, study.replicates * blends, est.side_um, num["column_um"], est.depth_um, num["dt_us"], steps,
                seconds(steps * est.n, costs.hertz), max(1, workers), note, costs)


def calendering_plan(study, workers: int = 1, kernel: str = "auto") -> Plan:
    """Dry run of a calendering study: settle + re-settle + press through the targets + lift + relax, run with
    ``--kernel`` ``kernel``."""
    from sigdem.studies.calendering import CalenderingStudy  # noqa: F401 (the type documented)

    sample = sample_particles(study.blend, solid_volume_um3=study.solid_volume_um3, seed=1)
    est = estimate_bed(sample, side_um=study.side_um)
    settle = settle_numbers(sample, est, study.material, study.settle_numerics, 0.25)
    num = study.calender_numerics()
    r_min = est.d_min_um / 2.0
    dt_hertz = contact.stable_timestep(r_min, study.calender_material, fraction=num.timestep_fraction,
                                       modulus_scale=num.modulus_scale, override=num.timestep_us)
    mdr = study.contact is not None
    costs = step_costs(kernel, study.contact)
    dt = (contact.mdr_timestep(r_min, study.calender_material, fraction=study.contact.timestep_fraction,
                               modulus_scale=num.modulus_scale, override=num.timestep_us) if mdr else dt_hertz)
    g = units.to_micro(num.gravity_g * units.STANDARD_GRAVITY_M_S2, "m/s2")
    t_fall = free_fall_time_us(est.d_max_um, g)
    release = math.ceil(study.resettle_time_factor * t_fall / dt_hertz)  # Hertz steps (mdr: its binder release)
    relax = math.ceil(study.mdr_relax_time_factor * t_fall / dt) if mdr else 0
    area = study.side_um**2
    h0 = est.solid_volume_um3 / (area * AS_COATED_FRACTION)
    h1 = est.solid_volume_um3 * study.blend.density_g_cc / (area * max(study.particle_densities()))
    press = math.ceil(2.0 * max(h0 - h1, 0.0) / (units.to_micro(study.speed_m_s, "m/s") * dt))
    rest = len(study.target_densities_g_cc) * study.target_hold_steps + study.hold_steps + study.relax_steps
    cal = release + relax + press + rest
    steps = settle["steps"] + cal
    hertz_steps = settle["steps"] + release + (0 if mdr else press + rest)
    cost = (seconds(hertz_steps * est.n, costs.hertz)
            + seconds((cal - release) * est.n if mdr else 0, costs.calender_mdr))
    model = (f"mdr at {costs.calender_mdr:g} ns per particle-step, dt {dt:.3g} µs" if mdr else "Hertz")
    note = (f" (settle ~{settle['steps']:,}: {SETTLE_FALL_TIMES:g} free-fall times; calender ~{cal:,}: Hertz re-settle "
            f"{release:,}" + (f", mdr relaxation {relax:,}" if mdr else "") + f", press and lift {press:,}, holds and "
            f"relax {rest:,}; {model})")
    return Plan(est.n, study.replicates, est.side_um, settle["column_um"], h0, dt, steps, cost, max(1, workers), note,
                costs)


#: Press steps of a pellet series over the stroke from the fill height to the solid-fraction floor at the servo's top
#: speed, per servo gain. Gain 4 (the walled dies; the cell before 4 Dec 2026): the 105 µm SiG cell series
#: (benchmarks/results/pellet_branches_2026-12-03/: fill 60 µm, floor at 36.7 µm, 508,700 steps at 0.1 m/s) pressed in
#: 994,300: the settled bed stands higher than the fill (68.3 µm, solid fraction 0.53) and the servo slows near every
#: target (the same bed at 0.4 m/s x 4 took 3.78x fewer steps to its fifth target: the factor holds across speeds).
#: Gain 1 (the cell's 0.4 m/s servo) slows from further away, so more steps per top-speed stroke: the default cell
#: took PELLET_GAIN1_RATIO of the 0.1 m/s x 4 servo's steps to its third target (482,000 against 746,000 steps,
#: benchmarks/results/pellet_servo_2026-12-04/), i.e. 1.95 x 4 x that ratio: the approach to each target, where
#: both servos are the same, is most of a series.
PELLET_GAIN1_RATIO = 0.646
PELLET_SERVO_FACTORS = {4.0: 1.95, 1.0: 1.95 * 4 * PELLET_GAIN1_RATIO}
#: The gain-4 factor (the walled dies').
PELLET_SERVO_FACTOR = PELLET_SERVO_FACTORS[4.0]


def pellet_servo_factor(gain: float) -> float:
    """:data:`PELLET_SERVO_FACTORS` of the measured gain nearest ``gain`` (on a log scale)."""
    return PELLET_SERVO_FACTORS[min(PELLET_SERVO_FACTORS, key=lambda g: abs(math.log(gain / g)))]


#: Springback assumed for the release steps of a pellet plan: the same series' branches lifted 9,000-160,000 steps
#: before their relaxation (median ~18,000, i.e. ~1.6 % of the height at 0.1 m/s).
PELLET_PLAN_SPRINGBACK = 0.02


def pellet_plan(study, workers: int = 1, kernel: str = "auto") -> Plan:
    """Dry run of a pellet study: settle, then (mdr) re-settle and press from the fill to the solid-fraction floor at
    the servo's top speed x :func:`pellet_servo_factor` (at the approach's step, ``press_step_factor`` x the step), a
    window per target (twice with a larger approach step: the target is held again at the step), and per target a
    release of :data:`PELLET_PLAN_SPRINGBACK` of the height at the release speed plus the relaxation; run with
    ``--kernel`` ``kernel`` (only the cell's mdr runs on sigdem's plugin)."""
    sample = sample_particles(study.blend, solid_volume_um3=study.solid_volume_um3, seed=1)
    est = estimate_bed(sample, side_um=study.die_side_um)
    settle = settle_numbers(sample, est, study.material, study.settle_numerics, 0.25)
    num = study.press_numerics()
    r_min = est.d_min_um / 2.0
    mdr = study.contact is not None
    costs = step_costs(kernel, study.contact, plugin_mdr=study.die == "cell")
    dt = (contact.mdr_timestep(r_min, study.material, fraction=study.contact.timestep_fraction,
                               modulus_scale=num.modulus_scale, override=num.timestep_us) if mdr else
          contact.stable_timestep(r_min, study.material, fraction=num.timestep_fraction,
                                  modulus_scale=num.modulus_scale, override=num.timestep_us))
    area = study.die_area_um2
    h0 = study.fill_height_um
    h1 = est.solid_volume_um3 / (area * study.max_solid_fraction)
    proto = study.protocol()
    factor = pellet_servo_factor(study.servo_gain)
    step = study.press_step_factor
    press = math.ceil(factor * max(h0 - h1, 0.0) / (units.to_micro(study.speed_m_s, "m/s") * dt * step))
    targets = len(study.target_pressures_mpa)
    lift = math.ceil(PELLET_PLAN_SPRINGBACK * h0 / (units.to_micro(study.release_speed_m_s, "m/s") * dt))
    releases = targets * (lift + proto.relax_steps)
    cal = proto.resettle_steps + press + targets * proto.window_steps * (2 if step > 1.0 else 1) + releases
    steps = settle["steps"] + cal
    cost = seconds(settle["steps"] * est.n, costs.hertz) + seconds(cal * est.n, costs.pellet_mdr if mdr else costs.hertz)
    model = f"mdr at {costs.pellet_mdr:g} ns per particle-step, dt {dt:.3g} µs" if mdr else "Hertz"
    note = (f" (settle ~{settle['steps']:,}: {SETTLE_FALL_TIMES:g} free-fall times; press ~{press:,}: {h0:.3g} -> "
            f"{h1:.3g} µm at <= {study.speed_m_s:g} m/s x {factor:.3g} for the servo at gain {study.servo_gain:g}"
            + (f", at {step:g}x the step" if step > 1.0 else "") + f", {targets} targets; "
            f"releases ~{releases:,}; {model})")
    return Plan(est.n, study.replicates, study.die_side_um, settle["column_um"], h0, dt, steps, cost,
                max(1, workers), note, costs)
