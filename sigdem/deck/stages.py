"""Stages and protocols: every fact about a stage in one frozen :class:`Stage`, and the protocols that use them.

A :class:`Stage` says which ``lammps_inputs/`` script it fills, whether it continues a finished settle
folder (and which of its files), which outputs a finished run has written, which ``thermo.txt`` columns
show its progress, its contact model and whether it may run inside this Python process. Rendering,
runners, output checks and studies ask the stage; a new stage is one ``Stage`` plus its template.

A protocol (:class:`Settle`, :class:`Calender`, :class:`Pellet`) is a frozen dataclass of the stage's
parameters; ``stages`` maps a contact model to its :class:`Stage`, and ``variables(deck, dt, g)`` gives
the numbers its script needs (computed in :mod:`sigdem.deck.protocol_variables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sigdem.deck.protocol_variables import calender_variables, pellet_variables, settle_variables
from sigdem.errors import InputError
from sigdem.inputs import check_int, check_range
from sigdem.model.contact import MAX_MDR_TIMESTEP_FRACTION

if TYPE_CHECKING:
    from sigdem.deck.deck import Deck


@dataclass(frozen=True, slots=True)
class Stage:
    """Everything sigdem knows about one stage of a protocol.

    ``name``: the run-folder prefix and the statepoint's ``stage``. ``template``: the script in
    ``lammps_inputs/``. ``start_files``: (file in the settle folder, name in this folder) copied from the
    start; empty for a stage that starts from its own data file. ``outputs``: files a finished run has
    written (the last one is written last). ``progress``: ``thermo.txt`` columns shown while it runs.
    ``contact``: ``"hertz"`` or ``"mdr"``. ``in_process``: may run in this Python process (an mdr run
    killed it twice; those run in a child ``lmp``). ``records``: (kind, file pattern) of the snapshots at
    each target. ``includes``: scripts of ``lammps_inputs/`` the template reads with ``include ${dir}/<name>``
    (the part it shares with another stage); they are copied into the run folder beside ``in.lmp``.
    ``mdr_kernel``: the template can run its mdr contacts (and its plane walls, if any) on the plugin (deck
    variable ``mdr_kernel=hmr``: pair granular/mdr/hmr, fix granular/mdr/hmr, wall/gran/region/mdr/hmr).
    """

    name: str
    template: str
    start_files: tuple[tuple[str, str], ...]
    outputs: tuple[str, ...]
    progress: tuple[str, ...]
    contact: str = "hertz"
    in_process: bool = True
    records: tuple[tuple[str, str], ...] = ()
    includes: tuple[str, ...] = ()
    mdr_kernel: bool = False

    @property
    def needs_start(self) -> bool:
        return bool(self.start_files)

    def record_file(self, kind: str, k: int) -> str:
        """File name of record ``k`` (1-based) of ``kind`` (``"atoms"``, ``"contacts"``), e.g. ``target_2.dump``."""
        patterns = dict(self.records)
        if kind not in patterns:
            raise InputError("kind", f"{kind!r}: the {self.name} stage writes {', '.join(patterns) or 'no records'}")
        return patterns[kind].format(k=k)


#: A calender or pellet stage continues the settled bed (positions and contact history) of its start.
_FROM_SETTLE = (("settled.restart", "start.restart"),)
_PRESS_PROGRESS = ("time", "ztop", "density", "f_top")
#: Snapshots at each target of a pressing stage (particles with wall forces; pair contacts), plus targets.txt rows.
_PRESS_RECORDS = (("atoms", "target_{k}.dump"), ("contacts", "target_{k}_contacts.dump"))

SETTLE = Stage("settle", "settle.lmp", (), ("settle_result.txt", "settled.dump", "settled_contacts.dump",
                                            "settled.restart"), ("time", "ke_ratio", "zmax"))
# unloaded.txt is written last: with it, every target_<k>.dump was written before
CALENDER = Stage("calender", "calender.lmp", _FROM_SETTLE, ("targets.txt", "held.txt", "unloaded.dump", "unloaded.txt"),
                 _PRESS_PROGRESS, records=_PRESS_RECORDS, includes=("calender_press.lmp",))
CALENDER_MDR = Stage("calender_mdr", "calender_mdr.lmp", _FROM_SETTLE,
                     ("targets.txt", "held.txt", "unloaded.dump", "unloaded.txt"), _PRESS_PROGRESS,
                     contact="mdr", in_process=False, records=_PRESS_RECORDS, includes=("calender_press.lmp",),
                     mdr_kernel=True)
#: Pellet records: the calender ones under load, plus the pellet after each release and after its relaxation.
_PELLET_RECORDS = _PRESS_RECORDS + (("released", "released_{k}.dump"), ("relaxed", "relaxed_{k}.dump"))
_PELLET_OUTPUTS = ("targets.txt", "released.txt", "relaxed.txt", "unloaded.dump", "unloaded.txt")
_PELLET_PROGRESS = ("time", "ztop", "density", "pressure_top")
PELLET = Stage("pellet", "pellet.lmp", _FROM_SETTLE, _PELLET_OUTPUTS, _PELLET_PROGRESS, records=_PELLET_RECORDS,
               includes=("pellet_press.lmp",))
PELLET_MDR = Stage("pellet_mdr", "pellet_mdr.lmp", _FROM_SETTLE, _PELLET_OUTPUTS, _PELLET_PROGRESS, contact="mdr",
                   in_process=False, records=_PELLET_RECORDS, includes=("pellet_press.lmp",))
#: The same stages in a cylindrical die (:class:`sigdem.deck.die.CylinderDie`): scripts of their own, boundary
#: non-periodic in x and y and the die wall a fix wall/gran/region "die" (the periodic scripts stay as they were).
SETTLE_DIE = Stage("settle_die", "settle_die.lmp", (), SETTLE.outputs, SETTLE.progress)
PELLET_DIE = Stage("pellet_die", "pellet_die.lmp", _FROM_SETTLE, _PELLET_OUTPUTS, _PELLET_PROGRESS,
                   records=_PELLET_RECORDS, includes=("pellet_press.lmp",))
PELLET_DIE_MDR = Stage("pellet_die_mdr", "pellet_die_mdr.lmp", _FROM_SETTLE, _PELLET_OUTPUTS, _PELLET_PROGRESS,
                       contact="mdr", in_process=False, records=_PELLET_RECORDS, includes=("pellet_press.lmp",))
#: The die variant of each stage that has one (calender has none: a calender is an open film).
DIE_STAGES = {SETTLE.name: SETTLE_DIE, PELLET.name: PELLET_DIE, PELLET_MDR.name: PELLET_DIE_MDR}
#: The mdr pellet in a periodic cell (:class:`sigdem.deck.die.PeriodicCell`): no floor, punch or die; the box height
#: is the punch. Its bed settles as for the periodic box (SETTLE).
PELLET_CELL_MDR = Stage("pellet_cell_mdr", "pellet_cell_mdr.lmp", _FROM_SETTLE, _PELLET_OUTPUTS, _PELLET_PROGRESS,
                        contact="mdr", in_process=False, records=_PELLET_RECORDS, includes=("pellet_press.lmp",),
                        mdr_kernel=True)
CELL_STAGES = {PELLET_MDR.name: PELLET_CELL_MDR}
#: Every stage by name.
STAGES = {s.name: s for s in (SETTLE, CALENDER, CALENDER_MDR, PELLET, PELLET_MDR, SETTLE_DIE, PELLET_DIE,
                              PELLET_DIE_MDR, PELLET_CELL_MDR)}


def stage_named(name: str) -> Stage:
    """The stage of a run folder's statepoint name."""
    try:
        return STAGES[name]
    except KeyError:
        raise InputError("stage", f"{name!r} is not a stage; known: {', '.join(STAGES)}") from None


