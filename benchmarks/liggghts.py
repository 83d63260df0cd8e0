"""LIGGGHTS 3.8 peer: the pour-and-compress problem of a sigdem settle + calender pair of run folders.

Benchmark only (Debian package ``liggghts``; never a sigdem dependency). :func:`write_peer_case`
reads a finished sigdem settle folder and the calender folder that continued it, and writes a
LIGGGHTS input that runs the same problem for the same number of steps in each phase:

- the same particles (``particles.data`` of the settle folder: ids, grades as atom types,
  diameters, densities, positions), box, gravity, time step and neighbour skin;
- the same contact law: Hertz normal force 4/3 E* sqrt(R*) δ^1.5 (LIGGGHTS ``model hertz``),
  restitution damping η_n = 2 sqrt(5/6) β sqrt(2 E* a m*) with β = ln e / sqrt(ln² e + π²) (equal to
  LAMMPS ``damping coeff_restitution`` for Hertz), Mindlin tangential spring 8 G* a with Coulomb
  limit μ |F_n| (``tangential history``); E* and G* mixed from per-type moduli and Poisson ratios;
- walls: the floor a primitive plane, the top wall a two-triangle mesh moved at the calender's
  speeds; each wall gets its own atom type whose modulus makes the particle-wall E* equal to the
  one LAMMPS used (LAMMPS mixes a ``wall/gran`` modulus with itself; see sigdem.model.contact);
- phases, each with the step count sigdem's run took (from its ``log.lammps``): settle, compress to
  the last target, hold, lift (the release run) and relax (the wall keeps lifting to its park height).

Known difference, stated in the benchmark output: LIGGGHTS damps the tangential spring with
η_t = 2 sqrt(5/6) β sqrt(8 G* a m*), LAMMPS ``mindlin ... 1.0`` with η_t = η_n; for ν = 0.3 the
LIGGGHTS value is 0.91 x the LAMMPS one. The cost per contact is the same.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

LOOP_RE = re.compile(r"^Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms", re.M)


def loop_lines(log_text: str) -> list[tuple[float, int, int]]:
    """(seconds, procs, steps) of every ``Loop time`` line of a LAMMPS or LIGGGHTS log."""
    return [(float(m.group(1)), int(m.group(2)), int(m.group(3))) for m in LOOP_RE.finditer(log_text)]


@dataclass(frozen=True)
class Phases:
    """Step counts of the phases of a sigdem settle + calender pair."""

    settle: int
    resettle: int
    compress: int
    hold: int
    lift: int
    relax: int

    @property
    def total(self) -> int:
        return self.settle + self.resettle + self.compress + self.hold + self.lift + self.relax


def sigdem_phases(settle_dir: Path, calender_dir: Path) -> Phases:
    """Read the step counts of each phase from the two folders' ``log.lammps``.

    Calender runs, in order (zero-step runs dropped): the optional re-settle (wall away), one per
    target (compress), the hold, the lift (stopped by ``fix halt``) and the relaxation. Needs
    ``target_hold_steps`` = 0.
    """
    settle_steps = sum(s for _, _, s in loop_lines((settle_dir / "log.lammps").read_text()))
    params = json.loads((calender_dir / "params.json").read_text())
    n_targets = len(params["statepoint"]["protocol"]["target_densities_g_cc"])
    if params["variables"].get("target_hold_steps", 0):
        raise ValueError("the peer mirrors calender runs with target_hold_steps = 0 only")
    runs = [s for _, _, s in loop_lines((calender_dir / "log.lammps").read_text()) if s > 0]
    resettle = int(params["variables"].get("resettle_steps", 0))
    if resettle:
        if not runs or runs[0] != resettle:
            raise ValueError(f"{calender_dir}: the first run is not the re-settle of {resettle} steps")
        runs = runs[1:]
    if len(runs) != n_targets + 3:
        raise ValueError(f"{calender_dir}: expected {n_targets + 3} non-empty runs, found {len(runs)}")
    return Phases(settle_steps, resettle, sum(runs[:n_targets]), runs[n_targets], runs[n_targets + 1],
                  runs[n_targets + 2])


def peer_wall_modulus(e_particle: float, nu: float, e_lammps_wall: float) -> float:
    """Young's modulus of a LIGGGHTS wall type (Poisson ratio ``nu``) giving LAMMPS's particle-wall E*.

    LAMMPS ``wall/gran hertz/material E_w`` uses E* = E_w / (2 (1 - ν²)); LIGGGHTS mixes
    1/E* = (1 - ν²)/E_p + (1 - ν²)/E_wall. With equal ν, G* then matches too.
    """
    e_star = e_lammps_wall / (2.0 * (1.0 - nu * nu))
    inv = 1.0 / e_star - (1.0 - nu * nu) / e_particle
    if inv <= 0:
        return math.inf
    return (1.0 - nu * nu) / inv


def _data_file(src: Path, dst: Path, extra_types: int) -> int:
    """Copy a sigdem data file for LIGGGHTS: no type-label section, ``extra_types`` more atom types.

    Every particle type of a sigdem bed is the same material (the grades differ only in size), and LIGGGHTS
    refuses a granular bed whose smallest type in use is not 1 (a one-grade bed of the small grade is all type
    3): the particles become type 1 and the particle types one."""
    text = src.read_text()
    head, atoms = text.split("Atoms # sphere", 1)
    head = re.sub(r"Atom Type Labels\n\n(?:\d+ \w+\n)+\n?", "", head)
    m = re.search(r"^(\d+) atom types$", head, re.M)
    head = head[:m.start()] + f"{1 + extra_types} atom types" + head[m.end():]
    body, sep, rest = atoms.lstrip("\n").partition("\n\n")  # the Atoms lines, then Velocities if any
    lines = [line.split(" ", 2) for line in body.splitlines()]
    body = "\n".join(f"{i} 1 {tail}" for i, _, tail in lines)
    dst.write_text(head + "Atoms\n\n" + body + (sep + rest if sep else "\n"))
    return 1


def _plane_stl(path: Path, lx: float, ly: float) -> None:
    """Two triangles covering [0, lx] x [0, ly] at z = 0, normal +z.

    Inset by 1e-9 of the box: LIGGGHTS deletes or wraps mesh nodes on the periodic boundary.
    """
    a, bx, by = 1e-9 * max(lx, ly), lx * (1 - 1e-9), ly * (1 - 1e-9)
    tris = [((a, a, 0), (bx, a, 0), (bx, by, 0)), ((a, a, 0), (bx, by, 0), (a, by, 0))]
    lines = ["solid top"]
    for tri in tris:
        lines += ["facet normal 0 0 1", "outer loop"]
        lines += [f"vertex {x:.10g} {y:.10g} {z:.10g}" for x, y, z in tri]
        lines += ["endloop", "endfacet"]
    lines.append("endsolid top")
    path.write_text("\n".join(lines) + "\n")


def write_peer_case(settle_dir: Path, calender_dir: Path, out: Path, xy_split: bool = False) -> Phases:
    """Write ``out/in.liggghts`` (+ data file and top-wall mesh) mirroring the two sigdem folders.

    ``xy_split``: ``processors * * 1`` (as in the sigdem decks it is compared with).
    """
    out.mkdir(parents=True, exist_ok=True)
    phases = sigdem_phases(settle_dir, calender_dir)
    sv = json.loads((settle_dir / "params.json").read_text())["variables"]
    cv = json.loads((calender_dir / "params.json").read_text())["variables"]
    n_types = _data_file(settle_dir / "particles.data", out / "particles.data", extra_types=2)
    box = json.loads((settle_dir / "params.json").read_text())["statepoint"]["bed"]["box_um"]
    _plane_stl(out / "top.stl", box[0], box[1])
    floor_t, top_t = n_types + 1, n_types + 2
    nu, e_p = sv["nu"], sv["E"]
    moduli = [e_p] * n_types + [peer_wall_modulus(e_p, nu, sv["E_floor"]), peer_wall_modulus(e_p, nu, cv["E_top"])]
    n_all = n_types + 2

    def pair_matrix(pp: float, floor: float, top: float) -> str:
        rows = []
        for i in range(n_all):
            for j in range(n_all):
                walls = {i, j} & {floor_t - 1, top_t - 1}
                if not walls:
                    rows.append(pp)
                elif walls == {floor_t - 1}:
                    rows.append(floor)
                elif walls == {top_t - 1}:
                    rows.append(top)
                else:  # wall-wall: never used
                    rows.append(pp)
        return " ".join(f"{v:.10g}" for v in rows)

    z_park_lift = cv["d_max"]  # the wall parks one largest diameter above where it started
    text = f"""# LIGGGHTS 3.8 peer of sigdem {settle_dir.name} + {calender_dir.name} (written by benchmarks/liggghts.py)
