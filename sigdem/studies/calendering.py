"""Calendering study: press an as-coated bed to target electrode densities; forces, stress, fracture risk, springback.

Each replicate pours and settles a blend (its own seeds) into a loose *as-coated* bed, then a
flat top wall descends at a constant speed through the target densities (snapshots at each),
holds, lifts and lets the bed spring back (``lammps_inputs/calender.lmp``).

Decisions, stated in every result (:meth:`CalenderingResult.factors`):

- As-coated bed. Real electrodes dry from a slurry to ~1.0 g/cc (binder and solvent leave a loose
  structure); frictional spheres without cohesion cannot pack that loosely in bulk (random loose
  packing ~0.55, 1.24 g/cc). The bed settles with :data:`AS_COATED_GRAPHITE` (friction 1.0, rolling
  resistance 0.3, restitution 0.2: a stand-in for the binder's hold, calibrated on 400-particle beds
  of the small grade) to a bulk solid fraction ~0.54-0.57, i.e. ~1.0-1.1 g/cc measured as an
  electrode is (mass / (area x height of its highest point)). The roll presses particles of
  :data:`CALENDER_GRAPHITE` (friction 0.3, rolling resistance 0.1 for the non-spherical shape): the
  hold is released and the bed first re-settles, wall away, for ``resettle_time_factor`` free-fall
  times (it sinks by ~5 %), so no gravity collapse mixes into the pressing. Both materials keep the
  same contact model (rolling on), as the restart's contact history requires. Keeping the stand-in
  while pressing put 70 % of particles at risk already at 1.3 g/cc. ``first_contact_density_g_cc``
  (per replicate) is where the wall starts to press. A target at or below the as-coated density, or
  one the re-settled bed already exceeds (the wall does not touch it), gets status
  ``below_settled``; one at or above the solid density ``above_solid``: never silently dropped.
- Electrode density = particle mass / (1 - binder_mass_fraction) / (box area x floor-to-wall gap).
- Softened contacts: modulus x ``modulus_scale`` (default 0.01); forces and stresses map back as
  F_real = F_sim / s at the run's geometry (:mod:`sigdem.analysis.contacts`). Gravity while
  calendering keeps the settle ratio g / E by default (5e3 g at s = 0.01); its share of the floor
  force is reported per target. No mass scaling. A record maps back only when it is
  quasi-static (I <= :data:`QUASI_STATIC_I`) and the weight carries <= :data:`MAX_WEIGHT_SHARE` of
  the floor force (``mapping_valid``); below jamming neither holds and the forces are not real.
  :func:`mapping_check` reruns at another modulus and wall speed and compares force / E and
  pressure / E.
- Quasi-static wall: inertial number I = (v / h) d sqrt(ρ / p), d the mean diameter, p the
  (simulated) wall pressure, reported per target.
- Elastic Hertz spheres reach 1.6-1.75 g/cc (solid fraction 0.71-0.77) only through overlaps far
  past Hertz's elastic range; every target reports max and p99 overlap / radius and a flag.
- ``contact=MdrContact(...)`` presses with LAMMPS's elastic-plastic ``mdr`` model instead
  (``lammps_inputs/calender_mdr.lmp``): a yielded contact carries a mean pressure of Y to 2.75 Y
  (graphite Y = 0.1 GPa assumed, :data:`sigdem.contact.GRAPHITE_YIELD_STRESS_GPA`), Y is softened with
  the modulus so forces map back as with Hertz. The bed still settles with Hertz contacts (the
  as-coated calibration); the mdr stage starts from its particles without contact history (mdr
  needs another atom style and cannot read a Hertz history) and re-settles under mdr before the
  wall comes. mdr walls are rigid; the elastic-range flag does not apply. The fracture index keeps
  its Hertz peak pressure 3F / (2π R* δ), about 3x the mean pressure of a yielded mdr contact.
  Settling at 5e3 g with contacts 100x softer loads the bed like the real one under 5e5 g: ~45 % of
  the settled contacts are already past mdr's yield onset when it takes over (LAMMPS warns; mdr
  starts them yielded). Their flattening (overlap ~2e-3 R*) is small beside the pressing overlaps.
"""

