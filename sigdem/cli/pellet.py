"""The ``sigdem pellet`` and ``sigdem calibrate`` commands (pellet study, mdr yield-stress calibration)."""

from __future__ import annotations

from sigdem.cli.cluster import runner_or_collect
from sigdem.cli.helpers import (
    MDR_MATH_HELP,
    MDR_UNLOAD_SPLIT_HELP,
    PSI_B_HELP,
    _add_runner_options,
    _blend,
    _default,
    _runner,
    check_psi_b_option,
    check_workers,
    mdr_only,
    print_plan,
    root_of,
)
from sigdem.deck.die import DIE_KINDS, MAX_DIE_FRICTION
from sigdem.errors import InputError
from sigdem.inputs import check_int, check_range
from sigdem.model.contact import GRAPHITE_YIELD_STRESS_GPA, MAX_MDR_TIMESTEP_FRACTION, MDR_MATHS, MDR_UNLOAD_SPLITS
from sigdem.studies.pellet import CELL_FILL_OVER_DMAX, WALLED_FILL_HEIGHT_UM, PelletStudy


def _numbers(text: str, field: str, example: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(","))
    except ValueError:
        raise InputError(field, f"{text!r} is not a comma-separated list of numbers, e.g. {example}") from None


def _friction(text: str | None) -> float | None:
    """``--die-friction`` as a number (its range is PelletStudy's to check), or None when not given."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError("die_friction", f"{text!r} is not a number; allowed range [0, {MAX_DIE_FRICTION:g}]") from None


def _pellet_study(args, pressures_mpa=None) -> PelletStudy:
    from sigdem.model.contact import contact_from_name
    from sigdem.studies.pellet import ton_cm2_to_mpa

    check_psi_b_option(args)
    if pressures_mpa is None:
        if args.pressures_ton_cm2 is not None:
            pressures_mpa = ton_cm2_to_mpa(_numbers(args.pressures_ton_cm2, "pressures_ton_cm2", "3.8,9.6"))
        else:
            pressures_mpa = _numbers(args.pressures, "target_pressures_mpa", "100,300")
    text = args.blend if args.blend is not None or args.psd else "small=1.0"
    return PelletStudy(_blend(text, args), side_um=args.side_um, fill_height_um=args.fill_height_um,
                       replicates=args.replicates, target_pressures_mpa=pressures_mpa,
                       contact=contact_from_name(args.contact, args.yield_stress_gpa, _mdr_fraction(args), args.psi_b,
                                                 args.mdr_unload_split, args.mdr_math),
                       modulus_scale=args.modulus_scale,
                       speed_m_s=args.speed_m_s, servo_gain=args.servo_gain, die=args.die,
                       die_friction=_friction(args.die_friction),
                       release=args.release, press_timestep_fraction=args.press_timestep_fraction)


def _mdr_fraction(args) -> float:
    """--mdr-timestep-fraction (mdr only, in (0, 0.16]), or the pellet study's default."""
    given = getattr(args, "mdr_timestep_fraction", None)
    if given is None:
        return _default(PelletStudy, "contact").timestep_fraction
    mdr_only(args, "mdr_timestep_fraction", f"{given:g}", "Hertz steps at a fraction of its Rayleigh time")
    check_range("mdr_timestep_fraction", given, 0.0, MAX_MDR_TIMESTEP_FRACTION, lo_open=True)
    return given