def stage_of(protocol, contact, die=None) -> Stage:
    """The stage a protocol runs with a contact model (``None`` = Hertz, or an object with ``.model``), in a die
    (``None``: the periodic box; a :class:`~sigdem.deck.die.PeriodicCell`: its :data:`CELL_STAGES` variant; else
    its :data:`DIE_STAGES` variant)."""
    model = "hertz" if contact is None else contact.model
    stages = getattr(type(protocol), "stages", None)
    if stages is None:
        raise InputError("deck.protocol", f"{type(protocol).__name__} is not a protocol; allowed: "
                         f"{', '.join(p.__name__ for p in PROTOCOLS)}")
    if model not in stages:
        raise InputError("deck.contact", f"{model} is not available for the {stages['hertz'].name} stage; allowed: "
                         f"{', '.join(stages)}")
    stage = stages[model]
    if die is None:
        return stage
    if getattr(die, "kind", None) == "cell":
        if stage.name not in CELL_STAGES:
            raise InputError("deck.die", f"a periodic cell is not available for the {stage.name} stage; allowed: "
                             f"{', '.join(CELL_STAGES)} (mdr pellets)")
        return CELL_STAGES[stage.name]
    if stage.name not in DIE_STAGES:
        raise InputError("deck.die", f"a die is not available for the {stage.name} stage; allowed: die=None there, "
                         f"a die for {', '.join(DIE_STAGES)}")
    return DIE_STAGES[stage.name]


