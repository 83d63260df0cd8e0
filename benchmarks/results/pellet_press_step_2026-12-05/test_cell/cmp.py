import sys
sys.path.insert(0, "tests")
from pathlib import Path
from test_pellet_cell import BLEND, SMALL, PRESSURES
from sigdem.studies.pellet import PelletStudy, run_pellet
from sigdem.io.logs import read_table
from sigdem.io.folder import RunFolder
for frac in (0.04, 0.08, 0.16):
    root = Path(f"<work>/hyb/tc/f{frac}")
    study = PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="cell", press_timestep_fraction=frac, **SMALL)
    res = run_pellet(study, root)
    folder = RunFolder(root / res.replicates["pellet_folder"].iloc[0])
    t = read_table(folder.fn("targets.txt"))
    p = res.pellets.set_index("record")
    print(frac, "ke", [round(x, 2) for x in t["ke"]], "steps", list(t["step"]),
          "sb", [round(x, 5) for x in p["springback_height"]], "relaxedP/held",
          [round(a / b, 5) for a, b in zip(p["relaxed_wall_pressure_mpa"], p["pressure_reached_mpa"])],
          "rho", [round(x, 5) for x in p["density_loaded_g_cc"]])