from __future__ import annotations

import json
import logging
import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .. import units
from ..analysis.contacts import DEFAULT_SIZE_EDGES_UM, ContactForces
from ..analysis.fracture import DEFAULT_RISK_LEVEL, SI_COATING_STRENGTH_GPA, FractureRisk, fracture_free_density
from ..analysis.springback import Springback, surface_height_um
from ..beds import bed_from_sample
from ..contact import MdrContact, mdr_damping
from ..deck import Calender, Deck, Numerics, Settle, check_mdr_setup, start_bed, timestep_us
from ..dumps import read_last_frame
from ..errors import InputError
from ..logs import read_table
from ..materials import COPPER, GRAPHITE, STEEL, Material
from ..protocols import DEFAULT_WALL_SPEED_M_S, settled_surface_um
from ..psd import Blend, sample_particles
from ..rundir import RunFolder, derive_seed, job_id
from ..runners import Runner, run
from ..stats import mean_ci
from ..validate import check_int, check_range

log = logging.getLogger(__name__)

#: Loose as-coated electrode, for settling: sliding friction 1.0, rolling resistance 0.3, restitution 0.2
#: (ASSUMPTIONS standing in for the binder's hold; calibrated to an electrode density ~1.0-1.1 g/cc as settled).
AS_COATED_GRAPHITE = replace(GRAPHITE, name="graphite_as_coated", friction=1.0, rolling_friction=0.3, restitution=0.2)
#: Graphite under the roll: friction 0.3 (as GRAPHITE), rolling resistance 0.1 (shape), restitution 0.2.
CALENDER_GRAPHITE = replace(GRAPHITE, name="graphite_calender", friction=0.3, rolling_friction=0.1, restitution=0.2)
#: Settling numerics of the as-coated beds: those of the packing study (modulus x 0.01, gravity 5e3 g; the
#: packing moves by < 0.005 when either is halved or doubled), pinned here as calibrated.
SETTLE_NUMERICS = Numerics(modulus_scale=0.01, gravity_g=5.0e3)
#: Largest inertial number of a quasi-static record (GDR MiDi, Eur. Phys. J. E 14 (2004) 341: I < ~1e-3).
QUASI_STATIC_I = 1e-3
#: Largest share of the floor force carried by the bed's (scaled) weight for forces to map back as F / s.
MAX_WEIGHT_SHARE = 0.05
#: The paper's electrode densities, g/cc.
PAPER_TARGETS_G_CC = (1.0, 1.3, 1.5, 1.6, 1.75)
#: Electrode mass loading of the default bed, mg/cm² (a typical graphite anode; 10 pg/µm² = 1 mg/cm²).
DEFAULT_LOADING_MG_CM2 = 8.0


