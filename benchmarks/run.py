"""sigdem benchmarks (issue 7): overhead against raw LAMMPS, scaling with N, MPI speed-up, analytic
pre-screen, the paper's DEM workflow, and a LIGGGHTS peer. One command, a table, a CSV:

    PYTHONPATH=. python benchmarks/run.py            # full: ~10 min on 2 cores
    PYTHONPATH=. python benchmarks/run.py --quick    # smoke run, ~2.5 min
    PYTHONPATH=. python benchmarks/run.py --wait-quiet 0.5   # first wait (<= 20 min) for 1-min load < 0.5
    PYTHONPATH=. python benchmarks/run.py --only calendering --csv benchmarks/results/calendering.csv

Targets are ratios measured in one run, so a noisy machine moves numerator and denominator
together; the 1-min load average before and after every case is in the CSV. Nothing here
asserts a time. What each case runs (full mode; --quick uses a 1,300-particle bed of the small grade):

1. overhead  calender stage of a settled 2,500-particle bed of the paper blend (large=0.5,small=0.5):
             sigdem end to end (deck generation, LAMMPS through sigdem's default runner: a child
             ``lmp`` with the kernel ``auto`` picks, parsing the target dumps, contact-force and
             particle-pressure statistics with pandas) against the same rendered in.lmp run by ``lmp``
             alone with the same kernel; best of 2, interleaved. Target: ratio <= 1.03.
2. scaling   the settle deck on a dense bed: the settled 2,500-particle bed tiled 1x1, 2x2, 4x4 in
             x-y (2k, 8k, 32k particles; identical local structure), a fixed number of steps;
             exponent of loop time (and of process wall time) against N. Target <= 1.1.
3. mpi       the same deck on the 3x3 tiling (18k particles): Executable(ranks=1) vs (ranks=2).
             Target: speed-up >= 1.7.
4. analytic  Farr-Groot + Desmond-Weeks on the 66-point ternary grid (best of 5). Target < 1 s.
5. workflow  ``workflows/paper_dem.py`` at its defaults (ternary packing of 6 blends x 2 beds of 3,000
             particles, then SiG vs WD-SiG calendering with 2 replicates; 2 workers), measured end to
             end; its ``--full`` scale estimated from the measured parts. Target <= 10 min.
6. peer      LIGGGHTS 3.8 runs the same pour-and-compress problem as sigdem's settle + calender of
             item 1 (same particles, contact law, time step, skin, wall speeds, steps per phase;
             benchmarks/liggghts.py), on 1 and 2 ranks. Targets (speed issue): sigdem with its defaults
             <= 0.8x LIGGGHTS's wall time on 1 rank, <= 0.9x on 2. The defaults run the granular/hmr kernel
             where `sigdem kernel build` verified it; beside them, rows with LAMMPS's own pair granular
             (runner kernel="granular", what a machine without a compiler runs), checked bitwise equal.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import sigdem  # noqa: F401  (importable?)
except ImportError:  # run from a checkout without PYTHONPATH
    sys.path.insert(1, str(HERE.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import harness  # noqa: E402
import liggghts  # noqa: E402
from harness import InProcessTimer, Timing, fmt_s, loadavg, run_child  # noqa: E402

from sigdem.deck import RunRecord  # noqa: E402
from sigdem.run import runners  # noqa: E402
from sigdem.deck import Calender, Deck, start_bed  # noqa: E402
from sigdem.io.dumps import read_last_frame  # noqa: E402
from sigdem.io.logs import read_table  # noqa: E402
from sigdem.deck.protocol_variables import settled_surface_um  # noqa: E402
from sigdem.io.folder import RunFolder  # noqa: E402

PAPER_BLEND = "large=0.5,small=0.5"


@dataclass(frozen=True)
class Config:
    quick: bool
    n_ref: int                  # particles of the reference bed (items 1, 2, 3, 6)
    ref_blend: str              # its blend
    cal_offsets: tuple          # calender targets: settled density + these, g/cc
    cal_hold: int
    cal_relax: int
    tiles: tuple                # scaling: tiles per side
    scale_steps: int
    mpi_tiles: int              # mpi: tiles per side
    mpi_steps: int

    @classmethod
    def make(cls, quick: bool) -> "Config":
        if quick:
            # the paper workflow needs ~3,000-particle beds for its bulk slab: it is not part of --quick
            # the smallest bed the packing study accepts (a bulk slab 4 x D90 deep under a box >= 4 x d_max
            # wide): ~1,000-1,230 particles of the small grade, ~2,000-2,420 of the paper blend by seed
            return cls(True, 1300, "small=1.0", (0.05, 0.10), 500, 1000, (1, 2, 4), 500, 3, 500)
        return cls(False, 2500, PAPER_BLEND, (0.05, 0.10, 0.15), 2000, 5000, (1, 2, 4), 3000, 3, 2000)


@dataclass
class Row:
    item: str
    case: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    kind: str = "measured"
    n_particles: int | None = None
    ranks: int | None = None
    steps: int | None = None
    wall_s: float | None = None
    cpu_s: float | None = None
    loop_s: float | None = None
    max_rss_mb: float | None = None
    load_before: float | None = None
    load_after: float | None = None
    note: str = ""


@dataclass
class State:
    cfg: Config
    work: Path
    rows: list = field(default_factory=list)
    ref_settle: RunFolder | None = None
    ref_deck: Deck | None = None
    ref_settle_timing: Timing | None = None
    sig_calender: RunFolder | None = None
    sig_calender_run_timing: Timing | None = None
    pack: dict | None = None

    def add(self, row: Row) -> None:
        self.rows.append(row)
        mark = {True: "ok", False: "MISSED", None: ""}[row.met]
        print(f"  -> {row.item} {row.case}: {row.value if row.value is None else f'{row.value:.4g}'} {row.unit} {mark}"
              f" {row.note}", flush=True)


def env_with_path() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE.parent), env.get("PYTHONPATH", "")) if p)
    return env


def cli_study(args: list[str]):
    """The PackingStudy `sigdem <args>` would build (the CLI's own defaults)."""
    from sigdem.cli import _packing_study, build_parser

    return _packing_study(build_parser().parse_args(args))


def lmp_argv(folder: RunFolder, ranks: int = 1, **variables) -> list[str]:
    """``lmp`` on a rendered folder with the kernel sigdem's default runner would give it (kernel="auto")."""
    kernel = runners.kernel_variables(folder, "auto")
    argv = runners.Executable(ranks=ranks).argv(folder, kernel)
    for name, value in variables.items():
        argv += ["-var", name, str(value)]
    return argv


# ---- reference bed: settle the reference bed (2,500 particles of the paper blend) in-process --------------------------

def reference_settle(st: State) -> None:
    study = cli_study(["pack", "--blend", st.cfg.ref_blend, "--n", str(st.cfg.n_ref), "--replicates", "1"])
    st.ref_deck = study.deck(0)
    with InProcessTimer() as t:
        st.ref_settle = runners.run(st.ref_deck, st.work / "ref")
    steps = int(read_table(st.ref_settle.fn("settle_result.txt")).iloc[-1]["step"])
    st.ref_settle_timing = replace(t.timing, steps=steps)


def calender_deck(settle: RunFolder, deck: Deck, cfg: Config) -> Deck:
    bed = start_bed(settle)
    rho0 = float(bed.masses_pg.sum()) / (bed.area_um2 * settled_surface_um(settle))
    protocol = Calender(target_densities_g_cc=tuple(round(rho0 + x, 4) for x in cfg.cal_offsets),
                        hold_steps=cfg.cal_hold, relax_steps=cfg.cal_relax)
    return replace(deck, bed=bed, protocol=protocol, start=settle)


def calender_statistics(folder: RunFolder) -> pd.DataFrame:
    """Per target: contact normal-force max and percentiles (nN), particle mean-pressure percentiles (kPa)."""
    targets = read_table(folder.fn("targets.txt"))
    rows = []
    for k in targets["k"].astype(int):
        contacts = read_last_frame(folder.fn(f"target_{k}_contacts.dump")).data
        atoms = read_last_frame(folder.fn(f"target_{k}.dump")).data
        fn = contacts["fn"].abs()
        volume = 4.0 / 3.0 * np.pi * atoms["radius"] ** 3
        pressure = -(atoms["c_stress[1]"] + atoms["c_stress[2]"] + atoms["c_stress[3]"]) / (3.0 * volume)
        q = fn.quantile([0.5, 0.9, 0.99])
        p = pressure.quantile([0.5, 0.9, 0.99])
        rows.append({"k": k, "contacts": len(contacts), "fn_max": fn.max(), "fn_p50": q[0.5], "fn_p90": q[0.9],
                     "fn_p99": q[0.99], "p_p50": p[0.5], "p_p90": p[0.9], "p_p99": p[0.99], "p_max": pressure.max()})
    table = pd.DataFrame(rows).merge(targets, on="k")
    unloaded = read_table(folder.fn("unloaded.txt")).iloc[0]
    table["springback"] = unloaded["zsurf"] / targets["ztop"].iloc[-1] - 1.0
    return table


# ---- 1. overhead ----------------------------------------------------------------------------------

def case_overhead(st: State) -> None:
    cfg = st.cfg
    deck = calender_deck(st.ref_settle, st.ref_deck, cfg)
    lb = loadavg()[0]
    # best of 2, interleaved (lmp, sigdem, lmp, sigdem): one ~30 s run each scatters by a few per cent here
    lmp_runs, sigdem_runs = [], []
    for rep in range(2):
        lmp_folder = runners.render(deck, st.work / f"overhead-lmp-{rep}")
        lmp_runs.append(run_child(lmp_argv(lmp_folder), lmp_folder.path, log=lmp_folder.fn("log.lammps")))
        with InProcessTimer() as t_all:
            deck2 = calender_deck(st.ref_settle, st.ref_deck, cfg)          # deck generation
            with InProcessTimer() as t_run:
                folder = runners.run(deck2, st.work / f"overhead-sigdem-{rep}")  # render + the default runner
            stats = calender_statistics(folder)                           # parsing + statistics
        sigdem_runs.append((t_all, t_run, folder, stats))
    t_lmp = min(lmp_runs, key=lambda t: t.wall_s)
    t_all, t_run, folder, stats = min(sigdem_runs, key=lambda r: r[0].timing.wall_s)
    la = loadavg()[0]
    st.sig_calender, st.sig_calender_run_timing = folder, t_run.timing
    stats.to_csv(folder.fn("bench_statistics.csv"), index=False)
    n = deck.bed.n
    ratio = t_all.timing.wall_s / t_lmp.wall_s
    cpu_ratio = t_all.timing.cpu_s / t_lmp.cpu_s
    st.add(Row("1", "calender: lmp executable alone (best of 2)", t_lmp.wall_s, "s", n_particles=n, ranks=1, steps=t_lmp.steps,
               wall_s=t_lmp.wall_s, cpu_s=t_lmp.cpu_s, loop_s=t_lmp.loop_s, max_rss_mb=t_lmp.max_rss_mb,
               load_before=lb, load_after=la))
    st.add(Row("1", "calender: sigdem end to end (default runner, best of 2)", t_all.timing.wall_s, "s", n_particles=n, ranks=1,
               steps=t_lmp.steps, wall_s=t_all.timing.wall_s, cpu_s=t_all.timing.cpu_s,
               max_rss_mb=t_all.timing.max_rss_mb, load_before=lb, load_after=la,
               note=f"render+run {t_run.timing.wall_s:.2f} s, parse+stats {t_all.timing.wall_s - t_run.timing.wall_s:.2f} s"))
    st.add(Row("1", "overhead ratio sigdem / lmp (wall)", ratio, "x", "<= 1.03", ratio <= 1.03, n_particles=n,
               load_before=lb, load_after=la, note=f"CPU-time ratio {cpu_ratio:.3f}"))
    probe = st.work / "import-probe"
    probe.mkdir(exist_ok=True)
    t_imp = run_child([sys.executable, "-c", "import sigdem.cli, sigdem.run.runners, sigdem.studies.packing, pandas; "
                       "from sigdem.run.session import LammpsSession"], probe, env=env_with_path())
    st.add(Row("1", "sigdem start-up in a new process (imports)", t_imp.wall_s, "s", wall_s=t_imp.wall_s,
               cpu_s=t_imp.cpu_s, max_rss_mb=t_imp.max_rss_mb,
               note="paid once per CLI command; not in the ratio above (the lmp launcher's own start-up is)"))


# ---- 2. scaling, 3. MPI ---------------------------------------------------------------------------

def tiled_folder(st: State, tiles_x: int, tiles_y: int, root: str) -> RunFolder:
    bed = harness.tiled_bed(st.ref_settle, tiles_x, tiles_y)
    return runners.render(replace(st.ref_deck, bed=bed), st.work / root)


def run_fixed(folder: RunFolder, ranks: int, steps: int) -> Timing:
    """The settle deck for exactly ``steps`` steps (the stop rule's run lengths overridden)."""
    for name in ("log.lammps", "settle_result.txt"):
        folder.fn(name).unlink(missing_ok=True)
    return run_child(lmp_argv(folder, ranks, min_steps=steps, max_steps=steps), folder.path,
                     log=folder.fn("log.lammps"))


def case_scaling(st: State) -> None:
    cfg = st.cfg
    ns, loops, walls = [], [], []
    for k in cfg.tiles:
        folder = tiled_folder(st, k, k, "scaling")
        lb = loadavg()[0]
        t = run_fixed(folder, 1, cfg.scale_steps)
        n = RunRecord.read(st.ref_settle).n_particles * k * k
        ns.append(n), loops.append(t.loop_s), walls.append(t.wall_s)
        st.add(Row("2", f"dense settle steps, {k}x{k} tiles", t.loop_s / t.steps * 1e3, "ms/step", n_particles=n,
                   ranks=1, steps=t.steps, wall_s=t.wall_s, cpu_s=t.cpu_s, loop_s=t.loop_s, max_rss_mb=t.max_rss_mb,
                   load_before=lb, load_after=loadavg()[0],
                   note=f"{t.loop_s / t.steps / n * 1e9:.0f} ns per particle-step"))
    a_loop, a_wall = harness.fit_exponent(ns, loops), harness.fit_exponent(ns, walls)
    st.add(Row("2", "scaling exponent of loop time vs N", a_loop, "", "<= 1.1", a_loop <= 1.1,
               note=f"N = {', '.join(map(str, ns))}; process wall-time exponent {a_wall:.3f}"))


def case_mpi(st: State) -> None:
    cfg = st.cfg
    k = cfg.mpi_tiles
    folder = tiled_folder(st, k, k, "mpi")
    n = RunRecord.read(st.ref_settle).n_particles * k * k
    res = {}
    for ranks in (1, 2):
        lb = loadavg()[0]
        t = run_fixed(folder, ranks, cfg.mpi_steps)
        grid = next((l.strip() for l in folder.fn("log.lammps").read_text().splitlines() if "MPI processor grid" in l), "")
        res[ranks] = t
        st.add(Row("3", f"dense settle steps, {ranks} rank{'s' * (ranks > 1)}", t.loop_s, "s", n_particles=n,
                   ranks=ranks, steps=t.steps, wall_s=t.wall_s, cpu_s=t.cpu_s, loop_s=t.loop_s,
                   max_rss_mb=t.max_rss_mb, load_before=lb, load_after=loadavg()[0], note=grid))
    speedup = res[1].loop_s / res[2].loop_s
    st.add(Row("3", "MPI speed-up 1 -> 2 ranks (loop time)", speedup, "x", ">= 1.7", speedup >= 1.7, n_particles=n,
               note=f"process wall-time speed-up {res[1].wall_s / res[2].wall_s:.2f}"))


# ---- 4. analytic ----------------------------------------------------------------------------------

def case_analytic(st: State) -> None:
    from bench_psd import best_time

    from sigdem.psd import paper_grades, ternary_packing

    grades = paper_grades()
    n = len(ternary_packing(grades, 0.1))
    lb = loadavg()[0]
    t = best_time(lambda: ternary_packing(grades, 0.1))
    st.add(Row("4", f"analytic pre-screen, {n}-point ternary grid (best of 5)", t, "s", "< 1 s", t < 1.0, wall_s=t,
               load_before=lb, load_after=loadavg()[0]))


# ---- 5. workflow ----------------------------------------------------------------------------------

def case_workflow(st: State) -> None:
    """Item 5: ``workflows/paper_dem.py`` at its defaults (small scale), measured end to end; the
    ``--full`` scale estimated from the wall seconds of each job it measured."""
    script = HERE.parent / "workflows" / "paper_dem.py"
    root = st.work / "paper_dem"
    root.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(script), "--workers", "2", "--root", str(root), "--out", str(root / "out")]
    lb = loadavg()[0]
    t = run_child(argv, root, env=env_with_path())
    la = loadavg()[0]
    timing = json.loads((root / "out" / "timing.json").read_text())
    pack, cal = timing["packing_job_s"], timing["calendering_job_s"]
    st.add(Row("5", f"paper DEM workflow, default scale: packing beds ({timing['step']} grid, {timing['replicates']} "
               f"of {timing['n_particles']} particles per blend)", sum(pack), "s", kind="measured",
               n_particles=timing["n_particles"], note=f"{len(pack)} jobs, {min(pack):.0f}-{max(pack):.0f} s each"))
    st.add(Row("5", f"paper DEM workflow, default scale: calendering chains (settle + press; "
               f"{timing['calender_replicates']} replicates per blend)", sum(cal), "s", kind="measured",
               note=f"{len(cal)} jobs, {min(cal):.0f}-{max(cal):.0f} s each"))
    st.add(Row("5", "paper DEM workflow: workflows/paper_dem.py (defaults, 2 workers, one pool)", t.wall_s, "s",
               "<= 600 s", t.wall_s <= 600, kind="measured", wall_s=t.wall_s, cpu_s=t.cpu_s, max_rss_mb=t.max_rss_mb,
               load_before=lb, load_after=la, note=f"CPU {t.cpu_s / 60:.1f} min; simulations "
                                                   f"{timing['simulations_s']:.0f} s, analysis {timing['analysis_s']:.0f} s"))
    # --full: 15 blends x 3 beds and 3 calendering replicates, from the job times measured here
    from sigdem.psd import ternary_grid
    n_full = len(ternary_grid(0.25)) * 3
    work = sum(pack) * n_full / len(pack) + sum(cal) * 3 / timing["calender_replicates"]
    full = work / 2 + timing["analysis_s"]
    st.add(Row("5", "paper DEM workflow --full (0.25 grid x 3 beds, 3 calendering replicates)", full, "s",
               kind="estimated", note=f"job seconds scaled to {n_full} beds and 3 replicates, / 2 workers"))


