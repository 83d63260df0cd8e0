"""Deck-level speed candidates of issue 7 item 6 (sigdem vs LIGGGHTS): same physics? how fast?

Each variant is a set of exact text replacements in a rendered settle and calender ``in.lmp`` (the
templates in lammps_inputs/ are not touched; a replacement that does not match exactly once is an
error). Variants (``--variants``, comma-separated):

- ``base``    the decks as sigdem renders them (with ``processors * * 1``, as the templates now ship)
- ``newton``  ``newton on`` instead of ``newton off`` in both stages (a pair straddling a periodic
              boundary or two ranks is computed once, its force on the ghost sent back by reverse comm)
- ``flatwall`` calender only: the wall displacement ``v_dz`` as one equal-style formula with the
              segment's numbers inlined at full precision, instead of four nested variables (each
              nested level is formatted to 15 digits and parsed back by LAMMPS, every step)
- ``plugin``  ``pair_style granular/hmr`` from benchmarks/kernel (the same model with the sub-models
              inlined; build it first with ``sh benchmarks/kernel/build.sh``)
Parts combine with ``+``: ``plugin+flatwall``, ``plugin+newton+flatwall``.

1. Equivalence (every variant against ``base``), run in full precision (dumps at %.17g):
   a. *settle*: the settled reference bed (``settled.data``: positions, velocities, spins, no contact
      history) runs ``--equiv-steps`` steps of the settle deck; its own end-of-run outputs are compared:
      per-particle force, torque, contact count and stress/atom, and the contact table (pairs, normal and
      tangential force). Writes ``settled.restart`` (with contact history).
   b. *restart chain*: the calender deck of each variant reads the restart its own settle wrote and
      compresses to one height 0.5 µm below the bed surface, holds ``--equiv-steps``, lifts (``fix halt``)
      and relaxes ``--equiv-steps``; target dump, target contacts, the unloaded dump and the record lines
      (targets.txt, held.txt, unloaded.txt) are compared.
   c. *cross restart*: the variant's calender deck reading the *base* settle's restart (a restart
      written by the shipped decks must still be usable).
2. Timing: the calender stage of the reference bed as ``run.py`` item 1 renders it (~36k steps), and the
   settle deck from the poured start for ``--settle-steps`` steps; variants interleaved, ``--repeats``
   times, on 1 and (``--ranks 1,2``) 2 ranks. LAMMPS's section breakdown per run; load before each run.

    PYTHONPATH=. python benchmarks/deck_study.py [--base DIR] [--variants base,newton] [--repeats 2]

``--base DIR`` reuses the run folders of ``run.py --only overhead --work DIR`` (its ref/settle-* and
overhead-lmp/calender-*); without it they are made here first (~1 min).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import sigdem  # noqa: F401
except ImportError:
    sys.path.insert(1, str(HERE.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import harness  # noqa: E402
from neighbor_study import breakdown  # noqa: E402
from sigdem.run import runners  # noqa: E402
from sigdem.io.dumps import read_last_frame  # noqa: E402

KERNEL = HERE / "kernel"  # build.sh; the source is sigdem/kernel/pair_granular_hmr.cpp
PLUGIN_SO = KERNEL / "build" / "granhmrplugin.so"

NEWTON = [("newton          off\n", "newton          on\n")]
# the wall displacement as one formula with the current segment's numbers inlined at full precision
# (%.20g round-trips a double). One word, no quotes: LAMMPS does not substitute $(...) inside quotes.
FLAT_DZ = ("variable        dz equal $(v_zfrom:%.20g)+($(v_zto:%.20g)-$(v_zfrom:%.20g))*ternary((step-"
           "$(v_sfrom:%.20g))*$(v_rate:%.20g)<1.0,(step-$(v_sfrom:%.20g))*$(v_rate:%.20g),1.0)-${z0}\n")
NESTED_DZ = "variable        dz equal v_ztop-${z0}\n"


def _flatwall(text: str) -> str:
    """The template lines recommended to the lead: the nested ``dz`` replaced by FLAT_DZ, and FLAT_DZ
    repeated after every ``variable rate equal`` line that follows it (a segment is complete once its
    rate is set; zfrom, zto and sfrom are always redefined before rate)."""
    head, sep, tail = _replace(text, NESTED_DZ, NESTED_DZ).partition(NESTED_DZ)
    tail = re.sub(r"^(variable\s+rate\s+equal\s.*\n)", lambda m: m.group(1) + FLAT_DZ, tail, flags=re.M)
    return head + FLAT_DZ + tail


PLUGIN_LOAD = f"plugin          load {PLUGIN_SO}\n"


def _plugin(text: str, stage: str) -> str:
    anchor = "units           micro\n"
    text = _replace(text, anchor, PLUGIN_LOAD + anchor)
    if stage == "settle":
        # the template's pair style is a variable since Numerics.kernel; pin it here as before
        text = _replace(text, "pair_style      ${pair_style}\n", "pair_style      granular/hmr\n")
    else:  # after read_restart: a no-op on a granular/hmr restart, swaps the style on a granular one
        line = "read_restart    ${dir}/start.restart\n"
        text = _replace(text, line, line + "pair_style      granular/hmr\n")
    return text


def _replace(text: str, old: str, new: str) -> str:
    n = text.count(old)
    if n != 1:
        raise SystemExit(f"expected one {old!r} in the deck, found {n}")
    return text.replace(old, new)


def patch(text: str, variant: str, stage: str) -> str:
    """The rendered ``in.lmp`` of ``stage`` (settle/calender) as variant ``variant``."""
    for part in variant.split("+"):
        if part == "base":
            continue
        if part == "newton":
            for old, new in NEWTON:
                text = _replace(text, old, new)
        elif part == "flatwall":
            if stage == "calender":
                text = _flatwall(text)
        elif part == "plugin":
            text = _plugin(text, stage)
        else:
            raise SystemExit(f"unknown variant part {part!r}")
    return text


def full_precision(text: str) -> str:
    return text.replace("format float %.10g", "format float %.17g")


def lmp(folder: Path, ranks: int, **var) -> harness.Timing:
    argv = runners.Executable(ranks=ranks).argv(runners.RunFolder(folder))
    for k, v in var.items():
        argv += ["-var", k, *(str(v).split() if k == "heights" else [str(v)])]
    return harness.run_child(argv, folder, log=folder / "log.lammps")


# ---- comparisons ------------------------------------------------------------------------------------

def atoms_table(path: Path) -> pd.DataFrame:
    return read_last_frame(path).data.sort_values("id").reset_index(drop=True)


def contacts_table(path: Path) -> pd.DataFrame:
    """Contacts keyed by (lo id, hi id), forces as seen from the lower id; a pair listed twice kept once."""
    c = read_last_frame(path).data.copy()
    swap = c["id1"] > c["id2"]
    lo, hi = np.minimum(c["id1"], c["id2"]), np.maximum(c["id1"], c["id2"])
    for col in ("ft_x", "ft_y", "ft_z", "branch_x", "branch_y", "branch_z"):
        c.loc[swap, col] = -c.loc[swap, col]
    c["lo"], c["hi"] = lo, hi
    c = c.drop_duplicates(["lo", "hi", "dist"]).sort_values(["lo", "hi", "dist"]).reset_index(drop=True)
    return c


def rel(a: np.ndarray, b: np.ndarray) -> float:
    scale = np.abs(a).max()
    return float(np.abs(a - b).max() / scale) if scale > 0 else float(np.abs(a - b).max())


def compare_atoms(a: pd.DataFrame, b: pd.DataFrame) -> dict:
    out = {"n": len(a) == len(b) and bool((a["id"].to_numpy() == b["id"].to_numpy()).all())}
    out["coord same"] = bool((a["c_coord"].to_numpy() == b["c_coord"].to_numpy()).all())
    out["dx um"] = float(np.abs(a[["x", "y", "z"]].to_numpy() - b[["x", "y", "z"]].to_numpy()).max())
    out["dF/Fmax"] = rel(a[["fx", "fy", "fz"]].to_numpy(), b[["fx", "fy", "fz"]].to_numpy())
    if "tqx" in a:
        out["dT/Tmax"] = rel(a[["tqx", "tqy", "tqz"]].to_numpy(), b[["tqx", "tqy", "tqz"]].to_numpy())
    s = [f"c_stress[{k}]" for k in range(1, 7)]
    out["dS/Smax"] = rel(a[s].to_numpy(), b[s].to_numpy())
    walls = [c for c in ("floor_fz", "top_fz") if c in a]
    if walls:
        out["dFwall/max"] = rel(a[walls].to_numpy(), b[walls].to_numpy())
    return out


def compare_contacts(a: pd.DataFrame, b: pd.DataFrame) -> dict:
    same = len(a) == len(b) and bool(((a["lo"] == b["lo"]) & (a["hi"] == b["hi"])).all())
    out = {"contacts": len(a), "pairs same": same}
    if same:
        out["dfn/max"] = rel(a["fn"].to_numpy(), b["fn"].to_numpy())
        out["dft/max"] = rel(a[["ft_x", "ft_y", "ft_z"]].to_numpy(), b[["ft_x", "ft_y", "ft_z"]].to_numpy())
    return out


def compare_records(a: Path, b: Path) -> float:
    """Largest relative difference between two one-table record files (same rows and columns)."""
    ta, tb = np.loadtxt(a, ndmin=2), np.loadtxt(b, ndmin=2)
    if ta.shape != tb.shape:
        return float("inf")
    return float((np.abs(ta - tb) / np.maximum(np.abs(ta), 1e-300)).max())


def fmt(d: dict) -> str:
    return ", ".join(f"{k} {v:.1e}" if isinstance(v, float) else f"{k} {v}" for k, v in d.items())


# ---- main -------------------------------------------------------------------------------------------

def reference_folders(base: Path | None, work: Path) -> tuple[Path, Path]:
    if base is None:
        import run
        base = work / "run"
        run.main(["--only", "overhead", "--work", str(base), "--csv", str(work / "run.csv")])
    settle = next((base / "ref").glob("settle-*"))
    calender = next((base / "overhead-lmp").glob("calender-*"))
    return settle, calender


def equivalence(settle: Path, calender: Path, variants: list[str], work: Path, steps: int, ranks: int) -> None:
    bed = atoms_table(settle / "settled.dump")
    zsurf = float((bed["z"] + bed["radius"]).max())
    height = zsurf - 0.5
    runs: dict = {}
    for name in variants:
        s = work / f"eq-{ranks}-{name}-settle"
        shutil.copytree(settle, s)
        for f in ("log.lammps", "settled.dump", "settled_contacts.dump", "settled.restart", "thermo.txt"):
            (s / f).unlink(missing_ok=True)
        (s / "in.lmp").write_text(full_precision(patch((settle / "in.lmp").read_text(), name, "settle")))
        lmp(s, ranks, datafile="settled.data", min_steps=steps, max_steps=steps)
        chain = {}
        for tag, restart in (("own", s / "settled.restart"),
                             ("cross", work / f"eq-{ranks}-{variants[0]}-settle" / "settled.restart")):
            if tag == "cross" and name == variants[0]:
                continue
            c = work / f"eq-{ranks}-{name}-calender-{tag}"
            c.mkdir()
            shutil.copy(calender / "params.json", c / "params.json")
            shutil.copy(restart, c / "start.restart")
            (c / "in.lmp").write_text(full_precision(patch((calender / "in.lmp").read_text(), name, "calender")))
            lmp(c, ranks, heights=f"{height:.17g}", hold_steps=steps, relax_steps=steps)
            chain[tag] = c
        runs[name] = (s, chain)
    ref_s, ref_chain = runs[variants[0]]
    print(f"\n1. equivalence on {ranks} rank(s) against {variants[0]}: settled bed + {steps} steps; then the calender "
          f"deck to {height:.4g} µm (surface {zsurf:.4g} µm), hold {steps}, lift, relax {steps}")
    for name in variants[1:]:
        s, chain = runs[name]
        print(f"   {name}:")
        print(f"     a. settle   atoms: {fmt(compare_atoms(atoms_table(ref_s / 'settled.dump'), atoms_table(s / 'settled.dump')))}")
        print(f"                 contacts: {fmt(compare_contacts(contacts_table(ref_s / 'settled_contacts.dump'), contacts_table(s / 'settled_contacts.dump')))}")
        for tag, c in chain.items():
            label = "b. chain  " if tag == "own" else "c. cross  "
            r = ref_chain["own"]
            print(f"     {label} target atoms: {fmt(compare_atoms(atoms_table(r / 'target_1.dump'), atoms_table(c / 'target_1.dump')))}")
            print(f"                 target contacts: {fmt(compare_contacts(contacts_table(r / 'target_1_contacts.dump'), contacts_table(c / 'target_1_contacts.dump')))}")
            print(f"                 unloaded atoms: {fmt(compare_atoms(atoms_table(r / 'unloaded.dump'), atoms_table(c / 'unloaded.dump')))}")
            recs = {f: compare_records(r / f, c / f) for f in ("targets.txt", "held.txt", "unloaded.txt")}
            steps_same = all(np.loadtxt(r / f, ndmin=2)[0, 1 if f != "unloaded.txt" else 0]
                             == np.loadtxt(c / f, ndmin=2)[0, 1 if f != "unloaded.txt" else 0] for f in recs)
            print(f"                 records (max rel diff): {fmt(recs)}; record steps identical: {steps_same}")


def idle_fraction(seconds: float = 2.0) -> float:
    """Fraction of all CPUs idle over ``seconds`` (from /proc/stat): 1.0 = nothing else running."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    i0, t0 = sample()
    time.sleep(seconds)
    i1, t1 = sample()
    return (i1 - i0) / max(t1 - t0, 1)