@dataclass(frozen=True, slots=True)
class Settle:
    """Pour and settle: stop when translational kinetic energy / (M g d_ref) < ``ke_tol`` (after
    the fall time), or after ``max_time_factor`` x the free-fall time of the column.

    ``taps`` > 0 then taps the settled bed (lift-and-drop): every particle is launched upwards
    so the bed rises ``tap_height_d`` x D[4,3] and falls back onto the floor, then re-settles
    under the same stop rule; the result is a tapped density.
    """

    ke_tol: float = 1e-6
    max_time_factor: float = 40.0
    check_every: int = 1000
    thermo_every: int = 1000
    taps: int = 0
    tap_height_d: float = 1.0

    stages = {"hertz": SETTLE}

    def variables(self, deck: Deck, dt: float, g: float) -> dict:
        return settle_variables(deck, dt, g)

    def __post_init__(self):
        check_range("settle.ke_tol", self.ke_tol, 0.0, 1e-2, lo_open=True)
        check_range("settle.max_time_factor", self.max_time_factor, 2.0, 1e4)
        check_int("settle.check_every", self.check_every, 10, 10**7)
        check_int("settle.thermo_every", self.thermo_every, 10, 10**7)
        check_int("settle.taps", self.taps, 0, 10_000)
        check_range("settle.tap_height_d", self.tap_height_d, 0.0, 100.0, lo_open=True)