# ---- 6. peer --------------------------------------------------------------------------------------

def liggghts_run(case_dir: Path, ranks: int) -> Timing:
    argv = ["liggghts", "-in", "in.liggghts", "-log", "log.liggghts", "-screen", "screen.txt"]
    env = dict(os.environ)
    if ranks > 1:  # Debian's liggghts is built on Open MPI: its mpirun, not the venv's MPICH one
        mpirun = shutil.which("mpirun.openmpi") or shutil.which("orterun") or "/usr/bin/mpirun"
        argv = [mpirun, "-np", str(ranks), "--bind-to", "none"] + argv
        if os.geteuid() == 0:
            env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return run_child(argv, case_dir, env=env, log=case_dir / "log.liggghts")


XY_SPLIT = "processors      * * 1\n"


def with_xy_split(folder: RunFolder) -> RunFolder:
    """Add ``processors * * 1`` to a rendered folder's in.lmp (split x-y, never z), unless it has one.

    The stage templates ship this line since commit b7beec6; then this is a no-op and the sigdem side of
    the "x-y" peer case is the shipped deck (only the LIGGGHTS side gets a line it would not have).
    """
    text = folder.fn("in.lmp").read_text()
    if re.search(r"^processors\s+\*\s+\*\s+1\b", text, re.M):
        return folder
    anchor = "boundary        p p f\n"
    if anchor not in text:
        raise RuntimeError(f"{folder.path}: no '{anchor.strip()}' line to put the processors line after")
    folder.fn("in.lmp").write_text(text.replace(anchor, anchor + XY_SPLIT, 1))
    return folder


