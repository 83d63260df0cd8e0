"""Packing study: how densely does a blend settle on the current collector?

A blend is sampled (``n_particles``), placed without overlap, poured under (scaled) gravity
onto a copper floor in a box periodic in x and y and settled to rest; the bulk solid
fraction is measured in a slab that excludes the floor layer and the loose top.
Replicates differ in their seeds, derived from the study's hash.

Numerical acceleration, stated in every result: gravity is ``numerics.gravity_g`` x g and
the contact modulus is ``numerics.modulus_scale`` x E. They change the elastic compression of
the bed under its own weight, of order (ρ g h / E*)^(2/3), and gravity also the impact speed of
the pour (frictional beds pack slightly denser after faster impacts); sigdem's tests show the
packing fraction moves by < 0.005 when either factor is halved or doubled.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd

from sigdem.analysis.solid_fraction import PackingFraction
from sigdem.deck import Deck, Numerics, RunRecord, Settle, numerics_statepoint
from sigdem.deck.beds import bed_from_sample
from sigdem.errors import InputError
from sigdem.inputs import check_instance, check_int, check_range
from sigdem.io.dumps import read_last_frame
from sigdem.io.folder import RunFolder, derive_seed, job_id
from sigdem.io.logs import read_table
from sigdem.model.materials import COPPER, GRAPHITE, STEEL, Material
from sigdem.psd import Blend, desmond_weeks_rcp, farr_groot_rcp, sample_particles
from sigdem.run.runners import Runner, run
from sigdem.studies.feasibility import check_gravity, check_slab_depth, settle_numbers
from sigdem.stats import Estimate, mean_ci

log = logging.getLogger(__name__)

#: Defaults for settling: contacts 100x softer than graphite and gravity 5e3 g; with them a
#: 200 µm bed is compressed by δ/R ~ 1.6e-3 under its own weight (see module docstring).
#: Measured on 4 replicate beds of 500 spheres (friction 0.3): at twice this weight-to-stiffness
#: ratio (1e4 g, or half the modulus) the packing rose by 0.006; from here, halving or doubling
#: either factor moves it by < 0.005 (tests/test_packing.py).
PACKING_NUMERICS = Numerics(modulus_scale=0.01, gravity_g=5.0e3)

#: Stop rule of a packing settle: rest when KE/(M g D43) < 1e-5. Measured on 3 paired beds of the
#: paper blend (3,000 particles): from 1e-6 to 1e-5 the solid fraction moved by < 3e-5 and the
#: coordination by < 0.7 %, for 15-25 % fewer steps (at 1e-4: 45 % fewer, coordination -1.6 %).
PACKING_SETTLE = Settle(ke_tol=1e-5)

#: Solid fraction of the loose initial placement (random sequential addition, at most 0.35). It sets
#: the drop height, hence the impact speed, and that is part of the protocol, not a free speed-up:
#: 6 paired beds of 500 equal frictional spheres (mu 0.3) packed at 0.5985 from 0.25 and 0.5927 from
#: 0.35 (the paper blend, 3,000 particles: within 2e-4). 0.25 is the calibrated default.
PACKING_START_FRACTION = 0.25


@dataclass(frozen=True, slots=True)
class PackingStudy:
    """Parameters of a packing study (one blend, several replicates)."""

    blend: Blend
    #: 3,000: at 2,000 the default 50/50 large/small blend settled 93 µm deep, short of the 103 µm (4 D90)
    #: its bulk slab needs (measured; sigdem.studies.feasibility refuses such beds up front)
    n_particles: int = 3000
    replicates: int = 3
    material: Material = GRAPHITE
    floor: Material = COPPER
    numerics: Numerics = PACKING_NUMERICS
    settle: Settle = PACKING_SETTLE
    depth_to_side: float = 1.0
    seed: int | None = None
    start_fraction: float = PACKING_START_FRACTION
    #: 0: each bed is a settle job of its own (``settle``). > 0: the beds are read from the poured record of
    #: settle jobs that go on to tap them this many times (``poured.dump``, written before the first tap: the same
    #: bytes an untapped job of the bed ends with, tests/test_packing.py), so a tapped study of the same beds pours
    #: them once for both (``sigdem reproduce``).
    poured_taps: int = 0

    def __post_init__(self):
        check_instance("blend", self.blend, Blend, "a sigdem.psd.Blend (e.g. blend_from_text('large=0.5,small=0.5', "
                       "paper_grades()))")
        for name in ("material", "floor"):
            check_instance(name, getattr(self, name), Material, "a sigdem.model.materials.Material (e.g. GRAPHITE)")
        check_instance("numerics", self.numerics, Numerics, "a sigdem.deck.Numerics")
        check_instance("settle", self.settle, Settle, "a sigdem.deck.Settle")
        check_int("n_particles", self.n_particles, 20, 5_000_000)
        if self.seed is not None:
            check_int("seed", self.seed, 0, 2**62)
        check_int("replicates", self.replicates, 1, 1000)
        check_range("depth_to_side", self.depth_to_side, 0.05, 20.0)
        check_range("start_fraction", self.start_fraction, 0.05, 0.35)
        check_int("poured_taps", self.poured_taps, 0, 1000)
        if self.poured_taps and self.settle.taps:
            raise InputError("poured_taps", f"{self.poured_taps} with settle.taps = {self.settle.taps}: the poured "
                             "record is the bed before its first tap; give a settle protocol without taps")
        for num in self.feasibility().values():  # before anything runs: slab depth, then gravity
            check_gravity("numerics.gravity_g", self.numerics.gravity_g, num)

    def feasibility(self, replicates: int | None = None) -> dict[int, dict]:
        """Per replicate (the first ``replicates``, default all, at most 3 checked at construction): the bed
        estimate and settle numbers (:mod:`sigdem.studies.feasibility`); InputError if too shallow."""
        ks = range(min(self.replicates, 3) if replicates is None else replicates)
        out = {}
        for k in ks:
            seed = derive_seed(self.bed_key, f"sample{k}")
            sample, est = check_slab_depth(self.blend, self.n_particles, self.depth_to_side, seed)
            out[k] = {"estimate": est, **settle_numbers(sample, est, self.material, self.numerics, self.start_fraction)}
        return out

    def statepoint(self) -> dict:
        sp = {k: getattr(self, k) for k in ("n_particles", "material", "floor", "numerics", "settle", "depth_to_side",
                                             "start_fraction")}
        sp = {k: asdict(v) if hasattr(v, "__dataclass_fields__") else v for k, v in sp.items()}
        sp["numerics"] = numerics_statepoint(self.numerics)
        sp = json.loads(json.dumps(sp))
        sp["blend"] = json.loads(json.dumps(asdict(self.blend), default=repr))
        sp["stage"] = "packing"
        sp["seed"] = self.seed
        if self.poured_taps:  # only then: earlier study ids stay as they were
            sp["poured_taps"] = self.poured_taps
        return sp

    @property
    def job(self) -> str:
        return job_id(self.statepoint())

    @property
    def bed_key(self) -> str:
        """What the initial beds derive their seeds from: the blend, size and shape of the bed only
        (or ``seed``), so studies that differ in material, numerics or stop rule settle the very
        same initial beds and compare pairwise."""
        if self.seed is not None:
            return f"seed{self.seed}"
        sp = self.statepoint()
        return job_id({k: sp[k] for k in ("blend", "n_particles", "depth_to_side")})

    @property
    def size_edges_um(self) -> tuple[float, ...]:
        """Size classes for results: the blend's volume-basis quartiles (0, D25, D50, D75, inf);
        equal quartiles (a narrow or monodisperse powder) merge."""
        q = sorted({round(float(x), 9) for x in self.blend.quantile([0.25, 0.5, 0.75], basis="volume")})
        return (0.0, *q, float("inf"))

    def deck(self, replicate: int) -> Deck:
        """The settle deck of one replicate (sampling and placement seeds derived from :attr:`bed_key`)."""
        key = self.bed_key
        sample = sample_particles(self.blend, n=self.n_particles, seed=derive_seed(key, f"sample{replicate}"))
        bed = bed_from_sample(sample, seed=derive_seed(key, f"place{replicate}"), depth_to_side=self.depth_to_side,
                              solid_fraction=self.start_fraction)
        protocol = replace(self.settle, taps=self.poured_taps) if self.poured_taps else self.settle
        return Deck(bed=bed, protocol=protocol, material=self.material, floor=self.floor, top=STEEL,
                    numerics=self.numerics, replicate=replicate)

    @property
    def record(self) -> str:
        """Which record of a settle job is this study's bed: ``settled`` or (``poured_taps``) ``poured``."""
        return "poured" if self.poured_taps else "settled"


