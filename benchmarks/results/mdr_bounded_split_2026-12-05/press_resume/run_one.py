"""Resume a copy of a stopped mdr pellet press from held_1.restart with extra -var overrides (scratch experiment)."""
import json, shutil, sys, time
from pathlib import Path
from types import SimpleNamespace
from sigdem.io.folder import RunFolder
from sigdem.run.branches import _lmp_from_held, _truncate_records, RESUME_FILES
from sigdem.run.stops import stop_tag

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
extra = dict(a.split("=", 1) for a in sys.argv[3:])
if dst.exists():
    shutil.rmtree(dst)
shutil.copytree(src, dst)
folder = RunFolder(dst)
if "mdr_split" in extra:  # the folder's in.lmp predates the template's mdr_split line
    inp = dst / "in.lmp"
    text = inp.read_text()
    old = "pair_style      ${mdr_pair} $(v_cut_factor*v_d_max)\n"
    assert text.count(old) == 1
    inp.write_text(text.replace(old, "pair_style      ${mdr_pair} $(v_cut_factor*v_d_max) split ${mdr_split}\n"))
_truncate_records(folder, 1)
for p in RESUME_FILES:
    folder.fn(p.format(k=1)).unlink(missing_ok=True)
for p in dst.glob("resume_*.json"):
    p.unlink()
runner = SimpleNamespace(ranks=2, launcher="mpirun", kernel="auto", timeout_s=None)
t = time.time()
code, tail = _lmp_from_held(folder, runner, {"resume": 1, "pressures": (960.0,), **extra}, "log_resume_1.lammps")
print(json.dumps({"code": code, "tag": stop_tag(tail), "wall_s": round(time.time() - t), "extra": extra}))
print(tail)