def sigdem_two_ranks(st: State, root: Path, xy: bool) -> tuple[RunFolder, RunFolder, Timing]:
    """Settle + calender of the reference decks with Executable(ranks=2), optionally split x-y."""
    runner = runners.Executable(ranks=2)
    with InProcessTimer() as t:
        settle = runners.render(st.ref_deck, root)
        runners.execute(with_xy_split(settle) if xy else settle, runner)
        calender = runners.render(calender_deck(settle, st.ref_deck, st.cfg), root)
        runners.execute(with_xy_split(calender) if xy else calender, runner)
    return settle, calender, t.timing


def sigdem_stock(st: State, ranks: int) -> tuple[RunFolder, RunFolder, Timing]:
    """Settle + calender of the reference decks with LAMMPS's own pair granular (runner kernel="granular", what
    a machine without a compiler runs): in-process on 1 rank (as the default row), Executable(ranks) otherwise."""
    deck = st.ref_deck
    runner = runners.InProcess(kernel="granular") if ranks == 1 else runners.Executable(ranks=ranks, kernel="granular")
    root = st.work / f"peer-granular-{ranks}"
    with InProcessTimer() as t:
        settle = runners.execute(runners.render(deck, root), runner)
        calender = runners.execute(runners.render(calender_deck(settle, deck, st.cfg), root), runner)
    return settle, calender, t.timing


