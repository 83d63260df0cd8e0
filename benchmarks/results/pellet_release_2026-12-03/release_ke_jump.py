"""sigdem's release_ke_jump for each run here: from its held record to its released record, or to its last thermo row
for a run that stopped. Usage (repository root): python benchmarks/results/pellet_release_2026-12-03/release_ke_jump.py"""
from pathlib import Path

from sigdem.io.logs import read_table
from sigdem.studies.pellet_analysis import release_ke_jump

here = Path(__file__).parent
print("# run release_ke_jump (largest rise of kinetic energy between two thermo rows, 1,000 steps apart)")
for run in ("base", "half", "slow", "spike", "spike2"):
    t, held = read_table(here / run / "thermo.txt"), read_table(here / run / "targets.txt").step[0]
    released = read_table(here / run / "released.txt") if (here / run / "released.txt").exists() else None
    end = released.step[0] if released is not None and len(released) else t.step.max()
    print(run, round(release_ke_jump(t, held, end), 1))
