"""``sigdem reproduce``, for sigdem/cli.py to wire in (``add_parser(subparsers)``; ``run(args)``)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sigdem.studies.reproduce import PUBLIC_SCALES, SCALES, get_scale, plan_reproduction

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
    p.add_argument("--submit", action="store_true",
                   help="do not run: render the packing beds' run folders and print what would be submitted and the "
                        "'sigdem hpc submit' command for them. Submitting the calendering and pellet chains from "
                        "reproduce is NOT yet available (run them locally, or submit their settle folders first)")
    return p


def _scale(text: str) -> str:
    get_scale(text)  # InputError names the allowed public scales
    return text


def _submit_plan(args) -> int:
    from sigdem.run.runners import render

    plan = plan_reproduction(args.scale)
    root = args.root.resolve()
    beds = [job for job in plan.jobs(root) if job.stage in ("ternary", "tapped")]
    folders = [render(job.args[0], root).path for job in beds]
    print(f"reproduce --submit ({args.scale} scale): {len(folders)} packing beds rendered under {root}")
    for job, folder in zip(beds, folders):
        print(f"  {job.stage:8s} {job.label:32s} {folder.name}")
    chains = [job for job in plan.jobs(root) if job.stage not in ("ternary", "tapped")]
    print(f"not submitted (chains of settle -> press; not yet available from reproduce): {len(chains)} jobs")
    for job in chains:
        print(f"  {job.stage:12s} {job.label}")
    print("submit the beds with:\n  sigdem hpc submit " + str(root) + " " + " ".join(str(f) for f in folders))
    print("then rerun 'sigdem reproduce' with the same --scale and --root: finished folders are reused")
    return 0


def run(args) -> int:
    # progress of the job (jobs done / total) at INFO, whatever -v says
    logging.getLogger("sigdem.studies.reproduce").setLevel(logging.INFO)
    logging.getLogger("sigdem.report").setLevel(logging.INFO)
    if args.submit:
        return _submit_plan(args)
    from sigdem.report.reproduce import reproduce

    rep = reproduce(args.out, args.root, args.scale, args.workers, argv=sys.argv[1:])
    width = max(len(c.claim) for c in rep.claims)
    print(f"\nclaims ({rep.results.scale.get('name')} scale):")
    for c in rep.claims:
        print(f"  {c.claim:{width}s}  {c.verdict}")
    print(f"\nreport: {rep.files['html']} (and report.md, claims.csv, provenance.json, tables/, figures/)")
    return 0