def wait_idle(min_idle: float | None, max_wait: float) -> tuple[float, float]:
    """Wait (up to ``max_wait`` s) until the CPUs are at least ``min_idle`` idle; (idle, seconds waited)."""
    t0 = time.monotonic()
    idle = idle_fraction()
    while min_idle is not None and idle < min_idle and time.monotonic() - t0 < max_wait:
        time.sleep(8.0)
        idle = idle_fraction()
    return idle, time.monotonic() - t0


def liggghts_breakdown(log: Path) -> dict:
    """LIGGGHTS 3.8 sections ("Pair  time (%) = 25.3 (73.4)"); its fixes are in Other (no Modify line)."""
    text = log.read_text()
    out = {}
    for sec, key in (("Pair", "Pair"), ("Neigh", "Neigh"), ("Comm", "Comm"), ("Modify", "Modify"), ("Other", "Other")):
        out[sec] = sum(float(m.group(1)) for m in re.finditer(rf"^{key}\s+time \(%\) = ([0-9.eE+-]+)", text, re.M))
    return out


def timing(settle: Path, calender: Path, variants: list[str], work: Path, repeats: int, ranks_list: list[int],
           settle_steps: int, stages: list[str], peer: bool = False, min_idle: float | None = None,
           max_wait: float = 600.0) -> None:
    print(f"\n2. timing ({repeats} interleaved repeats; wall, CPU and loop s; LAMMPS sections s; load before)")
    results: dict = {}
    if peer:
        import liggghts
        from run import liggghts_run
        cases = {}
        for ranks in ranks_list:  # on 2 ranks LIGGGHTS too splits x-y (processors * * 1), as sigdem's decks do
            cases[ranks] = work / f"liggghts-{ranks}"
            phases = liggghts.write_peer_case(settle, calender, cases[ranks], xy_split=ranks > 1)
        print(f"   LIGGGHTS peer of the reference settle + calender: {phases}; x-y split on > 1 rank")
    for rep in range(repeats):
        for ranks in ranks_list:
            if peer:
                idle, waited = wait_idle(min_idle, max_wait)
                lb = harness.loadavg()[0]
                t = liggghts_run(cases[ranks], ranks)
                b = liggghts_breakdown(cases[ranks] / "log.liggghts")
                results.setdefault(("liggghts", "-", ranks), []).append(t)
                print(f"   LIGGGHTS settle+calender {ranks}r rep {rep}: wall {t.wall_s:6.2f} cpu {t.cpu_s:6.2f} "
                      f"loop {t.loop_s:6.2f} steps {t.steps}  "
                      + " ".join(f"{k} {b[k]:.2f}" for k in ("Pair", "Neigh", "Comm", "Modify", "Other"))
                      + f"  load {lb:.2f} idle before {idle:.2f} (waited {waited:.0f} s)", flush=True)
            for name in variants:
                for stage in stages:
                    src = settle if stage == "settle" else calender
                    f = work / f"t-{stage}-{name}-{ranks}-{rep}"
                    shutil.copytree(src, f, ignore=shutil.ignore_patterns("*.dump", "log.lammps", "thermo.txt", "*.txt"))
                    (f / "in.lmp").write_text(patch((src / "in.lmp").read_text(), name, stage))
                    var = {"min_steps": settle_steps, "max_steps": settle_steps} if stage == "settle" else {}
                    idle, waited = wait_idle(min_idle, max_wait)
                    lb = harness.loadavg()[0]
                    t = lmp(f, ranks, **var)
                    b = breakdown(f / "log.lammps")
                    results.setdefault((stage, name, ranks), []).append(t)
                    print(f"   {stage:8s} {name:14s} {ranks}r rep {rep}: wall {t.wall_s:6.2f} cpu {t.cpu_s:6.2f} "
                          f"loop {t.loop_s:6.2f} steps {t.steps}  "
                          + " ".join(f"{k} {b[k]:.2f}" for k in ("Pair", "Neigh", "Comm", "Modify", "Output"))
                          + f"  ghosts {b['ghosts']:.0f}  load {lb:.2f} idle before {idle:.2f} (waited {waited:.0f} s)",
                          flush=True)
                    shutil.rmtree(f, ignore_errors=True)
    print("\n   best (and median) wall s per variant, best CPU s; ratios of best to the first variant's best")
    for stage in stages:
        for ranks in ranks_list:
            base = min(t.wall_s for t in results[(stage, variants[0], ranks)])
            base_cpu = min(t.cpu_s for t in results[(stage, variants[0], ranks)])
            for name in variants:
                ws = [t.wall_s for t in results[(stage, name, ranks)]]
                cs = [t.cpu_s for t in results[(stage, name, ranks)]]
                print(f"   {stage:8s} {name:24s} {ranks}r: wall best {min(ws):6.2f} median {np.median(ws):6.2f} "
                      f"x{min(ws) / base:.3f}   CPU best {min(cs):6.2f} x{min(cs) / base_cpu:.3f}")
    if peer and set(stages) == {"settle", "calender"}:
        print("\n   peer: sigdem settle + calender (lmp, two processes) / LIGGGHTS, per repeat (same repeat = same load)")
        for ranks in ranks_list:
            lig = [t.wall_s for t in results[("liggghts", "-", ranks)]]
            for name in variants:
                sig = [a.wall_s + b.wall_s for a, b in zip(results[("settle", name, ranks)],
                                                           results[("calender", name, ranks)])]
                print(f"   {name:24s} {ranks}r: sigdem " + " ".join(f"{x:6.2f}" for x in sig)
                      + "  LIGGGHTS " + " ".join(f"{x:6.2f}" for x in lig)
                      + "  ratio " + " ".join(f"{a / b:.3f}" for a, b in zip(sig, lig))
                      + f"  (best/best {min(sig) / min(lig):.3f})")
            if ranks == 1:
                ligc = min(t.cpu_s for t in results[("liggghts", "-", ranks)])
                for name in variants:
                    sigc = min(a.cpu_s + b.cpu_s for a, b in zip(results[("settle", name, ranks)],
                                                                 results[("calender", name, ranks)]))
                    print(f"   {name:24s} {ranks}r CPU: sigdem best {sigc:6.2f}  LIGGGHTS best {ligc:6.2f}  "
                          f"ratio {sigc / ligc:.3f}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, default=None, help="folder of `run.py --only overhead --work DIR`")
    p.add_argument("--variants", default="base,newton")
    p.add_argument("--equiv-steps", type=int, default=500)
    p.add_argument("--equiv-ranks", default="1", help="ranks of the equivalence runs, comma-separated")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--ranks", default="1", help="ranks of the timing runs, comma-separated")
    p.add_argument("--stages", default="calender,settle")
    p.add_argument("--settle-steps", type=int, default=None, help="default: the reference settle's step count")
    p.add_argument("--peer", action="store_true", help="also time LIGGGHTS on the same problem, interleaved")
    p.add_argument("--min-idle", type=float, default=None,
                   help="before each timed run wait (<= --max-wait s) until this fraction of the CPUs is idle")
    p.add_argument("--max-wait", type=float, default=600.0)
    p.add_argument("--no-equiv", action="store_true")
    p.add_argument("--no-timing", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args()
    names = args.variants.split(",")
    work = Path(tempfile.mkdtemp(prefix="sigdem-deck-"))
    try:
        settle, calender = reference_folders(args.base, work)
        steps = args.settle_steps or int(np.loadtxt(settle / "settle_result.txt", ndmin=2)[0, 0])
        print(f"settle {settle}\ncalender {calender}\nvariants {names}; load {harness.loadavg()}")
        if not args.no_equiv:
            for r in map(int, args.equiv_ranks.split(",")):
                equivalence(settle, calender, names, work, args.equiv_steps, r)
        if not args.no_timing:
            timing(settle, calender, names, work, args.repeats, [int(r) for r in args.ranks.split(",")], steps,
                   args.stages.split(","), peer=args.peer, min_idle=args.min_idle, max_wait=args.max_wait)
        print(f"\nload at end {harness.loadavg()}")
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