atom_style      granular
atom_modify     map array
boundary        p p f
{"processors      * * 1" if xy_split else "# processors: LIGGGHTS's choice"}
newton          off
communicate     single vel yes
units           micro
read_data       particles.data
neighbor        {sv['skin']:.17g} bin
neigh_modify    delay 0

fix m1 all property/global youngsModulus peratomtype {' '.join(f'{e:.17g}' for e in moduli)}
fix m2 all property/global poissonsRatio peratomtype {' '.join(f'{nu:.17g}' for _ in range(n_all))}
fix m3 all property/global coefficientRestitution peratomtypepair {n_all} {pair_matrix(sv['e'], sv['e_floor'], cv['e_top'])}
fix m4 all property/global coefficientFriction peratomtypepair {n_all} {pair_matrix(sv['mu'], sv['mu_floor'], cv['mu_top'])}
pair_style      gran model hertz tangential history
pair_coeff      * *
timestep        {sv['dt']:.17g}

fix             floor all wall/gran model hertz tangential history primitive type {floor_t} zplane 0.0
fix             gravity all gravity {sv['g']:.17g} vector 0 0 -1
fix             integrate all nve/sphere

compute         rad all property/atom radius
variable        top atom z+c_rad
compute         zsurf all reduce max v_top
thermo_style    custom step atoms ke c_zsurf
thermo          {sv['thermo_every']}
thermo_modify   lost error norm no

# settle (and the calender's optional re-settle, wall away)
run             {phases.settle + phases.resettle}

# compress: the top wall starts {cv['gap']:.6g} above the highest particle
variable        z0 equal c_zsurf+{cv['gap']:.17g}
variable        z0n equal ${{z0}}
fix             topmesh all mesh/surface file top.stl type {top_t} move 0. 0. ${{z0n}}
fix             topwall all wall/gran model hertz tangential history mesh n_meshes 1 meshes topmesh
fix             down all move/mesh mesh topmesh linear 0. 0. -{cv['speed']:.17g}
run             {phases.compress}
unfix           down
run             {phases.hold}

# lift, then relax while the wall keeps lifting to its park height
fix             up all move/mesh mesh topmesh linear 0. 0. {cv['unload_speed']:.17g}
"""
    lift_total = phases.lift + phases.relax
    rise_steps = math.ceil((phases.compress * cv["speed"] * sv["dt"] + z_park_lift) / (cv["unload_speed"] * sv["dt"]))
    moving = min(lift_total, rise_steps)
    text += f"run             {moving}\nunfix           up\n"
    if lift_total > moving:
        text += f"run             {lift_total - moving}\n"
    (out / "in.liggghts").write_text(text)
    return phases
