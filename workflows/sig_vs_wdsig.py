"""SiG (small grade only) against WD-SiG (50 % large + 50 % small by mass) under the calender (paper Fig. 3).

Both blends fill the same box area with the same mass loading (hence the same solid volume), are
settled as loose as-coated beds and pressed through the same electrode densities, with replicates
(different seeds). Writes to ``--out``:

- ``calendering_summary.csv``: per blend and target density, replicate means and 95 % CIs (wall
  pressure, contact-force max/median/p90/p99, particle stress, coordination, at-risk fraction,
  overlaps, inertial number, weight share, mapping flags);
- ``calendering_replicates.csv``, ``calendering_groups.csv`` (by grade and size class);
- ``factors.json``: every acceleration factor and assumption;
- ``force_ccdf.png`` (1.3 and 1.75 g/cc, both blends, one axis), ``wall_pressure.png``,
  ``at_risk.png``, ``slab_<blend>.png`` and ``snapshot_<blend>.xyz`` at the highest loaded density;
- ``fracture_free.csv``: per index (Si-film strain, Hertz p0) and level (1, 10, 50 %) the fracture-free state;
- ``comparison.csv``: SiG - WD-SiG per density and quantity with its CI and a verdict; ``size_classes_<blend>.csv``;
- with ``--check``: ``mapping_check.csv`` (half wall speed, twice the modulus, per blend).

Run from the repository:  python workflows/sig_vs_wdsig.py --replicates 3 --workers 2
With LAMMPS's elastic-plastic contacts (about 10x the CPU time):  ... --contact mdr [--yield-stress-gpa 0.1]
Finished run folders under ``--root`` are reused, so an interrupted workflow resumes.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import pandas as pd

from sigdem.analysis import ContactForces, fracture_free
from sigdem.plots.calendering import force_ccdf_figure, property_density_figure, slab_figure, write_extxyz
from sigdem.model.contact import CONTACT_MODELS, GRAPHITE_YIELD_STRESS_GPA, MdrContact
from sigdem.psd import blend_from_text, paper_grades
from sigdem.errors import InputError
from sigdem.io.folder import RunFolder
from sigdem.studies.calendering import CALENDER_MDR_TIMESTEP_FRACTION, CalenderingStudy
from sigdem.studies.calendering_run import mapping_check, run_calendering
from sigdem.studies.calendering_analysis import compare_blends, headline, snapshot

log = logging.getLogger("workflows.sig_vs_wdsig")

BLENDS = {"SiG": "small=1.0", "WD-SiG": "large=0.5,small=0.5"}
#: The paper's densities plus three between 1.3 and 1.5 g/cc, where the beds jam and the risk rises.
TARGETS = (1.0, 1.3, 1.35, 1.4, 1.45, 1.5, 1.6, 1.75)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=3)
    p.add_argument("--side-um", type=float, default=None,
                   help="box side, µm (default: each blend's representative box, 8 x its largest diameter)")
    p.add_argument("--loading-mg-cm2", type=float, default=8.0, help="mass loading, mg/cm² (default 8)")
    p.add_argument("--targets", default=",".join(map(str, TARGETS)), help="electrode densities, g/cc")
    p.add_argument("--binder", type=float, default=0.0, help="binder + carbon mass fraction counted in the density")
    p.add_argument("--workers", type=int, default=1, help="parallel LAMMPS processes")
    p.add_argument("--check", action="store_true", help="also rerun at half speed and twice the modulus")
    p.add_argument("--contact", default="mdr", help=f"contact model while pressing: {' or '.join(CONTACT_MODELS)} (default mdr)")
    p.add_argument("--yield-stress-gpa", type=float, default=GRAPHITE_YIELD_STRESS_GPA,
                   help="particle yield stress for --contact mdr, GPa (an assumption)")
    p.add_argument("--resettle-time-factor", type=float, default=None,
                   help="free-fall times the released bed re-settles before the wall comes (default: the study's, "
                        "5 with mdr, 10 with Hertz)")
    p.add_argument("--root", default="sigdem-runs", help="run folders")
    p.add_argument("--out", default="sigdem-runs/sig_vs_wdsig", help="figures and tables")
    return p.parse_args(argv)


def highest_loaded_snapshot(res, root: Path):
    """Particles (with stress) of replicate 0 at its highest loaded target: (particles, box side, wall, density)."""
    t = res.targets[(res.targets["replicate"] == 0) & (res.targets["status"] == "ok")]
    if t.empty:
        return None
    last = t.sort_values("target_density_g_cc").iloc[-1]
    folder = RunFolder(root / res.replicates["calender_folder"][0])
    atoms, contacts, row = snapshot(folder, int(last["record"]))
    cf = ContactForces(modulus_scale=res.study.modulus_scale).compute(atoms, contacts, row["ztop"])
    return cf.particles, res.study.side_um, float(row["ztop"]), float(last["target_density_g_cc"])


def make_studies(args) -> dict[str, CalenderingStudy]:
    """The two studies (SiG, WD-SiG) the arguments describe."""
    targets = tuple(float(x) for x in args.targets.split(","))
    if args.contact not in CONTACT_MODELS:
        raise InputError("contact", f"{args.contact!r} is not allowed; allowed: {', '.join(CONTACT_MODELS)}")
    contact = (MdrContact(yield_stress_gpa=args.yield_stress_gpa, timestep_fraction=CALENDER_MDR_TIMESTEP_FRACTION)
               if args.contact == "mdr" else None)
    return {name: CalenderingStudy(blend_from_text(text, paper_grades()), side_um=args.side_um, loading_mg_cm2=args.loading_mg_cm2,
                                   replicates=args.replicates, target_densities_g_cc=targets,
                                   binder_mass_fraction=args.binder, contact=contact,
                                   resettle_time_factor=args.resettle_time_factor)
            for name, text in BLENDS.items()}


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    root, out = Path(args.root), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    studies = make_studies(args)
    results = {name: run_calendering(st, root, workers=args.workers) for name, st in studies.items()}

    summaries = {name: r.summary() for name, r in results.items()}
    pd.concat([s.assign(blend=n) for n, s in summaries.items()]).to_csv(out / "calendering_summary.csv", index=False)
    pd.concat([r.replicates.assign(blend=n) for n, r in results.items()]).to_csv(out / "calendering_replicates.csv",
                                                                                 index=False)
    pd.concat([r.groups.assign(blend=n) for n, r in results.items()]).to_csv(out / "calendering_groups.csv", index=False)
    factors = {n: r.factors() for n, r in results.items()}
    for n, st in studies.items():
        factors[n]["solid_volume_um3"] = st.solid_volume_um3
    (out / "factors.json").write_text(json.dumps(factors, indent=2, default=str) + "\n")

    curves = {f"{n} {rho:g} g/cc": r.forces_mn[rho] for rho in (1.3, 1.75) for n, r in results.items() if rho in r.forces_mn}
    force_ccdf_figure(curves).savefig(out / "force_ccdf.png", dpi=150)
    property_density_figure(summaries, "wall_pressure_mpa", ylabel="wall pressure (MPa)", log=True).savefig(
        out / "wall_pressure.png", dpi=150)
    property_density_figure(summaries, "at_risk_fraction", ylabel="fraction of particles at risk",
                            level=studies["SiG"].risk_level).savefig(out / "at_risk.png", dpi=150)
    snaps = {n: highest_loaded_snapshot(r, root) for n, r in results.items()}
    vmax = max((s[0]["sigma_c_mpa"].quantile(0.99) for s in snaps.values() if s), default=None)
    for n, snap in snaps.items():
        if snap is None:
            continue
        parts, side, wall, rho = snap
        slab_figure(parts, side, side, wall_height_um=wall, title=f"{n} at {rho:g} g/cc", vmax=vmax).savefig(
            out / f"slab_{n}.png", dpi=150)
        write_extxyz(out / f"snapshot_{n}.xyz", parts, side, side, wall, comment=f"{n} {rho:g} g/cc")

    if args.check:
        checks = [mapping_check(st, root, workers=args.workers).assign(blend=n) for n, st in studies.items()]
        pd.concat(checks).to_csv(out / "mapping_check.csv", index=False)

    # the density where the at-risk fraction (replicate mean) passes 1 %, 10 % and 50 %
    rows = []
    for n, s in summaries.items():
        for column in ("film_at_risk_fraction", "at_risk_fraction"):
            c = s.dropna(subset=[column])
            for level in (0.01, 0.1, 0.5):
                ff = fracture_free(c["target_density_g_cc"], c[column], c[f"{column}_ci95"], level)
                rows.append({"blend": n, "index": column, "level": level, "state": ff.state, "density_g_cc": ff.density,
                             "share": ff.share, "ci95": ff.ci95, "critical_density_g_cc": ff.critical_density,
                             "clear": ff.clear})
    fracture = pd.DataFrame(rows)
    fracture.to_csv(out / "fracture_free.csv", index=False)

    for n, s in summaries.items():
        r = results[n]
        print(f"\n{n}: springback {r.springback()} ; fracture-free " + r.fracture_free("film").describe("Si-film strain"))
        print(r.replicates[["replicate", "settled_density_g_cc", "first_contact_density_g_cc", "springback"]]
              .to_string(index=False, float_format="%.4g"))
        print(headline(s).to_string(index=False, float_format="%.4g"))
    print("\nfracture-free states per index and level (film: Si-film strain; at_risk: Hertz p0 ranking):")
    print(fracture.to_string(index=False, float_format="%.4g"))
    if len(results) == 2:
        (na, ra), (nb, rb) = results.items()
        cmp = compare_blends(ra, rb, (na, nb))
        cmp.to_csv(out / "comparison.csv", index=False)
        print(f"\n{na} vs {nb} (difference with its 95 % CI and a verdict computed from them):")
        print(cmp.to_string(index=False, float_format="%.4g"))
    for n, r in results.items():
        r.size_classes.assign(blend=n).to_csv(out / f"size_classes_{n}.csv", index=False)
    print(f"\ntables and figures in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
