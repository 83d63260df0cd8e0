"""Decks: what LAMMPS is asked to run, as frozen dataclasses, and pure functions that render them.

A :class:`Deck` is a bed of particles (positions, sizes, one atom type per grade), the
particle and wall materials, the numerical settings and a protocol stage. Rendering it
produces the variable values that fill a script of ``lammps_inputs/`` (one pure function per
deck section) and the particle data file. :mod:`sigdem.rundir` writes them into a folder.

Numbers reach a deck only through :func:`sigdem.validate.format_number`; names only as checked
identifiers; the template text is sigdem's own.

Contact model: elastic Hertz (``contact=None``) for every stage, or LAMMPS's elastic-plastic ``mdr``
(:class:`sigdem.contact.MdrContact`) for the calender stage, whose script is then
``lammps_inputs/calender_mdr.lmp`` (stage ``calender_mdr``).

Kernel: Hertz contacts are computed by ``pair_style granular`` (``Numerics.kernel="granular"``), or, opted
in with ``"hmr"``, by sigdem's plugin ``granular/hmr`` (:mod:`sigdem.kernel`): the same law, bitwise, faster.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field
from typing import Union

import numpy as np

from . import contact, units
from .errors import InputError
from .contact import MdrContact
from .materials import COPPER, GRAPHITE, STEEL, Material
from .protocols import Calender, Pellet, Settle, protocol_variables
from .rundir import RunFolder
from .validate import check_int, check_name, check_range, check_safe_path, format_number, format_var


@dataclass(frozen=True, slots=True, eq=False)
class Bed:
    """Particles in a box periodic in x and y with the floor (current collector) at z = 0.

    ``diameters_um`` (n,), ``grade_index`` (n,) 0-based into ``grade_names``,
    ``positions_um`` (n, 3); ``densities_g_cc`` per grade; ``height_um`` is the box top.
    """

    diameters_um: np.ndarray
    grade_index: np.ndarray
    positions_um: np.ndarray
    grade_names: tuple[str, ...]
    densities_g_cc: tuple[float, ...]
    side_x_um: float
    side_y_um: float
    height_um: float

    def __post_init__(self):
        d = np.asarray(self.diameters_um, dtype=float)
        n = d.size
        if n == 0 or not np.all(np.isfinite(d)) or not np.all(d > 0):
            raise InputError("bed.diameters_um", "must be a non-empty array of positive, finite diameters (µm)")
        gi = np.asarray(self.grade_index)
        pos = np.asarray(self.positions_um, dtype=float)
        if gi.shape != (n,) or pos.shape != (n, 3):
            raise InputError("bed", f"grade_index must have shape ({n},) and positions_um ({n}, 3)")
        for name in self.grade_names:
            check_name("bed.grade_names", name)
        if len(self.densities_g_cc) != len(self.grade_names):
            raise InputError("bed.densities_g_cc", "needs one density per grade")
        for rho in self.densities_g_cc:
            check_range("bed.densities_g_cc", rho, 0.0, 30.0, lo_open=True)
        if gi.min() < 0 or gi.max() >= len(self.grade_names):
            raise InputError("bed.grade_index", f"must lie in [0, {len(self.grade_names) - 1}]")
        for f in ("side_x_um", "side_y_um", "height_um"):
            check_range(f"bed.{f}", getattr(self, f), 0.0, 1e7, lo_open=True)
        if not np.all(np.isfinite(pos)) or pos[:, 2].min() - d[np.argmin(pos[:, 2])] / 2 < 0 or pos[:, 2].max() > self.height_um:
            raise InputError("bed.positions_um", "particles must lie above the floor (z - r >= 0) and below height_um")
        # freeze the arrays: the deck is a value
        for name, arr in (("diameters_um", d), ("grade_index", gi.astype(np.int64)), ("positions_um", pos)):
            arr = np.array(arr, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n(self) -> int:
        return int(self.diameters_um.size)

    @property
    def masses_pg(self) -> np.ndarray:
        rho = np.asarray(self.densities_g_cc)[self.grade_index]
        return rho * math.pi / 6.0 * self.diameters_um**3

    @property
    def area_um2(self) -> float:
        return self.side_x_um * self.side_y_um

    def fingerprint(self) -> str:
        """SHA-256 of every number of the bed: the bed's identity in a statepoint."""
        h = hashlib.sha256()
        for arr in (self.diameters_um, self.grade_index, self.positions_um):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr((self.grade_names, tuple(map(float, self.densities_g_cc)),
                       float(self.side_x_um), float(self.side_y_um), float(self.height_um))).encode())
        return h.hexdigest()


