"""Helpers of the ``sigdem`` command line: checks of CLI-only values, dry runs, custom grades, CSV output.

Everything here raises :class:`~sigdem.errors.InputError` naming the option, the value and what is allowed;
``sigdem.cli.main`` prints it as ``sigdem: error: <field>: ...`` and returns 2.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from dataclasses import fields

from sigdem.cli.cluster import add_cluster_options
from sigdem.errors import InputError
from sigdem.inputs import check_int, check_root
from sigdem.run.runners import KERNEL_CHOICES, Executable

log = logging.getLogger("sigdem")


class Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown in every --help, examples (epilog) kept as written."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


def epilog(*examples: str) -> str:
    return "examples:\n" + "\n".join(f"  {e}" for e in examples)


def cores() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def check_workers(field: str, value: int | None) -> int:
    """``value`` workers (``None``: all cores) in [1, 4 x cores]."""
    if value is None:
        return cores()
    return check_int(field, value, 1, 4 * cores())


def root_of(args) -> Path:
    """The --root folder checked (created unless a dry run): a file, an uncreatable or read-only path is refused."""
    return check_root("root", args.root, create=not getattr(args, "dry_run", False))


def print_plan(plan) -> int:
    for line in plan.lines():
        print(line)
    return 0


def mdr_only(args, field: str, given: str, why: str) -> None:
    """An mdr option given with another --contact is refused rather than silently ignored."""
    if args.contact != "mdr":
        raise InputError(field, f"{given} given with --contact {args.contact}; allowed: only with --contact mdr ({why})")


def check_yield_option(args) -> None:
    """--yield-stress-gpa (and --psi-b) apply to --contact mdr only: refused with hertz rather than silently ignored."""
    if args.yield_stress_gpa is not None:
        mdr_only(args, "yield_stress_gpa", f"{args.yield_stress_gpa:g} GPa", "Hertz contacts are elastic")
    check_psi_b_option(args)


def check_psi_b_option(args) -> None:
    """--psi-b, --mdr-unload-split and --mdr-math apply to --contact mdr only."""
    if getattr(args, "psi_b", None) is not None:
        mdr_only(args, "psi_b", f"{args.psi_b:g}", "the bulk response is mdr's")
    if getattr(args, "mdr_unload_split", None) is not None:
        mdr_only(args, "mdr_unload_split", args.mdr_unload_split, "the unload split is mdr's")
    if getattr(args, "mdr_math", None) is not None:
        mdr_only(args, "mdr_math", args.mdr_math, "vector math is the mdr plugin's")


MDR_UNLOAD_SPLIT_HELP = ("how mdr splits an unloading contact between its two particles: lammps (LAMMPS's, the "
                         "default) or bounded (sigdem's mdr plugin: each particle's share of the unloading held within "
                         "[0, 1], where LAMMPS's can run away and turn an almost fully plastic contact's force NaN; "
                         "sigdem.model.contact.MDR_UNLOAD_SPLITS)")
MDR_MATH_HELP = ("where mdr's exp and acos come from: libm (LAMMPS's, every value to the bit; the default) or vector "
                 "(sigdem's mdr plugin built with glibc's libmvec: within a few ulp, the same statistics, ~8 %% faster; "
                 "part of the job id; sigdem.model.contact.MDR_MATHS)")


PSI_B_HELP = ("mdr's bulk-response threshold psi_b in [0, 1] (default 0.5, the model's): a particle whose free surface "
              "share falls below it stiffens as a confined body. It changes loaded results at 1.75 g/cc (representative "
              "beds: p99 contact force +11-24 %%, p99 stress of the smallest particles 2-2.6x, with 0.5 vs 0); 0 does not "
              "make mdr's lift safe (2 of 4 representative lifts stopped with 0.5, 1 of 4 with 0): a sensitivity knob, "
              "see the README")


def _pairs(option: str, items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(option, f"{item!r} is not name=value; allowed e.g. --{option.replace('_', '-')} SiG-1=...")
        if name.strip() in out:
            raise InputError(option, f"{name.strip()!r} is given twice; allowed: each grade once")
        out[name.strip()] = value.strip()
    return out


def grades_of(args, need: int | None = None):
    """The paper's grades, or the grades of --psd name=file.csv (with --density-g-cc name=2.2, default graphite's)."""
    from sigdem.psd import GRAPHITE_DENSITY_G_CC, Grade, paper_grades, read_psd_csv

    tables = _pairs("psd", getattr(args, "psd", None))
    dens = _pairs("density_g_cc", getattr(args, "density_g_cc", None))
    if not tables:
        if dens:
            raise InputError("density_g_cc", f"{sorted(dens)} given without --psd; allowed: only for --psd grades")
        return paper_grades()
    unknown = sorted(set(dens) - set(tables))
    if unknown:
        raise InputError("density_g_cc", f"{unknown} are not --psd grades; allowed: {sorted(tables)}")
    grades = []
    for name, path in tables.items():
        try:
            rho = float(dens.get(name, GRAPHITE_DENSITY_G_CC))
        except ValueError:
            raise InputError("density_g_cc", f"{dens[name]!r} for {name!r} is not a number; allowed: (0, 30] g/cc") from None
        grades.append(Grade(name, read_psd_csv(path), rho))
    if need is not None and len(grades) != need:
        raise InputError("psd", f"{len(grades)} grade(s) given; allowed: exactly {need} for this command")
    return tuple(grades)


def default_blend_text(grades) -> str:
    """Equal mass fractions of the --psd grades (a single grade: all of it)."""
    return ",".join(f"{g.name}={1.0 / len(grades)!r}" for g in grades)


def csv_path(args, default_name: str) -> Path:
    """--csv PATH, or ``default_name`` beside the run folders under --root."""
    path = Path(args.csv) if args.csv else Path(args.root) / default_name
    if path.exists() and path.is_dir():
        raise InputError("csv", f"{str(path)!r} is a directory; allowed: a file path")
    check_root("csv", path.parent, create=not getattr(args, "dry_run", False))
    return path


def psd_report(paths: list[str]) -> list[str]:
    """Statistics of PSD tables and a log-normal fit: least squares of ln D_q = ln(median) + z_q s over the
    table's volume quantiles q = 0.05, 0.10, ..., 0.95, with the RMS residual in ln d (0: exactly log-normal)."""
    import numpy as np
    from scipy.special import ndtri

    from sigdem.psd import read_psd_csv

    q = np.arange(1, 20) / 20.0
    z = ndtri(q)
    lines = [f"{'table':24s} {'D10':>8s} {'D50':>8s} {'D90':>8s} {'span':>6s} {'D[3,2]':>8s} {'D[4,3]':>8s}  "
             "log-normal fit (volume basis)"]
    for p in paths:
        psd = read_psd_csv(p)
        s = psd.statistics()
        y = np.log(np.asarray(psd.quantile(q), dtype=float))
        slope, mu = np.polyfit(z, y, 1)
        rms = float(np.sqrt(np.mean((y - (mu + slope * z)) ** 2)))
        lines.append(f"{Path(p).name:24s} {s.d10_um:8.3f} {s.d50_um:8.3f} {s.d90_um:8.3f} "
                     f"{(s.d90_um - s.d10_um) / s.d50_um:6.3f} {s.d32_um:8.3f} {s.d43_um:8.3f}  median "
                     f"{np.exp(mu):.3f} µm, gsd {np.exp(slope):.3f}, RMS ln residual {rms:.3g}")
    lines.append("sizes in µm (volume-basis D-values); the fit uses the quantiles 5 %, 10 %, ..., 95 %")
    return lines


