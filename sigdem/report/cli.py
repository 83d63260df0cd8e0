"""``sigdem reproduce``, for sigdem/cli.py to wire in (``add_parser(subparsers)``; ``run(args)`` runs the job here
or, with ``--collect``, gathers folders finished elsewhere). ``--submit`` is the command line's
(:func:`sigdem.cli.cluster.cmd_reproduce`): it submits through :mod:`sigdem.hpc`, a room this one does not import."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sigdem.errors import InputError
from sigdem.inputs import check_cluster_flags
from sigdem.studies.reproduce import PUBLIC_SCALES, SCALES, get_scale

DESCRIPTION = (
    "The paper's DEM work in one job, with a report: (1) the ternary packing map of the three grades beside the "
    "analytic estimates and the tapped-density ranking of SiG vs WD-SiG; (2) SiG (small=1.0) vs WD-SiG "
    "(large=0.5,small=0.5) calendering through 1.0-1.75 g/cc with replicates; (3) pellets when the pellet study is in "
    "this build. Writes report.md, a self-contained report.html, claims.csv, provenance.json, tables/*.csv and "
    "figures/*.png to --out: every claim of the paper beside sigdem's value, its 95 % CI and a verdict computed from "
    "the data. Finished run folders under --root are reused: rerun the same command to resume.")


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("reproduce", help="run the paper's DEM work and write the claims report",
                              description=DESCRIPTION)
    scales = "; ".join(f"{n}: {SCALES[n].description}" for n in PUBLIC_SCALES)
    p.add_argument("--scale", default="small", type=_scale,
                   help=f"{' or '.join(PUBLIC_SCALES)} (default small: ~18 min of LAMMPS on 2 cores, measured 2 Dec 2026). {scales}")
    p.add_argument("--out", type=Path, default=Path("sigdem-runs/reproduce"), help="report folder (default %(default)s)")
    p.add_argument("--root", type=Path, default=Path("sigdem-runs"), help="run folders (default %(default)s)")
    p.add_argument("--workers", type=int, default=None, help="parallel LAMMPS processes (default: all usable cores)")
    g = p.add_argument_group("cluster (Slurm)")
    g.add_argument("--submit", action="store_true",
                   help="do not run here: render every run folder of the plan and submit it through sigdem.hpc as "
                        "Slurm job arrays (the packing beds as one array; the calendering and pellet replicates as "
                        "settle -> press chains: a settle array, and a press array whose task k builds its deck from "
                        "settled bed k once settle task k succeeded, aftercorr). Finished folders are skipped, so "
                        "rerunning it submits only what is left. Prints the job ids, the 'sigdem hpc status' commands "
                        "and the --collect command to run when the tasks are done")
    g.add_argument("--collect", action="store_true",
                   help="run nothing: gather the finished run folders under --root (e.g. from --submit) into the same "
                        "report a local run writes (provenance says the results were collected: the LAMMPS time "
                        "each folder recorded, the pool's wall times unknown); refused, naming the unfinished jobs, while any is not done")
    g.add_argument("--profile", type=Path, default=None,
                   help="with --submit: cluster profile (TOML: partition, account, time, ...); default: this "
                        "machine's Slurm")
    g.add_argument("--pretend", action="store_true",
                   help="with --submit: render the run folders and print the batch scripts, submit nothing")
    g.add_argument("--resubmit-failed", action="store_true",
                   help="with --submit: submit failed or killed folders again (default: they are skipped)")
    return p


def _scale(text: str) -> str:
    get_scale(text)  # InputError names the allowed public scales
    return text


def run(args) -> int:
    # progress of the job (jobs done / total) at INFO, whatever -v says
    logging.getLogger("sigdem.studies.reproduce").setLevel(logging.INFO)
    logging.getLogger("sigdem.report").setLevel(logging.INFO)
    check_cluster_flags(args)
    if args.submit:  # the command line's (sigdem.cli.cluster.cmd_reproduce): it submits through sigdem.hpc
        raise InputError("submit", "reproduce --submit goes through the sigdem command line (sigdem.cli.main); "
                         "this entry point only runs locally or collects")
    from sigdem.report.reproduce import reproduce

    rep = reproduce(args.out, args.root, args.scale, args.workers, argv=sys.argv[1:], collect_only=args.collect)
    if args.collect:
        print(f"collected the finished run folders under {Path(args.root).resolve()} (nothing ran here)")
    width = max(len(c.claim) for c in rep.claims)
    print(f"\nclaims ({rep.results.scale.get('name')} scale):")
    for c in rep.claims:
        print(f"  {c.claim:{width}s}  {c.verdict}")
    print(f"\nreport: {rep.files['html']} (and report.md, claims.csv, provenance.json, tables/, figures/)")
    return 0