@dataclass(frozen=True, slots=True)
class CalenderingStudy:
    """Parameters of a calendering study of one blend (units in the names).

    The bed: ``side_um`` x ``side_um`` box holding ``loading_mg_cm2`` of particles (blends compared
    at equal area and loading). Targets are electrode densities; ``binder_mass_fraction`` of the
    electrode mass is counted in them but not simulated. Fracture: ``threshold_gpa`` or a Weibull
    strength; ``risk_level`` ends the fracture-free range. ``contact``: ``None`` presses with elastic Hertz
    contacts, an :class:`~sigdem.contact.MdrContact` with LAMMPS's elastic-plastic mdr model.
    """

    blend: Blend
    side_um: float = 100.0
    loading_mg_cm2: float = DEFAULT_LOADING_MG_CM2
    replicates: int = 3
    target_densities_g_cc: tuple[float, ...] = PAPER_TARGETS_G_CC
    binder_mass_fraction: float = 0.0
    material: Material = AS_COATED_GRAPHITE
    calender_material: Material = CALENDER_GRAPHITE
    floor: Material = COPPER
    top: Material = STEEL
    settle_numerics: Numerics = SETTLE_NUMERICS
    modulus_scale: float = 0.01
    calender_gravity_g: float | None = None
    resettle_time_factor: float = 10.0
    speed_m_s: float = DEFAULT_WALL_SPEED_M_S
    target_hold_steps: int = 2000
    hold_steps: int = 5000
    relax_steps: int = 20000
    threshold_gpa: float = SI_COATING_STRENGTH_GPA
    weibull_sigma0_gpa: float | None = None
    weibull_m: float | None = None
    risk_level: float = DEFAULT_RISK_LEVEL
    size_edges_um: tuple[float, ...] = DEFAULT_SIZE_EDGES_UM
    contact: MdrContact | None = None

    def __post_init__(self):
        if self.contact is not None:  # before anything runs: mdr needs rigid-enough walls
            check_mdr_setup(self.contact, Calender.stage, self.calender_material, self.floor, self.top)
        if self.settle_numerics.kernel != "granular":  # the calender keeps the settle's kernel (its restart's)
            if self.contact is not None:
                raise InputError("settle_numerics.kernel", f"{self.settle_numerics.kernel!r}: an mdr calender reads a "
                                 "restart of pair granular; settle with kernel='granular'")
            for name in ("material", "calender_material"):
                if getattr(self, name).rolling_friction > 0:
                    raise InputError("settle_numerics.kernel", f"{self.settle_numerics.kernel!r} has no rolling "
                                     f"resistance, and {name} has some; use kernel='granular'")
        check_range("side_um", self.side_um, 1.0, 1e5)
        check_range("loading_mg_cm2", self.loading_mg_cm2, 0.0, 1e3, lo_open=True)
        check_int("replicates", self.replicates, 1, 1000)
        check_range("binder_mass_fraction", self.binder_mass_fraction, 0.0, 0.5, hi_open=True)
        check_range("modulus_scale", self.modulus_scale, 0.0, 1.0, lo_open=True)
        check_range("resettle_time_factor", self.resettle_time_factor, 0.0, 1e3)
        if self.calender_gravity_g is not None:
            check_range("calender_gravity_g", self.calender_gravity_g, 0.0, 1e9, lo_open=True)
        Calender(target_densities_g_cc=self.target_densities_g_cc, speed_m_s=self.speed_m_s)  # validates both
        FractureRisk(self.threshold_gpa, self.weibull_sigma0_gpa, self.weibull_m)
        object.__setattr__(self, "target_densities_g_cc", tuple(float(x) for x in self.target_densities_g_cc))

    @property
    def solid_volume_um3(self) -> float:
        """Particle volume of the bed: loading x area / density of the blend's solid."""
        cm_um = units.convert(10.0, "mm", "um")
        mass_pg = units.to_micro(self.loading_mg_cm2, "mg") / cm_um**2 * self.side_um**2
        return mass_pg / self.blend.density_g_cc

    def bed_statepoint(self) -> dict:
        """What the settled beds depend on: calendering parameters do not re-seed or re-settle them."""
        keys = ("side_um", "loading_mg_cm2", "material", "floor", "settle_numerics")
        sp = {k: (asdict(getattr(self, k)) if hasattr(getattr(self, k), "__dataclass_fields__") else getattr(self, k))
              for k in keys}
        # the kernel changes no result (granular/hmr is bitwise equal): both settle the very same beds
        sp["settle_numerics"].pop("kernel")
        sp["blend"] = json.loads(json.dumps(asdict(self.blend), default=repr))
        sp["stage"] = "calendering_bed"
        return json.loads(json.dumps(sp))

    @property
    def bed_job(self) -> str:
        return job_id(self.bed_statepoint())

    def settle_deck(self, replicate: int) -> Deck:
        sample = sample_particles(self.blend, solid_volume_um3=self.solid_volume_um3,
                                  seed=derive_seed(self.bed_job, f"sample{replicate}"))
        bed = bed_from_sample(sample, seed=derive_seed(self.bed_job, f"place{replicate}"), side_um=self.side_um)
        return Deck(bed=bed, protocol=Settle(), material=self.material, floor=self.floor, top=self.top,
                    numerics=self.settle_numerics, replicate=replicate)

    def calender_numerics(self) -> Numerics:
        """The settle numerics at ``modulus_scale``; gravity ``calender_gravity_g`` or, by default, the
        settle gravity scaled like the modulus (same g / E: the settled overlaps stay in equilibrium)."""
        sn = self.settle_numerics
        g = self.calender_gravity_g or sn.gravity_g * self.modulus_scale / sn.modulus_scale
        return replace(sn, modulus_scale=self.modulus_scale, gravity_g=g)

    def particle_densities(self) -> tuple[float, ...]:
        """Particle-only densities of the targets (electrode density x (1 - binder fraction))."""
        return tuple(rho * (1.0 - self.binder_mass_fraction) for rho in self.target_densities_g_cc)


