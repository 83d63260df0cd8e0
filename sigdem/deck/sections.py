"""Deck sections: one pure function per section of a run's variables, the data file and the header.

Each function takes a :class:`~sigdem.deck.deck.Deck` and returns the numbers its section of a
``lammps_inputs/`` script needs (contacts, walls, numerics; the stage's own section is the protocol's
``variables`` method, :mod:`sigdem.deck.stages`). Numbers reach the deck only through
:func:`sigdem.inputs.format_number`, names only as checked identifiers.

What computes the contacts on this machine (LAMMPS's pair granular or sigdem's plugin) is not part of a
deck: the runner chooses it (:mod:`sigdem.run.runners`), and every deck renders ``pair_style granular``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from sigdem import units
from sigdem.deck.beds import Bed
from sigdem.deck.deck import Deck
from sigdem.errors import InputError
from sigdem.inputs import check_name, format_number, format_var
from sigdem.model import contact


def timestep_us(deck: Deck) -> float:
    """Time step from the smallest particle's Rayleigh time (softened modulus included), or for mdr
    from its bulk stiffness (:func:`sigdem.model.contact.mdr_timestep`)."""
    r_min = float(deck.bed.diameters_um.min()) / 2.0
    if deck.contact is not None:
        return contact.mdr_timestep(r_min, deck.material, fraction=deck.contact.timestep_fraction,
                                    modulus_scale=deck.numerics.modulus_scale, override=deck.numerics.timestep_us)
    return contact.stable_timestep(r_min, deck.material, fraction=deck.numerics.timestep_fraction,
                                   modulus_scale=deck.numerics.modulus_scale, override=deck.numerics.timestep_us)


def contact_variables(deck: Deck) -> dict[str, float]:
    """Particle-particle Hertz/Mindlin/restitution coefficients (or mdr's), and rolling resistance.

    mdr: Y and the surface energy are softened with the modulus (Y / E and γ / (E R) kept), so that an mdr
    force, like a Hertz one, scales with E at a given geometry and maps back as F_real = F_sim / modulus_scale.
    """
    m = deck.material
    scale = deck.numerics.modulus_scale
    e_kpa = units.to_micro(m.youngs_modulus_gpa, "GPa") * scale
    out = {"E": e_kpa, "nu": m.poisson_ratio, "e": m.restitution, "mu": m.friction, "mu_roll": m.rolling_friction,
           "k_roll": 0.0, "gamma_roll": 0.0}
    if deck.contact is not None:
        c = deck.contact
        gamma = units.to_micro(c.surface_energy_j_m2, "N/m") * scale  # J/m² = N/m
        del out["e"]
        out.update({"Y": units.to_micro(c.yield_stress_gpa, "GPa") * scale, "gamma_s": gamma, "gamma_wall": gamma,
                    "psi_b": c.psi_b, "damp": contact.mdr_damping(m.restitution) if c.damping is None else c.damping})
        if c.unload_split != "lammps":  # declared by the templates that run on the plugin (Stage.mdr_kernel)
            out["mdr_split"] = c.unload_split
        if c.math != "libm":  # (the same templates)
            out["mdr_math"] = c.math
    if m.rolling_friction > 0:
        # rolling spring as stiff as the Hertz normal stiffness 2 E* a of a mean contact at
        # overlap 1e-3 R (a typical settled-bed overlap); undamped
        r_mean = float(np.mean(deck.bed.diameters_um)) / 4.0  # R* of two mean spheres
        e_star = contact.effective_modulus_kpa(m, m) * scale
        out["k_roll"] = 2.0 * e_star * contact.hertz_contact_radius(r_mean, 1e-3 * r_mean)
        # an undamped rolling spring keeps particles rocking for ever (the bed never comes to
        # rest): damp it at half the critical value of the lightest particle
        m_min = float(deck.bed.masses_pg.min())
        out["gamma_roll"] = math.sqrt(out["k_roll"] * m_min)
    return out


def wall_variables(deck: Deck) -> dict[str, float]:
    """Floor and top-wall coefficients for fix wall/gran (interaction moduli, see sigdem.model.contact).

    mdr walls are rigid flats with the particle's own mdr coefficients: only their friction is theirs.
    """
    scale = deck.numerics.modulus_scale
    if deck.contact is not None:
        return {"mu_floor": deck.floor.friction, "mu_top": deck.top.friction}
    out = {}
    for prefix, wall in (("floor", deck.floor), ("top", deck.top)):
        out[f"E_{prefix}"] = contact.lammps_wall_modulus_kpa(deck.material, wall) * scale
        out[f"e_{prefix}"] = wall.restitution
        out[f"mu_{prefix}"] = wall.friction
    return out


def die_variables(deck: Deck) -> dict[str, float]:
    """The cylindrical die's wall (empty for the periodic box): axis at (``die_cx``, ``die_cy``), radius
    ``die_radius`` (µm) and friction ``mu_die``; Hertz dies also the top wall's (punch steel) interaction modulus
    ``E_die`` and restitution ``e_die``. mdr die walls, like mdr floors and punches, are rigid flats of the
    particles' own mdr coefficients: only their friction is theirs."""
    die = deck.die
    if die is None or die.kind == "cell":
        return {}
    out = {"die_cx": die.radius_um, "die_cy": die.radius_um, "die_radius": die.radius_um, "mu_die": die.friction}
    if deck.contact is None:
        out["E_die"] = contact.lammps_wall_modulus_kpa(deck.material, deck.top) * deck.numerics.modulus_scale
        out["e_die"] = deck.top.restitution
    return out


def numerics_variables(deck: Deck) -> dict[str, float]:
    """Time step, neighbour skin and gravity."""
    return {
        "dt": timestep_us(deck),
        "skin": deck.numerics.skin_fraction * float(deck.bed.diameters_um.min()),
        "g": units.to_micro(deck.numerics.gravity_g * units.STANDARD_GRAVITY_M_S2, "m/s2"),
    }


def release_variables(deck: Deck) -> dict[str, float | int]:
    """The Hertz steps an mdr deck runs before mdr takes over (``Calender.release_steps``): their number,
    time step (the Hertz one of the deck's material and numerics) and Hertz particle and floor coefficients.
    Empty when there are none; a Hertz deck has none (its re-settle is ``resettle_steps``)."""
    steps = getattr(deck.protocol, "release_steps", 0)
    if deck.contact is None:
        if steps:
            raise InputError("calender.release_steps", f"{steps} on a Hertz deck: allowed only with mdr contacts "
                             "(a Hertz deck re-settles under Hertz already: use resettle_steps)")
        return {}
    if not steps:
        return {}
    hertz = replace(deck, contact=None)
    walls = wall_variables(hertz)
    return {"release_steps": steps, "release_dt": timestep_us(hertz), "e": deck.material.restitution,
            "E_floor": walls["E_floor"], "e_floor": walls["e_floor"]}


def deck_variables(deck: Deck) -> dict[str, float | int | str | tuple[float, ...]]:
    """All variable values of the deck, for the header of ``in.lmp`` (or ``lmp -var``)."""
    out: dict[str, float | int | tuple[float, ...]] = {}
    out.update(contact_variables(deck))
    out.update(wall_variables(deck))
    out.update(die_variables(deck))
    num = numerics_variables(deck)
    out.update(num)
    out.update(deck.protocol.variables(deck, num["dt"], num["g"]))
    out.update(release_variables(deck))
    return out


def data_file_text(bed: Bed, title: str = "sigdem bed") -> str:
    """The LAMMPS data file (atom_style sphere: id type diameter density x y z)."""
    rho = np.asarray(bed.densities_g_cc, dtype=float)[bed.grade_index]
    lines = [
        f"# {title}",
        "",
        f"{bed.n} atoms",
        f"{len(bed.grade_names)} atom types",
        "",
        f"0 {format_number(float(bed.side_x_um))} xlo xhi",
        f"0 {format_number(float(bed.side_y_um))} ylo yhi",
        f"0 {format_number(float(bed.height_um))} zlo zhi",
        "",
        "Atom Type Labels",
        "",
    ]
    lines += [f"{i + 1} {label}" for i, label in enumerate(bed.type_labels)]  # display names stay in params.json
    lines += ["", "Atoms # sphere", ""]
    ids = np.arange(1, bed.n + 1)
    table = np.column_stack([ids, bed.grade_index + 1, bed.diameters_um, rho, bed.positions_um])
    lines += [f"{int(r[0])} {int(r[1])} {r[2]:.17g} {r[3]:.17g} {r[4]:.17g} {r[5]:.17g} {r[6]:.17g}" for r in table]
    return "\n".join(lines) + "\n"


def header_text(deck: Deck, variables: dict, job_id: str, template_name: str) -> str:
    """Variable block that precedes the template in a run folder's ``in.lmp``."""
    from sigdem import __version__

    lines = [
        f"# in.lmp -- written by sigdem {__version__} from lammps_inputs/{template_name}",
        f"# job {job_id}; stage {deck.stage.name}; run by hand in this folder:  lmp -in in.lmp",
        "# The values below override the defaults declared at the top of the template.",
    ]
    for name, value in variables.items():
        check_name("variable", name)
        if isinstance(value, tuple):  # one index variable with several values, stepped by "next"
            if not value:
                raise InputError(name, "a multi-value variable needs at least one value")
            text = " ".join(format_number(v, name) for v in value)
        elif isinstance(value, str):  # checked characters only
            text = format_var(name, value)
        else:
            text = format_number(value, name)
        lines.append(f"variable {name:<12s} index {text}")
    return "\n".join(lines) + "\n\n"


