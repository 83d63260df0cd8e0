#!/bin/bash
# A/B/C of the mdr path on a representative calender: LAMMPS's mdr (granular), sigdem's plugin with libm's exp/acos
# (hmr, LAMMPS's bits) and with glibc's vector exp/acos (vec: pair_style granular/mdr/hmr ... math vector); the same
# deck, start and ranks (as ../mdr_kernel_2026-12-05/ab.sh, one more variant).
#   bash ab.sh <finished calender_mdr run folder> <tag> <ranks> <python of the venv> <work folder>
# Prints the LAMMPS loop times of each run section; the three runs' outputs stay in <work folder>.
set -eu
SRC=$1; TAG=$2; NP=$3; PY=$4; WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
BIN=$(dirname "$PY")
FIRST=$(sed -n 's/^variable heights *index *\([^ ]*\).*/\1/p' "$SRC/in.lmp" | head -1)   # the header's first target height
for k in granular hmr vec; do
  d=$WORK/${TAG}_np${NP}_$k; rm -rf "$d"; mkdir -p "$d"
  cp "$SRC/start.restart" "$d/"
  (sed -n '1,/^variable resettle_steps/p' "$SRC/in.lmp"; sed -n '/^# calender_mdr.lmp/,$p' "$REPO/lammps_inputs/calender_mdr.lmp") > "$d/in.lmp"
  cp "$REPO/lammps_inputs/calender_press.lmp" "$d/"
  kernel=$k; math=libm
  if [ $k = vec ]; then kernel=hmr; math=vector; fi
  ( cd "$d"
    ARGS="-in in.lmp -var load_plugin 1 -var kernel_plugin $PLUGIN -var mdr_kernel $kernel -var mdr_math $math -var release_steps 0 -var resettle_steps 3000 -var heights $FIRST -var relax_steps 0 -var unload_speed 2.0 -log log.lammps -screen none"
    if [ "$NP" = 1 ]; then LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" $ARGS; else LD_LIBRARY_PATH=$BIN/../lib "$BIN/mpirun" -np "$NP" "$BIN/lmp" $ARGS; fi )
  echo "$TAG np$NP $k: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')"
done
same=1
for f in thermo.txt targets.txt target_1.dump target_1_contacts.dump held.txt unloaded.dump unloaded.txt; do
  cmp -s "$WORK/${TAG}_np${NP}_granular/$f" "$WORK/${TAG}_np${NP}_hmr/$f" || { echo "DIFFERS (hmr): $f"; same=0; }
done
[ $same = 1 ] && echo "$TAG np$NP: hmr's 7 output files byte-identical to LAMMPS's"
grep -q "math vector" "$WORK/${TAG}_np${NP}_vec/log.lammps" && echo "$TAG np$NP: vec ran pair_style ... math vector"
