"""Decks: what LAMMPS is asked to run, as frozen dataclasses.

A :class:`Deck` is a bed of particles (:mod:`sigdem.deck.beds`), the particle and wall materials, the
numerical settings and a protocol (:mod:`sigdem.deck.stages`: settle, calender, pellet), with the contact
model: elastic Hertz (``contact=None``) or LAMMPS's elastic-plastic ``mdr``
(:class:`sigdem.model.contact.MdrContact`) where the protocol's stage allows it. Rendering is
:mod:`sigdem.deck.sections` (one pure function per section); a deck's identity (statepoint, job id) is
:mod:`sigdem.deck.record`. Nothing here knows about this machine: the runner chooses how a deck runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from sigdem.deck.beds import Bed
from sigdem.deck.die import CylinderDie, PeriodicCell, check_bed_in_die
from sigdem.deck.stages import PROTOCOLS, Calender, Pellet, Settle, Stage, stage_of
from sigdem.errors import InputError
from sigdem.inputs import check_int, check_range
from sigdem.io.folder import RunFolder
from sigdem.model import contact
from sigdem.model.contact import MdrContact
from sigdem.model.materials import COPPER, GRAPHITE, STEEL, Material

Protocol = Union[Settle, Calender, Pellet]


@dataclass(frozen=True, slots=True)
class Numerics:
    """Numerical settings, each stated in the results.

    ``modulus_scale``: the run uses E x modulus_scale (a softer model; the time step grows
    as modulus_scale^-1/2). ``gravity_g``: gravity in multiples of standard gravity while
    settling. ``timestep_fraction`` of the Rayleigh time of the smallest particle, or an
    explicit ``timestep_us`` (refused above the stable limit). ``skin_fraction``: neighbour
    skin as a fraction of the smallest diameter. What computes the contacts (LAMMPS's pair
    granular or sigdem's bitwise-equal plugin) is the runner's choice, not a number of the deck.
    """

    modulus_scale: float = 1.0
    gravity_g: float = 2.0e4
    timestep_fraction: float = contact.DEFAULT_RAYLEIGH_FRACTION
    timestep_us: float | None = None
    skin_fraction: float = 0.3

    def __post_init__(self):
        check_range("numerics.modulus_scale", self.modulus_scale, 0.0, 1.0, lo_open=True)
        check_range("numerics.gravity_g", self.gravity_g, 0.0, 1e9, lo_open=True)
        check_range("numerics.timestep_fraction", self.timestep_fraction, 0.0, contact.MAX_RAYLEIGH_FRACTION, lo_open=True)
        if self.timestep_us is not None:
            check_range("numerics.timestep_us", self.timestep_us, 0.0, 1e6, lo_open=True)
        check_range("numerics.skin_fraction", self.skin_fraction, 0.05, 2.0)

#: A wall at least this many times stiffer than the particles may stand for mdr's rigid wall: its
#: particle-wall E* is then within ~20 % of the rigid one (1 / (1 + (1 - ν_w²) E_p / ((1 - ν_p²) E_w))).
MDR_MIN_WALL_STIFFNESS_RATIO = 5.0


@dataclass(frozen=True, slots=True)
class Deck:
    """Everything one LAMMPS run needs. ``replicate`` distinguishes repeated runs.

    Calender and pellet decks continue a finished settle run: ``start`` is its run folder (its
    restart carries positions and contact history) and ``bed`` the bed it settled, e.g.
    :func:`start_bed` of that folder.

    ``contact``: ``None`` for elastic Hertz contacts, or an :class:`~sigdem.model.contact.MdrContact` for
    LAMMPS's elastic-plastic mdr model (calender decks only; one particle material; rigid walls, so the
    floor and top materials must be rigid or at least :data:`MDR_MIN_WALL_STIFFNESS_RATIO` x stiffer).

    ``die``: ``None`` (the box is periodic in x and y), a :class:`~sigdem.deck.die.CylinderDie` (settle and
    pellet decks; the bed's box is the die's square and every particle lies inside the die) or a
    :class:`~sigdem.deck.die.PeriodicCell` (mdr pellet decks: no walls, periodic in z too).
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
    die: CylinderDie | PeriodicCell | None = None

    @property
    def stage(self) -> Stage:
        """The stage this deck runs: its protocol's, with this deck's contact model, in its die."""
        return stage_of(self.protocol, self.contact, self.die)

    @property
    def area_um2(self) -> float:
        """Cross-section of the bed, µm²: the die's pi R², or the periodic box's side_x x side_y."""
        return self.die.area_um2 if isinstance(self.die, CylinderDie) else self.bed.area_um2

    def __post_init__(self):
        check_int("deck.replicate", self.replicate, 0, 10**6)
        if self.die is not None:
            if not isinstance(self.die, (CylinderDie, PeriodicCell)):
                raise InputError("deck.die", f"{self.die!r} is not allowed; allowed: None (periodic box), "
                                 "CylinderDie(...) or PeriodicCell()")
            if isinstance(self.die, CylinderDie):
                check_bed_in_die("deck.bed", self.die, self.bed)
        if self.contact is not None:
            check_mdr(self)
            only = self.contact.plugin_only()
            if only is not None and not self.stage.mdr_kernel:
                field_name, value, default = only
                raise InputError(f"deck.contact.{field_name}", f"{value!r} runs on sigdem's mdr plugin, which the "
                                 f"{self.stage.name} stage does not use; allowed there: {default!r}")
        needs_start = self.stage.needs_start
        if self.start is not None and not isinstance(self.start, RunFolder):
            raise InputError("deck.start", f"{self.start!r} is not a RunFolder")
        if needs_start and self.start is None:
            raise InputError("deck.start", f"a {self.stage.name} deck needs the run folder of a finished settle run")
        if not needs_start and self.start is not None:
            raise InputError("deck.start", f"a {self.stage.name} deck starts from its bed; start must be None")