def _cmd_pellet(args) -> int:
    from sigdem.studies.pellet import run_pellet
    from sigdem.studies.pellet_analysis import RELEASE_KE_JUMP_LIMIT

    study = _pellet_study(args)
    workers = check_workers("workers", args.workers)
    runner = runner_or_collect(args, _runner(args))  # --collect: a runner that runs nothing
    root_of(args)
    if args.dry_run:
        from sigdem.studies.dryrun import pellet_plan

        return print_plan(pellet_plan(study, workers, args.kernel))
    if args.submit:
        from sigdem.cli.cluster import submit_pellets

        return submit_pellets(args, study)
    res = run_pellet(study, args.root, runner, workers=workers, progress=not args.quiet)
    cols = ["target_pressure_mpa", "target_pressure_ton_cm2", "n", "all_held", "pressure_reached_mpa", "pressure_error",
            "solid_fraction_loaded", "solid_fraction_loaded_ci95", "density_relaxed_g_cc", "density_relaxed_g_cc_ci95",
            "springback_height", "springback_height_ci95", "elastic_recovery", "coordination"]
    if study.cylinder is not None:  # the die-wall effect: the share of the punch force that reaches the floor
        cols += ["force_transmission", "force_transmission_ci95"]
    summary = res.summary()
    print(summary[cols].to_string(index=False, float_format="%.4g"))
    for r in summary[summary["releases_disturbed"] > 0].itertuples():
        print(f"at {r.target_pressure_mpa:.4g} MPa {r.releases_disturbed} of {r.n} releases were disturbed (kinetic "
              f"energy jumped > {RELEASE_KE_JUMP_LIMIT:g}x while releasing): their released and relaxed values are not "
              "reported")
    for r in summary[summary["relaxed_below_mpa"].notna()].itertuples():
        print(f"at {r.target_pressure_mpa:.4g} MPa the relaxed pellet ({r.density_relaxed_g_cc:.4g} g/cc) is less dense "
              f"than the one pressed to {r.relaxed_below_mpa:.4g} MPa: its springback comes from the contact law's "
              "unloading (mdr near full flattening), not a measurement")
    for r in summary[summary["same_pellet"] > 0].itertuples():
        print(f"at {r.target_pressure_mpa:.4g} MPa {r.same_pellet} of {r.n} pellets are those of {r.same_pellet_as_mpa:.4g} "
              "MPa (the cell at its lowest height could go no lower): released once, as that target")
    for r in res.replicates.itertuples():
        if r.resumed_from:
            print(f"replicate {r.replicate}: LAMMPS stopped the press; it was resumed from the restart of target "
                  f"{r.resumed_from.replace(',', ', then ')} "
                  f"({r.pellet_folder}/log_resume_<k>.lammps)")
        if r.stop != "ok":
            print(f"replicate {r.replicate}: LAMMPS stopped ({r.stop}) after {r.targets_recorded} of {r.targets} target "
                  f"pressures; the higher ones were not pressed ({r.pellet_folder}/log.lammps)")
    fits = res.fits()
    if len(fits):
        print(fits.to_string(index=False, float_format="%.4g"))
    shape = "side" if study.cylinder is None else f"diameter (cylinder, wall friction {study.die_wall_friction:g})"
    print(f"die {shape} {study.die_side_um:.4g} µm (8 x the blend's volume-basis d99 unless --side-um), fill "
          f"{study.fill_height_um:g} µm, {int(res.pellets['n_particles'].iloc[0])} particles per pellet")
    print("factors              : " + ", ".join(f"{k} {v}" for k, v in res.factors().items()))
    if args.csv:
        print("tables               : " + ", ".join(str(p) for p in res.write_csv(args.csv).values()))
    return 0