def target_status(study: CalenderingStudy, settle: RunFolder) -> tuple[list[str], float, float]:
    """Status of each target on a settled bed, its as-settled density and the solid density (g/cc)."""
    bed = start_bed(settle)
    mass = float(bed.masses_pg.sum())
    settled = mass / (bed.area_um2 * settled_surface_um(settle))
    solid = mass / float(np.sum(math.pi / 6.0 * bed.diameters_um**3))
    status = ["below_settled" if rho <= settled * 1.001 else "above_solid" if rho >= solid else "ok"
              for rho in study.particle_densities()]
    return status, settled, solid


def calender_deck(study: CalenderingStudy, settle: RunFolder, densities: tuple[float, ...]) -> Deck:
    protocol = Calender(target_densities_g_cc=densities, speed_m_s=study.speed_m_s, unload_speed_m_s=study.speed_m_s,
                        target_hold_steps=study.target_hold_steps, hold_steps=study.hold_steps,
                        relax_steps=study.relax_steps)
    deck = Deck(start_bed(settle), protocol=protocol, material=study.calender_material, floor=study.floor, top=study.top,
                numerics=study.calender_numerics(), replicate=settle.params()["statepoint"]["replicate"], start=settle,
                contact=study.contact)
    # release the binder stand-in: the bed re-settles under the calender contacts for resettle_time_factor
    # free-fall times over the largest diameter before the wall starts (~4 of them sufficed in tests); under
    # mdr this also brings the bed, restarted without contact history, to rest in the new model
    g = units.to_micro(deck.numerics.gravity_g * units.STANDARD_GRAVITY_M_S2, "m/s2")
    t_fall = math.sqrt(2.0 * float(deck.bed.diameters_um.max()) / g)
    steps = math.ceil(study.resettle_time_factor * t_fall / timestep_us(deck))
    return replace(deck, protocol=replace(protocol, resettle_steps=steps))


def run_replicate(study: CalenderingStudy, replicate: int, root: Path | str, runner: Runner | None = None,
                  progress: bool = False) -> tuple[RunFolder, RunFolder | None]:
    """Settle (or reuse) replicate ``replicate`` and calender it through its reachable targets."""
    settle = run(study.settle_deck(replicate), root, runner, progress=progress)
    status, settled, _ = target_status(study, settle)
    ok = tuple(rho for rho, s in zip(study.particle_densities(), status) if s == "ok")
    for rho, s in zip(study.target_densities_g_cc, status):
        if s != "ok":
            log.warning("replicate %d: target %.4g g/cc not simulated (%s; as-settled %.4g g/cc particle density)",
                        replicate, rho, s, settled)
    return settle, (run(calender_deck(study, settle, ok), root, runner, progress=progress) if ok else None)