#: Values of ``Numerics.kernel``: LAMMPS's pair granular (the default) or sigdem's plugin granular/hmr.
KERNELS = ("granular", "hmr")
#: The pair style each kernel runs.
KERNEL_PAIR_STYLE = {"granular": "granular", "hmr": "granular/hmr"}


@dataclass(frozen=True, slots=True)
class Numerics:
    """Numerical settings, each stated in the results.

    ``modulus_scale``: the run uses E x modulus_scale (a softer model; the time step grows
    as modulus_scale^-1/2). ``gravity_g``: gravity in multiples of standard gravity while
    settling. ``timestep_fraction`` of the Rayleigh time of the smallest particle, or an
    explicit ``timestep_us`` (refused above the stable limit). ``skin_fraction``: neighbour
    skin as a fraction of the smallest diameter. ``kernel``: what computes the Hertz contacts,
    ``"granular"`` (LAMMPS's pair granular) or ``"hmr"`` (sigdem's plugin granular/hmr, the same results
    bit for bit, faster; built once with ``sigdem kernel build``; no rolling friction, not with mdr).
    """

    modulus_scale: float = 1.0
    gravity_g: float = 2.0e4
    timestep_fraction: float = contact.DEFAULT_RAYLEIGH_FRACTION
    timestep_us: float | None = None
    skin_fraction: float = 0.3
    kernel: str = "granular"

    def __post_init__(self):
        check_range("numerics.modulus_scale", self.modulus_scale, 0.0, 1.0, lo_open=True)
        check_range("numerics.gravity_g", self.gravity_g, 0.0, 1e9, lo_open=True)
        check_range("numerics.timestep_fraction", self.timestep_fraction, 0.0, contact.MAX_RAYLEIGH_FRACTION, lo_open=True)
        if self.timestep_us is not None:
            check_range("numerics.timestep_us", self.timestep_us, 0.0, 1e6, lo_open=True)
        check_range("numerics.skin_fraction", self.skin_fraction, 0.05, 2.0)
        if not isinstance(self.kernel, str) or self.kernel not in KERNELS:
            raise InputError("numerics.kernel", f"{self.kernel!r} is not allowed; allowed: {', '.join(map(repr, KERNELS))}")



Protocol = Union[Settle, Calender, Pellet]
#: Stages that start from a finished settle folder (its restart) rather than a data file.
STAGES_WITH_START = ("calender", "calender_mdr", "pellet")
#: Protocol stages that can run with the mdr contact model (their script is ``<stage>_mdr.lmp``).
MDR_STAGES = ("calender",)
#: A wall at least this many times stiffer than the particles may stand for mdr's rigid wall: its
#: particle-wall E* is then within ~20 % of the rigid one (1 / (1 + (1 - ν_w²) E_p / ((1 - ν_p²) E_w))).
MDR_MIN_WALL_STIFFNESS_RATIO = 5.0


@dataclass(frozen=True, slots=True)
class Deck:
    """Everything one LAMMPS run needs. ``replicate`` distinguishes repeated runs.

    Calender and pellet decks continue a finished settle run: ``start`` is its run folder (its
    restart carries positions and contact history) and ``bed`` the bed it settled, e.g.
    :func:`start_bed` of that folder.

    ``contact``: ``None`` for elastic Hertz contacts, or an :class:`~sigdem.contact.MdrContact` for
    LAMMPS's elastic-plastic mdr model (calender decks only; one particle material; rigid walls, so the
    floor and top materials must be rigid or at least :data:`MDR_MIN_WALL_STIFFNESS_RATIO` x stiffer).
    """

    bed: Bed
    protocol: Protocol = field(default_factory=Settle)
    material: Material = GRAPHITE
    floor: Material = COPPER
    top: Material = STEEL
    numerics: Numerics = field(default_factory=Numerics)
    replicate: int = 0
    start: RunFolder | None = None
    contact: MdrContact | None = None

    @property
    def stage(self) -> str:
        return f"{self.protocol.stage}_mdr" if self.contact is not None else self.protocol.stage

    def __post_init__(self):
        check_int("deck.replicate", self.replicate, 0, 10**6)
        needs_start = self.stage in STAGES_WITH_START
        if self.start is not None and not isinstance(self.start, RunFolder):
            raise InputError("deck.start", f"{self.start!r} is not a RunFolder")
        if needs_start and self.start is None:
            raise InputError("deck.start", f"a {self.stage} deck needs the run folder of a finished settle run")
        if not needs_start and self.start is not None:
            raise InputError("deck.start", f"a {self.stage} deck starts from its bed; start must be None")
        if self.contact is not None:
            check_mdr(self)
        if self.numerics.kernel != "granular":
            check_kernel(self)


