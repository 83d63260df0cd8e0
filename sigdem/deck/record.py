"""A deck's identity and its run folder's ``params.json``, as one typed record.

:func:`statepoint` is the deck's identity: every parameter, the bed by its fingerprint. The job id (the
run folder's name) is a hash of it, so the rules that keep existing job ids stable live here and only
here: ``start`` appears only for stages that continue a settle folder, ``contact`` only for a contact
model other than Hertz, a calender protocol's ``tail_*`` only for a two-speed lift, ``die`` only for a
die other than the periodic box. :class:`RunRecord` is what ``params.json`` holds (statepoint, job id, the deck's
variables, versions), written by :meth:`RunRecord.write` and read by :meth:`RunRecord.read`; code asks
its typed fields instead of looking into nested dicts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType

from sigdem.deck.beds import Bed
from sigdem.deck.deck import Deck, Numerics
from sigdem.deck.stages import RELEASE_KE_JUMP_LIMIT, Stage, stage_named
from sigdem.errors import InputError
from sigdem.io.dumps import read_data_atoms
from sigdem.io.folder import RunFolder, job_id, write_atomic


def numerics_statepoint(numerics: Numerics) -> dict:
    """The numerics in a statepoint (every field: none of them is left out)."""
    return asdict(numerics)


def statepoint(deck: Deck) -> dict:
    """JSON-able identity of a deck: every parameter, the bed by its fingerprint."""
    bed = deck.bed
    sp = {
        "stage": deck.stage.name,
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
    if getattr(deck.protocol, "tail_speed_m_s", 0.0) is None:  # no two-speed lift: job ids stay as they were
        del sp["protocol"]["tail_speed_m_s"], sp["protocol"]["tail_fraction"]
    if getattr(deck.protocol, "release_ke_jump_limit", None) == RELEASE_KE_JUMP_LIMIT:
        # the default guard: pellet job ids stay as they were. A clean release is recorded as before (the guard only
        # adds released.txt's "guard" column); a folder an older deck left stopped on mdr's NaN is pressed again
        # (sigdem.studies.pellet_analysis.pellet_stop), since this deck stops a disturbed release before the NaN
        del sp["protocol"]["release_ke_jump_limit"]
    if getattr(deck.protocol, "release_from_restarts", None) is False:  # releases in the press's cycles: as before
        del sp["protocol"]["release_from_restarts"]
    if getattr(deck.protocol, "press_step_factor", None) == 1.0:  # one step throughout: job ids stay as they were
        del sp["protocol"]["press_step_factor"]
    if getattr(deck.protocol, "restart_last", None) is False:  # the press releases its last target itself: as before
        del sp["protocol"]["restart_last"]
    if getattr(deck.protocol, "release_weight_fraction", 0.0) is None:  # lift ends on the held force only: as before
        del sp["protocol"]["release_weight_fraction"]
    if deck.start is not None:  # only then: settle job ids stay as they were
        sp["start"] = deck.start.job
    if deck.contact is not None:  # only then: Hertz job ids stay as they were
        sp["contact"] = {"model": deck.contact.model, **asdict(deck.contact)}
        if deck.contact.unload_split == "lammps":  # LAMMPS's mdr: job ids stay as they were
            del sp["contact"]["unload_split"]
        if deck.contact.math == "libm":  # LAMMPS's exp and acos: job ids stay as they were
            del sp["contact"]["math"]
    if deck.die is not None:  # only then: periodic-box job ids stay as they were
        sp["die"] = {"kind": deck.die.kind, **asdict(deck.die)}  # a cell has no fields: {"kind": "cell"}
    return sp


def _frozen(obj):
    """A read-only view of nested JSON (dicts become mappings, lists tuples)."""
    if isinstance(obj, dict):
        return MappingProxyType({k: _frozen(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(_frozen(v) for v in obj)
    return obj


def _thawed(obj):
    if isinstance(obj, Mapping):
        return {k: _thawed(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return [_thawed(v) for v in obj]
    return obj


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What a run folder's ``params.json`` holds, typed.

    ``statepoint`` and ``variables`` are read-only views of the JSON (the statepoint is what the job id
    hashes; ``variables`` are the numbers in the header of ``in.lmp``, in LAMMPS micro units).
    """

    job: str
    statepoint: Mapping
    variables: Mapping
    sigdem_version: str
    lammps_version: str

    @classmethod
    def for_deck(cls, deck: Deck, variables: dict, *, sigdem_version: str, lammps_version: str) -> "RunRecord":
        sp = statepoint(deck)
        return cls(job_id(sp), _frozen(sp), _frozen(dict(variables)), sigdem_version, lammps_version)

    @classmethod
    def read(cls, folder: RunFolder) -> "RunRecord":
        raw = json.loads(folder.fn("params.json").read_text())
        return cls(raw["job"], _frozen(raw["statepoint"]), _frozen(raw["variables"]), raw["sigdem_version"],
                   raw["lammps_version"])

    def write(self, folder: RunFolder) -> None:
        raw = {"statepoint": _thawed(self.statepoint), "job": self.job, "variables": _thawed(self.variables),
               "sigdem_version": self.sigdem_version, "lammps_version": self.lammps_version}
        write_atomic(folder.fn("params.json"), json.dumps(raw, indent=2, sort_keys=True) + "\n")

    # -- typed views of the statepoint ----------------------------------------------------------
    @property
    def stage(self) -> Stage:
        return stage_named(self.statepoint["stage"])

    @property
    def replicate(self) -> int:
        return int(self.statepoint["replicate"])

    @property
    def start_job(self) -> str | None:
        return self.statepoint.get("start")

    @property
    def bed_fingerprint(self) -> str:
        return self.statepoint["bed"]["fingerprint"]

    @property
    def n_particles(self) -> int:
        return int(self.statepoint["bed"]["n"])

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(self.statepoint["bed"]["grades"])

    @property
    def densities_g_cc(self) -> tuple[float, ...]:
        return tuple(float(x) for x in self.statepoint["bed"]["densities_g_cc"])

    @property
    def box_um(self) -> tuple[float, float, float]:
        return tuple(float(x) for x in self.statepoint["bed"]["box_um"])

    @property
    def die_diameter_um(self) -> float | None:
        """The cylindrical die's diameter, µm, or None for the periodic box."""
        die = self.statepoint.get("die")
        return None if die is None or die["kind"] != "cylinder" else float(die["diameter_um"])

    @property
    def area_um2(self) -> float:
        """Cross-section of densities and pressures: the die's pi R², or the periodic box's lx x ly, µm²."""
        d = self.die_diameter_um
        return self.box_um[0] * self.box_um[1] if d is None else math.pi * (d / 2.0) ** 2

    @property
    def modulus_scale(self) -> float:
        return float(self.statepoint["numerics"]["modulus_scale"])

    @property
    def rolling_friction(self) -> float:
        return float(self.statepoint["material"]["rolling_friction"])

    @property
    def surface_energy_j_m2(self) -> float:
        """The mdr contact's adhesion (0 for Hertz contacts, which have none: their statepoint has no contact)."""
        contact = self.statepoint.get("contact")
        return 0.0 if contact is None else float(contact["surface_energy_j_m2"])

    @property
    def mdr_unload_split(self) -> str | None:
        """The mdr contact's unload split (None for Hertz contacts; a statepoint without it has LAMMPS's)."""
        contact = self.statepoint.get("contact")
        return None if contact is None else str(contact.get("unload_split", "lammps"))

    @property
    def mdr_math(self) -> str | None:
        """Where the mdr contact's exp and acos come from (None for Hertz contacts; a statepoint without it has
        libm's)."""
        contact = self.statepoint.get("contact")
        return None if contact is None else str(contact.get("math", "libm"))

    @property
    def target_densities_g_cc(self) -> tuple[float, ...]:
        return tuple(self.statepoint["protocol"].get("target_densities_g_cc", ()))


def start_bed(folder: RunFolder) -> Bed:
    """The bed a settle folder started from, rebuilt exactly from its ``particles.data`` and params.

    Its fingerprint equals the one in the folder's statepoint (checked), so a calender or pellet
    deck built on it is tied to that folder's particles.
    """
    rec = RunRecord.read(folder)
    atoms = read_data_atoms(folder.fn("particles.data"))
    box = rec.box_um
    bed = Bed(atoms["diameter"].to_numpy(float), atoms["type"].to_numpy() - 1, atoms[["x", "y", "z"]].to_numpy(float),
              rec.grades, rec.densities_g_cc, box[0], box[1], box[2])
    if bed.fingerprint() != rec.bed_fingerprint:
        raise InputError("start", f"{folder.path}: particles.data does not reproduce the bed of the statepoint")
    return bed
