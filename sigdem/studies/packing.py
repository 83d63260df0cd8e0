"""Packing study: how densely does a blend settle on the current collector?

A blend is sampled (``n_particles``), placed without overlap, poured under (scaled) gravity
onto a copper floor in a box periodic in x and y and settled to rest; the bulk solid
fraction is measured in a slab that excludes the floor layer and the loose top.
Replicates differ in their seeds, derived from the study's hash.

Numerical acceleration, stated in every result: gravity is ``numerics.gravity_g`` x g and
the contact modulus is ``numerics.modulus_scale`` x E. Both only change the (tiny) elastic
compression of the bed under its own weight, of order (ρ g h / E*)^(2/3); sigdem's tests and
benchmarks show the packing fraction moves by < 0.005 when either factor is halved or doubled.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis.packing import PackingFraction
from ..beds import bed_from_sample
from ..deck import Deck, Numerics, Settle
from ..dumps import read_last_frame
from ..logs import read_table
from ..materials import COPPER, GRAPHITE, STEEL, Material
from ..psd import Blend, desmond_weeks_rcp, farr_groot_rcp, sample_particles
from ..rundir import RunFolder, derive_seed, job_id
from ..runners import Runner, run
from ..stats import Estimate, mean_ci
from ..validate import check_int, check_range

log = logging.getLogger(__name__)

#: Defaults for settling: contacts 100x softer than graphite and gravity 1e4 g; with them a
#: 200 µm bed is compressed by δ/R ~ 2.5e-3 under its own weight (see module docstring).
PACKING_NUMERICS = Numerics(modulus_scale=0.01, gravity_g=1.0e4)


@dataclass(frozen=True, slots=True)
class PackingStudy:
    """Parameters of a packing study (one blend, several replicates)."""

    blend: Blend
    n_particles: int = 2000
    replicates: int = 3
    material: Material = GRAPHITE
    floor: Material = COPPER
    numerics: Numerics = PACKING_NUMERICS
    settle: Settle = field(default_factory=Settle)
    depth_to_side: float = 1.0

    def __post_init__(self):
        check_int("n_particles", self.n_particles, 20, 5_000_000)
        check_int("replicates", self.replicates, 1, 1000)
        check_range("depth_to_side", self.depth_to_side, 0.05, 20.0)

    def statepoint(self) -> dict:
        sp = {k: getattr(self, k) for k in ("n_particles", "material", "floor", "numerics", "settle", "depth_to_side")}
        sp = json.loads(json.dumps({k: asdict(v) if hasattr(v, "__dataclass_fields__") else v for k, v in sp.items()}))
        sp["blend"] = json.loads(json.dumps(asdict(self.blend), default=repr))
        sp["stage"] = "packing"
        return sp

    @property
    def job(self) -> str:
        return job_id(self.statepoint())

    def deck(self, replicate: int) -> Deck:
        """The settle deck of one replicate (sampling and placement seeds derived from the study hash)."""
        sample = sample_particles(self.blend, n=self.n_particles, seed=derive_seed(self.job, f"sample{replicate}"))
        bed = bed_from_sample(sample, seed=derive_seed(self.job, f"place{replicate}"), depth_to_side=self.depth_to_side)
        return Deck(bed=bed, protocol=self.settle, material=self.material, floor=self.floor, top=STEEL,
                    numerics=self.numerics, replicate=replicate)


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


def analyse_settled(folder: RunFolder) -> dict:
    """Packing numbers of one finished settle folder."""
    folder.require_done()
    frame = read_last_frame(folder.fn("settled.dump"))
    box = frame.box
    side_x, side_y = box.hi[0] - box.lo[0], box.hi[1] - box.lo[1]
    pf = PackingFraction().compute(frame.data, side_x, side_y)
    result = read_table(folder.fn("settle_result.txt")).iloc[-1]
    n_in = folder.params()["statepoint"]["bed"]["n"]
    row = {
        "job": folder.job,
        "solid_fraction": pf.solid_fraction,
        "bed_density_g_cc": pf.bed_density_g_cc,
        "coordination": pf.coordination,
        "surface_um": pf.surface_um,
        "converged": bool(result["converged"]),
        "settle_time_us": float(result["time"]),
        "n_particles": len(frame.data),
        "lost_particles": n_in - len(frame.data),
    }
    for t, phi in pf.by_type.items():
        row[f"solid_fraction_type{t}"] = phi
    return row


def run_packing(study: PackingStudy, root: Path | str, runner: Runner | None = None, *, progress: bool = False) -> PackingResult:
    """Run (or reuse) every replicate of a packing study and summarise it."""
    rows = []
    for k in range(study.replicates):
        folder = run(study.deck(k), root, runner, progress=progress)
        row = analyse_settled(folder)
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