def snapshot(folder: RunFolder, k: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Particles, contacts and the targets.txt row of record ``k`` (1-based) of a calender folder."""
    row = read_table(folder.fn("targets.txt")).set_index("k").loc[k]
    frame = read_last_frame(folder.fn(f"target_{k}.dump"))
    return frame.data, read_last_frame(folder.fn(f"target_{k}_contacts.dump")).data, row


def analyse_target(study: CalenderingStudy, folder: RunFolder, k: int) -> tuple[dict, pd.DataFrame, ContactForces]:
    """Scalars of record ``k``, its per-group table and its ContactForces."""
    atoms, contacts, row = snapshot(folder, k)
    params = folder.params()
    v, s, box = params["variables"], params["statepoint"]["numerics"]["modulus_scale"], params["statepoint"]["bed"]["box_um"]
    area = box[0] * box[1]
    limit = {} if study.contact is None else {"overlap_limit": None}  # mdr is plastic: no Hertz range to leave
    cf = ContactForces(modulus_scale=s, size_edges_um=study.size_edges_um, **limit).compute(atoms, contacts, row["ztop"])
    risk = FractureRisk(study.threshold_gpa, study.weibull_sigma0_gpa, study.weibull_m).compute(cf.contacts, atoms["id"])
    p_sim = row["f_top"] / area  # kPa in the run
    weight = float(atoms["mass"].sum()) * v["g"]
    e_real = units.to_micro(study.calender_material.youngs_modulus_gpa, "GPa")
    d_mean = 2.0 * float(atoms["radius"].mean())
    rho_solid = float(atoms["mass"].sum() / (4.0 / 3.0 * np.pi * (atoms["radius"] ** 3).sum()))
    # volume-averaged zz stress against the walls: -(F_top H + g Σ m z) / (A H) at static equilibrium
    expect = -(row["f_top"] * row["ztop"] + v["g"] * float((atoms["mass"] * atoms["z"]).sum()))
    out = {"record": k, "particle_density_g_cc": float(row["density"]),
           "wall_pressure_mpa": units.from_micro(p_sim / s, "MPa"),
           "floor_pressure_mpa": units.from_micro(row["f_floor"] / area / s, "MPa"),
           "wall_pressure_over_e": p_sim / s / e_real,
           "weight_share": weight / row["f_floor"] if row["f_floor"] > 0 else math.inf,
           "inertial_number": (v["speed"] / row["ztop"]) * d_mean * math.sqrt(rho_solid / p_sim) if p_sim > 0 else math.inf,
           "stress_balance": float(cf.particles["s_zz"].sum() * s / expect) if expect else math.nan,
           **cf.summary,
           "max_force_over_e_um2": units.to_micro(cf.summary["max_force_mN"], "mN") / e_real,
           "coordination": float(cf.particles["coordination"].mean()),
           "mean_sigma_c_mpa": float(cf.particles["sigma_c_mpa"].mean()),
           "max_sigma_c_mpa": float(cf.particles["sigma_c_mpa"].max()),
           "at_risk_fraction": risk.at_risk_fraction, "expected_failed_fraction": risk.expected_failed_fraction,
           "max_p0_gpa": float(risk.particles["max_p0_gpa"].max())}
    if study.contact is not None:  # no Hertz in an mdr run: its elastic range does not apply (overlaps stay reported)
        out["elastic_range_exceeded"] = False
        out.update(contact_pressures(contacts, s))
    out["mapping_valid"] = bool(out["inertial_number"] <= QUASI_STATIC_I and out["weight_share"] <= MAX_WEIGHT_SHARE)
    at_risk = risk.particles["at_risk"].to_numpy()  # in the order of atoms, as cf.particles
    groups = [cf.by_group(by, at_risk).rename(columns={by: "group"}).assign(by=by) for by in ("type", "size_class")]
    return out, pd.concat(groups, ignore_index=True), cf


def contact_pressures(contacts: pd.DataFrame, modulus_scale: float) -> dict[str, float]:
    """Mean contact pressure fn / area of the loaded pair contacts of a calender_mdr record, real GPa.

    ``area`` is mdr's contact area (pair/local p13). Median, p99 and max; the yield stress bounds a yielded
    contact's pressure to Y-2.75 Y unless the particle's bulk response (psi < psi_b) adds to it. A contact
    being unloaded keeps some force while its reported area shrinks with its overlap, so the max can show a
    few such contacts above 2.75 Y; the p99 does not. A pair listed by two MPI ranks counts once.
    """
    if "area" not in contacts:
        raise InputError("contacts", "needs the 'area' column of a calender_mdr.lmp contact dump")
    key = pd.DataFrame({"lo": np.minimum(contacts["id1"], contacts["id2"]),
                        "hi": np.maximum(contacts["id1"], contacts["id2"]), "d": contacts["dist"]})
    c = contacts[~key.duplicated() & (contacts["fn"] > 0) & (contacts["area"] > 0)]
    p = units.from_micro((c["fn"] / c["area"]).to_numpy(float) / modulus_scale, "GPa")
    if not p.size:
        return {f"{q}_contact_pressure_gpa": math.nan for q in ("median", "p99", "max")}
    return {"median_contact_pressure_gpa": float(np.median(p)), "p99_contact_pressure_gpa": float(np.percentile(p, 99)),
            "max_contact_pressure_gpa": float(p.max())}


@dataclass(frozen=True, slots=True)
class CalenderingResult:
    """Tables of a calendering study.

    ``targets``: one row per (replicate, target): ``status`` (ok, below_settled, above_solid) and, when
    ok, the scalars of :func:`analyse_target` (real units: MPa, mN, GPa). ``groups``: per-particle
    statistics split by grade (``by = "type"``) and size class. ``replicates``: per replicate, the
    as-settled densities, springback, fracture-free density and the run folders. ``forces_mn``:
    target electrode density -> real normal contact forces (mN) pooled over replicates.
    """

    study: CalenderingStudy
    targets: pd.DataFrame
    groups: pd.DataFrame
    replicates: pd.DataFrame
    forces_mn: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Per target density: replicate mean and 95 % CI half-width (``<name>_ci95``) of each scalar."""
        rows = []
        names = ("wall_pressure_mpa", "max_force_mN", "median_force_mN", "p90_force_mN", "p99_force_mN",
                 "coordination", "mean_sigma_c_mpa", "max_sigma_c_mpa", "at_risk_fraction", "max_p0_gpa",
                 "max_overlap_ratio", "p99_overlap_ratio", "inertial_number", "weight_share",
                 "wall_pressure_over_e", "max_force_over_e_um2")
        if "max_contact_pressure_gpa" in self.targets:  # mdr runs
            names += ("median_contact_pressure_gpa", "p99_contact_pressure_gpa", "max_contact_pressure_gpa")
        for rho, t in self.targets.groupby("target_density_g_cc", sort=True):
            ok = t[t["status"] == "ok"]
            row = {"target_density_g_cc": rho, "n_ok": len(ok),
                   "status": "ok" if len(ok) == len(t) else ",".join(sorted(set(t["status"])))}
            for name in names:
                est = mean_ci(ok[name] if len(ok) else [])
                row[name], row[f"{name}_ci95"] = est.mean, est.ci95
            row["elastic_range_exceeded"] = bool(len(ok) and ok["elastic_range_exceeded"].any())
            row["mapping_valid"] = bool(len(ok) and ok["mapping_valid"].all())
            rows.append(row)
        return pd.DataFrame(rows)

    def springback(self):
        """Springback fraction over replicates (mean_ci Estimate)."""
        return mean_ci(self.replicates["springback"])

    def fracture_free(self) -> tuple[float, str]:
        """Fracture-free density from the replicate-mean at-risk fractions (see fracture_free_density)."""
        s = self.summary().dropna(subset=["at_risk_fraction"])
        return fracture_free_density(s["target_density_g_cc"], s["at_risk_fraction"], self.study.risk_level)

    def factors(self) -> dict:
        """Every acceleration factor and assumption of the study, for the report."""
        st, cn = self.study, self.study.calender_numerics()
        out = {"modulus_scale": cn.modulus_scale, "modulus_scale_settle": st.settle_numerics.modulus_scale,
               "gravity_g_settle": st.settle_numerics.gravity_g, "gravity_g_calender": cn.gravity_g, "mass_scale": 1.0,
               "wall_speed_m_s": st.speed_m_s, "force_map": "F_real = F_sim / modulus_scale at the run's overlaps",
               "youngs_modulus_gpa": st.calender_material.youngs_modulus_gpa, "timestep_fraction": cn.timestep_fraction,
               "resettle_time_factor": st.resettle_time_factor, "target_hold_steps": st.target_hold_steps,
               "binder_mass_fraction": st.binder_mass_fraction, "threshold_gpa": st.threshold_gpa,
               "weibull": (st.weibull_sigma0_gpa, st.weibull_m), "risk_level": st.risk_level, "side_um": st.side_um,
               "loading_mg_cm2": st.loading_mg_cm2, "contact_model": "elastic Hertz + Mindlin + SDS rolling"}
        if st.contact is not None:
            c = st.contact
            out.update({"contact_model": "mdr elastic-plastic (Zunker & Kamrin 2024) + Mindlin + SDS rolling, rigid walls; "
                                         "Hertz while settling, mdr from the settled bed without contact history",
                        "yield_stress_gpa": c.yield_stress_gpa, "psi_b": c.psi_b, "surface_energy_j_m2": c.surface_energy_j_m2,
                        "mdr_damping": c.damping if c.damping is not None else mdr_damping(st.calender_material.restitution),
                        "timestep_rule": f"{c.timestep_fraction} x sqrt(m / (kappa R)) of the smallest particle"})
        for tag, m in (("settle", st.material), ("calender", st.calender_material)):
            out.update({f"{q}_{tag}": getattr(m, q) for q in ("friction", "rolling_friction", "restitution")})
        return out


def run_replicate_job(args) -> tuple[str, str | None]:
    """Pool job: ``(study, replicate, root, runner)`` -> the settle and calender folder paths."""
    study, k, root, runner = args
    settle, cal = run_replicate(study, k, root, runner)
    return str(settle.path), (str(cal.path) if cal else None)


def run_calendering(study: CalenderingStudy, root: Path | str, runner: Runner | None = None, *,
                    workers: int = 1, progress: bool = False) -> CalenderingResult:
    """Run (or reuse) every replicate of the study, ``workers`` at a time, and analyse them."""
    jobs = [(study, k, str(root), runner) for k in range(study.replicates)]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            paths = list(pool.map(run_replicate_job, jobs))
    else:
        paths = [(str(s.path), str(c.path) if c else None) for s, c in
                 (run_replicate(study, k, root, runner, progress) for k in range(study.replicates))]
    rows, groups, reps, forces = [], [], [], {}
    w = study.binder_mass_fraction
    for k, (settle_path, cal_path) in enumerate(paths):
        settle = RunFolder(Path(settle_path))
        status, settled, solid = target_status(study, settle)
        atoms0, box = read_last_frame(settle.fn("settled.dump")).data, settle.params()["statepoint"]["bed"]["box_um"]
        surface = float(atoms0["mass"].sum()) / (box[0] * box[1] * surface_height_um(atoms0, box[0], box[1]))
        rep = {"replicate": k, "settle_job": settle.job, "calender_job": None, "calender_folder": None,
               "settled_density_g_cc": settled / (1 - w),
               "settled_surface_density_g_cc": surface / (1 - w), "solid_density_g_cc": solid,
               "first_contact_density_g_cc": math.nan, "springback": math.nan, "fracture_free_g_cc": math.nan,
               "fracture_free_status": "no_targets"}
        ok_targets = [rho for rho, s in zip(study.target_densities_g_cc, status) if s == "ok"]
        for rho, s in zip(study.target_densities_g_cc, status):
            if s != "ok":
                rows.append({"replicate": k, "target_density_g_cc": rho, "status": s})
        if cal_path is not None:
            cal = RunFolder(Path(cal_path))
            rep["calender_job"], rep["calender_folder"] = cal.job, cal.path.name
            thermo = read_table(cal.fn("thermo.txt"))
            touching = thermo[thermo["f_top"] > 0]
            rep["first_contact_density_g_cc"] = float(touching["density"].iloc[0]) / (1 - w) if len(touching) else math.nan
            loaded, frac = [], []
            for rec, rho in enumerate(ok_targets, start=1):
                out, grp, cf = analyse_target(study, cal, rec)
                # the wall did not touch: the re-settled bed is denser than this target
                status_k = "ok" if out["wall_pressure_mpa"] > 0 else "below_settled"
                rows.append({"replicate": k, "target_density_g_cc": rho, "status": status_k, **out})
                if status_k == "ok":
                    groups.append(grp.assign(replicate=k, target_density_g_cc=rho))
                    forces.setdefault(rho, []).append(units.from_micro(cf.contacts["fn_nN"].to_numpy(float), "mN"))
                    loaded.append(rho)
                    frac.append(out["at_risk_fraction"])
            if loaded:
                rep["fracture_free_g_cc"], rep["fracture_free_status"] = fracture_free_density(loaded, frac, study.risk_level)
            last, _, _ = snapshot(cal, len(ok_targets))
            sb = Springback().compute(last, read_last_frame(cal.fn("unloaded.dump")).data, box[0], box[1])
            rep.update(springback=sb.springback, compressed_um=sb.compressed_um, relaxed_um=sb.relaxed_um)
        reps.append(rep)
        log.info("calendering replicate %d: settled %.4g g/cc, %d of %d targets reached, springback %.3g", k,
                 rep["settled_density_g_cc"], len(ok_targets), len(status), rep["springback"])
    targets = pd.DataFrame(rows).sort_values(["target_density_g_cc", "replicate"], ignore_index=True)
    return CalenderingResult(study, targets, pd.concat(groups, ignore_index=True) if groups else pd.DataFrame(),
                             pd.DataFrame(reps), {rho: np.concatenate(v) for rho, v in forces.items()})


def mapping_check(study: CalenderingStudy, root: Path | str, runner: Runner | None = None, *,
                  speed_factor: float = 0.5, modulus_factor: float = 2.0, workers: int = 1) -> pd.DataFrame:
    """Rerun the study with a slower wall and a stiffer modulus on the same settled beds; compare.

    The stiffer run scales gravity with the modulus (same g / E: same static overlaps). Per target and
    variant: wall pressure / E and max force / E (mean, CI), the difference to the base run and
    ``agrees`` = |difference| <= sqrt(ci_base² + ci²) (NaN with one replicate).
    """
    g = study.calender_gravity_g * modulus_factor if study.calender_gravity_g else None
    variants = {"base": study, f"speed x{speed_factor:g}": replace(study, speed_m_s=study.speed_m_s * speed_factor),
                f"modulus x{modulus_factor:g}": replace(study, modulus_scale=study.modulus_scale * modulus_factor,
                                                         calender_gravity_g=g)}
    summaries = {name: run_calendering(v, root, runner, workers=workers).summary() for name, v in variants.items()}
    base = summaries["base"].set_index("target_density_g_cc")
    rows = []
    for name, s in summaries.items():
        for rho, r in s.set_index("target_density_g_cc").iterrows():
            for q in ("wall_pressure_over_e", "max_force_over_e_um2"):
                diff = r[q] - base.loc[rho, q]
                ci = math.hypot(base.loc[rho, f"{q}_ci95"], r[f"{q}_ci95"])
                rows.append({"variant": name, "target_density_g_cc": rho, "quantity": q, "value": r[q],
                             "ci95": r[f"{q}_ci95"], "difference": diff, "relative_difference": diff / base.loc[rho, q],
                             "agrees": bool(abs(diff) <= ci) if math.isfinite(ci) else math.nan,
                             "inertial_number": r["inertial_number"]})
    return pd.DataFrame(rows)