def _cmd_calibrate(args) -> int:
    from sigdem.studies.pellet_calibration import calibrate_yield_stress, read_measured

    p, _ = read_measured(args.measured)
    study = _pellet_study(args, pressures_mpa=tuple(p))
    bounds = _numbers(args.bounds_gpa, "bounds_gpa", "0.02,1.0")
    if len(bounds) != 2:
        raise InputError("bounds_gpa", f"{args.bounds_gpa!r}: give two values, low,high (GPa)")
    for flag in ("submit", "collect"):  # each evaluation's yield stress depends on the last ones
        if getattr(args, flag):
            raise InputError(flag, f"--{flag} with calibrate: its pellet runs are chosen one after another from the "
                             "last results, so they run here; allowed: calibrate without --submit or --collect")
    workers = check_workers("workers", args.workers)
    evaluations = check_int("max_evaluations", args.max_evaluations, 5, 100)  # 5: the search and its curvature
    root_of(args)
    if args.dry_run:
        from dataclasses import replace

        from sigdem.studies.dryrun import pellet_plan

        plan = pellet_plan(study, workers, args.kernel)
        return print_plan(replace(plan, beds=plan.beds * evaluations,
                                  note=plan.note + f"; at most {evaluations} evaluations, each one study"))
    cal = calibrate_yield_stress(study, args.measured, args.root, _runner(args), bounds_gpa=bounds,
                                 state=args.state, max_evaluations=evaluations, workers=workers)
    print(f"yield stress         : {cal.yield_stress_gpa:.4g} ± {cal.uncertainty_gpa:.2g} GPa (1 sigma)")
    print(f"density rmse         : {cal.rmse_g_cc:.4g} g/cc ({cal.state}); runs {len(cal.fit.evaluations)}, "
          f"converged {cal.fit.converged}, at a bound {cal.fit.at_bound}")
    return 0


def _add_pellet_options(p, pressures: bool = True):
    P = PelletStudy
    p.add_argument("--blend", default=None, help="mass fractions, e.g. small=1.0 (SiG, default) or large=0.5,small=0.5 "
                   "(with --psd: of those grades, default equal)")
    if pressures:
        default = ",".join(f"{x:g}" for x in _default(P, "target_pressures_mpa"))
        p.add_argument("--pressures", default=default, help=f"target pressures, MPa (default {default})")
        p.add_argument("--pressures-ton-cm2", default=None,
                       help="target pressures in ton/cm² instead (1 ton/cm² = 98.0665 MPa, the literal tonne-force "
                            "reading), e.g. 3.8,9.6,19.2,38.4,48 (the paper's)")
    p.add_argument("--side-um", type=float, default=_default(P, "side_um"),
                   help="die side (periodic) or diameter (cylinder), µm (default: 8 x the blend's volume-basis d99)")
    p.add_argument("--die", default=_default(P, "die"),
                   help=f"die: {' or '.join(DIE_KINDS)} (default: cell with mdr, periodic with hertz). periodic: a floor "
                        "and a punch in a box periodic in x and y, a die "
                        "far wider than a particle without side walls. cylinder: a rigid cylindrical die of diameter "
                        "--side-um with its own wall friction (--die-friction), to show die-wall effects (the wall "
                        "carries part of the punch force: less reaches the floor; densities and pressures use pi R²). "
                        "cell (mdr only): the settled bed pressed as a cell periodic in z too, without floor or punch "
                        "(the bulk of a pellet; mdr's uncapped wall contacts stop a walled press near solid fraction "
                        "0.82-0.91)")
    p.add_argument("--die-friction", default=None,
                   help=f"particle-die wall friction, in [0, {MAX_DIE_FRICTION:g}] (only with --die cylinder; default: the "
                        "punch's particle-wall friction, 0.3 for steel)")
    p.add_argument("--release", default=None,
                   help="how each target is released: restarts (the press goes up monotonically and each target is "
                        "released from its restart in a LAMMPS run of its own, so a release that stops LAMMPS loses only "
                        "itself; --die cell only, its default) or cycles (load, hold, release, relax, reload: the "
                        "default of the walled dies)")
    p.add_argument("--fill-height-um", type=float, default=_default(P, "fill_height_um"),
                   help="powder fill, as its height at solid fraction 0.6, µm (default: in the mdr cell "
                        f"{CELL_FILL_OVER_DMAX:g} x the blend's volume-basis d99 to the whole µm, SiG 60, WD-SiG 91; "
                        f"between the walled dies' punches {WALLED_FILL_HEIGHT_UM:g})")
    p.add_argument("--replicates", type=int, default=_default(P, "replicates"), help="beds (default %(default)s)")
    p.add_argument("--contact", default="mdr", help="contact model: mdr (elastic-plastic, default) or hertz (elastic comparison)")
    p.add_argument("--yield-stress-gpa", type=float, default=GRAPHITE_YIELD_STRESS_GPA,
                   help=f"mdr yield stress, GPa (default {GRAPHITE_YIELD_STRESS_GPA:g}, an assumption)")
    p.add_argument("--psi-b", type=float, default=None, help=PSI_B_HELP)
    p.add_argument("--mdr-unload-split", choices=MDR_UNLOAD_SPLITS, default=None, help=MDR_UNLOAD_SPLIT_HELP)
    p.add_argument("--mdr-math", choices=MDR_MATHS, default=None, help=MDR_MATH_HELP)
    p.add_argument("--mdr-timestep-fraction", type=float, default=None,
                   help="mdr time step as a fraction of sqrt(m / (kappa R)) of the smallest particle, in (0, 0.16] "
                        "(default 0.04): the step of each target's hold, record and release; 0.16 releases too at "
                        "that step, whose springbacks are not shown to converge (README, Pellets)")
    p.add_argument("--press-timestep-fraction", type=float, default=None,
                   help="--die cell: the step of the servo's approach to each target, from the mdr step to 0.16 "
                        "(default 0.16, or the mdr step if larger): the loaded states converge there, and each target "
                        "is then held again, recorded and released at the mdr step (README, Pellets)")
    p.add_argument("--modulus-scale", type=float, default=_default(P, "modulus_scale"),
                   help="contact modulus / real one (default %(default)g)")
    p.add_argument("--speed-m-s", type=float, default=None,
                   help="largest punch speed of the servo, m/s (default: the mdr cell's 0.4 at gain 1, which is the "
                        "walled dies' 0.1 at gain 4 within 25 %% of a target; a speed given alone keeps gain 4)")
    p.add_argument("--servo-gain", type=float, default=None,
                   help="servo gain: the punch moves at clamp(gain x pressure error / target, ±1) x speed (default: "
                        "1 in the mdr cell at its default speed, else 4)")
    p.add_argument("--workers", type=int, default=1, help="replicates run in parallel processes (default 1)")
    _add_runner_options(p)


