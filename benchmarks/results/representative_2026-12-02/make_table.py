"""The README table of the representative run: SiG (3 replicates) vs WD-SiG (the replicates given, e.g. 0,2), collected only.

    python make_table.py 0,2 <root>    (replicate 1 of WD-SiG was lost to a run-folder race and not rerun)
"""
import math
import sys
import sigdem.studies.calendering_run as cal
from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import CollectOnly
from sigdem.studies.calendering import LONG_SCHEDULE, CalenderingStudy  # the phases these runs had
from sigdem.studies.calendering_run import run_calendering
from sigdem.studies.calendering_analysis import compare_blends
wd_reps = [int(x) for x in sys.argv[1].split(",")]
sig = run_calendering(CalenderingStudy(blend_from_text("small=1.0", paper_grades()), **LONG_SCHEDULE), sys.argv[2] if len(sys.argv) > 2 else "runs/rep", CollectOnly())
orig = cal.run_replicate
cal.run_replicate = lambda study, k, root, runner=None, progress=False: orig(study, wd_reps[k], root, runner, progress)
wd = cal.run_calendering(CalenderingStudy(blend_from_text("large=0.5,small=0.5", paper_grades()), replicates=len(wd_reps), **LONG_SCHEDULE), sys.argv[2] if len(sys.argv) > 2 else "runs/rep", CollectOnly())
cal.run_replicate = orig
q = {"wall_pressure_mpa": ("wall pressure (MPa)", "%.3g"), "median_force_mN": ("median contact force (mN)", "%.3g"),
     "p99_force_mN": ("p99 contact force (mN)", "%.3g"), "max_force_mN": ("max contact force (mN)", "%.3g"),
     "max_force_sim_mN": ("max force as simulated, softened (mN)", "%.3g"),
     "film_at_risk_fraction": ("Si-film share at risk", "%.2f"), "mean_sigma_c_mpa": ("mean particle stress (MPa)", "%.3g")}
cmp = compare_blends(sig, wd, ("SiG", "WD-SiG"), tuple(q))
cmp.to_csv("comparison.csv", index=False)
paper = {("max_force_mN", 1.75): "2.21 SiG, 1.39 WD-SiG", ("median_force_mN", 1.3): "SiG >= 3x WD-SiG"}
def f(v, c, fmt):
    return (fmt % v) + ("" if not math.isfinite(c) else " ± " + (fmt % c))
lines = ["| density | quantity | SiG | WD-SiG | SiG − WD-SiG | paper |", "|---|---|---|---|---|---|"]
for rho in (1.3, 1.5, 1.75):
    for key, (name, fmt) in q.items():
        r = cmp[(cmp.target_density_g_cc == rho) & (cmp.quantity == key)]
        if r.empty: continue
        r = r.iloc[0]
        lines.append(f"| {rho:g} | {name} | {f(r['SiG'], r['SiG_ci95'], fmt)} | {f(r['WD-SiG'], r['WD-SiG_ci95'], fmt)} | "
                     f"{f(r['difference'], r['difference_ci95'], fmt)} ({r['verdict']}) | {paper.get((key, rho), '')} |")
sb = {n: r.springback() for n, r in (("SiG", sig), ("WD-SiG", wd))}
lines.append(f"| after release | springback | {sb['SiG'].mean:.3f} ± {sb['SiG'].ci95:.3f} (n={sb['SiG'].n}) | "
             f"{sb['WD-SiG'].mean:.3f}" + (f" ± {sb['WD-SiG'].ci95:.3f}" if math.isfinite(sb['WD-SiG'].ci95) else "") + f" (n={sb['WD-SiG'].n}) | | SiG > WD-SiG |")
print("\n".join(lines))
print()
rows = ["| size class (µm) | SiG particles | SiG median / p99 / max force (mN) | WD-SiG particles | WD-SiG median / p99 / max force (mN) |", "|---|---|---|---|---|"]
def sc(r):
    t = r.size_classes; t = t[t["target_density_g_cc"] == 1.75]
    return t.groupby("size_class")[["n_particles", "fn_median_mN", "fn_p99_mN", "fn_max_mN"]].mean()
a, b = sc(sig), sc(wd)
order = ["0-8", "8-12", "12-16", "16-22", "22-30", "30-40", "40-60", "all"]
for cls in [c for c in order if c in a.index or c in b.index] + [c for c in sorted(set(a.index) | set(b.index)) if c not in order]:
    def cell(t):
        if cls not in t.index: return "-", "-"
        x = t.loc[cls]; return f"{x.n_particles:.0f}", f"{x.fn_median_mN:.2f} / {x.fn_p99_mN:.1f} / {x.fn_max_mN:.1f}"
    pa, fa = cell(a); pb, fb = cell(b)
    rows.append(f"| {cls} | {pa} | {fa} | {pb} | {fb} |")
print("\n".join(rows))
print()
for n, r in (("SiG", sig), ("WD-SiG", wd)):
    print(n, "fracture-free:", r.fracture_free("film").describe("Si-film strain"), "| unload:", list(r.replicates["unload"]))
    print(r.replicates[["replicate", "settled_density_g_cc", "first_contact_density_g_cc", "springback"]].to_string(index=False))
print(cmp.to_string(index=False, float_format="%.4g"))
