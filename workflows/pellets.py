"""Pellets of SiG (small=1.0) and WD-SiG (large=0.5,small=0.5): density vs pressure, springback, compaction laws
(paper Fig. 4a,b). Writes CSV tables and figures to sigdem-runs/pellets/.

    python workflows/pellets.py [--replicates N] [--contact mdr|hertz] [--workers W] [--pressures-mpa 10,100,...]

Default: the study's pressure series (8 values, 10 MPa-5 GPa, both readings of the paper's ton/cm²), mdr contacts,
3 replicates; springback bars at the pressure nearest 9.6 ton/cm² (the paper's Fig. 4b).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sigdem import units
from sigdem.model.contact import contact_from_name
from sigdem.plots.pellet import compaction_plots, density_vs_pressure, springback_bars
from sigdem.psd import blend_from_text, paper_grades
from sigdem.studies.pellet import DEFAULT_PRESSURES_MPA, PelletStudy, run_pellet

BLENDS = {"SiG": "small=1.0", "WD-SiG": "large=0.5,small=0.5"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--contact", default="mdr")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pressures-mpa", default=",".join(f"{p:g}" for p in DEFAULT_PRESSURES_MPA))
    ap.add_argument("--out", default="sigdem-runs/pellets")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    pressures = tuple(float(x) for x in args.pressures_mpa.split(","))
    results = {}
    for label, text in BLENDS.items():
        study = PelletStudy(blend_from_text(text, paper_grades()), replicates=args.replicates,
                            target_pressures_mpa=pressures, contact=contact_from_name(args.contact))
        results[label] = res = run_pellet(study, out / "runs", workers=args.workers)
        res.write_csv(out / label)
        logging.info("%s: die %.4g µm, factors %s", label, study.die_side_um, res.factors())
    density_vs_pressure(results).savefig(out / "density_vs_pressure.png", dpi=150)
    springback_bars(results, units.convert(9.6, "ton/cm2", "MPa")).savefig(out / "springback.png", dpi=150)
    for state in ("loaded", "relaxed"):
        compaction_plots(results, state).savefig(out / f"compaction_{state}.png", dpi=150)
    print(f"tables and figures in {out}")


if __name__ == "__main__":
    main()