def same_bytes(a: RunFolder, b: RunFolder, names: tuple[str, ...]) -> bool:
    return all(a.fn(n).read_bytes() == b.fn(n).read_bytes() for n in names)


def stock_rows(st: State, ranks: int, label: str, settle: RunFolder, calender: RunFolder, lig: Timing) -> None:
    """Item 6 without the kernel (pair granular) beside the default row, when the default ran the granular/hmr
    plugin: the same LIGGGHTS run is the peer (the two kernels are bitwise equal on the same ranks, checked on
    the dumps, so both stop at the same steps)."""
    if settle.status().get("kernel") == "granular":
        return  # the default already ran pair granular (no verified plugin here): its row is this row
    lb = loadavg()[0]
    g_settle, g_calender, t = sigdem_stock(st, ranks)
    same = (same_bytes(settle, g_settle, ("settled.dump", "settled_contacts.dump"))
            and same_bytes(calender, g_calender, ("targets.txt", "unloaded.dump", "unloaded.txt")))
    loops = [liggghts.loop_lines(f.fn("log.lammps").read_text()) for f in (g_settle, g_calender)]
    how = "in-process runner" if ranks == 1 else f"Executable(ranks={ranks})"
    st.add(Row("6", f"pour+compress, sigdem kernel=granular, {label} ({how})", t.wall_s, "s",
               n_particles=st.ref_deck.bed.n, ranks=ranks, wall_s=t.wall_s, cpu_s=t.cpu_s if ranks == 1 else None,
               loop_s=sum(x for lp in loops for x, _, _ in lp), load_before=lb, load_after=loadavg()[0],
               note=f"dumps bitwise equal to the default (granular/hmr) run's on {ranks} rank{'s' * (ranks > 1)}: {same}"))
    st.add(Row("6", f"sigdem kernel=granular / LIGGGHTS wall time, {label}", t.wall_s / lig.wall_s, "x",
               n_particles=st.ref_deck.bed.n, ranks=ranks, note="no compiler: LAMMPS's pair granular"))


