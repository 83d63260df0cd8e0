"""Make the LAMMPS Python module importable with no environment variables.

The PyPI wheel's ``liblammps.so`` links ``libmpi.so.12``, which the ``mpich`` wheel puts in
``<prefix>/lib``: off the dynamic loader's path. Loading that library first with
``RTLD_GLOBAL`` satisfies the dependency for the process (and for every MPI rank, since each
rank is its own Python process that imports sigdem). Nothing here touches ``os.environ``.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.metadata
import logging
from pathlib import Path

from sigdem.errors import EnvironmentProblem

log = logging.getLogger(__name__)

LAMMPS_VERSION_PINNED = "2025.7.22.4.0"
LAMMPS_VERSION_DATE = 20250722


@functools.cache
def mpi_library_path() -> Path | None:
    """Path of ``libmpi.so.12`` shipped by the ``mpich`` wheel, or None when not installed."""
    try:
        files = importlib.metadata.files("mpich") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).endswith("libmpi.so.12"):
            path = Path(f.locate()).resolve()
            if path.exists():
                return path
    return None


@functools.cache
def preload_mpi() -> Path | None:
    """Load the wheel's MPI library globally so ``liblammps.so`` can resolve it.

    Returns the path loaded, or None when no mpich wheel is installed (a LAMMPS built
    without MPI, or with a system MPI on the loader path, may still import).
    """
    path = mpi_library_path()
    if path is None:
        log.debug("no mpich wheel found; relying on the system loader for libmpi")
        return None
    try:
        ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
    except OSError as exc:  # pragma: no cover - depends on a broken install
        raise EnvironmentProblem(f"could not load the MPI library {path}: {exc}") from exc
    return path


def lammps_class():
    """Return the ``lammps.lammps`` class, loading MPI first.

    Raises EnvironmentProblem with install advice when the module cannot be imported.
    """
    preload_mpi()
    try:
        from lammps import lammps
    except (ImportError, OSError) as exc:
        raise EnvironmentProblem(
            "the LAMMPS Python module could not be loaded "
            f"({exc}); install it with: pip install 'lammps[mpi]=={LAMMPS_VERSION_PINNED}'"
        ) from exc
    return lammps