def _increasing_targets(field_name: str, values, lo: float, hi: float) -> tuple[float, ...]:
    """A non-empty, strictly increasing tuple of floats, each in (lo, hi]."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InputError(field_name, f"{values!r} is not a list of numbers; give e.g. (1.3, 1.5)")
    out = tuple(check_range(field_name, v, lo, hi, lo_open=True) for v in values)
    if not 1 <= len(out) <= 100:
        raise InputError(field_name, f"needs 1 to 100 targets, got {len(out)}")
    if any(b <= a for a, b in zip(out, out[1:])):
        raise InputError(field_name, f"{out} must be strictly increasing")
    return out


def _check_wall_motion(p) -> None:
    """Checks shared by the stages that move the top wall (calender, pellet)."""
    stage = p.stages["hertz"].name
    check_range(f"{stage}.speed_m_s", p.speed_m_s, 0.0, 10.0, lo_open=True)
    if hasattr(p, "hold_steps"):
        check_int(f"{stage}.hold_steps", p.hold_steps, 0, 10**8)
    check_range(f"{stage}.unload_speed_m_s", p.unload_speed_m_s, 0.0, 10.0, lo_open=True)
    check_range(f"{stage}.release_fraction", p.release_fraction, 0.0, 0.1)
    check_int(f"{stage}.relax_steps", p.relax_steps, 0, 10**8)
    check_int(f"{stage}.thermo_every", p.thermo_every, 10, 10**7)


#: Default wall speed of calender and pellet stages, m/s. Quasi-static for the softened
#: (modulus_scale ~ 0.01) 10-20 µm beds sigdem builds: the inertial number
#: I = (v/h) d sqrt(rho/p) stays below ~1e-3 at the pressures where densities are read
#: (v = 0.1 m/s, h ~ 100 µm, d ~ 15 µm, p >~ 0.5 MPa), and v is ~1e-3 of the particle sound speed.
DEFAULT_WALL_SPEED_M_S = 0.1


@dataclass(frozen=True, slots=True)
class Calender:
    """Compress a settled bed with a flat top wall to each target electrode density, then release it.

    ``target_densities_g_cc``: strictly increasing; each must lie above the settled bed's density
    and below the particles' solid density (checked at render time). The wall moves at
    ``speed_m_s`` to each height (mass / (box area x density)), holds ``target_hold_steps``
    there before the record, holds ``hold_steps`` after the last one, lifts at
    ``unload_speed_m_s`` until its force is ``release_fraction`` of the held force, and the bed
    relaxes ``relax_steps`` (the wall keeps lifting). ``tail_speed_m_s`` (default None: off): once the wall's
    force is down to ``tail_fraction`` of the held force, it lifts on at this speed until ``release_fraction``
    (the bed has sprung back; what is left are a few top particles whose mdr apparent radius grows after the
    wall). ``release_weight_fraction`` (default None: off): the lift also ends once the wall's force is at most
    this fraction of the bed's weight (total mass x gravity), a force the bed's own gravity already exceeds; with
    mdr a few top particles otherwise keep the wall lifting for micrometres after the bed has sprung back (see
    ``sigdem.studies.calendering.MDR_SCHEDULE``). ``resettle_steps`` (default 0): steps the bed first settles, wall away,
    under this deck's contact model, when it differs from the settle stage's (e.g. a binder
    stand-in released before pressing). ``release_steps`` (mdr decks only, default 0): steps, at the
    Hertz time step, the bed settles first under Hertz contacts of the deck's material, before mdr takes
    over for its ``resettle_steps`` (the cheap way to release a binder stand-in, see calender_mdr.lmp).
    """

    target_densities_g_cc: tuple[float, ...] = (1.0, 1.3, 1.5, 1.6, 1.75)
    speed_m_s: float = DEFAULT_WALL_SPEED_M_S
    target_hold_steps: int = 0
    hold_steps: int = 5000
    unload_speed_m_s: float = DEFAULT_WALL_SPEED_M_S
    release_fraction: float = 1e-4
    relax_steps: int = 20000
    thermo_every: int = 1000
    resettle_steps: int = 0
    release_steps: int = 0
    tail_speed_m_s: float | None = None
    tail_fraction: float = 1e-2
    release_weight_fraction: float | None = None

    stages = {"hertz": CALENDER, "mdr": CALENDER_MDR}

    def variables(self, deck: Deck, dt: float, g: float) -> dict:
        return calender_variables(deck, dt, g)

    def __post_init__(self):
        object.__setattr__(self, "target_densities_g_cc",
                           _increasing_targets("calender.target_densities_g_cc", self.target_densities_g_cc, 0.0, 30.0))
        check_int("calender.target_hold_steps", self.target_hold_steps, 0, 10**8)
        check_int("calender.resettle_steps", self.resettle_steps, 0, 10**8)
        check_int("calender.release_steps", self.release_steps, 0, 10**8)
        _check_wall_motion(self)
        if self.tail_speed_m_s is not None:
            check_range("calender.tail_speed_m_s", self.tail_speed_m_s, 0.0, 10.0, lo_open=True)
            check_range("calender.tail_fraction", self.tail_fraction, self.release_fraction, 1.0, lo_open=True)
        if self.release_weight_fraction is not None:
            check_range("calender.release_weight_fraction", self.release_weight_fraction, 0.0, 1.0, lo_open=True)


#: Fastest punch release of an mdr pellet, m/s. A released pellet has no cohesion: at the moment the punch stops
#: pressing, its top follows the punch at the unload speed and flies off the pellet, held back only by the run's
#: gravity. Contacts that yielded far past their elastic range (pellets pressed past ~3 Y) then separate, and mdr's
#: rigid-flat split of an unloading contact extrapolates each side's overlap with slope 1 / (delta_max - delta_p),
#: large for an almost fully plastic contact, past the particle's centre: LAMMPS stops on "F_MDR is NaN".
#: Measured on a 204-sphere bed (14 µm narrow graphite, modulus_scale 0.01, 50 g): released at 0.5 m/s, NaN on
#: releasing 10 Y (3 Y at half the time step); at 0.1 and 0.05 m/s, 1, 3, 10 and ~18 Y released without NaN.
MDR_MAX_UNLOAD_SPEED_M_S = 0.1

#: A release is disturbed when the kinetic energy jumps by more than this factor between two consecutive rows of
#: ``thermo.txt`` (``thermo_every`` steps apart) while the pellet is released. mdr's unloading from solid fraction
#: ~0.9 can hand one contact a force that grows as it opens (benchmarks/results/pellet_release_2026-12-03/): the
#: energy it injects throws particles apart and the released and relaxed heights are no longer a springback, and
#: LAMMPS stops on "F_MDR is NaN" 1,000-3,000 steps later. Clean releases of a 105 µm cell (10-59 MPa, 0.1 m/s) rose
#: at most 1.8x per 1,000 steps; the disturbed ones from 143.5 MPa 11-1,148x. ``pellet_press.lmp`` checks every 100
#: steps whether the kinetic energy exceeds this factor times its mean of the previous ~1,000 steps (its
#: kinetic-energy guard), stops such a release there and goes on to the next target; the analysis flags any release
#: whose thermo rows jumped by this factor.
RELEASE_KE_JUMP_LIMIT = 10.0
#: Largest ``Pellet.press_step_factor`` (the approach's step over the record's and the release's); with mdr the
#: approach's step is also at most MAX_MDR_TIMESTEP_FRACTION of sqrt(m / (kappa R)), checked when rendered.
MAX_PRESS_STEP_FACTOR = 16.0


@dataclass(frozen=True, slots=True)
class Pellet:
    """Press a settled bed with a servo-controlled top wall to each target pressure, releasing it after each.

    ``target_pressures_mpa``: top-wall pressures (force / box area), strictly increasing. The wall velocity
    follows the pressure error, clamp(``servo_gain`` x (P_target - P) / P_target, ±1) x ``speed_m_s``
    (``lammps_inputs/pellet.lmp`` says how). A target is *held*, and recorded, once the mean pressure of the
    last ``window_steps`` and the current one are both within ``tolerance`` of it; after ``max_target_steps``
    (default: twice the steps to cross the bed at full speed, plus 20 windows) it is recorded as not held, and so
    it is as soon as the wall rests at its lowest height (solid fraction ``max_solid_fraction``) with the pressure
    still short of the target by more than ``tolerance`` (the target cannot be reached there).
    ``release_each``: release and relax after every target (a pellet per pressure, pressed in cycles of
    increasing load; the default) or after the last only. Release: the wall lifts at ``unload_speed_m_s``
    until its force is ``release_fraction`` of the held force, then keeps lifting while the pellet relaxes
    ``relax_steps``. The wall never goes below the height of solid fraction ``max_solid_fraction``. With mdr
    contacts ``unload_speed_m_s`` may not exceed :data:`MDR_MAX_UNLOAD_SPEED_M_S` (checked when the deck is
    rendered, before LAMMPS starts; that constant says why).
    ``resettle_steps``: steps the bed first settles, wall away, under this deck's contact model (an mdr deck
    starts from the settled particles without contact history).
    ``release_from_restarts``: press up monotonically, writing a restart at each target but the last, and release
    each earlier target from its restart in a LAMMPS run of its own (a *release branch*, run by sigdem after the
    press: :mod:`sigdem.run.branches`); the last target is released by the press. Each pellet is then pressed once
    to its pressure and released from it, as the paper's were, and a release that stops LAMMPS loses that release
    only. Periodic-cell mdr pellets only (``lammps_inputs/pellet_cell_mdr.lmp``), where restarts carry mdr's state.
    ``release_ke_jump_limit``: the release's kinetic-energy guard (:data:`RELEASE_KE_JUMP_LIMIT`): a release whose
    kinetic energy, checked every 100 steps, exceeds this factor times its mean of the previous ~1,000 steps is
    stopped there, recorded as guarded (not a springback), not relaxed, and (in cycles) the pellet, its motion
    stopped, is pressed to the next target; a release branch ends there.
    ``press_step_factor``: the servo approaches each target at this multiple of the time step, then holds the target
    again at the time step (at least one more window, until the held test passes) before it is recorded; the record,
    its restart and the release run at the time step (1: one step throughout).
    ``restart_last`` (with ``release_from_restarts``): the last target gets its restart too and is released in a
    branch like the others; the press itself releases none.
    """

    target_pressures_mpa: tuple[float, ...]
    speed_m_s: float = DEFAULT_WALL_SPEED_M_S
    servo_gain: float = 4.0
    tolerance: float = 0.02
    window_steps: int = 1000
    max_target_steps: int | None = None
    max_solid_fraction: float = 0.9
    release_each: bool = True
    unload_speed_m_s: float = DEFAULT_WALL_SPEED_M_S
    release_fraction: float = 1e-4
    relax_steps: int = 20000
    thermo_every: int = 1000
    resettle_steps: int = 0
    release_ke_jump_limit: float = RELEASE_KE_JUMP_LIMIT
    release_from_restarts: bool = False
    press_step_factor: float = 1.0
    restart_last: bool = False

    stages = {"hertz": PELLET, "mdr": PELLET_MDR}

    def variables(self, deck: Deck, dt: float, g: float) -> dict:
        if self.release_from_restarts and deck.stage is not PELLET_CELL_MDR:
            raise InputError("pellet.release_from_restarts", f"True is allowed only for the {PELLET_CELL_MDR.name} "
                             f"stage (mdr in a PeriodicCell), not {deck.stage.name}; allowed there: False")
        if deck.contact is not None and self.unload_speed_m_s > MDR_MAX_UNLOAD_SPEED_M_S:
            raise InputError("pellet.unload_speed_m_s",
                             f"{self.unload_speed_m_s!r} m/s outside the allowed range (0, {MDR_MAX_UNLOAD_SPEED_M_S}] "
                             "m/s with mdr contacts: a faster release throws the pellet apart and mdr's force turns NaN")
        if self.press_step_factor != 1.0:
            if deck.contact is None:
                raise InputError("pellet.press_step_factor", f"{self.press_step_factor!r} is allowed with mdr contacts "
                                 "only (the approach's step is a multiple of mdr's); allowed with Hertz: 1.0")
            top = MAX_MDR_TIMESTEP_FRACTION / deck.contact.timestep_fraction
            check_range("pellet.press_step_factor", self.press_step_factor, 1.0, top)
        return pellet_variables(deck, dt)

    def __post_init__(self):
        object.__setattr__(self, "target_pressures_mpa",
                           _increasing_targets("pellet.target_pressures_mpa", self.target_pressures_mpa, 0.0, 1e5))
        check_range("pellet.max_solid_fraction", self.max_solid_fraction, 0.5, 1.0, hi_open=True)
        check_range("pellet.servo_gain", self.servo_gain, 0.1, 1e3)
        check_range("pellet.tolerance", self.tolerance, 1e-4, 0.2)
        check_int("pellet.window_steps", self.window_steps, 10, 10**7)
        if self.max_target_steps is not None:
            check_int("pellet.max_target_steps", self.max_target_steps, self.window_steps, 10**9)
        if not isinstance(self.release_each, bool):
            raise InputError("pellet.release_each", f"{self.release_each!r} must be True or False")
        if not isinstance(self.release_from_restarts, bool):
            raise InputError("pellet.release_from_restarts", f"{self.release_from_restarts!r} must be True or False")
        if self.release_from_restarts and not self.release_each:
            raise InputError("pellet.release_from_restarts", "True releases every target (from its restart); "
                             "allowed with release_each=False: False")
        check_range("pellet.press_step_factor", self.press_step_factor, 1.0, MAX_PRESS_STEP_FACTOR)
        if not isinstance(self.restart_last, bool):
            raise InputError("pellet.restart_last", f"{self.restart_last!r} must be True or False")
        if self.restart_last and not self.release_from_restarts:
            raise InputError("pellet.restart_last", "True needs release_from_restarts=True (the last target's restart "
                             "is for its release branch); allowed otherwise: False")
        check_int("pellet.resettle_steps", self.resettle_steps, 0, 10**8)
        check_range("pellet.release_ke_jump_limit", self.release_ke_jump_limit, 1.0, 1e12)
        _check_wall_motion(self)


#: Every protocol.
PROTOCOLS = (Settle, Calender, Pellet)