def check_kernel(deck: Deck) -> None:
    """Refuse a deck the granular/hmr plugin cannot run: rolling friction (not in the plugin), mdr."""
    if deck.contact is not None:
        raise InputError("deck.numerics.kernel", f"{deck.numerics.kernel!r} computes Hertz contacts only; the mdr "
                         "contact needs kernel='granular'")
    if deck.material.rolling_friction > 0:
        raise InputError("deck.numerics.kernel", f"{deck.numerics.kernel!r} has no rolling resistance, and "
                         f"{deck.material.name} has rolling_friction={deck.material.rolling_friction:g}; "
                         "use kernel='granular'")


def check_mdr(deck: Deck) -> None:
    """Refuse a deck LAMMPS's mdr model cannot run (see :func:`check_mdr_setup`)."""
    check_mdr_setup(deck.contact, deck.protocol.stage, deck.material, deck.floor, deck.top, prefix="deck.")


def check_mdr_setup(contact, stage: str, material: Material, floor: Material, top: Material, *,
                    prefix: str = "") -> None:
    """Refuse what LAMMPS's mdr model cannot do: another stage, a rigid particle, walls of their own modulus.

    One species: mdr takes E, nu and Y of the deck's one particle material for every pair, and its walls
    are rigid flats of that same model; a wall cannot have its own modulus, so a wall softer than
    :data:`MDR_MIN_WALL_STIFFNESS_RATIO` x the particles is refused rather than silently made rigid.
    Error fields start with ``prefix`` (e.g. ``deck.``).
    """
    if not isinstance(contact, MdrContact):
        raise InputError(f"{prefix}contact", f"{contact!r} is not allowed; allowed: None (Hertz) or MdrContact(...)")
    if stage not in MDR_STAGES:
        raise InputError(f"{prefix}contact", f"mdr is not available for the {stage} stage; "
                                    f"allowed: mdr for {', '.join(MDR_STAGES)}, None (Hertz) for every stage")
    if material.rigid:
        raise InputError(f"{prefix}material", "mdr needs particles of finite Young's modulus")
    for name, wall in (("floor", floor), ("top", top)):
        ratio = wall.youngs_modulus_gpa / material.youngs_modulus_gpa
        if ratio < MDR_MIN_WALL_STIFFNESS_RATIO:
            raise InputError(f"{prefix}{name}", f"{wall.name} (E = {wall.youngs_modulus_gpa:g} GPa) is only {ratio:.3g}x as stiff as "
                                   f"the particles; mdr walls are rigid flats of the particle's own model: allowed a rigid "
                                   f"wall or E >= {MDR_MIN_WALL_STIFFNESS_RATIO:g} x {material.youngs_modulus_gpa:g} GPa, "
                                   "or contact=None (Hertz walls of their own modulus)")


# ---- one pure function per deck section -----------------------------------------------------

