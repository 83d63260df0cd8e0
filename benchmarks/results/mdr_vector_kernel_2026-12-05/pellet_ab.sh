#!/bin/bash
# A/B/C of the mdr path on the pellet cell: LAMMPS's mdr (granular), the plugin with libm (hmr) and with vector math
# (vec), the same deck, start and ranks: a finished pellet_cell_mdr folder's settled bed (start.restart) and header,
# this checkout's templates; resettle, then the servo presses the cell to the first two targets and holds each
# (release_each 0, release_restart 0: the release after the last target only, lifted at 2 m/s, no relaxation).
# LAMMPS's unload split throughout (the stock pair has no other).
#   bash pellet_ab.sh <finished pellet_cell_mdr folder> <tag> <ranks> <python of the venv> <work folder>
set -eu
SRC=$1; TAG=$2; NP=$3; PY=$4; WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../../.." && pwd)
PLUGIN=$("$PY" -c 'from sigdem.run.plugin import kernel_path; print(kernel_path())')
BIN=$(dirname "$PY")
P=$(sed -n 's/^variable pressures *index *\([^ ]*\) \([^ ]*\).*/\1 \2/p' "$SRC/in.lmp" | head -1)   # the first two targets
for k in granular hmr vec; do
  d=$WORK/${TAG}_np${NP}_$k; rm -rf "$d"; mkdir -p "$d"
  cp "$SRC/start.restart" "$d/"
  (sed -n '1,/^# pellet_cell_mdr.lmp/p' "$SRC/in.lmp" | sed '$d'; sed -n '/^# pellet_cell_mdr.lmp/,$p' "$REPO/lammps_inputs/pellet_cell_mdr.lmp") > "$d/in.lmp"
  cp "$REPO/lammps_inputs/pellet_press.lmp" "$d/"
  kernel=$k; math=libm
  if [ $k = vec ]; then kernel=hmr; math=vector; fi
  ( cd "$d"
    ARGS="-in in.lmp -var load_plugin 1 -var kernel_plugin $PLUGIN -var mdr_kernel $kernel -var mdr_math $math -var mdr_split lammps -var n_targets 2 -var pressures $P -var release_each 0 -var release_restart 0 -var relax_steps 0 -var unload_speed 2.0 -log log.lammps -screen none"
    if [ "$NP" = 1 ]; then LD_LIBRARY_PATH=$BIN/../lib "$BIN/lmp" $ARGS; else LD_LIBRARY_PATH=$BIN/../lib "$BIN/mpirun" -np "$NP" "$BIN/lmp" $ARGS; fi )
  echo "$TAG np$NP $k: $(grep 'Loop time' "$d/log.lammps" | awk '$4 > 0.01 {printf "%s s / %s steps; ", $4, $9}')"
done
same=1
for f in thermo.txt targets.txt target_1.dump target_2.dump; do
  cmp -s "$WORK/${TAG}_np${NP}_granular/$f" "$WORK/${TAG}_np${NP}_hmr/$f" || { echo "DIFFERS (hmr): $f"; same=0; }
done
[ $same = 1 ] && echo "$TAG np$NP: hmr's output files byte-identical to LAMMPS's"
grep -q "math vector" "$WORK/${TAG}_np${NP}_vec/log.lammps" && echo "$TAG np$NP: vec ran pair_style ... math vector"