def check_mdr(deck: Deck) -> None:
    """Refuse a deck LAMMPS's mdr model cannot run (see :func:`check_mdr_setup`)."""
    check_mdr_setup(deck.contact, deck.protocol, deck.material, deck.floor, deck.top, prefix="deck.")


def check_mdr_setup(contact, protocol: Protocol | type, material: Material, floor: Material, top: Material, *,
                    prefix: str = "") -> None:
    """Refuse what LAMMPS's mdr model cannot do: another stage, a rigid particle, walls of their own modulus.

    One species: mdr takes E, nu and Y of the deck's one particle material for every pair, and its walls
    are rigid flats of that same model; a wall cannot have its own modulus, so a wall softer than
    :data:`MDR_MIN_WALL_STIFFNESS_RATIO` x the particles is refused rather than silently made rigid.
    Error fields start with ``prefix`` (e.g. ``deck.``).
    """
    if not isinstance(contact, MdrContact):
        raise InputError(f"{prefix}contact", f"{contact!r} is not allowed; allowed: None (Hertz) or MdrContact(...)")
    if "mdr" not in protocol.stages:
        with_mdr = [p.stages["hertz"].name for p in PROTOCOLS if "mdr" in p.stages]
        raise InputError(f"{prefix}contact", f"mdr is not available for the {protocol.stages['hertz'].name} stage; "
                                    f"allowed: mdr for {', '.join(with_mdr)}, None (Hertz) for every stage")
    if material.rigid:
        raise InputError(f"{prefix}material", "mdr needs particles of finite Young's modulus")
    for name, wall in (("floor", floor), ("top", top)):
        ratio = wall.youngs_modulus_gpa / material.youngs_modulus_gpa
        if ratio < MDR_MIN_WALL_STIFFNESS_RATIO:
            raise InputError(f"{prefix}{name}", f"{wall.name} (E = {wall.youngs_modulus_gpa:g} GPa) is only {ratio:.3g}x as stiff as "
                                   f"the particles; mdr walls are rigid flats of the particle's own model: allowed a rigid "
                                   f"wall or E >= {MDR_MIN_WALL_STIFFNESS_RATIO:g} x {material.youngs_modulus_gpa:g} GPa, "
                                   "or contact=None (Hertz walls of their own modulus)")