@dataclass(frozen=True, slots=True)
class PackingResult:
    """Per-replicate table and replicate statistics of a packing study."""

    study: PackingStudy
    table: pd.DataFrame
    solid_fraction: Estimate
    bed_density_g_cc: Estimate
    coordination: Estimate
    farr_groot: float
    desmond_weeks: float

    def summary(self) -> dict:
        return {
            "solid_fraction": self.solid_fraction.mean, "solid_fraction_ci95": self.solid_fraction.ci95,
            "bed_density_g_cc": self.bed_density_g_cc.mean, "bed_density_ci95": self.bed_density_g_cc.ci95,
            "coordination": self.coordination.mean, "n": self.solid_fraction.n,
            "farr_groot": self.farr_groot, "desmond_weeks": self.desmond_weeks,
            "gravity_g": self.study.numerics.gravity_g, "modulus_scale": self.study.numerics.modulus_scale,
            "ke_tol": self.study.settle.ke_tol, "all_converged": bool(self.table["converged"].all()),
        }


def pour_once(study: PackingStudy, tapped: Iterable[PackingStudy]) -> PackingStudy:
    """``study`` reading its beds from the poured records of one of the ``tapped`` studies (``poured_taps``) when
    that study taps the very same beds (its first replicates are ``study``'s settle decks but for the taps), so the
    beds are poured once for both; else ``study`` unchanged."""
    if study.poured_taps or study.settle.taps:
        return study
    mine = study.statepoint()
    for other in tapped:
        if not other.settle.taps or other.replicates < study.replicates:
            continue
        theirs = other.statepoint()
        theirs["settle"]["taps"] = 0
        if theirs == mine:  # the same beds, seeds, materials, numerics and stop rule: only the taps differ
            return replace(study, poured_taps=other.settle.taps)
    return study