def add_parsers(sub) -> None:
    """Add ``pellet`` and ``calibrate`` to the ``sigdem`` subcommands."""
    pl = sub.add_parser("pellet", help="press pellets to target pressures: density, springback, Heckel/Kawakita",
                        description="Pour a blend into a die, press it with a servo punch to each target pressure "
                                    "(held within 2 %), release and relax; report densities under load and after "
                                    "relaxation, springback and elastic recovery with 95 % CIs, Heckel and Kawakita fits.")
    _add_pellet_options(pl)
    pl.add_argument("--csv", default=None, help="folder for pellets.csv, pellet_summary.csv, pellet_fits.csv")
    pl.set_defaults(func=_cmd_pellet)

    ca = sub.add_parser("calibrate", help="fit the mdr yield stress to a measured pellet density-pressure curve",
                        description="Each evaluation is a pellet run at the measured pressures; the yield stress "
                                    "minimising the squared density residual is reported with its uncertainty.")
    ca.add_argument("--measured", required=True, help="CSV with columns pressure_mpa, density_g_cc")
    ca.add_argument("--bounds-gpa", default="0.01,1.0", help="search range of the yield stress, GPa (default %(default)s)")
    ca.add_argument("--state", default="relaxed", choices=("loaded", "relaxed"),
                    help="density compared: in-die (loaded) or after ejection and relaxation (relaxed, default)")
    ca.add_argument("--max-evaluations", type=int, default=10, help="pellet runs at most (default %(default)s)")
    _add_pellet_options(ca, pressures=False)
    ca.set_defaults(func=_cmd_calibrate)

