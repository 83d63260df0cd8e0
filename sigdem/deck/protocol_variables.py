"""The numbers a protocol's script needs: run lengths, stop rules, wall heights and motion, in LAMMPS micro units.

One pure function per stage (``settle_variables``, ``calender_variables``, ``pellet_variables``), called by
the protocols' ``variables`` methods (:mod:`sigdem.deck.stages`), plus the two facts they read from a
finished settle folder (its settled surface and the density window it leaves). Pure except for those reads.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sigdem import units
from sigdem.errors import InputError
from sigdem.io.dumps import read_last_frame

if TYPE_CHECKING:
    from sigdem.deck.deck import Deck
    from sigdem.io.folder import RunFolder


def free_fall_time_us(height_um: float, g: float) -> float:
    """Time to fall ``height_um`` from rest under gravity ``g`` (µm/µs²), µs."""
    return math.sqrt(2.0 * height_um / g)


def settle_variables(deck: Deck, dt: float, g: float) -> dict[str, float]:
    """Stop rule and run length of the settle stage."""
    p = deck.protocol
    d = deck.bed.diameters_um
    t_fall = free_fall_time_us(deck.bed.height_um, g)
    every = p.check_every
    min_steps = every * math.ceil(1.2 * t_fall / dt / every)
    d_ref = float(np.sum(d**4) / np.sum(d**3))  # De Brouckere D[4,3]
    max_steps = max(min_steps + every, every * math.ceil(p.max_time_factor * t_fall / dt / every))
    out = {
        "d_ref": d_ref,
        "ke_tol": p.ke_tol,
        "min_steps": min_steps,
        "max_steps": max_steps,
        "check_every": every,
        "thermo_every": p.thermo_every,
    }
    if p.taps:  # (absent for poured beds, so their in.lmp headers stay as they were)
        tap_speed = math.sqrt(2.0 * g * p.tap_height_d * d_ref)
        out.update({
            "taps": p.taps,
            "tap_speed": tap_speed,
            "tap_steps": math.ceil(1.05 * 2.0 * tap_speed / g / dt),  # up and back down
            "tap_settle_steps": max_steps,
        })
    return out


def settled_surface_um(folder: RunFolder) -> float:
    """Height of the highest particle top (z + r) of a settle folder's ``settled.dump``, µm."""
    data = read_last_frame(folder.fn("settled.dump")).data
    return float((data["z"] + data["radius"]).max())


def density_window(bed, start: RunFolder) -> tuple[float, float]:
    """The densities a wall can press a settled bed to: (as settled, solid), g/cc of particles.

    As settled = mass / (box area x highest particle top of ``start``'s ``settled.dump``); solid = mass /
    particle volume. A target must lie strictly between them.
    """
    mass = float(bed.masses_pg.sum())
    settled = mass / (bed.area_um2 * settled_surface_um(start))
    solid = mass / float(np.sum(math.pi / 6.0 * bed.diameters_um**3))
    return settled, solid


def _compression_common(deck: Deck) -> dict[str, float | int]:
    p = deck.protocol
    d = deck.bed.diameters_um
    return {
        # pair cutoff after read_restart: the largest diameter, as pair granular chose it in settle
        "d_max": float(d.max()),
        "speed": units.to_micro(p.speed_m_s, "m/s"),
        # the wall starts a tenth of the smallest diameter above the bed
        "gap": 0.1 * float(d.min()),
        "hold_steps": getattr(p, "hold_steps", 0),
        "unload_speed": units.to_micro(p.unload_speed_m_s, "m/s"),
        "release_fraction": p.release_fraction,
        "relax_steps": p.relax_steps,
        "thermo_every": p.thermo_every,
    }


def calender_variables(deck: Deck, dt: float, g: float) -> dict[str, float | int | tuple[float, ...]]:
    """Target wall heights (µm) and wall motion of the calender stage.

    Height of target k: total particle mass / (box area x density_k). Each density must lie
    above the settled bed's (mass / (area x highest particle top)) and below the solid density.
    """
    p = deck.protocol
    bed = deck.bed
    mass = float(bed.masses_pg.sum())
    settled, solid = density_window(bed, deck.start)
    bad = [rho for rho in p.target_densities_g_cc if not settled < rho < solid]
    if bad:
        raise InputError("calender.target_densities_g_cc",
                         f"{bad} outside the allowed range ({settled:.6g}, {solid:.6g}) g/cc: above the density of "
                         f"the settled bed in {deck.start.path.name} and below the particles' solid density")
    out = _compression_common(deck)
    out["heights"] = tuple(mass / (bed.area_um2 * rho) for rho in p.target_densities_g_cc)
    out["target_hold_steps"] = p.target_hold_steps
    out["resettle_steps"] = p.resettle_steps
    if p.tail_speed_m_s is not None:  # (absent without a tail, so those in.lmp headers stay as they were)
        out["tail_speed"] = units.to_micro(p.tail_speed_m_s, "m/s")
        out["tail_fraction"] = p.tail_fraction
    if p.release_weight_fraction is not None:  # (absent when off, as the tail's: those headers stay as they were)
        out["release_force"] = p.release_weight_fraction * mass * g  # nN: pg x µm/µs²
    return out


def pellet_variables(deck: Deck, dt: float) -> dict[str, float | int | tuple[float, ...]]:
    """Target pressures (kPa), servo and wall motion of the pellet stage."""
    p = deck.protocol
    out = _compression_common(deck)
    del out["hold_steps"]
    out["n_targets"] = len(p.target_pressures_mpa)
    out["pressures"] = tuple(units.to_micro(v, "MPa") for v in p.target_pressures_mpa)
    out["gain"] = p.servo_gain
    out["tol"] = p.tolerance
    out["window"] = p.window_steps
    steps = p.max_target_steps
    if steps is None:  # twice the bed's height at full speed, plus 20 windows to settle on the target
        steps = math.ceil(2.0 * settled_surface_um(deck.start) / (out["speed"] * dt)) + 20 * p.window_steps
    out["max_target_steps"] = steps
    out["phi_max"] = p.max_solid_fraction
    out["release_each"] = int(p.release_each)
    if p.release_from_restarts:  # (absent when off: those in.lmp headers stay as they were)
        out["release_restart"] = 1
    if p.restart_last:  # (absent when off, as above)
        out["restart_last"] = 1
    if p.press_step_factor != 1.0:  # the servo's approach at a larger step (absent at one step, as above)
        out["dt_press"] = p.press_step_factor * dt
    out["resettle_steps"] = p.resettle_steps
    out["ke_jump_limit"] = p.release_ke_jump_limit
    return out