def analyse_settled(folder: RunFolder, size_edges_um: tuple[float, ...] = (), record: str = "settled") -> dict:
    """Packing numbers of one finished settle folder (by grade, and by size class if edges are given): of its
    final bed (``record="settled"``) or, for a tapped job, of the poured bed before the first tap (``"poured"``)."""
    folder.require_done()
    dump, result_file = {"settled": ("settled.dump", "settle_result.txt"),
                         "poured": ("poured.dump", "poured_result.txt")}[record]
    if not folder.fn(dump).exists():
        raise InputError("record", f"{record!r}: {folder.path} has no {dump} (only settle jobs with taps write the "
                         "poured record; a tapped folder from before sigdem wrote it can be deleted to rerun it)")
    frame = read_last_frame(folder.fn(dump))
    box = frame.box
    side_x, side_y = box.hi[0] - box.lo[0], box.hi[1] - box.lo[1]
    pf = PackingFraction(size_edges_um=size_edges_um).compute(frame.data, side_x, side_y)
    result = read_table(folder.fn(result_file)).iloc[-1]
    n_in = RunRecord.read(folder).n_particles
    row = {
        "job": folder.job,
        "solid_fraction": pf.solid_fraction,
        "bed_density_g_cc": pf.bed_density_g_cc,
        "coordination": pf.coordination,
        "surface_um": pf.surface_um,
        "converged": bool(result["converged"]),
        "taps": int(result["taps"]),
        "settle_time_us": float(result["time"]),
        "n_particles": len(frame.data),
        "lost_particles": n_in - len(frame.data),
    }
    names = RunRecord.read(folder).grades
    for t, phi in pf.by_type.items():
        row[f"solid_fraction_{names[t - 1]}"] = phi
    for (lo, hi), phi in pf.by_size_class.items():
        row[f"solid_fraction_{lo:.3g}-{hi:.3g}um"] = phi
    return row


def run_packing(study: PackingStudy, root: Path | str, runner: Runner | None = None, *, progress: bool = False) -> PackingResult:
    """Run (or reuse) every replicate of a packing study and summarise it."""
    rows = []
    for k in range(study.replicates):
        folder = run(study.deck(k), root, runner, progress=progress)
        row = analyse_settled(folder, study.size_edges_um, study.record)
        row["replicate"] = k
        rows.append(row)
        log.info("packing replicate %d: solid fraction %.4f (%s)", k, row["solid_fraction"], folder.path.name)
    table = pd.DataFrame(rows)
    return PackingResult(
        study=study,
        table=table,
        solid_fraction=mean_ci(table["solid_fraction"]),
        bed_density_g_cc=mean_ci(table["bed_density_g_cc"]),
        coordination=mean_ci(table["coordination"]),
        farr_groot=farr_groot_rcp(study.blend),
        desmond_weeks=desmond_weeks_rcp(study.blend),
    )