def case_peer(st: State) -> None:
    version = harness.liggghts_version()
    if not version:
        st.add(Row("6", "LIGGGHTS peer", None, "", "sigdem <= LIGGGHTS", None, kind="not run",
                   note="liggghts not found (Debian: apt-get install -y liggghts)"))
        return
    n = st.ref_deck.bed.n
    # 2 ranks run the same decks, but the trajectory differs (summation order), so the settle stops at
    # another step: each LIGGGHTS run mirrors the step counts of the sigdem run it is compared with
    for ranks, xy in ((1, False), (2, False), (2, True)):
        label = f"{ranks} rank{'s' * (ranks > 1)}" + (", both x-y split (processors * * 1: sigdem ships it, added to LIGGGHTS)" if xy else "")
        if ranks == 1:
            settle, calender = st.ref_settle, st.sig_calender
            sig = st.ref_settle_timing.wall_s + st.sig_calender_run_timing.wall_s
            sig_cpu = st.ref_settle_timing.cpu_s + st.sig_calender_run_timing.cpu_s
            how = "default runner"
        else:
            lb = loadavg()[0]
            settle, calender, t = sigdem_two_ranks(st, st.work / f"peer-2{'-xy' * xy}", xy)
            sig, sig_cpu, how = t.wall_s, None, "Executable(ranks=2)"
        case_dir = st.work / f"liggghts-{ranks}{'-xy' * xy}"
        phases = liggghts.write_peer_case(settle.path, calender.path, case_dir, xy_split=xy)
        sig_loops = [liggghts.loop_lines(f.fn("log.lammps").read_text()) for f in (settle, calender)]
        sig_loop = sum(t for loops in sig_loops for t, _, _ in loops)
        grid = next((l.strip() for l in settle.fn("log.lammps").read_text().splitlines() if "MPI processor grid" in l), "")
        st.add(Row("6", f"pour+compress, sigdem, {label} ({how})", sig, "s", n_particles=n, ranks=ranks,
                   steps=phases.total, wall_s=sig, cpu_s=sig_cpu, loop_s=sig_loop, note=grid))
        lb = loadavg()[0]
        lig = liggghts_run(case_dir, ranks)
        st.add(Row("6", f"pour+compress, LIGGGHTS, {label}", lig.wall_s, "s", n_particles=n,
                   ranks=ranks, steps=lig.steps, wall_s=lig.wall_s, cpu_s=lig.cpu_s, loop_s=lig.loop_s,
                   max_rss_mb=lig.max_rss_mb, load_before=lb, load_after=loadavg()[0],
                   note=f"steps settle {phases.settle}, compress {phases.compress}, hold {phases.hold}, "
                        f"lift+relax {phases.lift + phases.relax}"))
        ratio = sig / lig.wall_s
        lig_loops = [t for t, _, _ in liggghts.loop_lines((case_dir / "log.liggghts").read_text())]
        settle_ratio = sum(t for t, _, _ in sig_loops[0]) / lig_loops[0]
        cal_ratio = sum(t for t, _, _ in sig_loops[1]) / sum(lig_loops[1:])
        kernel = settle.status().get("kernel", "granular")
        # the speed issue's targets, with sigdem's defaults: 1 rank; 2 ranks with both codes on the same x-y grid
        # (LIGGGHTS's own 1x1x2 grid idles a rank once the bed has settled: that row is shown, not judged)
        target = 0.8 if ranks == 1 else 0.9 if xy else None
        st.add(Row("6", f"sigdem (defaults: kernel {kernel}) / LIGGGHTS wall time, {label}", ratio, "x",
                   f"<= {target}" if target else "", (ratio <= target) if target else None, n_particles=n, ranks=ranks,
                   note=f"loop-time ratio {sig_loop / lig.loop_s:.2f}: settle {settle_ratio:.2f}, "
                        f"calender {cal_ratio:.2f}" + ("" if not xy else "; LIGGGHTS's deck given sigdem's grid")))
        if not xy:  # the shipped decks split x-y already: the stock-kernel rows sit beside the as-shipped rows
            stock_rows(st, ranks, label, settle, calender, lig)


