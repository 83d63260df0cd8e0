"""Per-target analysis of a calendering run, and the study's result tables.

:func:`analyse_target` turns one record of a calender folder (particles with wall forces, pair contacts,
the ``targets.txt`` row) into the scalars of one (replicate, target) row: pressures, forces, stresses,
overlaps, quasi-static checks, fracture risk. :class:`CalenderingResult` holds the tables of a study and
summarises them over replicates. The beds and decks are :mod:`sigdem.studies.calendering`; running them (the
pool) is :mod:`sigdem.studies.calendering_run`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sigdem import units
from sigdem.analysis.contacts import ContactForces, unique_pairs
from sigdem.analysis.film import FilmStrainRisk, SiFilm
from sigdem.analysis.size_stats import ALL, forces_by_size_class, statics_check
from sigdem.analysis.fracture import FractureRisk
from sigdem.analysis.fracture_free import FractureFree, fracture_free
from sigdem.deck import RunRecord
from sigdem.errors import InputError
from sigdem.io.dumps import read_last_frame
from sigdem.io.folder import RunFolder
from sigdem.io.logs import read_table
from sigdem.model.contact import mdr_damping
from sigdem.stats import mean_ci

if TYPE_CHECKING:
    from sigdem.studies.calendering import CalenderingStudy

#: The per-record scalars a summary averages over replicates (mean and ``<name>_ci95``): the column names of
#: the targets table and of :meth:`CalenderingResult.summary`, written once here.
SUMMARY_QUANTITIES = ("wall_pressure_mpa", "max_force_mN", "median_force_mN", "p90_force_mN", "p99_force_mN",
                      "coordination", "mean_sigma_c_mpa", "max_sigma_c_mpa", "at_risk_fraction", "max_p0_gpa",
                      "max_overlap_ratio", "p99_overlap_ratio", "inertial_number", "weight_share",
                      "wall_pressure_over_e", "max_force_over_e_um2", "film_at_risk_fraction", "max_film_strain",
                      "p99_film_strain", "max_force_sim_mN", "median_force_sim_mN", "p99_force_sim_mN",
                      "side_over_dmax", "thickness_over_dmax")
#: Only mdr records have a contact area, hence a contact pressure.
MDR_QUANTITIES = ("median_contact_pressure_gpa", "p99_contact_pressure_gpa", "max_contact_pressure_gpa")
#: The summary columns a person reads first (the CLI and the workflow print these).
HEADLINE_COLUMNS = ("target_density_g_cc", "status", "n_ok", "wall_pressure_mpa", "wall_pressure_mpa_ci95",
                    "max_force_mN", "max_force_mN_ci95", "median_force_mN", "p99_force_mN", "coordination",
                    "at_risk_fraction", "film_at_risk_fraction", "max_overlap_ratio", "inertial_number", "mapping_valid")


def headline(summary: pd.DataFrame) -> pd.DataFrame:
    """The headline columns of a summary (and mdr's contact pressures where present)."""
    return summary[[c for c in HEADLINE_COLUMNS + ("median_contact_pressure_gpa", "max_contact_pressure_gpa")
                    if c in summary]]


#: Largest inertial number of a record whose forces map back (GDR MiDi, Eur. Phys. J. E 14 (2004) 341: I < ~1e-3 is
#: quasi-static). 6e-3 is the largest I of the mdr calender stroke at 0.4 m/s from 1.5 g/cc on, where pressure,
#: p99 force per size class and Si-film at-risk share stayed within the replicates' CIs of a 4x slower wall
#: (I ~1.1-1.5e-3); the paired difference shows a bias of -5 to -8 % in wall pressure and mean particle stress
#: (benchmarks/results/calender_numerics.txt).
QUASI_STATIC_I = 6e-3
#: Largest share of the floor force carried by the bed's (scaled) weight for forces to map back as F / s.
MAX_WEIGHT_SHARE = 0.05


def snapshot(folder: RunFolder, k: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Particles, contacts and the targets.txt row of record ``k`` (1-based) of a calender folder."""
    stage = RunRecord.read(folder).stage
    row = read_table(folder.fn("targets.txt")).set_index("k").loc[k]
    atoms = read_last_frame(folder.fn(stage.record_file("atoms", k))).data
    return atoms, read_last_frame(folder.fn(stage.record_file("contacts", k))).data, row


@dataclass(frozen=True, slots=True)
class TargetAnalysis:
    """One record of a calender folder, analysed: ``scalars`` (one row of the targets table), ``groups``
    (per grade and size class: particle force, stress, at-risk shares), ``size_classes`` (per size class and
    the whole bed: real and softened contact forces, particle stress, a/R, and the statics check <F> against
    pi d² p / (phi Z)), and the :class:`ContactForces` it came from."""

    scalars: dict
    groups: pd.DataFrame
    size_classes: pd.DataFrame
    forces: ContactForces


def analyse_target(study: CalenderingStudy, folder: RunFolder, k: int) -> TargetAnalysis:
    """Record ``k`` (1-based) of a calender folder as a :class:`TargetAnalysis`."""
    atoms, contacts, row = snapshot(folder, k)
    rec = RunRecord.read(folder)
    v, s, area = rec.variables, rec.modulus_scale, rec.area_um2
    limit = {} if study.contact is None else {"overlap_limit": None}  # mdr is plastic: no Hertz range to leave
    cf = ContactForces(modulus_scale=s, size_edges_um=study.size_edges_um, **limit).compute(atoms, contacts, row["ztop"])
    risk = FractureRisk(study.threshold_gpa, study.weibull_sigma0_gpa, study.weibull_m).compute(cf.contacts, atoms["id"])
    m = study.calender_material
    film = FilmStrainRisk(SiFilm(), particle_modulus_gpa=m.youngs_modulus_gpa, particle_poisson=m.poisson_ratio,
                          yield_stress_gpa=study.contact.yield_stress_gpa if study.contact is not None else None,
                          wall_modulus_gpa=None if study.contact is not None else study.top.youngs_modulus_gpa
                          ).compute(cf.contacts, cf.particles)
    p_sim = row["f_top"] / area  # kPa in the run
    weight = float(atoms["mass"].sum()) * v["g"]
    e_real = units.to_micro(study.calender_material.youngs_modulus_gpa, "GPa")
    d_mean = 2.0 * float(atoms["radius"].mean())
    rho_solid = float(atoms["mass"].sum() / (4.0 / 3.0 * np.pi * (atoms["radius"] ** 3).sum()))
    # volume-averaged zz stress against the walls: -(F_top H + g Σ m z) / (A H) at static equilibrium
    expect = -(row["f_top"] * row["ztop"] + v["g"] * float((atoms["mass"] * atoms["z"]).sum()))
    d_max = 2.0 * float(atoms["radius"].max())
    out = {"record": k, "particle_density_g_cc": float(row["density"]),
           # the box against the largest particle (published calendering DEM: 8-12 diameters across)
           "side_over_dmax": math.sqrt(area) / d_max, "thickness_over_dmax": float(row["ztop"]) / d_max,
           "representative": bool(study.representative), "modulus_scale": s,
           "wall_pressure_mpa": units.from_micro(p_sim / s, "MPa"),
           "floor_pressure_mpa": units.from_micro(row["f_floor"] / area / s, "MPa"),
           "wall_pressure_over_e": p_sim / s / e_real,
           "weight_share": weight / row["f_floor"] if row["f_floor"] > 0 else math.inf,
           "inertial_number": (v["speed"] / row["ztop"]) * d_mean * math.sqrt(rho_solid / p_sim) if p_sim > 0 else math.inf,
           "stress_balance": float(cf.particles["s_zz"].sum() * s / expect) if expect else math.nan,
           **cf.summary,
           # the softened run's own forces beside the mapped ones (F_real = F_sim / modulus_scale)
           **{f"{q}_force_sim_mN": cf.summary[f"{q}_force_mN"] * s for q in ("max", "median", "p99")},
           "max_force_over_e_um2": units.to_micro(cf.summary["max_force_mN"], "mN") / e_real,
           "coordination": float(cf.particles["coordination"].mean()),
           "mean_sigma_c_mpa": float(cf.particles["sigma_c_mpa"].mean()),
           "max_sigma_c_mpa": float(cf.particles["sigma_c_mpa"].max()),
           "at_risk_fraction": risk.at_risk_fraction, "expected_failed_fraction": risk.expected_failed_fraction,
           "max_p0_gpa": float(risk.particles["max_p0_gpa"].max()),
           # the Si-film strain criterion (works under plastic contacts, where p0 saturates)
           "film_at_risk_fraction": film.summary.at_risk_fraction, "max_film_strain": film.summary.max_strain,
           "p99_film_strain": film.summary.p99_strain, "film_failure_strain": film.summary.failure_strain,
           "plastic_contact_fraction": film.summary.plastic_contact_fraction}
    if study.contact is not None:  # no Hertz in an mdr run: its elastic range does not apply (overlaps stay reported)
        out["elastic_range_exceeded"] = False
        out.update(contact_pressures(contacts, s))
    out["mapping_valid"] = bool(out["inertial_number"] <= QUASI_STATIC_I and out["weight_share"] <= MAX_WEIGHT_SHARE)
    at_risk = risk.particles["at_risk"].to_numpy()  # in the order of atoms, as cf.particles
    groups = [cf.by_group(by, at_risk).rename(columns={by: "group"}).assign(by=by) for by in ("type", "size_class")]
    film_by_class = film.by_size_class.rename(columns=lambda c: c if c == "size_class" else f"film_{c}")
    sizes = forces_by_size_class(cf.contacts, cf.particles)
    if out["wall_pressure_mpa"] > 0:
        phi = out["particle_density_g_cc"] / rho_solid
        statics = statics_check(cf.particles, cf.contacts, out["wall_pressure_mpa"], phi)
        keep = ["size_class"] + [c for c in statics.columns if c.startswith(("predicted", "ratio"))]
        sizes = sizes.merge(statics[keep], on="size_class", how="left")
        whole = statics[statics["size_class"] == ALL].iloc[0]
        out["statics_ratio_mean_stress"] = float(whole["ratio_mean_stress"])
    sizes = sizes.merge(film_by_class, on="size_class", how="left")
    return TargetAnalysis(out, pd.concat(groups, ignore_index=True), sizes, cf)


def contact_pressures(contacts: pd.DataFrame, modulus_scale: float) -> dict[str, float]:
    """Mean contact pressure fn / area of the loaded pair contacts of a calender_mdr record, real GPa.

    ``area`` is mdr's contact area (pair/local p13). Median, p99 and max; the yield stress bounds a yielded
    contact's pressure to Y-2.75 Y unless the particle's bulk response (psi < psi_b) adds to it. A contact
    being unloaded keeps some force while its reported area shrinks with its overlap, so the max can show a
    few such contacts above 2.75 Y; the p99 does not. A pair listed by two MPI ranks counts once.
    """
    if "area" not in contacts:
        raise InputError("contacts", "needs the 'area' column of a calender_mdr.lmp contact dump")
    c = unique_pairs(contacts)
    c = c[(c["fn"] > 0) & (c["area"] > 0)]
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
    statistics split by grade (``by = "type"``) and size class. ``size_classes``: per (replicate, target)
    and size class, contact forces real and softened, particle stress, a/R, the statics check and the
    Si-film at-risk share (:class:`TargetAnalysis`). ``replicates``: per replicate, the
    as-settled densities, springback, fracture-free density and the run folders. ``forces_mn``:
    target electrode density -> real normal contact forces (mN) pooled over replicates.
    """

    study: CalenderingStudy
    targets: pd.DataFrame
    groups: pd.DataFrame
    size_classes: pd.DataFrame
    replicates: pd.DataFrame
    forces_mn: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Per target density: replicate mean and 95 % CI half-width (``<name>_ci95``) of each scalar."""
        rows = []
        names = SUMMARY_QUANTITIES + (MDR_QUANTITIES if "max_contact_pressure_gpa" in self.targets else ())
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

    def fracture_free(self, index: str = "film") -> FractureFree:
        """How far the blend stays fracture-free: the replicate-mean at-risk share of ``index`` (``"film"``: the
        Si-film strain criterion; ``"hertz"``: the Hertz peak-pressure ranking) against the study's
        ``risk_level``, with its CI, as a typed record whose ``state`` says "below_first", "reached" or
        "not_reached" (never a bare number that reads as a guarantee)."""
        column = {"film": "film_at_risk_fraction", "hertz": "at_risk_fraction"}.get(index)
        if column is None:
            raise InputError("index", f"{index!r}; allowed: 'film', 'hertz'")
        s = self.summary().dropna(subset=[column])
        return fracture_free(s["target_density_g_cc"], s[column], s[f"{column}_ci95"], self.study.risk_level)

    def factors(self) -> dict:
        """Every acceleration factor and assumption of the study, for the report."""
        st, cn = self.study, self.study.calender_numerics()
        out = {"modulus_scale": cn.modulus_scale, "modulus_scale_settle": st.settle_numerics.modulus_scale,
               "gravity_g_settle": st.settle_numerics.gravity_g, "gravity_g_calender": cn.gravity_g, "mass_scale": 1.0,
               "wall_speed_m_s": st.speed_m_s, "lift_speed_m_s": st.lift_speed_m_s, "force_map": "F_real = F_sim / modulus_scale at the run's overlaps",
               "youngs_modulus_gpa": st.calender_material.youngs_modulus_gpa, "timestep_fraction": cn.timestep_fraction,
               "resettle_time_factor": st.resettle_time_factor,
               "mdr_relax_time_factor": st.mdr_relax_time_factor if st.contact is not None else None,
               "target_hold_steps": st.target_hold_steps, "hold_steps": st.hold_steps, "relax_steps": st.relax_steps,
               "lift_tail_speed_m_s": st.lift_tail_speed_m_s,
               "lift_release_weight_fraction": st.lift_release_weight_fraction,
               "binder_mass_fraction": st.binder_mass_fraction, "threshold_gpa": st.threshold_gpa,
               "weibull": (st.weibull_sigma0_gpa, st.weibull_m), "risk_level": st.risk_level, "side_um": st.side_um,
               "loading_mg_cm2": st.loading_mg_cm2, "contact_model": "elastic Hertz + Mindlin + SDS rolling",
               "largest_diameter_um": st.largest_diameter_um, "side_over_dmax": st.side_um / st.largest_diameter_um,
               "representative": st.representative, "si_film": "15 nm, E 110 GPa, strength 1.5 GPa, 3 J/m2 (assumed; "
                                                            "sigdem.analysis.film.SiFilm)"}
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


#: Quantities compared between blends by default.
COMPARED = ("wall_pressure_mpa", "median_force_mN", "p99_force_mN", "max_force_mN", "mean_sigma_c_mpa",
            "film_at_risk_fraction", "at_risk_fraction")


def compare_blends(a: CalenderingResult, b: CalenderingResult, names: tuple[str, str] = ("a", "b"),
                   quantities=COMPARED) -> pd.DataFrame:
    """Per target density and quantity: both means with 95 % CIs, the difference a - b with its CI
    (Welch: sqrt(ci_a² + ci_b²), a conservative combination of the two t-intervals) and a verdict
    computed from them: ``resolved`` when the difference's CI excludes 0, ``not resolved`` otherwise
    (``no replicates`` when a CI is missing, i.e. one replicate)."""
    sa, sb = (r.summary().set_index("target_density_g_cc") for r in (a, b))
    rows = []
    for rho in sorted(set(sa.index) & set(sb.index)):
        for q in quantities:
            if q not in sa or q not in sb:
                continue
            ma, ca, mb, cb = sa.loc[rho, q], sa.loc[rho, f"{q}_ci95"], sb.loc[rho, q], sb.loc[rho, f"{q}_ci95"]
            diff, ci = ma - mb, math.hypot(ca, cb)
            verdict = ("no replicates" if not math.isfinite(ci) else "resolved" if abs(diff) > ci else "not resolved")
            rows.append({"target_density_g_cc": rho, "quantity": q, names[0]: ma, f"{names[0]}_ci95": ca,
                         names[1]: mb, f"{names[1]}_ci95": cb, "difference": diff, "difference_ci95": ci,
                         "ratio": ma / mb if mb else math.nan, "verdict": verdict})
    return pd.DataFrame(rows)
