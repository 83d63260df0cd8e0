"""The same settled beds calendered with libm's exp/acos (LAMMPS's mdr bits) and with glibc's vector exp/acos
(``--mdr-math vector``): per target, each record's mean over the beds both ways, the paired difference (vector -
libm) with its 95 % CI over beds, and the beds' own spread (the between-bed standard deviation of libm's).

    python compare.py <root> <blend, e.g. small=1.0> <replicates> [<other root>]

With another root (the same settles, calendered with libm's math on another number of ranks), the comparison is
libm (root) against libm (other root) instead: a round-off-only change of LAMMPS's own mdr (the ranks' order of
summation), the control for the vector one. Reads the finished folders only (CollectOnly: nothing runs)."""
import sys

import numpy as np
import pandas as pd
from scipy import stats

from sigdem.cli import build_parser
from sigdem.cli.helpers import _blend  # the CLI's own blend parsing
from sigdem.model.contact import GRAPHITE_YIELD_STRESS_GPA, contact_from_name
from sigdem.run.runners import CollectOnly
from sigdem.studies.calendering import CalenderingStudy
from sigdem.studies.calendering_run import run_calendering

COLUMNS = ("wall_pressure_mpa", "p99_force_mN", "median_force_mN", "max_force_mN", "coordination",
           "at_risk_fraction", "film_at_risk_fraction", "max_overlap_ratio")


def targets(root, blend, reps, math):
    args = build_parser().parse_args(["calender", "--blend", blend, "--replicates", str(reps)])
    frac = CalenderingStudy.__dataclass_fields__["contact"].default.timestep_fraction
    study = CalenderingStudy(_blend(blend, args), side_um=args.side_um, loading_mg_cm2=args.loading_mg_cm2,
                             replicates=reps, modulus_scale=args.modulus_scale, speed_m_s=args.speed_m_s,
                             threshold_gpa=args.threshold_gpa,
                             contact=contact_from_name("mdr", GRAPHITE_YIELD_STRESS_GPA, frac, math=math))
    res = run_calendering(study, root, CollectOnly())
    t = res.targets[res.targets["status"] == "ok"]
    return t.set_index(["target_density_g_cc", "replicate"]), res.replicates


root, blend, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
a, ra = targets(root, blend, reps, "libm")
b, rb = targets(sys.argv[4], blend, reps, "libm") if len(sys.argv) > 4 else targets(root, blend, reps, "vector")
if len(sys.argv) > 4:
    print(f"control: the 'vector' columns are libm's math in {sys.argv[4]}")
print(f"root {root}, blend {blend}, {reps} bed(s); calender folders libm {list(ra['calender_folder'])}, vector "
      f"{list(rb['calender_folder'])}")
rows = []
for rho in sorted(set(a.index.get_level_values(0))):
    for col in COLUMNS:
        x, y = a.loc[rho][col].to_numpy(float), b.loc[rho][col].to_numpy(float)
        d = y - x
        n = len(d)
        half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows.append({"target_g_cc": rho, "record": col, "libm_mean": x.mean(), "vector_mean": y.mean(),
                     "diff_mean": d.mean(), "diff_ci95": half, "beds_sd_libm": x.std(ddof=1) if n > 1 else np.nan,
                     "largest_rel_diff": np.max(np.abs(d) / np.maximum(np.abs(x), 1e-300))})
pd.set_option("display.width", 200)
print(pd.DataFrame(rows).to_string(index=False, float_format="%.4g"))
sb = pd.DataFrame({"springback_libm": ra["springback"], "springback_vector": rb["springback"]})
print(sb.to_string())
