"""Per-target statistics of two calender folders of the same settled bed (psi_b 0 vs 0.5), via sigdem's analysis."""
import sys
from pathlib import Path
import pandas as pd
from sigdem.io.folder import RunFolder
from sigdem.model.contact import MdrContact
from sigdem.psd import blend_from_text, paper_grades
from sigdem.studies.calendering import CalenderingStudy, CALENDER_MDR_TIMESTEP_FRACTION
from sigdem.studies.calendering_analysis import analyse_target

blend, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
cols = ["record", "particle_density_g_cc", "wall_pressure_mpa", "p99_force_mN", "max_force_mN", "coordination",
        "mean_sigma_c_mpa", "at_risk_fraction", "film_at_risk_fraction", "p99_film_strain", "plastic_contact_fraction"]
rows = []
for psi_b, path in ((0.0, a), (0.5, b)):
    st = CalenderingStudy(blend_from_text(blend, paper_grades()), replicates=1,
                          contact=MdrContact(timestep_fraction=CALENDER_MDR_TIMESTEP_FRACTION, psi_b=psi_b))
    f = RunFolder(Path(path))
    n = len(open(f.fn("targets.txt")).read().strip().splitlines()) - 1
    for k in range(1, n + 1):
        t = analyse_target(st, f, k)
        rows.append({"psi_b": psi_b, **{c: t.scalars.get(c) for c in cols}})
df = pd.DataFrame(rows)
pd.set_option("display.width", 250)
print(df.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
w = df.pivot(index="record", columns="psi_b")
print("\nratio psi_b 0 / psi_b 0.5 per record:")
print((w.xs(0.0, axis=1, level=1) / w.xs(0.5, axis=1, level=1)).drop(columns=["particle_density_g_cc"]).to_string(float_format=lambda x: f"{x:.4f}"))

# per size class at the last record (forces grow with d^2 at equal stress: compare per class, not bed-wide)
cls_cols = ["size_class", "n_particles", "fn_p99_mN", "sigma_c_p99_mpa", "film_at_risk_fraction"]
last = {}
for psi_b, path in ((0.0, a), (0.5, b)):
    st = CalenderingStudy(blend_from_text(blend, paper_grades()), replicates=1,
                          contact=MdrContact(timestep_fraction=CALENDER_MDR_TIMESTEP_FRACTION, psi_b=psi_b))
    f = RunFolder(Path(path))
    n = len(open(f.fn("targets.txt")).read().strip().splitlines()) - 1
    last[psi_b] = analyse_target(st, f, n).size_classes[cls_cols].set_index("size_class")
both = last[0.0].add_suffix("_psi0").join(last[0.5].add_suffix("_psi05"))
both["fn_p99_ratio"] = both["fn_p99_mN_psi0"] / both["fn_p99_mN_psi05"]
both["sigma_c_p99_ratio"] = both["sigma_c_p99_mpa_psi0"] / both["sigma_c_p99_mpa_psi05"]
print(f"\nper size class (µm) at record {n}:")
print(both.to_string(float_format=lambda x: f"{x:.4g}"))
