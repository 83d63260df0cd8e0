"""Release target k of a pressed copy from held_<k>.restart with extra -var overrides (scratch experiment)."""
import json, sys, time
from pathlib import Path
from types import SimpleNamespace
from sigdem.io.folder import RunFolder
from sigdem.run.branches import _lmp_from_held, BRANCH_FILES
from sigdem.run.stops import stop_tag

folder = RunFolder(Path(sys.argv[1]))
k = int(sys.argv[2])
extra = dict(a.split("=", 1) for a in sys.argv[3:])
for p in BRANCH_FILES:
    folder.fn(p.format(k=k)).unlink(missing_ok=True)
runner = SimpleNamespace(ranks=2, launcher="mpirun", kernel="auto", timeout_s=None)
t = time.time()
code, tail = _lmp_from_held(folder, runner, {"branch": k, **extra}, f"log_release_{k}.lammps")
print(json.dumps({"code": code, "tag": stop_tag(tail) if code else None, "wall_s": round(time.time() - t), "extra": extra}))
for name in (f"branch_{k}_start.txt", f"branch_{k}_released.txt", f"branch_{k}_relaxed.txt"):
    p = folder.fn(name)
    print(name, p.read_text() if p.exists() else "(missing)")
print(tail[-3000:])