def _default(cls, name: str):
    """The library's default of a dataclass field: the CLI never retypes one."""
    return next(f.default for f in fields(cls) if f.name == name)


def _blend(text: str | None, args=None, need: int | None = None):
    """A blend of the paper's grades or of the --psd grades (default: equal mass fractions of them)."""
    from sigdem.psd import blend_from_text

    grades = grades_of(args, need) if args is not None else grades_of(argparse.Namespace())
    if text is None:
        text = default_blend_text(grades) if getattr(args, "psd", None) else "large=0.5,small=0.5"
    return blend_from_text(text, grades)


def _runner(args) -> Executable:
    """The runner the options describe: a child lmp on --np ranks (mpirun from the mpich wheel) with --kernel."""
    return Executable(ranks=args.np, kernel=args.kernel)


def _add_runner_options(p):
    add_cluster_options(p)
    p.add_argument("--np", type=int, default=1, help="MPI ranks of each LAMMPS run (mpirun from the mpich wheel; "
                   "inside a Slurm allocation use `sigdem hpc`). Default 1")
    p.add_argument("--kernel", choices=KERNEL_CHOICES, default="auto",
                   help="what computes Hertz contacts: auto (sigdem's granular/hmr plugin where `sigdem kernel build` "
                        "verified it and the deck allows it, else LAMMPS's pair granular; default), granular, hmr. "
                        "The results are the same bit for bit")
    p.add_argument("--root", default="sigdem-runs", help="folder for run folders (default ./sigdem-runs)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--psd", action="append", metavar="NAME=FILE.csv",
                   help="a custom grade from a measured PSD table (repeatable; see `sigdem psd`); --blend then names "
                        "these grades (default: equal mass fractions)")
    p.add_argument("--density-g-cc", action="append", metavar="NAME=RHO",
                   help="true density of a --psd grade, g/cc (default 2.26, graphite)")
    p.add_argument("--dry-run", action="store_true", help="check every input, print particle count, box, time step, "
                   "estimated steps and time, and exit without running LAMMPS")
