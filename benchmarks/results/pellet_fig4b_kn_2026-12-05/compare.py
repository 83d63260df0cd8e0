"""SiG against WD-SiG from the two `sigdem pellet --csv` folders (sig/, wdsig/): per pressure, each blend's mean and
95 % CI over its replicates (sigdem.stats.mean_ci), and the difference with the claims table's CI (the two CIs
added in quadrature, sigdem.report.claims_pellets). Usage: python compare.py [WD-SiG folder, default wdsig] [SiG folder, default sig] > compare.txt"""
import math
import sys
import pandas as pd
from sigdem.stats import mean_ci

cols = ["density_loaded_g_cc", "solid_fraction_loaded", "density_relaxed_g_cc", "springback_height",
        "springback_density", "elastic_recovery", "median_force_mN", "p99_force_mN"]
wd = sys.argv[1] if len(sys.argv) > 1 else "wdsig"
sg = sys.argv[2] if len(sys.argv) > 2 else "sig"
p = {"sig": pd.read_csv(f"{sg}/pellets.csv"), "wdsig": pd.read_csv(f"{wd}/pellets.csv")}
for b, t in p.items():
    print(f"{b}: {len(t)} rows, replicates {sorted(t['replicate'].unique())}, particles "
          f"{sorted(t['n_particles'].unique())}, releases disturbed {int(t['release_disturbed'].sum())}")
for mpa in sorted(p["sig"]["target_pressure_mpa"].unique()):
    print(f"\n{mpa:g} MPa ({mpa / 10:g} kN/cm²)")
    for c in cols:
        e = {b: mean_ci(t.loc[t["target_pressure_mpa"] == mpa, c].dropna().to_numpy()) for b, t in p.items()}
        d, ci = e["sig"].mean - e["wdsig"].mean, math.hypot(e["sig"].ci95, e["wdsig"].ci95)
        print(f"  {c:24s} SiG {e['sig'].mean:.4g} ± {e['sig'].ci95:.2g} (n {e['sig'].n})  WD-SiG {e['wdsig'].mean:.4g} "
              f"± {e['wdsig'].ci95:.2g} (n {e['wdsig'].n})  SiG - WD-SiG {d:+.4g} ± {ci:.2g}")