# ---- main -----------------------------------------------------------------------------------------

CASES = ("workflow", "analytic", "reference", "overhead", "peer", "scaling", "mpi")


def print_table(rows: list[Row]) -> None:
    print()
    print(f"{'#':2s} {'benchmark':62s} {'value':>12s} {'target':>14s} {'':6s} note")
    for r in rows:
        if r.value is None:
            val = "-"
        elif r.unit == "s":
            val = fmt_s(r.value)
        else:
            val = f"{r.value:.3g} {r.unit}".strip()
        status = {True: "ok", False: "MISSED", None: ""}[r.met]
        kind = "" if r.kind == "measured" else f"[{r.kind}] "
        print(f"{r.item:2s} {r.case[:62]:62s} {val:>12s} {r.target:>14s} {status:6s} {kind}{r.note}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small beds: a smoke run of ~2 minutes")
    p.add_argument("--only", default=None,
                   help=f"comma-separated cases of {','.join(CASES)} (default: all; --quick leaves out workflow)")
    p.add_argument("--csv", default=str(HERE / "results" / ("quick.csv" if "--quick" in (argv or sys.argv) else "latest.csv")),
                   help="CSV written at the end (default benchmarks/results/latest.csv, quick.csv with --quick)")
    p.add_argument("--work", default=None, help="folder for run folders (default: a temporary folder, removed)")
    p.add_argument("--wait-quiet", type=float, default=None, metavar="LOAD",
                   help="first wait (up to --wait-max seconds) until the 1-min load average is below LOAD")
    p.add_argument("--wait-max", type=float, default=1200.0)
    args = p.parse_args(argv)
    cfg = Config.make(args.quick)
    only = set(args.only.split(",")) if args.only else set(CASES) - ({"workflow"} if args.quick else set())
    unknown = only - set(CASES)
    if unknown:
        p.error(f"unknown cases {sorted(unknown)}; allowed: {', '.join(CASES)}")
    if only & {"overhead", "peer", "scaling", "mpi"}:
        only.add("reference")

    info = harness.machine()
    print("machine:", ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    if args.wait_quiet is not None:
        load, waited = harness.wait_for_quiet(args.wait_quiet, args.wait_max)
        print(f"load before start: {load:.2f} (waited {waited:.0f} s)", flush=True)
    tmp = None
    if args.work:
        work = Path(args.work).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="sigdem-bench-")
        work = Path(tmp)
    st = State(cfg, work)
    t0 = time.perf_counter()
    load0 = loadavg()
    try:
        for name in CASES:
            if name not in only:
                continue
            if name == "peer" and "overhead" not in only:
                print("peer needs overhead (its calender run); skipped", flush=True)
                continue
            print(f"[{time.perf_counter() - t0:6.0f} s] {name} (load {loadavg()[0]:.2f})", flush=True)
            {"workflow": case_workflow, "analytic": case_analytic, "reference": reference_settle,
             "overhead": case_overhead, "peer": case_peer, "scaling": case_scaling, "mpi": case_mpi}[name](st)
            if name == "reference":
                t = st.ref_settle_timing
                st.add(Row("-", f"reference bed: settle {st.ref_deck.bed.n} particles of {cfg.ref_blend} (default runner)",
                           t.wall_s, "s", n_particles=st.ref_deck.bed.n, ranks=1, steps=t.steps, wall_s=t.wall_s,
                           cpu_s=t.cpu_s, max_rss_mb=t.max_rss_mb))
    finally:
        elapsed = time.perf_counter() - t0
        print_table(st.rows)
        load1 = loadavg()
        print(f"\nbenchmark wall time {fmt_s(elapsed)}; load average (1/5/15 min) at start {load0}, at end {load1}")
        csv_path = Path(args.csv)
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        fields = list(Row.__dataclass_fields__)
        with open(csv_path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(fields)
            for r in st.rows:
                w.writerow([getattr(r, f) for f in fields])
            fh.write(f"# machine: {json.dumps(info)}\n# mode: {'quick' if cfg.quick else 'full'}; "
                     f"elapsed {elapsed:.0f} s; load at start {load0}, at end {load1}\n")
        print(f"CSV: {csv_path}")
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"run folders kept in {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
