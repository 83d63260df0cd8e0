"""The paper's DEM workflow in one run: the ternary packing map (Fig. 2a), then SiG vs WD-SiG calendering (Fig. 3).

Two scales, both stated in the outputs:

- default (small, ~10 min on 2 cores): the six blends of a 0.5-step grid (the three grades and
  their 50/50 pairs, which include the paper's best blend, 50 % large + 50 % small) with 2 beds of
  3,000 particles each, then the calendering comparison with 2 replicates per blend in a 100 µm box with
  elastic Hertz contacts (not representative: the results say so);
- ``--full``: the 15 blends of a 0.25-step grid with 3 beds each and 3 calendering replicates with the
  calendering defaults (a representative box of 8 largest diameters, elastic-plastic mdr contacts): hours
  on 2 cores; use ``sigdem hpc`` for it.

Writes to ``--out``: ``ternary_packing.csv`` and ``ternary_packing.png`` (with the Farr-Groot and
Desmond-Weeks estimates beside the simulation), ``calendering/`` (everything
``workflows/sig_vs_wdsig.py`` writes) and ``timing.json`` (wall time of each part).
Finished run folders under ``--root`` are reused, so an interrupted workflow resumes.

Run from the repository:  python workflows/paper_dem.py --workers 2
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sig_vs_wdsig  # noqa: E402  (the calendering half of this workflow)

from sigdem.plots.ternary import ternary_map  # noqa: E402
from sigdem.psd import blend_from_fractions, paper_grades  # noqa: E402
from sigdem.studies.packing import PackingStudy  # noqa: E402
from sigdem.studies.calendering_run import run_replicate_job  # noqa: E402
from sigdem.studies.ternary import run_deck_job, ternary_decks, ternary_packing_sweep, ternary_studies  # noqa: E402

log = logging.getLogger("workflows.paper_dem")

SCALES = {
    # calendering at the small scale: a 100 µm box (2.5-4 largest diameters, below the representative 8: flagged
    # in the results) with elastic Hertz contacts, so the whole job fits ~10 min; the full scale uses the
    # calendering defaults (representative box, mdr), see workflows/sig_vs_wdsig.py
    "small": {"step": 0.5, "replicates": 2, "calender_replicates": 2, "calender": ["--side-um", "100", "--contact", "hertz"]},
    "full": {"step": 0.25, "replicates": 3, "calender_replicates": 3, "calender": []},
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="the full scale (0.25 grid, 3 beds per blend, 3 calendering replicates)")
    p.add_argument("--n", type=int, default=3000, help="particles per packing bed (default 3000)")
    p.add_argument("--workers", type=int, default=2, help="parallel LAMMPS processes (default 2)")
    p.add_argument("--root", default="sigdem-runs", help="run folders")
    p.add_argument("--out", default="sigdem-runs/paper_dem", help="tables and figures")
    return p.parse_args(argv)


def ternary_part(args, scale: dict, out: Path):
    grades = paper_grades()
    template = PackingStudy(blend_from_fractions(grades, large=1.0), n_particles=args.n, replicates=scale["replicates"])
    table = ternary_packing_sweep(grades, template, args.root, step=scale["step"], workers=args.workers)
    table.to_csv(out / "ternary_packing.csv", index=False)
    names = tuple(g.name for g in grades)
    fig = ternary_map(table, names, estimators=("farr_groot", "desmond_weeks"))
    fig.savefig(out / "ternary_packing.png", dpi=150, bbox_inches="tight")
    return table, names


def calender_argv(args, scale: dict) -> list[str]:
    return ["--replicates", str(scale["calender_replicates"]), "--workers", str(args.workers),
            "--root", str(args.root), "--out", str(Path(args.out) / "calendering"), *scale["calender"]]


def run_all_jobs(args, scale: dict) -> dict:
    """Every LAMMPS run of both halves on one pool of ``workers`` processes: the calendering chains
    (settle then press, the longest jobs) first, then the packing beds, longest first. Run
    separately, each half's last jobs leave a core idle; the halves then only read finished folders.
    Returns the wall seconds of every job, by half."""
    grades = paper_grades()
    template = PackingStudy(blend_from_fractions(grades, large=1.0), n_particles=args.n, replicates=scale["replicates"])
    studies = sig_vs_wdsig.make_studies(sig_vs_wdsig.parse_args(calender_argv(args, scale)))
    jobs = [(run_replicate_job, (st, k, str(args.root), None)) for st in studies.values() for k in range(st.replicates)]
    jobs += [(run_deck_job, (deck, str(args.root), None)) for deck in ternary_decks(ternary_studies(grades, template, scale["step"]))]
    log.info("paper workflow: %d LAMMPS jobs on %d workers", len(jobs), args.workers)
    if args.workers == 1:
        done = [_timed(fn, job) for fn, job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            # result() re-raises a job's error (its folder is marked failed)
            done = [fut.result() for fut in [pool.submit(_timed, fn, job) for fn, job in jobs]]
    return {"calendering_job_s": [s for fn, s in zip((f for f, _ in jobs), done) if fn is run_replicate_job],
            "packing_job_s": [s for fn, s in zip((f for f, _ in jobs), done) if fn is run_deck_job]}


def _timed(fn, job) -> float:
    """Wall seconds of one pool job (a finished folder that is reused counts ~0)."""
    t = time.perf_counter()
    fn(job)
    return time.perf_counter() - t


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    scale_name = "full" if args.full else "small"
    scale = SCALES[scale_name]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    timing = {"scale": scale_name, **scale, "n_particles": args.n, "workers": args.workers}

    t0 = time.perf_counter()
    timing.update(run_all_jobs(args, scale))
    timing["simulations_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    table, names = ternary_part(args, scale, out)
    sig_vs_wdsig.main(calender_argv(args, scale))
    timing["analysis_s"] = time.perf_counter() - t1
    timing["total_s"] = time.perf_counter() - t0
    (out / "timing.json").write_text(json.dumps(timing, indent=2) + "\n")

    cols = [f"x_{n}" for n in names] + ["solid_fraction", "solid_fraction_ci95", "n", "farr_groot", "desmond_weeks"]
    print(f"\npacking of the simulated blends ({scale_name} scale, {args.n} particles, {scale['replicates']} beds each),"
          " densest first:")
    print(table[cols].sort_values("solid_fraction", ascending=False).to_string(index=False, float_format="%.4f"))
    print(f"\nwall time: simulations {timing['simulations_s']:.0f} s, analysis and figures {timing['analysis_s']:.0f} s, "
          f"total {timing['total_s'] / 60:.1f} min on {args.workers} workers; outputs in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