def timestep_us(deck: Deck) -> float:
    """Time step from the smallest particle's Rayleigh time (softened modulus included), or for mdr
    from its bulk stiffness (:func:`sigdem.contact.mdr_timestep`)."""
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
    """Floor and top-wall coefficients for fix wall/gran (interaction moduli, see sigdem.contact).

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


def numerics_variables(deck: Deck) -> dict[str, float]:
    """Time step, neighbour skin and gravity."""
    return {
        "dt": timestep_us(deck),
        "skin": deck.numerics.skin_fraction * float(deck.bed.diameters_um.min()),
        "g": units.to_micro(deck.numerics.gravity_g * units.STANDARD_GRAVITY_M_S2, "m/s2"),
    }


def kernel_variables(deck: Deck) -> dict[str, str | int]:
    """Pair style and plugin for the kernel (nothing for the default, so default decks read as before).

    A calender or pellet deck loads the plugin when its start was settled with it: the restart names the
    pair style, which the stage then keeps (its kernel must be the start's, see ``runners.check_start``).
    Raises InputError when ``"hmr"`` is asked for and no verified plugin exists.
    """
    if deck.numerics.kernel == "granular":
        return {}
    from .kernel import kernel_path

    plugin = kernel_path()
    if plugin is None:
        raise InputError("numerics.kernel", f"{deck.numerics.kernel!r} needs the granular/hmr plugin, which is not "
                         "built and verified for this LAMMPS: run `sigdem kernel build`")
    out: dict[str, str | int] = {"load_plugin": 1, "kernel_plugin": str(check_safe_path("kernel_plugin", plugin))}
    if deck.start is None:  # settle: the pair style is set here; later stages take it from the restart
        out = {"pair_style": KERNEL_PAIR_STYLE[deck.numerics.kernel], **out}
    return out


def start_bed(folder: RunFolder) -> Bed:
    """The bed a settle folder started from, rebuilt exactly from its ``particles.data`` and params.

    Its fingerprint equals the one in the folder's statepoint (checked), so a calender or pellet
    deck built on it is tied to that folder's particles.
    """
    from .dumps import read_data_atoms

    sp = folder.params()["statepoint"]
    atoms = read_data_atoms(folder.fn("particles.data"))
    box = sp["bed"]["box_um"]
    bed = Bed(atoms["diameter"].to_numpy(float), atoms["type"].to_numpy() - 1, atoms[["x", "y", "z"]].to_numpy(float),
              tuple(sp["bed"]["grades"]), tuple(sp["bed"]["densities_g_cc"]), box[0], box[1], box[2])
    if bed.fingerprint() != sp["bed"]["fingerprint"]:
        raise InputError("start", f"{folder.path}: particles.data does not reproduce the bed of the statepoint")
    return bed


def deck_variables(deck: Deck) -> dict[str, float | int | str | tuple[float, ...]]:
    """All variable values of the deck, for the header of ``in.lmp`` (or ``lmp -var``)."""
    out: dict[str, float | int | tuple[float, ...]] = {}
    out.update(contact_variables(deck))
    out.update(wall_variables(deck))
    num = numerics_variables(deck)
    out.update(num)
    out.update(protocol_variables(deck, num["dt"], num["g"]))
    out.update(kernel_variables(deck))
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
    lines += [f"{i + 1} {name}" for i, name in enumerate(bed.grade_names)]
    lines += ["", "Atoms # sphere", ""]
    ids = np.arange(1, bed.n + 1)
    table = np.column_stack([ids, bed.grade_index + 1, bed.diameters_um, rho, bed.positions_um])
    lines += [f"{int(r[0])} {int(r[1])} {r[2]:.17g} {r[3]:.17g} {r[4]:.17g} {r[5]:.17g} {r[6]:.17g}" for r in table]
    return "\n".join(lines) + "\n"


def header_text(deck: Deck, variables: dict, job_id: str, template_name: str) -> str:
    """Variable block that precedes the template in a run folder's ``in.lmp``."""
    from . import __version__

    lines = [
        f"# in.lmp -- written by sigdem {__version__} from lammps_inputs/{template_name}",
        f"# job {job_id}; stage {deck.stage}; run by hand in this folder:  lmp -in in.lmp",
        "# The values below override the defaults declared at the top of the template.",
    ]
    for name, value in variables.items():
        check_name("variable", name)
        if isinstance(value, tuple):  # one index variable with several values, stepped by "next"
            if not value:
                raise InputError(name, "a multi-value variable needs at least one value")
            text = " ".join(format_number(v, name) for v in value)
        elif isinstance(value, str):  # a pair style or the plugin's path: checked characters only
            text = format_var(name, value)
        else:
            text = format_number(value, name)
        lines.append(f"variable {name:<12s} index {text}")
    return "\n".join(lines) + "\n\n"


def numerics_statepoint(numerics: Numerics) -> dict:
    """The numerics in a statepoint; ``kernel`` only when not the default, so existing job ids stay."""
    out = asdict(numerics)
    if out["kernel"] == "granular":
        del out["kernel"]
    return out


def statepoint(deck: Deck) -> dict:
    """JSON-able identity of a deck: every parameter, the bed by its fingerprint."""
    bed = deck.bed
    sp = {
        "stage": deck.stage,
        "bed": {"fingerprint": bed.fingerprint(), "n": bed.n, "grades": list(bed.grade_names),
                "densities_g_cc": list(map(float, bed.densities_g_cc)),
                "box_um": [float(bed.side_x_um), float(bed.side_y_um), float(bed.height_um)]},
        "protocol": asdict(deck.protocol),
        "material": asdict(deck.material),
        "floor": asdict(deck.floor),
        "top": asdict(deck.top),
        "numerics": numerics_statepoint(deck.numerics),
        "replicate": deck.replicate,
    }
    if deck.start is not None:  # only then: settle job ids stay as they were
        sp["start"] = deck.start.job
    if deck.contact is not None:  # only then: Hertz job ids stay as they were
        sp["contact"] = {"model": deck.contact.model, **asdict(deck.contact)}
    return sp
